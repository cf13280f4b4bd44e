// The bounded checker on issue 22's operators: exact rationals where the rule allows (division
// included, zero divisors skipped), float32 within the stated tolerance where an operator
// leaves the rationals, and the result and counterexample say which.
#include <catch2/catch.hpp>

#include <string>

#include "ir/native_text.h"
#include "prover/bounded_check.h"

using namespace rf;
using namespace rf::prover;

namespace {
Rule rule_of(const std::string& text) { return build_rule(parse_native_rule(text)); }
}  // namespace

TEST_CASE("bounded check: transformer identities pass, in the domain they need", "[prover][bounded][transformer]") {
    struct Case {
        const char* text;
        CheckDomain domain;
    };
    const Case cases[] = {
        {"exp(ewadd(x, y)) => ewmul(exp(x), exp(y))", CheckDomain::Float},
        {"softmax[axis=1](ewadd(x, c)) => softmax[axis=1](x) where x: act[d0,d1], c: act[d0,1]", CheckDomain::Float},
        {"transpose[perm=[1,0]](softmax[axis=1](x)) => softmax[axis=0](transpose[perm=[1,0]](x))", CheckDomain::Float},
        {"layernorm[axis=1](ewadd(x, c)) => layernorm[axis=1](x) where x: act[d0,d1], c: act[d0,1]",
         CheckDomain::Float},
        {"ewmul(ewdiv(x, y), y) => x", CheckDomain::Exact},
        {"reduce_sum[axis=1](ewadd(x, y)) => ewadd(reduce_sum[axis=1](x), reduce_sum[axis=1](y))", CheckDomain::Exact},
        {"reduce_mean[axis=0](reduce_mean[axis=1](x)) => "
         "reduce_mean[axis=1](reduce_mean[axis=0](x))",
         CheckDomain::Exact},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const BoundedCheck r = bounded_check(rule_of(c.text));
        CHECK(r.outcome == BoundedCheck::Outcome::Passed);
        CHECK(r.domain == c.domain);
        CHECK(r.evaluations >= 1);
    }
}

TEST_CASE(
    "bounded check: transformer near-misses are refuted with a counterexample that names its "
    "domain",
    "[prover][bounded][transformer]") {
    struct Case {
        const char* text;
        CheckDomain domain;
    };
    const Case cases[] = {
        {"exp(ewadd(x, y)) => ewadd(exp(x), exp(y))", CheckDomain::Float},
        {"softmax[axis=0](ewadd(x, c)) => softmax[axis=0](x) where x: act[d0,d1], c: act[d0,1]", CheckDomain::Float},
        {"layernorm[axis=1](x) => rmsnorm[axis=1](x)", CheckDomain::Float},
        {"gelu(x) => ewmul(x, exp(x))", CheckDomain::Float},
        {"ewdiv(ewadd(x, y), z) => ewadd(ewdiv(x, z), y)", CheckDomain::Exact},
        {"reduce_mean[axis=1](x) => reduce_sum[axis=1](x) where x: act[d0,d1]", CheckDomain::Exact},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const Rule rule = rule_of(c.text);
        const BoundedCheck r = bounded_check(rule);
        REQUIRE(r.outcome == BoundedCheck::Outcome::Refuted);
        REQUIRE(r.counterexample);
        CHECK(r.counterexample->domain == c.domain);
        CHECK(r.counterexample->lhs_value != r.counterexample->rhs_value);
        const std::string text = r.counterexample->to_string(rule);
        CHECK((text.find("float32") != std::string::npos) == (c.domain == CheckDomain::Float));
    }
}

TEST_CASE("bounded check: a zero divisor skips the draw instead of refuting", "[prover][bounded][transformer]") {
    // x / x = x^2 / x^2 holds wherever x is not zero; inputs in [-3, 3] make zeros common.
    const BoundedCheck r = bounded_check(rule_of("ewdiv(x, x) => ewdiv(ewmul(x, x), ewmul(x, x)) where x: act[2,2]"));
    CHECK(r.outcome == BoundedCheck::Outcome::Passed);
    CHECK(r.overflows > 0);
}

TEST_CASE("bounded check: a divisor that is zero in exact arithmetic refutes nothing in float32",
          "[prover][bounded][transformer]") {
    // A layer norm's outputs sum to zero along its axis; in float32 the sum is a rounding residue
    // (~1e-7), and dividing by it gave 'counterexamples' of 1e7 to rules that hold wherever their
    // divisors are not zero (here: nowhere). Such draws are skipped, never a refutation.
    for (const char* text :
         {"ewdiv(layernorm[axis=1](v), reduce_sum[axis=1](layernorm[axis=1](v))) => ewsub(sqrt(v), sqrt(v)) "
          "where v: act[1,4]",
          "ewdiv(reduce_sum[axis=1](layernorm[axis=1](v)), reduce_sum[axis=1](layernorm[axis=1](v))) => "
          "reduce_sum[axis=1](layernorm[axis=1](v)) where v: act[1,4]"}) {
        INFO(text);
        const BoundedCheck r = bounded_check(rule_of(text));
        CHECK(r.outcome != BoundedCheck::Outcome::Refuted);
        CHECK(r.overflows > 0);
    }
    // A divisor that is not zero still lets a false rule be refuted.
    const BoundedCheck r = bounded_check(rule_of("ewdiv(x, exp(y)) => ewmul(x, exp(y))"));
    CHECK(r.outcome == BoundedCheck::Outcome::Refuted);
}
