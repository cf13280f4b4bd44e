// Reading a database the user may not write: list, show, export, compare and audit open it
// read-only (ruledb: immutable where the file or its folder is not writable), work, and leave no
// -wal/-shm file beside it. Before, they failed on `PRAGMA application_id`, and a reader in a
// folder it could write left -wal/-shm files of its own that then locked the owner out.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "tests/reliability/reliability_util.h"

using namespace rf;
using namespace rf::reliability;

namespace {

std::vector<std::vector<std::string>> reading_commands(const std::string& db, const std::string& reference) {
    return {{"list", "--db", db},
            {"show", "1", "--db", db},
            {"export", "--db", db, "--format", "json", "--out", "-"},
            {"compare", "--db", db, "--reference", reference, "--format", "native"},
            {"audit", "1", "--db", db, "--backend", "z3", "--timeout-ms", "2000"}};
}

}  // namespace

TEST_CASE("reliability: reading commands work on a database the user may not write and leave no files",
          "[reliability]") {
    start_table("database-read-only-use");
    std::string dir = scratch_dir("database-read-only-use");
    // The reader (nobody) may write neither the file nor the folder.
    std::string db = sound_db(dir);
    REQUIRE(chmod(db.c_str(), 0644) == 0);
    std::string reference = dir + "/reference.rf";
    write_file(reference, "relu(relu(x)) => relu(x)\n");
    // A folder anyone may write, with a database only its owner (root) may write: a reader there
    // could create -wal/-shm files, and must not.
    std::string open_dir = dir + "/open";
    std::filesystem::create_directories(open_dir);
    REQUIRE(chmod(open_dir.c_str(), 0777) == 0);
    std::string shared = sound_db(open_dir);
    REQUIRE(chmod(shared.c_str(), 0644) == 0);

    Conditions nobody;
    nobody.unprivileged = true;
    for (const std::string& path : {db, shared}) {
        const std::string folder = std::filesystem::path(path).parent_path().string();
        const std::string bytes = read_file(path);
        const auto files = listing(folder);
        for (const auto& args : reading_commands(path, reference)) {
            Outcome o = run_ruleforge(args, nobody);
            record_row("database-read-only-use",
                       std::string("read by another user, folder ") + (path == db ? "not writable" : "writable") +
                           " (" + args[0] + ")",
                       args, o, o.code == 0 ? "works (" + first_line(o.out) + ")" : "");
            INFO(args[0] << " on " << path << "\n  stdout: " << o.out << "\n  stderr: " << o.err);
            CHECK(o.signal == 0);
            CHECK(o.code == 0);
            CHECK(listing(folder) == files);  // no -wal, -shm or journal left behind
            CHECK(read_file(path) == bytes);
        }
    }
    // The owner is not locked out afterwards: a command that writes still works.
    Outcome prove = run_ruleforge({"prove", "--db", shared, "--backend", "z3", "--timeout-ms", "2000", "-q"});
    INFO(prove.out << prove.err);
    CHECK(prove.code == 0);
}

TEST_CASE("reliability: the owner's reading commands leave no files and change no byte", "[reliability]") {
    std::string dir = scratch_dir("database-owner-reads");
    std::string db = sound_db(dir);
    std::string reference = dir + "/reference.rf";
    write_file(reference, "relu(relu(x)) => relu(x)\n");
    const std::string bytes = read_file(db);
    const auto files = listing(dir);
    for (const auto& args : reading_commands(db, reference)) {
        Outcome o = run_ruleforge(args);
        INFO(args[0] << "\n  stdout: " << o.out << "\n  stderr: " << o.err);
        CHECK(o.code == 0);
        CHECK(listing(dir) == files);
        CHECK(read_file(db) == bytes);
    }
}

TEST_CASE("reliability: a read-only Database refuses writes and creates nothing", "[reliability][ruledb]") {
    std::string dir = scratch_dir("database-read-only-api");
    std::string db = sound_db(dir);
    const std::string bytes = read_file(db);
    const auto files = listing(dir);
    {
        ruledb::Database r(db, ruledb::Database::Options{.create = false, .read_only = true});
        CHECK(r.list_rules().size() == 1);
        CHECK_THROWS_AS(r.add_rule(build_rule(parse_native_rule("sigmoid(sigmoid(x)) => sigmoid(x)"))),
                        ruledb::DbError);
    }
    CHECK(read_file(db) == bytes);
    CHECK(listing(dir) == files);
    // Read-only never creates: a missing file stays missing, even when creation is asked for.
    const std::string missing = dir + "/missing.db";
    CHECK_THROWS_AS(ruledb::Database(missing, ruledb::Database::Options{.create = true, .read_only = true}),
                    ruledb::DbError);
    CHECK_FALSE(std::filesystem::exists(missing));
}
