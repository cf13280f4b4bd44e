// Bad databases through the commands that read or write one: a file that is not SQLite, another
// program's SQLite file, a newer schema, a missing file, a database locked by another process,
// a read-only file, a full disk (simulated with a file-size limit). Each is refused with the
// file named and a non-zero exit, and what was stored stays as it was.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <chrono>

#include "tests/reliability/reliability_util.h"
#include "tests/support/tools.h"

using namespace rf;
using namespace rf::reliability;

namespace {

std::function<std::string()> text(std::string s) {
    return [s] { return s; };
}

// A SQLite file written by the sqlite3 tool, as another program would (tests may not include
// sqlite3.h: only ruledb/ does).
std::function<std::string()> sqlite_file(const std::string& dir, const std::string& name, const std::string& sql) {
    return [=] {
        std::string path = dir + "/" + name + ".tmp";
        std::filesystem::remove(path);
        std::string cmd = "sqlite3 '" + path + "' \"" + sql + "\" > /dev/null 2>&1";
        REQUIRE(std::system(cmd.c_str()) == 0);
        std::string bytes = read_file(path);
        std::filesystem::remove(path);
        return bytes;
    };
}

std::string good_rules(const std::string& dir) {
    std::string path = dir + "/good.rf";
    write_file(path, "relu(relu(relu(x))) => relu(x)\newadd(a, b) => ewadd(b, a)\n");
    return path;
}

}  // namespace

TEST_CASE("reliability: databases that are not ruleforge's are refused and left untouched", "[reliability]") {
    if (!rf::testing::have_tool("sqlite3")) return;
    std::string dir = scratch_dir("database-files");
    std::string rules = good_rules(dir);
    const std::string text_db = "relu(x) => x\n" + std::string(200, 'x');
    run_bad_inputs(
        "database",
        {
            {"a text file as the database (list)",
             "text.db",
             text(text_db),
             {"list", "--db", "{F}"},
             2,
             {"'{F}' is not a SQLite database"}},
            {"a text file as the database (import)",
             "text2.db",
             text(text_db),
             {"import", "--db", "{F}", "--format", "native", rules},
             2,
             {"'{F}' is not a SQLite database"}},
            {"a text file as the database (discover)",
             "text3.db",
             text(text_db),
             {"discover", "--db", "{F}", "--max-ops", "1", "-q"},
             2,
             {"discover: '{F}' is not a SQLite database"}},
            {"a text file as a shard (merge)",
             "text4.db",
             text(text_db),
             {"merge", "{DB}", "{F}"},
             2,
             {"'{F}' is not a SQLite database"}},
            {"another program's SQLite database (import)",
             "users.db",
             sqlite_file(dir, "users",
                         "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); INSERT "
                         "INTO users VALUES (1, 'ada');"),
             {"import", "--db", "{F}", "--format", "native", rules},
             2,
             {"'{F}' is a SQLite database of another program", "users"}},
            {"another program's SQLite database (merge shard)",
             "users2.db",
             sqlite_file(dir, "users2", "CREATE TABLE users(id INTEGER PRIMARY KEY);"),
             {"merge", "{DB}", "{F}"},
             2,
             {"'{F}' is a SQLite database of another program"}},
            {"a database from a newer ruleforge",
             "newer.db",
             [&] {
                 std::string path = dir + "/newer.tmp";
                 { ruledb::Database db(path); }
                 REQUIRE(std::system(("sqlite3 '" + path + "' 'PRAGMA user_version = 99' > /dev/null 2>&1").c_str()) ==
                         0);
                 std::string bytes = read_file(path);
                 for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
                 return bytes;
             },
             {"import", "--db", "{F}", "--format", "native", rules},
             2,
             {"{F}", "99"}},
            {"a missing database (list)",
             "",
             nullptr,
             {"list", "--db", dir + "/missing.db"},
             2,
             {"no database at '" + dir + "/missing.db'"}},
            {"a missing database (show)", "", nullptr, {"show", "1", "--db", dir + "/missing.db"}, 2, {"missing.db"}},
            {"a missing shard (merge)", "", nullptr, {"merge", "{DB}", dir + "/missing.db"}, 2, {"no database at"}},
        });
    CHECK_FALSE(std::filesystem::exists(dir + "/missing.db"));  // reading never creates a file
}

TEST_CASE("reliability: a database locked by another process: clear error after the wait, nothing lost",
          "[reliability]") {
    start_table("database-locked");
    std::string dir = scratch_dir("database-locked");
    std::string db = sound_db(dir), rules = good_rules(dir);
    const std::string before = db_snapshot(db);
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    pid_t holder = fork();
    REQUIRE(holder >= 0);
    if (holder == 0) {
        // Holds the write lock with an uncommitted rule until killed.
        try {
            ruledb::Database d(db);
            d.atomically([&] {
                d.add_rule(build_rule(parse_native_rule("tanh(tanh(x)) => tanh(x)")));
                char c = 'x';
                (void)!write(ready[1], &c, 1);
                sleep(60);
            });
        } catch (...) {
        }
        _exit(0);
    }
    char c;
    REQUIRE(read(ready[0], &c, 1) == 1);
    std::vector<std::string> args = {"import", "--db", db, "--format", "native", rules};
    auto start = std::chrono::steady_clock::now();
    Outcome o = run_ruleforge(args);
    auto waited = std::chrono::steady_clock::now() - start;
    kill(holder, SIGKILL);
    waitpid(holder, nullptr, 0);
    close(ready[0]);
    close(ready[1]);
    record_row("database-locked", "a database locked by another process (import)", args, o);
    INFO(o.out << o.err);
    CHECK(o.signal == 0);
    CHECK(o.code == 2);
    CHECK_THAT(o.err, Catch::Contains(db) && Catch::Contains("locked by another process"));
    CHECK(waited >= std::chrono::seconds(4));  // it waited for the lock before giving up
    CHECK(db_snapshot(db) == before);          // neither the holder's rule nor ours
    // Once the holder is gone, the same command works.
    CHECK(run_ruleforge(args).code == 0);
}

