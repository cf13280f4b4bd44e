// Native rule syntax: parsing, typing, printing, round trips and error messages.
#include <catch2/catch.hpp>

#include "ir/native_text.h"

using namespace rf;

namespace {
Rule rule_of(const std::string& text) { return build_rule(parse_native_rule(text)); }

std::string error_of(const std::string& text) {
    try {
        rule_of(text);
    } catch (const ParseError& e) {
        return e.what();
    }
    return "no error";
}
}  // namespace

TEST_CASE("native: a rule without shapes gets the most general ones", "[ir][native]") {
    Rule r = rule_of("matmul(matmul(a, b), c) => matmul(a, matmul(b, c))");
    REQUIRE(r.variables().size() == 3);
    CHECK(r.variables()[0].type.to_string() == "[d0,d1]");
    CHECK(r.variables()[1].type.to_string() == "[d1,d2]");
    CHECK(r.variables()[2].type.to_string() == "[d2,d3]");
    CHECK(r.conditions.empty());
    CHECK(r.lhs.num_ops() == 2);
    CHECK(r.rhs.num_ops() == 2);
}

TEST_CASE("native: print then parse gives the same rule", "[ir][native]") {
    const char* rules[] = {
        "fuse: relu(conv2d(x, w)) => conv2d[act=relu](x, w)",
        "ewadd(x, y) => ewadd(y, x)",
        "(split[axis=1](concat[axis=1](a, b)).0, split[axis=1](concat[axis=1](a, b)).1) => (a, b)",
        "poolavg[kernel=[3,3]](x) => conv2d(x, const_pool[shape=[4,1,3,3]]()) where x: "
        "act[2,4,5,5]",
        "transpose[perm=[1,0]](transpose[perm=[1,0]](x)) => x",
        "smul(ewadd(x, y), s) => ewadd(smul(x, s), smul(y, s))",
        "conv2d[stride=[2,2],pad=valid](x, w) => conv2d[stride=[2,2],pad=valid](x, w) where x: "
        "act[1,3,9,9], w: weight[4,3,3,3]",
    };
    for (const char* text : rules) {
        INFO(text);
        Rule r = rule_of(text);
        std::string printed = print_native(r);
        Rule again = rule_of(printed);
        CHECK(print_native(again) == printed);
        CHECK(again.lhs == r.lhs);
        CHECK(again.rhs == r.rhs);
        CHECK(again.name == r.name);
    }
}

TEST_CASE("native: roles are inferred from operand positions and can be declared", "[ir][native]") {
    Rule r = rule_of("relu(conv2d(x, w)) => conv2d[act=relu](x, w)");
    CHECK(r.variables()[0].role == Role::Activation);
    CHECK(r.variables()[1].role == Role::Weight);
    Rule d = rule_of("matmul(a, b) => matmul(a, b) where b: weight");
    CHECK(d.variables()[1].role == Role::Weight);
}

TEST_CASE("native: the grouped-conv merge states its equal-shape condition", "[ir][native]") {
    // conv of each branch alone types at independent shapes; concatenating them needs equal ones.
    Rule r = rule_of(
        "(conv2d(x, w1), conv2d(y, w2)) => "
        "(split[axis=1](conv2d(concat[axis=1](x, y), concat[axis=0](w1, w2))).0,"
        " split[axis=1](conv2d(concat[axis=1](x, y), concat[axis=0](w1, w2))).1)");
    REQUIRE_FALSE(r.conditions.empty());
    bool mentions_both = false;
    for (const auto& c : r.conditions)
        if (c.find("x[") != std::string::npos && c.find("y[") != std::string::npos) mentions_both = true;
    CHECK(mentions_both);
}

TEST_CASE("native: declared shapes and symbolic expressions", "[ir][native]") {
    Rule r = rule_of(
        "ewadd(concat[axis=0](a, b), c) => ewadd(c, concat[axis=0](a, b)) where a: act[n, k], b: "
        "act[m, k]");
    CHECK(r.variables()[2].type.to_string() == "[d0+d2,d1]");
    Rule again = rule_of(print_native(r));
    CHECK(again.lhs == r.lhs);
    Rule c = rule_of("relu(x) => relu(x) where x: act[2, 3]");
    CHECK(c.is_concrete());
    CHECK(c.lhs.type(c.lhs.outputs()[0]).to_string() == "[2,3]");
}

TEST_CASE("native: a file holds many rules, comments and multi-line rules", "[ir][native]") {
    auto rules = parse_native_rules(
        "# comment\n"
        "relu(relu(x)) => relu(x)   ; idempotent\n"
        "\n"
        "ewadd(x,\n"
        "      y) => ewadd(y, x)\n",
        "f.rf");
    REQUIRE(rules.size() == 2);
    CHECK(rules[1].loc.line == 4);
}

