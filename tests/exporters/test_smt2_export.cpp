// `export --format smt2`: one self-contained SMT-LIB2 file per rule, which the stand-alone z3
// and cvc5 binaries answer `unsat` for every proved rule (a rule proved under a shape assumption
// carries it in its file).
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/cli_run.h"
#include "tests/support/tools.h"

using namespace rf;
using rf::testing::run_cli;
using rf::testing::temp_file;

namespace {

// The first line a command prints ("" when it cannot run).
std::string first_line(const std::string& command) {
    std::array<char, 256> buf{};
    std::string out;
    FILE* p = popen(command.c_str(), "r");
    if (!p) return out;
    if (fgets(buf.data(), buf.size(), p)) out = buf.data();
    pclose(p);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

// A file's text without the "; condition: " lines export heads it with and without the rule's
// name (the files of `check` are named rule_N, those of export after the rule).
std::string query_text(const std::string& path, const std::string& name) {
    std::ifstream in(path);
    std::string text, line;
    while (std::getline(in, line))
        if (line.rfind("; condition: ", 0) != 0) text += line + "\n";
    for (size_t at; (at = text.find("'" + name + "'")) != std::string::npos;) text.replace(at, name.size() + 2, "'R'");
    return text;
}

}  // namespace

TEST_CASE("export smt2: every proved rule's file is unsat for z3 and cvc5", "[exporters][smt2]") {
    std::string db = std::string(RF_BINARY_DIR) + "/smt2_export.db";
    std::string dir = std::string(RF_BINARY_DIR) + "/smt2_export";
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(db + s);
    std::filesystem::remove_all(dir);
    std::string rules =
        temp_file("smt2_export.rf",
                  "matmul(matmul(a, b), c) => matmul(a, matmul(b, c))\n"
                  "ewadd(conv2d(x, w), conv2d(y, v)) => conv2d(concat[axis=1](x, y), concat[axis=1](w, v))\n"
                  "relu(relu(x)) => relu(x)\n");
    REQUIRE(run_cli({"import", "--db", db, "--format", "native", rules}).code == 0);
    // Export runs no solver: what the database says decides each file's header, and imported
    // rules are not proved yet.
    auto r = run_cli({"export", "--db", db, "--format", "smt2", "--out", dir});
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("0 are proved"));
    CHECK_THAT(r.out, Catch::Contains("not proved, so not expected unsat"));
    REQUIRE(run_cli({"prove", "--db", db, "--quiet"}).code == 0);
    std::filesystem::remove_all(dir);
    r = run_cli({"export", "--db", db, "--format", "smt2", "--out", dir});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("wrote 3 SMT-LIB2 files"));
    CHECK_THAT(r.out, Catch::Contains("3 are proved"));
    int files = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
        ++files;
        for (const char* tool : {"z3", "cvc5"}) {
            if (!rf::testing::have_tool(tool)) continue;
            INFO(tool << " " << f.path());
            CHECK(first_line(std::string(tool) + " " + f.path().string() + " 2>&1") == "unsat");
        }
    }
    CHECK(files == 3);
    CHECK(run_cli({"export", "--db", db, "--format", "smt2", "--out", "-"}).code == cli::kUsage);
}

TEST_CASE("export smt2: the encoder's file is the one the prover reports", "[exporters][smt2]") {
    // Each proved rule's exported query equals the one `check --smt2-dir` writes when it proves
    // the same rule text (a rule proved as stated, one under shape assumptions).
    std::string db = std::string(RF_BINARY_DIR) + "/smt2_same.db";
    std::string dir = std::string(RF_BINARY_DIR) + "/smt2_same";
    std::string checked = std::string(RF_BINARY_DIR) + "/smt2_same_check";
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(db + s);
    std::filesystem::remove_all(dir);
    std::filesystem::remove_all(checked);
    std::string rules = temp_file("smt2_same.rf",
                                  "assoc: matmul(matmul(a, b), c) => matmul(a, matmul(b, c))\n"
                                  "merge: ewadd(conv2d(x, w), conv2d(y, v)) => "
                                  "conv2d(concat[axis=1](x, y), concat[axis=1](w, v))\n");
    REQUIRE(run_cli({"import", "--db", db, "--format", "native", rules}).code == 0);
    REQUIRE(run_cli({"prove", "--db", db, "--quiet"}).code == 0);
    std::string native = std::string(RF_BINARY_DIR) + "/smt2_same.txt";
    REQUIRE(run_cli({"export", "--db", db, "--to", "native", "--out", native}).code == 0);
    auto r = run_cli({"export", "--db", db, "--format", "smt2", "--out", dir});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("2 are proved"));
    REQUIRE(run_cli({"check", "--file", native, "--smt2-dir", checked}).code == 0);
    // The native file lists the rules in the order export writes them.
    std::ifstream in(native);
    int i = 0;
    for (std::string line; std::getline(in, line);) {
        const std::string name = line.substr(0, line.find(':'));
        ++i;
        INFO(name);
        const std::string exported = query_text(dir + "/" + name + ".smt2", name);
        const std::string reported =
            query_text(checked + "/rule_" + std::to_string(i) + ".smt2", "rule_" + std::to_string(i));
        CHECK(!exported.empty());
        CHECK(exported == reported);
    }
    CHECK(i == 2);
}
