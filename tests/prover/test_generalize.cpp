// Shape generalisation: a rule found at TASO's test shapes is also proved at its most general
// shapes, and stored that way, so that one rule covers every shape (and the variants found at
// several test shapes fold into it).
#include <catch2/catch.hpp>

#include "ir/native_text.h"
#include "ir/rule.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"

using namespace rf;

namespace {
Rule rule(const std::string& text) { return build_rule(parse_native_rule(text)); }
}  // namespace

TEST_CASE("generalize_shapes: integer dimensions become symbols, ranks and shared sizes stay", "[prover][generalize]") {
    Rule g = generalize_shapes(rule("r: relu(conv2d(x, w)) => conv2d[act=relu](x, w) where x: act[2,4,5,5], w: weight[4,4,3,3]"));
    CHECK_FALSE(g.is_concrete());
    CHECK(g.name == "r");
    REQUIRE(g.variables().size() == 2);
    CHECK(g.variables()[0].type.rank() == 4);
    CHECK(g.variables()[1].type.rank() == 4);
    CHECK(g.variables()[1].role == Role::Weight);
    // ewadd needs equal shapes: the two variables share one symbolic shape.
    Rule e = generalize_shapes(rule("ewadd(x, y) => ewadd(y, x) where x: act[2,4], y: act[2,4]"));
    CHECK_FALSE(e.is_concrete());
    CHECK(e.variables()[0].type == e.variables()[1].type);
    // A constant pins the shape: nothing to generalise.
    CHECK(generalize_shapes(rule("ewmul(x, const_one[shape=[2,4]]()) => x where x: act[2,4]")).is_concrete());
}

TEST_CASE("checker --generalize: a proved rule is also proved at its general shapes", "[prover][generalize]") {
    prover::CheckOptions o;
    o.generalize = true;
    prover::Checker checker(prover::builtin_axioms(), o);
    auto c = checker.check(rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w) where x: act[2,4,5,5], w: weight[4,4,3,3]"), "g1");
    REQUIRE(c.verdict == prover::Verdict::Proved);
    REQUIRE(c.general.has_value());
    CHECK_FALSE(c.general->rule.is_concrete());
    REQUIRE(c.general->results.size() == 1);
    CHECK(c.general->results[0].proved());

    // Pinned by a constant: proved, nothing more general.
    auto k = checker.check(rule("ewmul(x, const_one[shape=[2,4]]()) => x where x: act[2,4]"), "g2");
    CHECK(k.verdict == prover::Verdict::Proved);
    CHECK_FALSE(k.general.has_value());

    // Without the option nothing is tried.
    prover::Checker plain(prover::builtin_axioms(), prover::CheckOptions{});
    CHECK_FALSE(plain.check(rule("ewadd(x, y) => ewadd(y, x) where x: act[2,4], y: act[2,4]"), "g3").general.has_value());
}
