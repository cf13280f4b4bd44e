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
    Rule g =
        generalize_shapes(rule("r: relu(conv2d(x, w)) => conv2d[act=relu](x, w) where x: "
                               "act[2,4,5,5], w: weight[4,4,3,3]"));
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
    auto c = checker.check(rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w) where x: "
                                "act[2,4,5,5], w: weight[4,4,3,3]"),
                           "g1");
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
    CHECK_FALSE(
        plain.check(rule("ewadd(x, y) => ewadd(y, x) where x: act[2,4], y: act[2,4]"), "g3").general.has_value());
}

TEST_CASE("generalize_variables: a repeated variable's occurrences told apart in every way", "[prover][generalize]") {
    // With three inputs of a shape, TASO's generator finds this rule only with one input twice.
    Rule r = rule(
        "ewadd(concat[axis=1](a, b), concat[axis=1](c, a)) => concat[axis=1](ewadd(a, c), ewadd(b, "
        "a)) "
        "where a: act[2,4,5,5], b: act[2,4,5,5], c: act[2,4,5,5]");
    std::vector<Rule> wider = generalize_variables(r);
    // a occurs twice on each side: 2^2 ways to send the right occurrences to the left ones.
    REQUIRE(wider.size() == 4);
    std::vector<std::string> texts;
    for (const Rule& w : wider) {
        CHECK(w.variables().size() == 4);
        texts.push_back(print_native(w));
    }
    const std::string four =
        "ewadd(concat[axis=1](a_0, b), concat[axis=1](c, a_1)) => concat[axis=1](ewadd(a_0, c), "
        "ewadd(b, a_1))";
    bool has_four = false;
    for (const std::string& t : texts) has_four |= t.rfind(four, 0) == 0;
    INFO(texts[0] << "\n" << texts[1] << "\n" << texts[2] << "\n" << texts[3]);
    CHECK(has_four);
    // No repeated variable: nothing to tell apart.
    CHECK(generalize_variables(rule("relu(ewadd(x, y)) => relu(ewadd(y, x)) where x: act[2,4], y: act[2,4]")).empty());
}

TEST_CASE("checker --generalize: repeated variables are told apart where the proof still holds",
          "[prover][generalize]") {
    prover::CheckOptions o;
    o.generalize = true;
    prover::Checker checker(prover::builtin_axioms(), o);
    auto c = checker.check(rule("ewadd(concat[axis=1](a, b), concat[axis=1](c, a)) => "
                                "concat[axis=1](ewadd(a, c), ewadd(b, a)) "
                                "where a: act[2,4,5,5], b: act[2,4,5,5], c: act[2,4,5,5]"),
                           "v1");
    REQUIRE(c.verdict == prover::Verdict::Proved);
    REQUIRE(c.general.has_value());
    CHECK(c.general->rule.variables().size() == 4);  // a told apart
    CHECK_FALSE(c.general->rule.is_concrete());      // and the shapes symbolic
    // A variable whose repetition the rule needs stays one: factoring x out of x*y + x*z is
    // false for two different x's, so the general form keeps three variables.
    auto d = checker.check(rule("ewadd(ewmul(x, y), ewmul(x, z)) => ewmul(x, ewadd(y, z)) "
                                "where x: act[2,4], y: act[2,4], z: act[2,4]"),
                           "v2");
    REQUIRE(d.verdict == prover::Verdict::Proved);
    REQUIRE(d.general.has_value());
    CHECK(d.general->rule.variables().size() == 3);
    CHECK_FALSE(d.general->rule.is_concrete());
}

TEST_CASE("checker --generalize: a general form that needs the standard assumptions keeps them",
          "[prover][generalize]") {
    // The contraction over concats holds at symbolic shapes only when the parts line up (the
    // convolutions dense, the parts of one role of one shape): the general form is kept with
    // those preconditions rather than dropped for TASO's test dimensions.
    prover::CheckOptions o;
    o.generalize = true;
    prover::Checker checker(prover::builtin_axioms(), o);
    const char* text =
        "conv2d(concat[axis=1](x, y), concat[axis=1](w, v)) => ewadd(conv2d(x, w), conv2d(y, v)) "
        "where x: act[2,4,5,5], y: act[2,4,5,5], w: weight[4,4,3,3], v: weight[4,4,3,3]";
    auto c = checker.check(rule(text), "ga");
    REQUIRE(c.verdict == prover::Verdict::Proved);
    REQUIRE(c.general.has_value());
    CHECK_FALSE(c.general->rule.is_concrete());
    CHECK_FALSE(c.general->rule.preconditions.empty());
    CHECK_FALSE(c.general->assumed.empty());
    // A depthwise rule is no instance of a dense general form: never generalised so.
    auto d = checker.check(rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w) where x: "
                                "act[2,4,5,5], w: weight[4,1,3,3]"),
                           "gd");
    REQUIRE(d.verdict == prover::Verdict::Proved);
    if (d.general)
        for (Precondition p : d.general->rule.preconditions) CHECK(p != Precondition::DenseConvolutions);
}

TEST_CASE("checker --generalize: a grouped convolution keeps its channel counts, nothing else",
          "[prover][generalize]") {
    // The block structure of a grouped convolution is read from its channel counts, so the fully
    // symbolic form is not proved; batch and spatial sizes still become symbols.
    Rule g =
        generalize_shapes_but_channels(rule("conv2d(concat[axis=1](x, x), w) => conv2d(x, w) where "
                                            "x: act[2,4,5,5], w: weight[4,4,3,3]"));
    REQUIRE(g.variables().size() == 2);
    CHECK(g.variables()[0].type.dims[1] == Dim(4));
    CHECK_FALSE(g.variables()[0].type.dims[0].is_concrete());
    CHECK_FALSE(g.variables()[0].type.dims[2].is_concrete());
    CHECK(g.variables()[1].type.dims[0] == Dim(4));
    CHECK(g.variables()[1].type.dims[1] == Dim(4));
    CHECK_FALSE(g.variables()[1].type.dims[2].is_concrete());

    prover::CheckOptions o;
    o.generalize = true;
    prover::Checker checker(prover::builtin_axioms(), o);
    auto c = checker.check(rule("conv2d(concat[axis=1](x, x), w) => conv2d(x, w) where x: "
                                "act[2,4,5,5], w: weight[4,4,3,3]"),
                           "grouped");
    REQUIRE(c.verdict == prover::Verdict::Proved);
    REQUIRE(c.general.has_value());
    const TensorType& x = c.general->rule.variables()[0].type;
    CHECK(x.dims[1] == Dim(4));
    CHECK_FALSE(x.dims[2].is_concrete());
    // A second candidate with the same general form gets that proof under its own name.
    auto d = checker.check(rule("other: conv2d(concat[axis=1](x, x), w) => conv2d(x, w) where x: act[1,4,3,3], "
                                "w: weight[4,4,3,3]"),
                           "grouped2");
    REQUIRE(d.general.has_value());
    CHECK(d.general->rule.name == "other");
    CHECK(print_native(d.general->rule).find("act[") != std::string::npos);
}
