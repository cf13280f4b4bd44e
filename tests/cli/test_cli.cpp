// The ruleforge command line, run in-process: help, fmt on the reference files, error reporting
// and exit codes.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "cli/cli.h"
#include "ir/rule_file.h"
#include "tests/support/cli_run.h"

using namespace rf;

namespace {

using Run = rf::testing::CliRun;
Run run(const std::vector<std::string>& args) { return rf::testing::run_cli(args); }

using rf::testing::temp_file;

const std::string kRef = RF_REFERENCE_DIR;

}  // namespace

TEST_CASE("cli: --help lists only working commands, and each command has --help", "[cli]") {
    Run r = run({"--help"});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("fmt"));
    CHECK_THAT(r.out, Catch::Contains("\n  discover"));
    CHECK_THAT(r.out, Catch::Contains("\n  apply"));
    Run f = run({"fmt", "--help"});
    CHECK(f.code == 0);
    CHECK_THAT(f.out, Catch::Contains("--canonical"));
    CHECK(run({}).code == cli::kUsage);
    Run u = run({"frobnicate"});
    CHECK(u.code == cli::kUsage);
    CHECK_THAT(u.err, Catch::Contains("unknown command 'frobnicate'"));
}

TEST_CASE("cli: fmt prints TASO's 133 TENSAT rules back byte for byte", "[cli][tensat]") {
    for (auto [file, multi] : {std::pair{"converted.txt", false}, std::pair{"converted_multi.txt", true}}) {
        std::string path = kRef + "/tensat/" + file;
        std::vector<std::string> args = {"fmt", "--format", "tensat", path};
        if (multi) args.push_back("--multi");
        Run r = run(args);
        INFO(r.err);
        REQUIRE(r.code == 0);
        std::string expected = read_text_file(path);
        if (expected.back() != '\n') expected += '\n';  // the reference files lack a final newline
        CHECK(r.out == expected);
    }
}

TEST_CASE("cli: fmt converts TENSAT to native and back", "[cli][tensat]") {
    std::string path = kRef + "/tensat/converted.txt";
    Run native = run({"fmt", "--format", "tensat", "--to", "native", path});
    REQUIRE(native.code == 0);
    std::string tmp = temp_file("converted.rf", native.out);
    Run back = run({"fmt", tmp, "--to", "tensat"});
    INFO(back.err);
    REQUIRE(back.code == 0);
    CHECK(back.out == read_text_file(path) + "\n");
}

TEST_CASE("cli: fmt reports every bad rule with its place and exits 1", "[cli]") {
    std::string path = temp_file("bad.rf",
                                 "relu(relu(x)) => relu(x)\n"
                                 "relu(x) => relu(y)\n"
                                 "matmul(a, b) => a where a: act[2,3], b: act[4,5]\n");
    Run r = run({"fmt", path});
    CHECK(r.code == cli::kFailed);
    CHECK_THAT(r.err, Catch::Contains("bad.rf:2:17: variable 'y'"));
    CHECK_THAT(r.err, Catch::Contains("bad.rf:3:1: matmul: contracted sizes differ"));
    CHECK_THAT(r.err, Catch::Contains("2 of 3 rules failed"));
    CHECK_THAT(r.out, Catch::Contains("relu(relu(x)) => relu(x)"));

    Run syntax = run({"fmt", temp_file("syntax.rf", "relu((x) => x\n")});
    CHECK(syntax.code == cli::kFailed);
    CHECK_THAT(syntax.err, Catch::Contains("syntax.rf:1:"));
}

TEST_CASE("cli: fmt usage errors", "[cli]") {
    CHECK(run({"fmt"}).code == cli::kUsage);
    Run missing = run({"fmt", "/nonexistent/rules.rf"});
    CHECK(missing.code == cli::kUsage);
    CHECK_THAT(missing.err, Catch::Contains("cannot read '/nonexistent/rules.rf'"));
    Run fmt = run({"fmt", "x.rf", "--format", "onnx"});
    CHECK(fmt.code == cli::kUsage);
    CHECK_THAT(fmt.err, Catch::Contains("--format must be native or tensat"));
    CHECK(run({"fmt", "x.rf", "--multi"}).code == cli::kUsage);
}

TEST_CASE("cli: fmt --canonical makes renamed rules print the same", "[cli]") {
    Run a = run({"fmt", "--canonical", temp_file("a.rf", "ewadd(p, relu(q)) => ewadd(relu(q), p)\n")});
    Run b = run({"fmt", "--canonical", temp_file("b.rf", "ewadd(x, relu(y)) => ewadd(relu(y), x)\n")});
    REQUIRE(a.code == 0);
    CHECK(a.out == b.out);
    CHECK_THAT(a.out, Catch::StartsWith("ewadd(v0, relu(v1))"));
}