TEST_CASE("native: errors say what and where", "[ir][native]") {
    CHECK_THAT(error_of("relu(x => x"), Catch::Contains("1:"));
    CHECK_THAT(error_of("relu(x)) => x"), Catch::Contains("unbalanced"));
    CHECK_THAT(error_of("frobnicate(x) => x"), Catch::Contains("1:1: unknown operator 'frobnicate'"));
    CHECK_THAT(error_of("relu(x, y) => x"), Catch::Contains("relu expects 1 operands, got 2"));
    CHECK_THAT(error_of("relu(x) => relu(y)"),
               Catch::Contains("1:17: variable 'y' on the right-hand side is not bound"));
    CHECK_THAT(error_of("relu(x) => x x"), Catch::Contains("expected end of rule"));
    CHECK_THAT(error_of("concat(x, y) => x"), Catch::Contains("needs parameter 'axis'"));
    CHECK_THAT(error_of("relu[axis=1](x) => x"), Catch::Contains("has no parameter 'axis'"));
    CHECK_THAT(error_of("conv2d[pad=full](x, w) => x"), Catch::Contains("padding must be same or valid"));
    CHECK_THAT(error_of("matmul(a, b) => a where a: act[2,3], b: act[4,5]"),
               Catch::Contains("contracted sizes differ"));
    CHECK_THAT(error_of("transpose[perm=[1,0]](x) => x where x: act[2,3]"), Catch::Contains("different shapes"));
    CHECK_THAT(error_of("split[axis=0](x).0 => x"), Catch::Contains("no concat boundary"));
    CHECK_THAT(error_of("split[axis=0](concat[axis=0](x, y)) => x"), Catch::Contains("select one"));
    CHECK_THAT(error_of("relu(x) => x where x: tensor[2]"), Catch::Contains("role must be act or weight"));
}

TEST_CASE("native: ranks come from every use, not the first one", "[ir][native]") {
    // smul alone would leave x's rank open; the conv2d further on needs rank 4.
    Rule r = rule_of("conv2d(smul(x, s), w) => smul(conv2d(x, w), s)");
    CHECK(r.variables()[0].type.rank() == 4);
    CHECK(r.variables()[1].type.rank() == 0);
    // A scalar operand says nothing about the other operand's rank.
    Rule d = rule_of("smul(ewadd(a, b), s) => ewadd(smul(a, s), smul(b, s))");
    CHECK(d.variables()[0].type.rank() == 2);
    // relu leaves it open too; the right side's transpose fixes rank 3.
    Rule t = rule_of("relu(x) => transpose[perm=[0,2,1]](transpose[perm=[0,2,1]](relu(x)))");
    CHECK(t.variables()[0].type.rank() == 3);
    CHECK_THAT(error_of("ewadd(smul(x, s), s) => x where x: act[2,3]"), Catch::Contains("needs rank"));
}

TEST_CASE("typing: a split of an element-wise result of concats joins their boundaries as a condition", "[ir]") {
    // Shapeless text (FlexFlow's JSON, TASO's protobuf) cannot say the two concats cut alike;
    // the split needs it, so the typing makes the boundaries one: a and c share their width.
    Rule r = rule_of("split[axis=1](ewmul(concat[axis=1](a, b), concat[axis=1](c, d))).0 => ewmul(a, c)");
    CHECK(print_native(r) ==
          "split[axis=1](ewmul(concat[axis=1](a, b), concat[axis=1](c, d))).0 => ewmul(a, c) "
          "where a: act[d0,d1], b: act[d0,d2], c: act[d0,d1], d: act[d0,d2]");
    // Without a split nothing is joined: the rule keeps its most general typing.
    CHECK(print_native(rule_of("ewmul(concat[axis=1](a, b), concat[axis=1](c, d)) => "
                               "ewmul(concat[axis=1](a, b), concat[axis=1](c, d))")) ==
          "ewmul(concat[axis=1](a, b), concat[axis=1](c, d)) => ewmul(concat[axis=1](a, b), "
          "concat[axis=1](c, d)) "
          "where a: act[d0,d1], b: act[d0,d2], c: act[d0,d3], d: act[d0,d1+d2-d3]");
    // Boundaries that cannot coincide still leave the split without one.
    CHECK_THROWS_WITH(rule_of("split[axis=1](ewmul(concat[axis=1](a, b), concat[axis=1](c, d))).0 => a "
                              "where a: act[2,3], b: act[2,5], c: act[2,4], d: act[2,4]"),
                      Catch::Contains("no concat boundary"));
}
