// Database: opening, transactions, runs and stages. Writes of records are in database_write.cpp,
// queries in database_query.cpp.
#include "ruledb/database.h"

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "ruledb/schema.h"
#include "ruledb/sql/connection.h"
#include "ruledb/sql/savepoint.h"
#include "ruledb/sql/transaction.h"

namespace rf::ruledb {

namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

// SQLite would only notice a foreign file at the first query, with a terse message; reading the
// header first lets the error say plainly what the file is not.
void check_file(const std::string& path, bool create) {
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) {
        if (create) return;
        throw DbError(DbError::Kind::Missing, "no database at '" + path + "'");
    }
    if (std::filesystem::is_directory(status))
        throw DbError(DbError::Kind::NotSqlite, "'" + path + "' is a directory, not a ruleforge database");
    auto size = std::filesystem::file_size(path, ec);
    if (ec || size == 0) {
        if (create) return;  // SQLite treats an empty file as an empty database
        throw DbError(DbError::Kind::Missing, "'" + path + "' is empty, not a ruleforge database");
    }
    static const char kHeader[16] = "SQLite format 3";  // 15 characters and a NUL
    char head[16] = {};
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DbError(DbError::Kind::Io, "cannot read '" + path + "'");
    in.read(head, sizeof head);
    if (in.gcount() < 16 || std::memcmp(head, kHeader, 16) != 0)
        throw DbError(DbError::Kind::NotSqlite,
                      "'" + path + "' is not a SQLite database (no SQLite header), so not a ruleforge database");
}

RunInfo read_run(sql::Statement& st) {
    RunInfo r;
    r.id = st.i64(0);
    r.uuid = st.text(1);
    r.spec.command = st.text(2);
    r.spec.params_json = st.text(3);
    r.spec.tool_version = st.text(4);
    r.spec.axiom_version = st.text(5);
    for (const auto& s : nlohmann::json::parse(st.text(6))) r.spec.seeds.push_back(s.get<uint64_t>());
    r.started_at = st.text(7);
    r.finished_at = st.opt_text(8).value_or("");
    r.status = run_status_from(st.text(9)).value_or(RunStatus::Failed);
    r.merged_from = st.text(10);
    return r;
}

constexpr const char* kRunColumns =
    "SELECT id, uuid, command, params_json, tool_version, axiom_version, seeds_json, started_at, "
    "finished_at, "
    "status, merged_from FROM runs ";

// A file another user owns, or one in a folder we may not write, is read immutable: opening it
// mode=ro alone would still create -wal/-shm beside it (owned by us, then in the owner's way) or
// fail where the folder is not writable. A -wal with content holds commits not yet in the file
// (a writer at work, or one that was killed): then plain mode=ro, so that SQLite reads them
// through the -wal instead of showing an older state (not tested: it needs a live writer of
// another user).
std::unique_ptr<sql::Connection> open_read_only(const std::string& path, int busy_timeout_ms) {
    std::filesystem::path p(path);
    const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
    if (::access(path.c_str(), W_OK) == 0 && ::access(dir.c_str(), W_OK) == 0) {
        auto conn = std::make_unique<sql::Connection>(path, false, false, busy_timeout_ms);
        conn->exec("PRAGMA query_only = ON");
        return conn;
    }
    std::error_code ec;
    const auto wal_size = std::filesystem::file_size(path + "-wal", ec);
    const bool pending_wal = !ec && wal_size > 0;
    return std::make_unique<sql::Connection>(path, false, true, busy_timeout_ms, !pending_wal);
}

}  // namespace

Database::Database(const std::string& path, Options options) {
    if (options.read_only) {
        check_file(path, false);
        d_conn = open_read_only(path, options.busy_timeout_ms);
        schema::check_readable(*d_conn);
        return;
    }
    check_file(path, options.create);
    d_conn = std::make_unique<sql::Connection>(path, options.create, false, options.busy_timeout_ms);
    d_conn->exec("PRAGMA foreign_keys = ON");
    schema::prepare(*d_conn);
    // A load killed before it ended left its tables without their secondary indexes
    // (tune_for_load): built again here, by the next command that writes.
    schema::restore_load_indexes(*d_conn);
    // WAL with synchronous=NORMAL: a killed process loses at most the transactions not yet
    // committed, never consistency; only a power cut may drop the last commits.
    d_conn->exec("PRAGMA synchronous = NORMAL");
}

Database::~Database() = default;
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;

void Database::create_at_version(const std::string& path, int version) {
    check_file(path, true);
    sql::Connection conn(path, true, false, 5000);
    schema::prepare(conn, version);
}

