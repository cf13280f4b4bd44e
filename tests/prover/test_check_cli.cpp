// `ruleforge check` and `ruleforge axioms`, run in-process: line format, exit codes, JSON,
// errors naming the rule.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "tests/support/cli_run.h"

using namespace rf;

namespace {

using Run = rf::testing::CliRun;
Run run(const std::vector<std::string>& args) { return rf::testing::run_cli(args); }

using rf::testing::temp_file;

}  // namespace

TEST_CASE("cli check: one rule on the command line", "[prover][cli]") {
    Run r = run({"check", "ewadd(x, y) => ewadd(y, x)"});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("1 proved z3=proved cvc5=- "));
    r = run({"check", "ewadd(x, y) => ewadd(y, x)", "--backend", "both"});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("1 proved z3=proved cvc5=proved "));
}

TEST_CASE("cli check: a file with conditions, refutations, unknowns and errors", "[prover][cli]") {
    std::string f =
        temp_file("check_cli_rules.rf",
                  "ewadd(conv2d(x, w), conv2d(y, v)) => conv2d(concat[axis=1](x, y), concat[axis=1](w, v))\n"
                  "relu(ewadd(x, y)) => ewadd(relu(x), relu(y))\n");
    Run r = run({"check", "--file", f, "--timeout-ms", "1000"});
    CHECK(r.code == 1);  // a refuted rule fails the run
    CHECK_THAT(r.out, Catch::Contains("1 proved z3=proved cvc5=- [condition: "));
    CHECK_THAT(r.out, Catch::Contains("(groups = 1)"));
    CHECK_THAT(r.out, Catch::Contains("2 refuted z3=unknown"));
    CHECK_THAT(r.out, Catch::Contains("counterexample: at shapes x: ["));

    // Without the bounded checker nothing refutes it: unknown, which is not a failure.
    r = run({"check", "--file", f, "--timeout-ms", "1000", "--no-bounded"});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("2 unknown z3="));

    std::string bad = temp_file("check_cli_bad.rf", "relu(x) => ewadd(x, y)\n");
    r = run({"check", "--file", bad});
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::StartsWith("1 error"));
    CHECK_THAT(r.err, Catch::Contains("check_cli_bad.rf:1:"));
    CHECK_THAT(r.err, Catch::Contains("not bound on the left"));
}

TEST_CASE("cli check: TENSAT two-output rules, JSON output", "[prover][cli]") {
    std::string f = temp_file("check_cli_multi.txt",
                              "(relu ?input_1)=>(split_0 (split 1 (relu (concat 1 2 ?input_1 ?input_2))))\n"
                              "(relu ?input_2)=>(split_1 (split 1 (relu (concat 1 2 ?input_1 ?input_2))))\n");
    Run r = run({"check", "--file", f, "--format", "tensat", "--multi", "--backend", "both", "--json"});
    CHECK(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["rules"].size() == 1);
    CHECK(j["rules"][0]["verdict"] == "proved");
    CHECK(j["rules"][0]["backends"]["cvc5"]["verdict"] == "proved");
    CHECK(j["summary"]["proved"] == 1);
    CHECK(j["axioms"].get<std::string>().rfind("axioms-", 0) == 0);
}

TEST_CASE("cli check: usage errors", "[prover][cli]") {
    CHECK(run({"check"}).code == 2);
    CHECK(run({"check", "ewadd(x, y) => ewadd(y, x)", "--backend", "yices"}).code == 2);
    CHECK(run({"check", "--file", "/nonexistent/rules.rf"}).code == 2);
    Run r = run({"check", "relu(x => x"});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("error: "));
    CHECK(run({"check", "--help"}).code == 0);
}

TEST_CASE("cli axioms: lists names, statements and conditions", "[prover][cli]") {
    Run r = run({"axioms"});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("ewadd_comm\n    ewadd(x, y) => ewadd(y, x)\n"));
    CHECK_THAT(r.out, Catch::Contains("gconv_merge_same\n"));
    CHECK_THAT(r.out, Catch::Contains("    if x: act[n,c,h,l], y: act[n,c,h,l]"));
    auto j = nlohmann::json::parse(run({"axioms", "--json"}).out);
    CHECK(j["axioms"].size() > 40);
}

TEST_CASE("cli audit: verdicts, axioms used, conditions, counterexample and the query file", "[prover][cli]") {
    std::string smt2 = std::string(RF_BINARY_DIR) + "/audit_out/merge.smt2";
    Run r = run({"audit", "ewadd(conv2d(x, w), conv2d(y, v)) => conv2d(concat[axis=1](x, y), concat[axis=1](w, v))",
                 "--smt2", smt2, "--backend", "both"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("z3        proved, axioms used: "));
    CHECK_THAT(r.out, Catch::Contains("cvc5      proved, axioms used: "));
    CHECK_THAT(r.out, Catch::Contains("assumed   x[1] = w[1] (groups = 1)"));
    CHECK_THAT(r.out, Catch::Contains("bounded   passed"));
    CHECK_THAT(r.out, Catch::Contains("verdict   proved"));
    CHECK(std::ifstream(smt2).good());

    Run f = run({"audit", "relu(ewadd(x, y)) => ewadd(relu(x), relu(y))", "--backend", "z3"});
    CHECK(f.code == 1);
    CHECK_THAT(f.out, Catch::Contains("verdict   refuted"));
    CHECK_THAT(f.out, Catch::Contains("counterexample at shapes"));
    CHECK_THAT(f.out,
               Catch::Contains("ranks     every rank >= 0 (typed at 2"));  // ir/rank_generic.h
    CHECK_THAT(r.out, !Catch::Contains("ranks "));                         // conv2d: rank 4 only

    CHECK(run({"audit", "1", "--db", "/nonexistent/x.db"}).code == cli::kUsage);
    CHECK(run({"audit", "relu(x) => relu(y)"}).code == cli::kUsage);
}

TEST_CASE("cli audit and check: a pointwise proof names its strategy and identity", "[prover][cli][pointwise]") {
    Run r = run({"audit", "relu(ewmul(x, x)) => ewmul(x, x)"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("proved by the pointwise strategy, identity: "));
    auto j = nlohmann::json::parse(run({"check", "--json", "relu(ewmul(x, x)) => ewmul(x, x)"}).out);
    CHECK(j["rules"][0]["backends"]["z3"]["strategy"] == "pointwise");
}

TEST_CASE("cli check: unknowns are summarised by reason", "[prover][cli][pointwise]") {
    std::string file = temp_file("unknown_reasons.rf",
                                 "relu(ewmul(x, x)) => ewmul(x, x)\n"
                                 "relu(poolmax[kernel=[3,3]](enlarge(v, w))) => poolmax[kernel=[3,3]](enlarge(v, w)) "
                                 "where v: weight[4,4,1,3], w: weight[4,4,3,3]\n");
    Run r = run({"check", "--file", file, "--no-bounded"});
    INFO(r.out << r.err);
    CHECK_THAT(r.err, Catch::Contains("1 proved, 0 refuted, 1 unknown"));
    CHECK_THAT(r.err, Catch::Contains("unknown: 1 x pointwise: the scalar identity is not valid with"));
    auto j = nlohmann::json::parse(run({"check", "--json", "--no-bounded", "--file", file}).out);
    CHECK(j["summary"]["unknown_reasons"].size() == 1);
}
