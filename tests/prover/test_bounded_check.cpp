// The bounded semantic checker: true rules pass, false ones are refuted with a concrete
// counterexample whose two sides really differ, and shape assumptions restrict the instances.
#include <catch2/catch.hpp>

#include "ir/native_text.h"
#include "prover/bounded_check.h"
#include "prover/checker.h"

using namespace rf;
using namespace rf::prover;

namespace {
Rule rule_of(const std::string& text) { return build_rule(parse_native_rule(text)); }
}  // namespace

TEST_CASE("bounded check: true rules pass at every tested shape", "[prover][bounded]") {
    const char* rules[] = {
        "matmul(matmul(a, b), c) => matmul(a, matmul(b, c))",
        "relu(conv2d(x, w)) => conv2d[act=relu](x, w)",
        "ewmul(ewadd(x, y), z) => ewadd(ewmul(x, z), ewmul(y, z))",
        "(split[axis=1](concat[axis=1](a, b)).0, split[axis=1](concat[axis=1](a, b)).1) => (a, b)",
        "transpose[perm=[1,0]](matmul(a, b)) => matmul(transpose[perm=[1,0]](b), "
        "transpose[perm=[1,0]](a))",
        "poolavg[kernel=[3,3]](x) => conv2d(x, const_pool[shape=[4,1,3,3]]()) where x: "
        "act[2,4,5,5]",
        "sigmoid(ewadd(x, y)) => sigmoid(ewadd(y, x))",
        "relu(relu(x)) => relu(x)",
    };
    for (const char* text : rules) {
        INFO(text);
        BoundedCheck r = bounded_check(rule_of(text));
        CHECK(r.outcome == BoundedCheck::Outcome::Passed);
        CHECK(r.instances >= 1);
        CHECK(r.evaluations >= 1);
    }
}

TEST_CASE("bounded check: false rules are refuted with a real counterexample", "[prover][bounded]") {
    const char* rules[] = {
        "relu(ewadd(x, y)) => ewadd(relu(x), relu(y))",
        "matmul(a, b) => matmul(b, a) where a: act[n,n], b: act[n,n]",
        "relu(smul(x, s)) => smul(relu(x), s)",
        "sigmoid(ewadd(x, y)) => ewadd(sigmoid(x), sigmoid(y))",
        "poolmax[kernel=[3,3]](x) => poolavg[kernel=[3,3]](x)",
    };
    for (const char* text : rules) {
        INFO(text);
        Rule rule = rule_of(text);
        BoundedCheck r = bounded_check(rule);
        REQUIRE(r.outcome == BoundedCheck::Outcome::Refuted);
        REQUIRE(r.counterexample);
        const Counterexample& cx = *r.counterexample;
        CHECK(cx.lhs_value != cx.rhs_value);
        // Re-evaluating at the reported shapes and inputs reproduces the difference.
        Rule inst = rule.is_concrete() ? rule : instantiate(rule, cx.symbols);
        auto l = evaluate_exact(inst.lhs, cx.inputs, cx.function_seed);
        auto rr = evaluate_exact(inst.rhs, cx.inputs, cx.function_seed);
        CHECK(l[cx.output] != rr[cx.output]);
        CHECK_THAT(cx.to_string(rule), Catch::Contains("left " + cx.lhs_value));
    }
}

TEST_CASE("bounded check: shape assumptions restrict the instances tested", "[prover][bounded]") {
    // A false rule; with no admissible instance the checker says why it could not test.
    Rule rule = rule_of("concat[axis=0](x, y) => concat[axis=0](y, x)");
    CHECK(bounded_check(rule).outcome == BoundedCheck::Outcome::Refuted);
    BoundedCheckOptions none_fit;
    none_fit.admissible = [](const std::map<SymbolId, int64_t>&) { return false; };
    BoundedCheck r = bounded_check(rule, none_fit);
    CHECK(r.outcome == BoundedCheck::Outcome::Inconclusive);
    CHECK_THAT(r.note, Catch::Contains("no admissible shape"));
}

TEST_CASE("bounded check: results are reproducible from the seed", "[prover][bounded]") {
    Rule rule = rule_of("relu(ewadd(x, y)) => ewadd(relu(x), relu(y))");
    BoundedCheck a = bounded_check(rule), b = bounded_check(rule);
    REQUIRE(a.counterexample);
    REQUIRE(b.counterexample);
    CHECK(a.counterexample->to_string(rule) == b.counterexample->to_string(rule));
}

TEST_CASE("an unsound axiom cannot make a false rule proved", "[prover][bounded]") {
    // A deliberately false axiom lets the solver "prove" matmul commutative; the bounded checker
    // re-tests every proof and turns this one into an error that names the counterexample.
    AxiomSet bad =
        parse_axiom_set("matmul_comm: matmul(a, b) => matmul(b, a) where a: act[n,n], b: act[n,n]\n", "unsound.rf");
    CheckOptions opts;
    opts.timeout_ms = 2000;
    Checker checker(bad, opts);
    RuleCheck c = checker.check(
        build_rule(parse_native_rule("matmul(x, y) => matmul(y, x) where x: act[n,n], y: act[n,n]")), "unsound");
    CHECK(c.verdict == Verdict::Error);
    CHECK_THAT(c.error, Catch::Contains("an axiom is unsound"));
    CHECK_FALSE(c.counterexample.empty());
}
