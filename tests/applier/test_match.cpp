// The matcher on small hand-built graphs: operators and parameters must agree, a variable used
// twice binds one value, commutative operands match in either order, a symbol shared between
// variables is a shape condition, proof assumptions restrict the sites, and rules with two
// outputs find both roots without feeding a root back into its own variables.
#include <catch2/catch.hpp>

#include "applier/match.h"
#include "ir/native_text.h"
#include "tests/support/graph_vars.h"

using namespace rf;
using rf::testing::act;
using rf::testing::weight;

namespace {

Rule rule(const std::string& text) { return build_rule(parse_native_rule(text)); }

const Params kConv = param::conv2d(1, 1, Padding::Same, Activation::None);

/// x -> conv(w1) -> relu -> conv(w2) -> relu
Graph two_conv_relu() {
    GraphBuilder b({act("x", {1, 4, 8, 8}), weight("w1", {4, 4, 3, 3}), weight("w2", {8, 4, 1, 1})});
    auto c1 = b.add1(OpKind::Conv2d, kConv, {b.input(0), b.input(1)});
    auto r1 = b.add1(OpKind::Relu, {}, {c1});
    auto c2 = b.add1(OpKind::Conv2d, kConv, {r1, b.input(2)});
    auto r2 = b.add1(OpKind::Relu, {}, {c2});
    return std::move(b).finish({r2});
}

}  // namespace

TEST_CASE("match: every relu(conv2d) site, bound to the model's values", "[applier]") {
    Graph g = two_conv_relu();
    auto ms = applier::find_matches(g, rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w)"));
    REQUIRE(ms.size() == 2);
    CHECK(ms[0].roots[0].node < ms[1].roots[0].node);
    CHECK(ms[0].bindings[0] == ValueRef{0, 0});  // x is the model input
    CHECK(ms[0].nodes.size() == 2);
    CHECK(ms[0].site() == "n" + std::to_string(ms[0].roots[0].node));
    // The instance is concrete: its shapes are the model's.
    CHECK(ms[1].instance.is_concrete());
    CHECK(ms[1].instance.variables()[1].type.to_string() == "[8,4,1,1]");
}

TEST_CASE("match: parameters must agree", "[applier]") {
    Graph g = two_conv_relu();
    CHECK(applier::find_matches(g, rule("relu(conv2d[stride=[2,2]](x, w)) => conv2d[stride=[2,2],act=relu](x, w) "
                                        "where x: act[1,4,8,8], w: weight[4,4,3,3]"))
              .empty());
    CHECK(applier::find_matches(g, rule("relu(conv2d[pad=valid](x, w)) => conv2d[pad=valid,act=relu](x, w)")).empty());
}

TEST_CASE("match: a variable used twice binds one value", "[applier]") {
    GraphBuilder b({act("a", {2, 3}), act("c", {2, 3})});
    auto same = b.add1(OpKind::EwMul, {}, {b.input(0), b.input(0)});
    auto diff = b.add1(OpKind::EwMul, {}, {b.input(0), b.input(1)});
    Graph g = std::move(b).finish({same, diff});
    auto ms = applier::find_matches(g, rule("ewmul(x, x) => ewmul(x, x) where x: act[m,n]"));
    REQUIRE(ms.size() == 1);
    CHECK(ms[0].roots[0] == same);
}

TEST_CASE("match: commutative operands match in either order", "[applier]") {
    GraphBuilder b({act("a", {2, 3}), act("c", {2, 3})});
    auto r = b.add1(OpKind::Relu, {}, {b.input(1)});
    auto s = b.add1(OpKind::EwAdd, {}, {b.input(0), r});  // relu is the second operand
    Graph g = std::move(b).finish({s});
    auto ms = applier::find_matches(g, rule("ewadd(relu(x), y) => ewadd(y, relu(x)) where x: act[m,n], y: act[m,n]"));
    REQUIRE(ms.size() == 1);
    CHECK(ms[0].bindings[0] == g.node(r.node).inputs[0]);  // x = c
    // Not commutative: matmul's operands keep their order.
    GraphBuilder m({act("a", {2, 3}), act("b", {3, 3})});
    auto rb = m.add1(OpKind::Relu, {}, {m.input(1)});
    auto mm = m.add1(OpKind::Matmul, param::matmul(Activation::None), {m.input(0), rb});
    Graph gm = std::move(m).finish({mm});
    CHECK(applier::find_matches(gm, rule("matmul(relu(x), y) => matmul(relu(x), y) where x: act[m,k], y: act[k,n]"))
              .empty());
}

TEST_CASE("match: a symbol shared by two variables is a shape condition", "[applier]") {
    // TASO's conv-merge: both weights must have one shape. A 3x3 and a 1x1 SAME convolution of
    // one input give the same output shape, so the sum type-checks, but the rule must not fire.
    GraphBuilder b(
        {act("x", {1, 4, 8, 8}), weight("w1", {4, 4, 3, 3}), weight("w2", {4, 4, 1, 1}), weight("w3", {4, 4, 3, 3})});
    auto c1 = b.add1(OpKind::Conv2d, kConv, {b.input(0), b.input(1)});
    auto c2 = b.add1(OpKind::Conv2d, kConv, {b.input(0), b.input(2)});
    auto c3 = b.add1(OpKind::Conv2d, kConv, {b.input(0), b.input(3)});
    auto bad = b.add1(OpKind::EwAdd, {}, {c1, c2});
    auto good = b.add1(OpKind::EwAdd, {}, {c1, c3});
    Graph g = std::move(b).finish({bad, good});
    Rule r = rule("ewadd(conv2d(x, u), conv2d(x, v)) => conv2d(x, ewadd(u, v))");
    auto ms = applier::find_matches(g, r);
    REQUIRE(ms.size() == 2);  // good, in both operand orders of the commutative ewadd
    for (const applier::Match& m : ms) CHECK(m.roots[0] == good);
}

