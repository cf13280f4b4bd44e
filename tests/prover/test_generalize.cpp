// Shape generalisation: a rule found at TASO's test shapes is also proved at its most general
// shapes, and stored that way, so that one rule covers every shape (and the variants found at
// several test shapes fold into it).
#include <catch2/catch.hpp>

#include "applier/match.h"
#include "ir/native_text.h"
#include "ir/rule.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"
#include "tests/support/graph_vars.h"

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

namespace {
// Whether any variable of `r` keeps a number among its dimensions.
bool holds_a_number(const Rule& r) {
    for (const Variable& v : r.variables())
        for (const Dim& d : v.type.dims)
            if (d.is_concrete()) return true;
    return false;
}
}  // namespace

TEST_CASE("generalize_shapes_tied: equal numbers become one symbol, no number is left", "[prover][generalize]") {
    Rule t =
        generalize_shapes_tied(rule("conv2d(concat[axis=1](v0, v1), concat[axis=1](v2, v3)) => "
                                    "conv2d(concat[axis=1](v1, v0), concat[axis=1](v3, v2)) where "
                                    "v0: weight[4,1,3,3], v1: weight[4,4,3,3], v2: weight[4,1,3,3], "
                                    "v3: weight[4,4,3,3]"));
    CHECK_FALSE(holds_a_number(t));
    const auto& v = t.variables();
    REQUIRE(v.size() == 4);
    // Every 4 one symbol, every 3 another, the 1 a third.
    CHECK(v[0].type.dims[0] == v[1].type.dims[1]);
    CHECK(v[1].type.dims[0] == v[1].type.dims[1]);
    CHECK(v[0].type.dims[2] == v[0].type.dims[3]);
    CHECK(v[0].type.dims[1] != v[1].type.dims[1]);
    CHECK(v[0].type.dims[1] == v[2].type.dims[1]);
    // The fully general form ties nothing the operators do not.
    Rule g = generalize_shapes(rule("ewadd(x, y) => ewadd(y, x) where x: act[4,4], y: act[4,4]"));
    CHECK(g.variables()[0].type.dims[0] != g.variables()[0].type.dims[1]);
    Rule s = generalize_shapes_tied(rule("ewadd(x, y) => ewadd(y, x) where x: act[4,4], y: act[4,4]"));
    CHECK(s.variables()[0].type.dims[0] == s.variables()[0].type.dims[1]);
}

TEST_CASE("checker --generalize: a rule that needs equal sizes is stored with them, not with numbers",
          "[prover][generalize]") {
    // The channel blocks of the input and of the kernel are swapped alike: true whenever the
    // blocks of the two concats line up (v0's channels = v2's), at any size. The fully general form
    // is false (the blocks need not line up), the standard assumptions do not hold for the rule
    // found (v0 and v1 differ in shape), and the channel counts are what makes the blocks line
    // up: without the tied form the rule kept its channel numbers (weight[4,1,d0,d1]).
    prover::CheckOptions o;
    o.generalize = true;
    prover::Checker checker(prover::builtin_axioms(), o);
    auto c = checker.check(rule("conv2d(concat[axis=1](v0, v1), concat[axis=1](v2, v3)) => "
                                "conv2d(concat[axis=1](v1, v0), concat[axis=1](v3, v2)) where "
                                "v0: weight[4,1,3,3], v1: weight[4,4,3,3], v2: weight[4,1,3,3], v3: weight[4,4,3,3]"),
                           "tied");
    REQUIRE(c.verdict == prover::Verdict::Proved);
    REQUIRE(c.general.has_value());
    INFO(print_native(c.general->rule));
    CHECK_FALSE(holds_a_number(c.general->rule));
    CHECK(c.general->rule.preconditions.empty());
    const auto& v = c.general->rule.variables();
    CHECK(v[0].type.dims[1] == v[2].type.dims[1]);

    // The applier matches the stored form where the rule found matched (its own sizes), at
    // other sizes whose blocks line up, and nowhere else.
    auto model = [](int32_t a, int32_t b, int32_t k) {
        using rf::testing::weight;
        GraphBuilder g({weight("v0", {4, a, 3, 3}), weight("v1", {4, 4, 3, 3}), weight("v2", {4, k, 3, 3}),
                        weight("v3", {4, b, 3, 3})});
        auto x = g.add1(OpKind::Concat, param::axis_param(1), {g.input(0), g.input(1)});
        auto w = g.add1(OpKind::Concat, param::axis_param(1), {g.input(2), g.input(3)});
        auto y = g.add1(OpKind::Conv2d, param::conv2d(1, 1, Padding::Same, Activation::None), {x, w});
        return std::move(g).finish({y});
    };
    CHECK(applier::find_matches(model(1, 4, 1), c.general->rule).size() == 1);
    CHECK(applier::find_matches(model(2, 4, 2), c.general->rule).size() == 1);
    CHECK(applier::find_matches(model(1, 3, 2), c.general->rule).empty());  // blocks 1+4 against 2+3: false there
}