TEST_CASE("reliability: a read-only database is refused on write, nothing lost", "[reliability]") {
    start_table("database-readonly");
    std::string dir = scratch_dir("database-readonly");
    std::string db = sound_db(dir), rules = good_rules(dir);
    const std::string before = db_snapshot(db);
    // As root, file modes do not stop writes: the child drops to nobody (Conditions::unprivileged).
    REQUIRE(chmod(db.c_str(), 0444) == 0);
    Conditions ro;
    ro.unprivileged = true;
    for (std::vector<std::string> args : {std::vector<std::string>{"import", "--db", db, "--format", "native", rules},
                                          std::vector<std::string>{"discover", "--db", db, "--max-ops", "1", "-q"},
                                          std::vector<std::string>{"merge", db, "SHARD"}}) {
        if (args[0] == "merge") {
            // The shard lies where nobody may write its -shm, so only OUT is read-only.
            std::filesystem::create_directories(dir + "/open");
            chmod((dir + "/open").c_str(), 0777);
            args[2] = dir + "/open/shard.db";
            {
                ruledb::Database shard(args[2]);
                shard.add_rule(build_rule(parse_native_rule("sigmoid(sigmoid(x)) => sigmoid(x)")));
            }
            chmod(args[2].c_str(), 0666);
        }
        Outcome o = run_ruleforge(args, ro);
        record_row("database-readonly", "a read-only database (" + args[0] + ")", args, o);
        INFO(o.out << o.err);
        CHECK(o.signal == 0);
        CHECK(o.code == 2);  // a database that cannot be used, for every command (cli/cli.h)
        CHECK_THAT(o.err, Catch::Contains(db) && (Catch::Contains("read-only") || Catch::Contains("readonly")));
        CHECK(db_snapshot(db) == before);
    }
    chmod(db.c_str(), 0644);
}

TEST_CASE("reliability: a full disk fails the write with the file named, and what was committed stays",
          "[reliability]") {
    start_table("database-full");
    std::string dir = scratch_dir("database-full");
    std::string db = sound_db(dir);
    const std::string before = db_snapshot(db);
    const std::vector<std::string> before_rules = rule_set(db);
    // No file may grow past 40 KiB: room for the shared-memory index (32 KiB), not for the
    // write-ahead log of a real write.
    Conditions full;
    full.max_file_bytes = 40 * 1024;
    std::string big = std::string(RF_REFERENCE_DIR) + "/taso/generated_size3.pb";
    for (std::vector<std::string> args : {std::vector<std::string>{"import", "--db", db, "--format", "taso", big},
                                          std::vector<std::string>{"discover", "--db", db, "--max-ops", "1", "-q"}}) {
        Outcome o = run_ruleforge(args, full);
        record_row("database-full", "a full disk (" + args[0] + ")", args, o);
        INFO(o.out << o.err);
        CHECK(o.signal == 0);
        CHECK(o.code == 2);
        CHECK_THAT(o.err, Catch::Contains(db) && (Catch::Contains("disk full") || Catch::Contains("I/O error")));
        // discover commits its run record first (so a kill can be resumed); it may stay behind as
        // an unfinished run, but no rule, candidate or proof is half-written or lost.
        if (args[0] == "import")
            CHECK(db_snapshot(db) == before);
        else
            CHECK(rule_set(db) == before_rules);
        CHECK(ruledb::Database(db).integrity_check().empty());
    }
    // The run record discover committed before the disk filled is its resume point, as after a
    // kill: with space again, --resume finishes that same run and adds no other.
    {
        const auto left = ruledb::Database(db).last_unfinished_run("discover");
        REQUIRE(left);
        const size_t runs_before = ruledb::Database(db).runs().size();
        Outcome r = run_ruleforge({"discover", "--db", db, "--max-ops", "1", "-q", "--resume"});
        INFO(r.out << r.err);
        CHECK(r.code == 0);
        ruledb::Database d(db);
        CHECK_FALSE(d.last_unfinished_run("discover"));
        CHECK(d.runs().size() == runs_before);
        CHECK(d.runs().back().id == left->id);
        CHECK(d.runs().back().status == ruledb::RunStatus::Finished);
    }
    // A full disk part-way through: the limit lets the import start, then stops it. The import
    // is one transaction, so the database holds all of it or none.
    full.max_file_bytes = std::filesystem::file_size(db) + 64 * 1024;
    const std::string before_import = db_snapshot(db);
    std::vector<std::string> args = {"import", "--db", db, "--format", "taso", big};
    Outcome o = run_ruleforge(args, full);
    record_row("database-full", "a disk that fills during the import", args, o);
    INFO(o.out << o.err);
    CHECK(o.signal == 0);
    CHECK(o.code > 0);
    CHECK(db_snapshot(db) == before_import);
    CHECK(run_ruleforge(args).code == 0);                    // with space again, the same import goes through
    CHECK(rule_set(db).size() > before_rules.size() + 400);  // 619 rules, some duplicates
}
