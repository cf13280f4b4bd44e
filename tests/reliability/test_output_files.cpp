// Output files (--out, --smt2): no command writes over a ruleforge database or over a file it
// reads itself, and any other existing file is replaced atomically, so a failed write leaves the
// old file whole and no temporary file behind (ir/output_file.h). Before, `export --out rules.db`
// replaced the database with JSON and exited 0, and `convert X --out X` overwrote its input.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include "tests/reliability/reliability_util.h"

using namespace rf;
using namespace rf::reliability;

namespace {}  // namespace

TEST_CASE("reliability: --out never writes over a database or the command's own input", "[reliability]") {
    start_table("output-files");
    std::string dir = scratch_dir("output-files");
    std::string db = sound_db(dir);
    std::filesystem::create_directories(dir + "/other");
    std::string other = sound_db(dir + "/other");
    std::string rules = dir + "/rules.rf";
    write_file(rules, "relu(relu(x)) => relu(x)\n");
    std::string link = dir + "/alias.rf";  // another name for the same file
    std::filesystem::create_symlink(rules, link);
    std::string db_copy = dir + "/query.smt2";  // a database under an innocent name
    std::filesystem::copy_file(other, db_copy);

    struct Case {
        std::string input;
        std::vector<std::string> args;
        std::string says;
        std::string protected_file;
    };
    const std::vector<Case> cases = {
        {"--out is the database being exported",
         {"export", "--db", db, "--format", "json", "--out", db},
         "refusing to write over '" + db + "': it is an input",
         db},
        {"--out is another ruleforge database (export)",
         {"export", "--db", db, "--format", "tensat", "--out", other},
         "it is a ruleforge database",
         other},
        {"--out is a ruleforge database (enumerate)",
         {"enumerate", "--max-ops", "1", "--ops", "relu", "-q", "--out", other},
         "it is a ruleforge database",
         other},
        {"--out is the input (convert)",
         {"convert", rules, "--from", "native", "--to", "native", "--out", rules},
         "it is an input",
         rules},
        {"--out is a link to the input (convert)",
         {"convert", rules, "--from", "native", "--to", "tensat", "--out", link},
         "it is the input '" + rules + "'",
         rules},
        {"--smt2 names a ruleforge database (audit)",
         {"audit", "relu(relu(x)) => relu(x)", "--smt2", db_copy},
         "it is a ruleforge database",
         db_copy},
    };
    for (const Case& c : cases) {
        const std::string before = read_file(c.protected_file);
        const std::string snapshot = db_snapshot(db);
        Outcome o = run_ruleforge(c.args);
        record_row("output-files", c.input, c.args, o);
        INFO(c.input << "\n  stdout: " << o.out << "\n  stderr: " << o.err);
        CHECK(o.signal == 0);
        CHECK(o.code != 0);
        CHECK_THAT(o.err, Catch::Contains(c.says));
        CHECK(read_file(c.protected_file) == before);
        CHECK(db_snapshot(db) == snapshot);
    }
    CHECK(std::filesystem::is_symlink(link));
}

TEST_CASE("reliability: an existing output file is replaced atomically", "[reliability]") {
    std::string dir = scratch_dir("output-atomic");
    std::string db = sound_db(dir);
    {
        // Enough rules that the export is larger than the file-size limit below.
        ruledb::Database d(db);
        std::string lhs = "x";
        for (int k = 1; k <= 150; ++k) {
            lhs = "sigmoid(" + lhs + ")";
            d.add_rule(build_rule(parse_native_rule(lhs + " => " + lhs)));
        }
    }
    std::string out = dir + "/rules.txt";
    write_file(out, "old content\n");
    chmod(out.c_str(), 0640);
    const auto files_before = listing(dir);

    // A write that fails half-way (the file-size limit of a full disk) leaves the old file.
    Conditions full;
    full.max_file_bytes = 40 * 1024;  // room for SQLite's shared-memory index, not for the export
    Outcome failed = run_ruleforge({"export", "--db", db, "--format", "json", "--out", out}, full);
    record_row("output-files", "a full disk while replacing an existing file",
               {"export", "--db", db, "--format", "json", "--out", out}, failed);
    INFO(failed.out << failed.err);
    CHECK(failed.signal == 0);
    CHECK(failed.code == 2);
    CHECK_THAT(failed.err, Catch::Contains("cannot write '" + out + "'"));
    CHECK(read_file(out) == "old content\n");
    CHECK(listing(dir) == files_before);  // no temporary file left behind

    // With room, the file is replaced whole, with its permissions kept.
    Outcome ok = run_ruleforge({"export", "--db", db, "--format", "native", "--out", out});
    INFO(ok.out << ok.err);
    CHECK(ok.code == 0);
    CHECK_THAT(read_file(out), Catch::Contains("relu(relu(v0)) => relu(v0)") && !Catch::Contains("old content"));
    struct ::stat st {};
    REQUIRE(stat(out.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    CHECK(listing(dir) == files_before);

    // A device is written in place, never renamed over.
    Outcome dev = run_ruleforge({"export", "--db", db, "--format", "native", "--out", "/dev/null"});
    CHECK(dev.code == 0);
    REQUIRE(stat("/dev/null", &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
}
