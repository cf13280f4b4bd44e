// Helpers of the pointwise strategy's tests (test_pointwise.cpp, test_pointwise_grouped.cpp): a
// rule from native text, a check with the built-in axioms, and the strategy a proof names.
#pragma once

#include <string>
#include <variant>

#include "ir/native_text.h"
#include "ir/rule.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"

namespace rf::testing::pointwise {

inline Rule rule(const std::string& text) { return build_rule(parse_native_rule(text)); }

inline prover::RuleCheck check(const std::string& text, prover::CheckOptions o = {}) {
    prover::Checker c(prover::builtin_axioms(), o);
    return c.check(rule(text), "pw");
}

inline std::string strategy_of(const prover::RuleCheck& c) {
    if (c.results.empty()) return "";
    const auto* p = std::get_if<prover::Proved>(&c.results[0].outcome);
    return p ? p->strategy : "";
}

}  // namespace rf::testing::pointwise
