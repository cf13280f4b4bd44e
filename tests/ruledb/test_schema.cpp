// Opening ruleforge databases: creation (WAL, application id, current version), migration of a
// version-1 file, and clear refusals of files that are not ours, too new, missing or locked.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include "ruledb/database.h"
#include "ruledb/schema.h"
#include "tests/ruledb/ruledb_test_util.h"

using namespace rf;
using namespace rf::ruledb;
using namespace rf::ruledb::test;

namespace {

// The DbError that opening `path` throws (its kind and message), or none.
std::optional<DbError> open_error(const std::string& path, Database::Options options = {}) {
    try {
        Database db(path, options);
    } catch (const DbError& e) {
        return e;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("ruledb: a new database is WAL, carries the application id and the current version", "[ruledb]") {
    std::string path = fresh_db("schema-new");
    {
        Database db(path);
        CHECK(db.schema_version() == schema::kCurrentVersion);
        CHECK(db.integrity_check().empty());
        db.add_rule(rule("relu(relu(x)) => relu(x)"));
    }
    std::string head = file_bytes(path).substr(0, 20);
    CHECK(head.substr(0, 15) == "SQLite format 3");
    CHECK(head[18] == 2);  // read and write versions 2 mean WAL
    CHECK(head[19] == 2);
    CHECK(header_u32(path, 68) == static_cast<uint32_t>(schema::kApplicationId));
    CHECK(header_u32(path, 60) == static_cast<uint32_t>(schema::kCurrentVersion));
    // Opening again changes nothing and finds the rule.
    Database db(path, Database::Options{false});
    CHECK(db.stats().rules == 1);
}

TEST_CASE("ruledb: a version-1 database opens and migrates to the current version", "[ruledb]") {
    std::string path = fresh_db("schema-v1");
    Database::create_at_version(path, 1);
    CHECK(header_u32(path, 60) == 1);
    bool old_row = have_sqlite3_tool() && sqlite3_tool(path,
                                                       "INSERT INTO runs(command, tool_version, started_at, status) "
                                                       "VALUES ('ruleforge discover --max-ops 2', '0.0.1', "
                                                       "'2024-01-01T00:00:00Z', 'finished')");
    if (!old_row) WARN("sqlite3 tool missing: migration checked without a version-1 row");
    Database db(path);
    CHECK(db.schema_version() == schema::kCurrentVersion);
    CHECK(db.integrity_check().empty());
    auto runs = db.runs();
    if (old_row) {
        REQUIRE(runs.size() == 1);
        CHECK(runs[0].spec.command == "ruleforge discover --max-ops 2");
        CHECK(runs[0].uuid.size() == 32);  // filled in by the migration
    }
    // Version 2's tables work.
    Id run = db.begin_run({.command = "test"});
    db.mark_stage_done(run, "enumerate", "size=1");
    CHECK(db.stage_done(run, "enumerate", "size=1"));
    CHECK_FALSE(db.stage_done(run, "enumerate", "size=2"));
}

TEST_CASE("ruledb: a file that is not SQLite is refused, named, and left untouched", "[ruledb]") {
    std::string path = fresh_db("schema-notsqlite");
    std::ofstream(path, std::ios::binary) << "x: act[2,3]\nrelu(x) => x\n" << std::string(200, '\x7f');
    std::string before = file_bytes(path);
    auto e = open_error(path);
    REQUIRE(e);
    CHECK(e->kind() == DbError::Kind::NotSqlite);
    CHECK_THAT(e->what(), Catch::Contains(path) && Catch::Contains("not a SQLite database"));
    CHECK(file_bytes(path) == before);
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST_CASE("ruledb: another program's SQLite database is refused and left untouched", "[ruledb]") {
    if (!have_sqlite3_tool()) {
        WARN("sqlite3 tool not installed: skipping the foreign-database test");
        return;
    }
    std::string path = fresh_db("schema-foreign");
    REQUIRE(sqlite3_tool(path,
                         "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users "
                         "VALUES (1, 'ada');"));
    std::string before = file_bytes(path);
    auto e = open_error(path);
    REQUIRE(e);
    CHECK(e->kind() == DbError::Kind::ForeignDb);
    CHECK_THAT(e->what(), Catch::Contains(path) && Catch::Contains("another program") && Catch::Contains("users"));
    CHECK(file_bytes(path) == before);

    // Our application id without our magic row is still not ours.
    std::string fake = fresh_db("schema-fake");
    REQUIRE(sqlite3_tool(fake, "PRAGMA application_id = " + std::to_string(schema::kApplicationId) +
                                   "; CREATE TABLE meta(key TEXT, value TEXT);"));
    auto f = open_error(fake);
    REQUIRE(f);
    CHECK(f->kind() == DbError::Kind::ForeignDb);
}

TEST_CASE("ruledb: a database from a newer ruleforge is refused", "[ruledb]") {
    if (!have_sqlite3_tool()) {
        WARN("sqlite3 tool not installed: skipping the newer-schema test");
        return;
    }
    std::string path = fresh_db("schema-newer");
    { Database db(path); }
    REQUIRE(sqlite3_tool(path, "PRAGMA user_version = 99"));
    auto e = open_error(path);
    REQUIRE(e);
    CHECK(e->kind() == DbError::Kind::TooNew);
    CHECK_THAT(e->what(), Catch::Contains("99") && Catch::Contains(path));
}

TEST_CASE("ruledb: a missing or empty file is refused unless creation is asked for", "[ruledb]") {
    std::string path = fresh_db("schema-missing");
    auto e = open_error(path, Database::Options{false});
    REQUIRE(e);
    CHECK(e->kind() == DbError::Kind::Missing);
    CHECK_FALSE(std::filesystem::exists(path));
    std::ofstream(path).close();
    auto empty = open_error(path, Database::Options{false});
    REQUIRE(empty);
    CHECK(empty->kind() == DbError::Kind::Missing);
    Database db(path);  // with creation, an empty file becomes a database
    CHECK(db.schema_version() == schema::kCurrentVersion);
}

TEST_CASE("ruledb: a database locked by another process gives a clear error after the timeout", "[ruledb]") {
    std::string path = fresh_db("schema-locked");
    { Database db(path); }
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // Holds the write lock for a while, then leaves without committing.
        try {
            Database db(path);
            db.atomically([&] {
                db.add_rule(rule("relu(relu(x)) => relu(x)"));
                char c = 'x';
                (void)!write(ready[1], &c, 1);
                sleep(5);
            });
        } catch (...) {
        }
        _exit(0);
    }
    char c;
    REQUIRE(read(ready[0], &c, 1) == 1);
    Database db(path, Database::Options{false, 200});  // reading and opening still work
    CHECK(db.stats().rules == 0);
    auto start = std::chrono::steady_clock::now();
    std::optional<DbError> e;
    try {
        db.add_rule(rule("tanh(x) => tanh(x)"));
    } catch (const DbError& err) {
        e = err;
    }
    auto waited = std::chrono::steady_clock::now() - start;
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    close(ready[0]);
    close(ready[1]);
    REQUIRE(e);
    CHECK(e->kind() == DbError::Kind::Locked);
    CHECK_THAT(e->what(),
               Catch::Contains(path) && Catch::Contains("locked by another process") && Catch::Contains("200 ms"));
    CHECK(waited >= std::chrono::milliseconds(150));
    // The killed holder's uncommitted rule is gone; ours can be added now.
    CHECK(db.add_rule(rule("tanh(x) => tanh(x)")).inserted);
    CHECK(db.stats().rules == 1);
    CHECK(db.integrity_check().empty());
}