TEST_CASE("checker --generalize: a rule true only at its own sizes keeps them", "[prover][generalize]") {
    // Average pooling commutes with these convolutions only because the 3x1 and 1x3 kernels and
    // the pool's 3x3 window meet the borders alike at these sizes; at other kernel sizes (and in
    // the tied form, every 3 one symbol and every 1 another) it is false. Proved as found, and no
    // general form may drop the kernel sizes.
    prover::CheckOptions o;
    o.generalize = true;
    prover::Checker checker(prover::builtin_axioms(), o);
    const char* text =
        "conv2d(poolavg[kernel=[3,3]](v0), ewadd(v1, v1)) => poolavg[kernel=[3,3]](conv2d(ewadd(v0, v0), v1)) "
        "where v0: weight[4,4,3,1], v1: weight[4,4,1,3]";
    auto c = checker.check(rule(text), "only_here");
    REQUIRE(c.verdict == prover::Verdict::Proved);
    if (c.general) {
        INFO(print_native(c.general->rule));
        for (const Variable& v : c.general->rule.variables()) {
            CHECK(v.type.dims[2].is_concrete());
            CHECK(v.type.dims[3].is_concrete());
        }
    }
    // The tied form itself is false: the bounded checker refutes it.
    prover::Checker plain(prover::builtin_axioms(), prover::CheckOptions{});
    CHECK(plain.check(generalize_shapes_tied(rule(text)), "tied_false").verdict == prover::Verdict::Refuted);
}

TEST_CASE("checker --generalize: concat under transpose along either axis is stored at symbolic sizes",
          "[prover][generalize]") {
    // transpose(concat1(x, y)) = concat0(transpose(x), transpose(y)) follows from transpose_concat
    // and transpose_involutive only through terms E-matching never builds; with the axis-1 axiom
    // (transpose_concat1) the symbolic form is proved and the rule loses TASO's act[2,4].
    prover::CheckOptions o;
    o.generalize = true;
    prover::Checker checker(prover::builtin_axioms(), o);
    auto c = checker.check(rule("concat[axis=0](transpose[perm=[1,0]](v0), transpose[perm=[1,0]](v1)) => "
                                "transpose[perm=[1,0]](concat[axis=1](v0, v1)) where v0: act[2,4], v1: act[2,4]"),
                           "tc");
    REQUIRE(c.verdict == prover::Verdict::Proved);
    REQUIRE(c.general.has_value());
    INFO(print_native(c.general->rule));
    CHECK_FALSE(holds_a_number(c.general->rule));
    CHECK(c.general->rule.preconditions.empty());
}

TEST_CASE("checker --generalize: a depthwise rule keeps its 1 and nothing else", "[prover][generalize]") {
    // Splitting a convolution over a batch concat gives the convolutions of the parts, for any
    // kernel. The SMT encoding states the shapes of dense and depthwise convolutions only, so
    // with the depthwise kernel's 1 a symbol nothing is proved, and the rule kept every channel
    // count (weight[4,1,d0,d1], act[d2,4,d3,d4]); with the 1 kept, the rest is symbolic.
    prover::CheckOptions o;
    o.generalize = true;
    prover::Checker checker(prover::builtin_axioms(), o);
    auto c = checker.check(rule("split[axis=0](conv2d(concat[axis=0](v0, v1), v2)).0 => conv2d(v0, v2) "
                                "where v0: act[2,4,5,5], v1: act[2,4,5,5], v2: weight[4,1,3,3]"),
                           "dw");
    REQUIRE(c.verdict == prover::Verdict::Proved);
    REQUIRE(c.general.has_value());
    INFO(print_native(c.general->rule));
    CHECK(c.general->rule.preconditions.empty());
    for (const Variable& v : c.general->rule.variables())
        for (size_t k = 0; k < v.type.rank(); ++k) CHECK(v.type.dims[k].is_concrete() == (v.name == "v2" && k == 1));
    CHECK(c.general->rule.variables()[2].type.dims[1] == Dim(1));
}