const std::string& Database::path() const { return d_conn->path(); }

int Database::schema_version() { return static_cast<int>(d_conn->query_int("PRAGMA user_version")); }

std::vector<std::string> Database::integrity_check() {
    std::vector<std::string> problems;
    auto st = d_conn->prepare("PRAGMA integrity_check");
    while (st.step())
        if (st.text(0) != "ok") problems.push_back(st.text(0));
    auto fk = d_conn->prepare("PRAGMA foreign_key_check");
    while (fk.step())
        problems.push_back("foreign key: row " + std::to_string(fk.i64(1)) + " of " + fk.text(0) +
                           " refers to a missing row of " + fk.text(2));
    return problems;
}

void Database::atomically(const std::function<void()>& body) {
    struct Depth {
        int& d;
        explicit Depth(int& x) : d(x) { ++d; }
        ~Depth() { --d; }
    };
    if (d_depth == 0) {
        sql::Transaction tx(*d_conn);
        {
            Depth depth(d_depth);
            body();
        }
        tx.commit();
        return;
    }
    sql::Savepoint sp(*d_conn, "rf_sp" + std::to_string(d_depth));
    {
        Depth depth(d_depth);
        body();
    }
    sp.release();
}

Id Database::begin_run(const RunSpec& spec) {
    nlohmann::json params;
    try {
        params = nlohmann::json::parse(spec.params_json);
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument("run parameters are not JSON: " + std::string(e.what()));
    }
    auto st = d_conn->prepare(std::string("INSERT INTO runs(uuid, command, params_json, tool_version, axiom_version, "
                                          "seeds_json, started_at, status) "
                                          "VALUES (lower(hex(randomblob(16))), ?, ?, ?, ?, ?, ") +
                              kNow + ", 'running')");
    st.bind_all(spec.command, params.dump(), spec.tool_version.empty() ? std::string(RF_VERSION) : spec.tool_version,
                spec.axiom_version, nlohmann::json(spec.seeds).dump());
    st.run();
    return d_conn->last_insert_rowid();
}

void Database::finish_run(Id run, RunStatus status) {
    auto st = d_conn->prepare(std::string("UPDATE runs SET status = ?, finished_at = ") + kNow + " WHERE id = ?");
    st.bind_all(to_string(status), run).run();
}

void Database::resume_run(Id run) {
    d_conn->prepare("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?").bind_all(run).run();
}

std::optional<RunInfo> Database::run(Id id) {
    auto st = d_conn->prepare(std::string(kRunColumns) + "WHERE id = ?");
    st.bind_all(id);
    if (!st.step()) return std::nullopt;
    return read_run(st);
}

std::vector<RunInfo> Database::runs() {
    std::vector<RunInfo> out;
    auto st = d_conn->prepare(std::string(kRunColumns) + "ORDER BY id");
    while (st.step()) out.push_back(read_run(st));
    return out;
}

std::optional<RunInfo> Database::last_unfinished_run(std::string_view command_prefix) {
    auto st = d_conn->prepare(std::string(kRunColumns) +
                              "WHERE status <> 'finished' AND substr(command, 1, length(?1)) = ?1 "
                              "ORDER BY id DESC LIMIT 1");
    st.bind(1, command_prefix);
    if (!st.step()) return std::nullopt;
    return read_run(st);
}

void Database::mark_stage_done(Id run, std::string_view stage, std::string_view unit, std::string_view stats_json) {
    auto st = d_conn->prepare(std::string("INSERT INTO stages(run_id, stage, unit, finished_at, stats_json) "
                                          "VALUES (?, ?, ?, ") +
                              kNow +
                              ", ?) "
                              "ON CONFLICT(run_id, stage, unit) DO UPDATE SET stats_json = excluded.stats_json");
    st.bind_all(run, stage, unit, stats_json).run();
}

bool Database::stage_done(Id run, std::string_view stage, std::string_view unit) {
    auto st = d_conn->prepare("SELECT 1 FROM stages WHERE run_id = ? AND stage = ? AND unit = ?");
    st.bind_all(run, stage, unit);
    return st.step();
}

std::vector<std::string> Database::done_units(Id run, std::string_view stage) {
    std::vector<std::string> out;
    auto st = d_conn->prepare("SELECT unit FROM stages WHERE run_id = ? AND stage = ? ORDER BY unit");
    st.bind_all(run, stage);
    while (st.step()) out.push_back(st.text(0));
    return out;
}

}  // namespace rf::ruledb