TEST_CASE("match: proof assumptions restrict the sites", "[applier]") {
    // A grouped convolution (weight channels 2 of 4 inputs).
    GraphBuilder b({act("x", {1, 4, 8, 8}), weight("w", {4, 2, 3, 3})});
    auto c = b.add1(OpKind::Conv2d, kConv, {b.input(0), b.input(1)});
    Graph g = std::move(b).finish({b.add1(OpKind::Relu, {}, {c})});
    Rule r = rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w)");
    CHECK(applier::find_matches(g, r).size() == 1);
    r.preconditions = {Precondition::DenseConvolutions};
    CHECK(applier::find_matches(g, r).empty());
    // Read from the native syntax as well.
    CHECK(applier::find_matches(g, rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w) assuming dense_convolutions"))
              .empty());
}

TEST_CASE("match: a rule with two outputs matches both roots", "[applier]") {
    GraphBuilder b({act("x", {4, 6}), weight("p", {6, 5}), weight("q", {6, 3})});
    auto m1 = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(0), b.input(1)});
    auto m2 = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(0), b.input(2)});
    Graph g = std::move(b).finish({m1, m2});
    Rule r = rule(
        "(matmul(x, a), matmul(x, c)) => (split[axis=1](matmul(x, concat[axis=1](a, c))).0, "
        "split[axis=1](matmul(x, concat[axis=1](a, c))).1) where x: act[m,k], a: weight[k,p], c: "
        "weight[k,q]");
    auto ms = applier::find_matches(g, r);
    REQUIRE(ms.size() == 2);  // (m1, m2) and (m2, m1)
    CHECK(ms[0].site() == "n2+n4");
    CHECK(ms[1].site() == "n4+n2");
    // One value cannot be both outputs.
    GraphBuilder one({act("x", {4, 6}), weight("p", {6, 5})});
    auto only = one.add1(OpKind::Matmul, param::matmul(Activation::None), {one.input(0), one.input(1)});
    CHECK(applier::find_matches(std::move(one).finish({only}), r).empty());
}

TEST_CASE("match: reversed rules", "[applier]") {
    Rule r = rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w)");
    Rule back = applier::reversed(r);
    CHECK(back.lhs == r.rhs);
    CHECK(applier::find_matches(two_conv_relu(), back).empty());
    // Read right to left, y would be unbound.
    CHECK_THROWS_WITH(
        applier::reversed(rule("split[axis=0](concat[axis=0](x, y)).0 => x where x: act[a,b], y: act[c,b]")),
        Catch::Contains("right side does not use 'y'"));
}

TEST_CASE("match: an element-wise rule without `where` matches tensors of any rank", "[applier]") {
    // relu(relu(x)) on a 4-D tensor, ewadd(y, y) on a 3-D one: the rules are typed at rank 2 but
    // hold at every rank (element-wise operators, symbolic shapes).
    GraphBuilder b({act("x", {1, 4, 8, 8}), act("y", {2, 3, 5})});
    auto r1 = b.add1(OpKind::Relu, {}, {b.input(0)});
    auto r2 = b.add1(OpKind::Relu, {}, {r1});
    auto s = b.add1(OpKind::EwAdd, {}, {b.input(1), b.input(1)});
    Graph g = std::move(b).finish({r2, s});
    Rule rr = rule("relu(relu(x)) => relu(x)");
    REQUIRE(rr.variables()[0].type.rank() == 2);
    auto ms = applier::find_matches(g, rr);
    REQUIRE(ms.size() == 1);
    CHECK(ms[0].roots[0] == r2);
    CHECK(ms[0].instance.variables()[0].type.rank() == 4);
    // smul by a scalar is position-wise too (ir/rank_generic.h): the scalar keeps rank 0.
    auto sm =
        applier::find_matches(g, rule("ewadd(x, x) => smul(x, const_one[shape=[]]())"));  // (false; only matching)
    REQUIRE(sm.size() == 1);
    CHECK(sm[0].instance.variables()[0].type.rank() == 3);
    auto es =
        applier::find_matches(g, rule("ewadd(x, x) => ewmul(x, ewadd(x, x))"));  // (false; only matching is tested)
    REQUIRE(es.size() == 1);
    CHECK(es[0].roots[0] == s);
    // A rule at concrete shapes, or with an operator whose meaning depends on the rank, keeps its rank.
    CHECK(applier::find_matches(g, rule("relu(relu(x)) => relu(x) where x: act[2,3]")).empty());
    CHECK(applier::find_matches(g, rule("relu(transpose[perm=[1,0]](x)) => transpose[perm=[1,0]](relu(x))")).empty());
}

TEST_CASE("match: a concat/split rule without `where` matches at any rank its axis reaches", "[applier]") {
    // split(concat(x, y)) along axis 1 on 3-D tensors; the rule is typed at rank 2.
    GraphBuilder b({act("x", {2, 3, 5}), act("y", {2, 4, 5})});
    auto c = b.add1(OpKind::Concat, param::axis_param(1), {b.input(0), b.input(1)});
    auto s = b.add(OpKind::Split, param::axis_param(1), {c});
    Graph g = std::move(b).finish({s[0]});
    Rule r = rule("split[axis=1](concat[axis=1](x, y)).0 => x");
    REQUIRE(r.variables()[0].type.rank() == 2);
    auto ms = applier::find_matches(g, r);
    REQUIRE(ms.size() == 1);
    CHECK(ms[0].instance.variables()[0].type.rank() == 3);
}
