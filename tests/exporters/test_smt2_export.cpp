// `export --format smt2`: one self-contained SMT-LIB2 file per rule, which the stand-alone z3
// and cvc5 binaries answer `unsat` for every proved rule (a rule proved under a shape assumption
// carries it in its file).
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>

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

}  // namespace

TEST_CASE("export smt2: every proved rule's file is unsat for z3 and cvc5", "[exporters][smt2]") {
    std::string db = std::string(RF_BINARY_DIR) + "/smt2_export.db";
    std::string dir = std::string(RF_BINARY_DIR) + "/smt2_export";
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(db + s);
    std::filesystem::remove_all(dir);
    std::string rules = temp_file("smt2_export.rf",
                                  "matmul(matmul(a, b), c) => matmul(a, matmul(b, c))\n"
                                  "ewadd(conv2d(x, w), conv2d(y, v)) => conv2d(concat[axis=1](x, y), concat[axis=1](w, v))\n"
                                  "relu(relu(x)) => relu(x)\n");
    REQUIRE(run_cli({"import", "--db", db, "--format", "native", rules}).code == 0);
    auto r = run_cli({"export", "--db", db, "--format", "smt2", "--out", dir});
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
