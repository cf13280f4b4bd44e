// The axiom file: it parses, names are unique, templates expand in lockstep, the version is a
// hash of the text, and every axiom is encodable.
#include <catch2/catch.hpp>

#include <set>

#include "ir/native_text.h"
#include "prover/axiom_set.h"
#include "prover/encoding.h"
#include "prover/smtlib.h"

using namespace rf;
using namespace rf::prover;

TEST_CASE("axioms: the built-in set parses with unique names and covers TASO's axioms", "[prover]") {
    const AxiomSet& set = builtin_axioms();
    CHECK(set.axioms.size() >= 44);  // TASO's verifier has 44
    CHECK(set.version.rfind("axioms-", 0) == 0);
    CHECK(set.version.size() == 7 + 16);
    std::set<std::string> names;
    for (const Axiom& a : set.axioms) {
        INFO(a.name);
        CHECK(names.insert(a.name).second);
        CHECK(a.rule.num_outputs() == 1);
        CHECK_FALSE(a.statement.empty());
    }
    for (const char* n : {"ewadd_assoc",
                          "ewadd_comm",
                          "ewmul_assoc",
                          "ewmul_comm",
                          "ewmul_ewadd_distrib",
                          "smul_assoc",
                          "relu_conv_same",
                          "relu_concat_1",
                          "relu_transpose",
                          "conv_ewadd_weight_same",
                          "conv_sum_concat_same",
                          "matmul_assoc",
                          "matmul_concat1",
                          "matmul_ewadd_right",
                          "split_concat_left_r4a1",
                          "transpose_involutive",
                          "transpose_matmul",
                          "concat_interchange_r4",
                          "pool_concat_avg1_same",
                          "conv_const_pool_same",
                          "conv_const_iconv_dense",
                          "matmul_const_imm_right",
                          "ewmul_const_one_r4",
                          "enlarge_conv_none",
                          "gconv_merge_same"})
        CHECK(set.find(n) != nullptr);
    const Axiom* merge = set.find("gconv_merge_same");
    REQUIRE(merge);
    CHECK_THAT(merge->condition, Catch::Contains("x: act[n,c,h,l], y: act[n,c,h,l]"));
}

TEST_CASE("axioms: template groups expand in lockstep", "[prover]") {
    auto lines = expand_template_line("a_{x|y}: relu(conv2d[pad={same|valid}](x, w)) => x # {not|expanded}");
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "a_x: relu(conv2d[pad=same](x, w)) => x # {not|expanded}");
    CHECK(lines[1] == "a_y: relu(conv2d[pad=valid](x, w)) => x # {not|expanded}");
    CHECK(expand_template_line("plain => line") == std::vector<std::string>{"plain => line"});
    CHECK_THROWS_AS(expand_template_line("a{x|y} b{1|2|3}"), std::invalid_argument);
    CHECK_THROWS_AS(expand_template_line("a{x|y"), std::invalid_argument);
}

TEST_CASE("axioms: a malformed axiom file is reported with its line", "[prover]") {
    CHECK_THROWS_WITH(parse_axiom_set("# c\nrelu(x) => x\n", "ax.rf"),
                      Catch::Contains("ax.rf:2") && Catch::Contains("name"));
    CHECK_THROWS_WITH(parse_axiom_set("a: relu(x) => x\na: relu(x) => x\n", "ax.rf"), Catch::Contains("twice"));
    CHECK_THROWS_WITH(parse_axiom_set("a_{1|2}: relu(x) => {x|y|z}\n", "ax.rf"), Catch::Contains("ax.rf:1"));
    AxiomSet s = parse_axiom_set("a: relu(relu(x)) => relu(x)\n", "ax.rf");
    CHECK(s.axioms.size() == 1);
    CHECK(s.version != parse_axiom_set("a: relu(relu(y)) => relu(y)\n", "ax.rf").version);
}

TEST_CASE("encoding: every axiom can be encoded, and the query prints as SMT-LIB2", "[prover]") {
    Rule rule = build_rule(parse_native_rule("ewadd(x, y) => ewadd(y, x)"));
    EncodeOptions all;
    all.relevant_axioms_only = false;
    Query q = encode_rule(rule, builtin_axioms(), {}, all);
    int axioms = 0;
    for (const Assertion& a : q.assertions) axioms += a.kind == AssertionKind::Axiom ? 1 : 0;
    CHECK(axioms == static_cast<int>(builtin_axioms().axioms.size()));
    std::string text = to_smtlib(q);
    CHECK_THAT(text, Catch::Contains("(declare-sort T 0)"));
    CHECK_THAT(text, Catch::Contains(":named goal"));
    CHECK_THAT(text, Catch::Contains(":pattern"));
    CHECK_THAT(text, Catch::Contains("(check-sat)"));
}

TEST_CASE("encoding: only axioms that can fire are included", "[prover]") {
    Rule rule = build_rule(parse_native_rule("matmul(matmul(a, b), c) => matmul(a, matmul(b, c))"));
    Query q = encode_rule(rule, builtin_axioms());
    std::set<std::string> labels;
    for (const Assertion& a : q.assertions)
        if (a.kind == AssertionKind::Axiom) labels.insert(a.label);
    CHECK(labels.count("matmul_assoc"));
    CHECK(labels.count("transpose_matmul") == 0);  // no transpose anywhere
    CHECK(labels.count("conv_ewadd_weight_same") == 0);
}

TEST_CASE("encoding: shapes are facts of the rule, conditions guard axioms", "[prover]") {
    Rule rule =
        build_rule(parse_native_rule("(conv2d(x, w), conv2d(y, v)) => (split[axis=1](conv2d(concat[axis=1](x, "
                                     "y), concat[axis=0](w, v))).0, "
                                     "split[axis=1](conv2d(concat[axis=1](x, y), concat[axis=0](w, v))).1)"));
    Query q = encode_rule(rule, builtin_axioms(), {{"x[1] = w[1]", Dim::symbol(1), Dim::symbol(5)}});
    std::string text = to_smtlib(q);
    CHECK_THAT(text, Catch::Contains("(declare-fun d3 (T) Int)"));
    CHECK_THAT(text, Catch::Contains("split0_a1"));
    CHECK_THAT(text, Catch::Contains(":named assume_0"));
    CHECK_THAT(text, Catch::Contains(":named ax_gconv_merge_same"));
    CHECK_THAT(text, Catch::Contains("(or (distinct"));
}
