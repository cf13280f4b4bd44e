// TASO's shipped rule set (TENSAT text: 120 single-output + 13 two-output rules): every rule
// must be proved by both Z3 and cvc5; the grouped-conv merges only under their shape condition.
#include <catch2/catch.hpp>

#include "ir/rule_file.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"

using namespace rf;

namespace {

int prove_all(const std::string& file, bool multi, int expected_rules, int& with_shared_shapes) {
    std::vector<RuleAst> asts = parse_rules(read_text_file(file), file, RuleFormat::Tensat, multi);
    REQUIRE(static_cast<int>(asts.size()) == expected_rules);
    prover::CheckOptions options;
    options.backends = {prover::BackendKind::Z3, prover::BackendKind::Cvc5};
    options.timeout_ms = 4000;
    prover::Checker checker(prover::builtin_axioms(), options);
    int proved = 0;
    for (size_t i = 0; i < asts.size(); ++i) {
        prover::RuleCheck c = checker.check(build_rule(asts[i]), "taso_" + std::to_string(i + 1));
        INFO(file << " rule " << i + 1 << ": " << prover::verdict_name(c.verdict));
        for (const prover::ProofResult& r : c.results) INFO(r.backend << "=" << prover::verdict_name(r));
        CHECK(c.verdict == prover::Verdict::Proved);
        if (c.verdict == prover::Verdict::Proved) ++proved;
        for (const std::string& a : c.assumed)
            if (a.find("same shape") != std::string::npos) {
                ++with_shared_shapes;
                break;
            }
    }
    return proved;
}

}  // namespace

TEST_CASE("prover: all 133 TASO rules are proved by both z3 and cvc5", "[prover][taso]") {
    const std::string ref = RF_REFERENCE_DIR;
    int shared = 0;
    int single = prove_all(ref + "/tensat/converted.txt", false, 120, shared);
    int multi = prove_all(ref + "/tensat/converted_multi.txt", true, 13, shared);
    CHECK(single == 120);
    CHECK(multi == 13);
    // The four grouped-conv merges hold only when both branches have equal shapes.
    CHECK(shared == 4);
}
