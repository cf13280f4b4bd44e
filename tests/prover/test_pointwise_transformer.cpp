// The pointwise strategy on the transformer operators (prover/pointwise_transformer.cpp): exp's
// homomorphism, subtraction, division under the non-zero-divisor precondition (stated only when
// some divisor can be zero), and a planted wrong exp fact that ends as an error.
#include <catch2/catch.hpp>

#include "ir/native_text.h"
#include "ir/rule.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"

using namespace rf;

namespace {
prover::RuleCheck check(const std::string& text, prover::CheckOptions o = {}) {
    prover::Checker c(prover::builtin_axioms(), o);
    return c.check(build_rule(parse_native_rule(text)), "tr");
}

std::string strategy_of(const prover::RuleCheck& c) {
    if (c.results.empty()) return "";
    const auto* p = std::get_if<prover::Proved>(&c.results[0].outcome);
    return p ? p->strategy : "";
}
}  // namespace

TEST_CASE("pointwise transformer: exp and subtraction need no condition", "[prover][pointwise][transformer]") {
    for (const char* text : {
             "exp(ewadd(x, y)) => ewmul(exp(x), exp(y))",
             "ewmul(exp(x), exp(x)) => exp(ewadd(x, x))",
             "exp(ewsub(x, y)) => ewdiv(exp(x), exp(y))",
             "ewsub(ewadd(x, y), y) => x",
             "ewmul(ewdiv(x, exp(y)), exp(y)) => x",  // exp(y) > 0: never a zero divisor
             "ewdiv(x, ewadd(exp(y), exp(z))) => ewdiv(x, ewadd(exp(z), exp(y)))",
             "ewmul(exp(ewsub(x, y)), exp(y)) => exp(x)",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict == prover::Verdict::Proved);
        CHECK(c.preconditions.empty());
        CHECK(c.assumed.empty());
    }
}

TEST_CASE("pointwise transformer: division holds where divisors are non-zero, and says so",
          "[prover][pointwise][transformer]") {
    for (const char* text : {
             "ewmul(ewdiv(x, y), y) => x", "ewdiv(smul(x, s), y) => smul(ewdiv(x, y), s)",
             "ewdiv(ewdiv(x, y), z) => ewdiv(x, ewmul(y, z))",
             "ewadd(x, y) => ewdiv(ewmul(ewadd(x, y), y), y)",  // a divisor on the right side only
         }) {
        INFO(text);
        auto c = check(text);
        REQUIRE(c.verdict == prover::Verdict::Proved);
        CHECK(strategy_of(c) == "pointwise");
        CHECK(c.preconditions == std::vector<Precondition>{Precondition::NonZeroDivisors});
        CHECK(c.assumed == std::vector<std::string>{"every divisor is non-zero"});
    }
}

TEST_CASE("pointwise transformer: near misses are not proved", "[prover][pointwise][transformer]") {
    for (const char* text : {
             "exp(ewadd(x, y)) => ewadd(exp(x), exp(y))",
             "ewdiv(x, ewadd(y, z)) => ewadd(ewdiv(x, y), ewdiv(x, z))",
             "ewsub(x, y) => ewsub(y, x)",
             "exp(ewmul(x, y)) => ewmul(exp(x), exp(y))",
         }) {
        INFO(text);
        CHECK(check(text).verdict != prover::Verdict::Proved);
    }
}

TEST_CASE("pointwise transformer: a planted wrong exp fact is an error, never proved",
          "[prover][pointwise][transformer]") {
    prover::CheckOptions o;
    o.pointwise_fault = prover::PointwiseFault::ExpIsAdditive;
    o.bounded = false;  // the re-check of a pointwise proof is not optional
    auto c = check("exp(ewadd(x, y)) => ewadd(exp(x), exp(y))", o);
    CHECK(c.verdict == prover::Verdict::Error);
    CHECK_THAT(c.error, Catch::Contains("pointwise strategy is unsound"));
}
