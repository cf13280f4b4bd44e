// The written .smt2 files are self-contained: the stand-alone z3 and cvc5 binaries answer
// `unsat` for proved rules (skipped when a binary is not installed).
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ir/native_text.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"
#include "tests/support/tools.h"

using namespace rf;

namespace {

std::string run_command(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    pclose(p);
    return out;
}

}  // namespace

TEST_CASE("smtlib: the z3 and cvc5 binaries re-check written queries", "[prover]") {
    std::string dir = std::string(RF_BINARY_DIR) + "/prover_smt2_test";
    std::filesystem::remove_all(dir);
    prover::CheckOptions options;
    options.backends = {prover::BackendKind::Z3};
    options.smt2_dir = dir;
    prover::Checker checker(prover::builtin_axioms(), options);
    const char* rules[] = {
        "ewmul(a, ewadd(b, c)) => ewadd(ewmul(b, a), ewmul(c, a))",
        "split[axis=1](relu(concat[axis=1](x, y))).0 => relu(x)",
        "ewadd(conv2d(x, w), conv2d(y, v)) => conv2d(concat[axis=1](x, y), concat[axis=1](w, "
        "v))",  // under groups = 1
    };
    std::vector<std::string> files;
    for (size_t i = 0; i < std::size(rules); ++i) {
        prover::RuleCheck c = checker.check(build_rule(parse_native_rule(rules[i])), "q" + std::to_string(i));
        INFO(rules[i]);
        REQUIRE(c.verdict == prover::Verdict::Proved);
        REQUIRE(std::filesystem::exists(c.smt2_path));
        files.push_back(c.smt2_path);
    }
    for (const char* solver : {"z3", "cvc5"}) {
        if (!rf::testing::have_tool(solver)) continue;
        for (const std::string& f : files) {
            std::string out = run_command(std::string(solver) + " " + f + " 2>&1");
            INFO(solver << " " << f << ":\n" << out);
            CHECK(out.rfind("unsat", 0) == 0);
            CHECK_THAT(out, Catch::Contains("goal"));  // the unsat core names the goal
        }
    }
}
