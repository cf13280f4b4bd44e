// Rewriting and numeric validation on small graphs: a rewrite type-checks and keeps the
// outputs (within the float32 tolerance), sites combine when they share no node, a wrong rule
// is caught as a mismatch, the fast CPU executor agrees with the reference evaluator, and the
// cost-guided search takes a rewrite that removes work. Seeds are fixed and printed on failure.
#include <catch2/catch.hpp>

#include <cmath>

#include "applier/cost.h"
#include "applier/executor.h"
#include "applier/optimize.h"
#include "applier/rewrite.h"
#include "applier/validate.h"
#include "ir/native_text.h"
#include "tests/support/graph_vars.h"

using namespace rf;
using rf::testing::act;
using rf::testing::weight;

namespace {

Rule rule(const std::string& text) { return build_rule(parse_native_rule(text)); }

/// A small CNN with what the fast path must get right: SAME padding split unevenly (stride 2
/// on an even size), a grouped convolution, pooling, concat/split and a batched matmul.
Graph small_cnn() {
    GraphBuilder b({act("x", {2, 4, 8, 8}), weight("w1", {8, 4, 3, 3}), weight("w2", {8, 2, 3, 3}),
                    weight("w3", {8, 8, 1, 1}), weight("m", {2, 8, 5})});
    auto c1 = b.add1(OpKind::Conv2d, param::conv2d(2, 2, Padding::Same, Activation::None), {b.input(0), b.input(1)});
    auto r1 = b.add1(OpKind::Relu, {}, {c1});
    auto c2 =
        b.add1(OpKind::Conv2d, param::conv2d(1, 1, Padding::Same, Activation::None), {r1, b.input(2)});  // groups 4
    auto r2 = b.add1(OpKind::Relu, {}, {c2});
    auto c3 = b.add1(OpKind::Conv2d, param::conv2d(1, 1, Padding::Same, Activation::Relu), {r2, b.input(3)});
    auto p = b.add1(OpKind::PoolMax, param::pool(3, 3, 2, 2, Padding::Same, Activation::None), {c3});
    auto cat = b.add1(OpKind::Concat, param::axis_param(1), {p, p});
    auto parts = b.add(OpKind::Split, param::axis_param(1), {cat});
    auto s = b.add1(OpKind::EwAdd, {}, {parts[0], parts[1]});
    auto flat = b.add1(OpKind::Reshape, param::shape_list({2, 4, 8}), {s});
    auto mm = b.add1(OpKind::Matmul, param::matmul(Activation::Tanh), {flat, b.input(4)});
    return std::move(b).finish({mm});
}

Graph big_matmuls(int n) {
    GraphBuilder b({act("a", {n, n}), act("c", {n, n}), weight("w", {n, n})});
    auto m1 = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(0), b.input(2)});
    auto m2 = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(1), b.input(2)});
    return std::move(b).finish({b.add1(OpKind::EwAdd, {}, {m1, m2})});
}

}  // namespace

TEST_CASE("rewrite: fusing relu into conv2d, one site and all sites", "[applier]") {
    Graph g = small_cnn();
    Rule r = rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w)");
    auto ms = applier::find_matches(g, r);
    REQUIRE(ms.size() == 1);  // the grouped conv; the strided one has other parameters
    Graph one = applier::apply_match(g, ms[0]);
    CHECK(one.num_ops() == g.num_ops() - 1);
    auto chosen = applier::compatible_sites(ms);
    REQUIRE(chosen.size() == 1);
    Graph all = applier::apply_matches(g, {&ms[0]});
    CHECK(all.num_ops() == g.num_ops() - 1);
    CHECK(all.variables() == g.variables());
    auto ref = applier::make_reference_executor();
    for (uint64_t seed : {1u, 2u}) {
        INFO("seed " << seed);
        auto vars = applier::random_variables(g, seed);
        auto expected = applier::run_graph(*ref, g, vars);
        for (const Graph* h : {&one, &all}) {
            applier::Comparison c = applier::compare_outputs(expected, applier::run_graph(*ref, *h, vars),
                                                             applier::comparison_tolerance(g, *h));
            CHECK(c.ok);
            CHECK(c.max_rel_error <= c.tolerance);
        }
    }
}

TEST_CASE("rewrite: overlapping sites are not combined", "[applier]") {
    // relu(relu(relu(x))): relu(relu(y)) => relu(y) matches twice, sharing the middle node.
    GraphBuilder b({act("x", {3, 3})});
    auto r1 = b.add1(OpKind::Relu, {}, {b.input(0)});
    auto r2 = b.add1(OpKind::Relu, {}, {r1});
    auto r3 = b.add1(OpKind::Relu, {}, {r2});
    Graph g = std::move(b).finish({r3});
    auto ms = applier::find_matches(g, rule("relu(relu(y)) => relu(y) where y: act[m,n]"));
    REQUIRE(ms.size() == 2);
    CHECK(applier::compatible_sites(ms) == std::vector<size_t>{0});
    // Applied one after another they still compose.
    Graph once = applier::apply_match(g, ms[0]);
    auto again = applier::find_matches(once, rule("relu(relu(y)) => relu(y) where y: act[m,n]"));
    REQUIRE(again.size() == 1);
    CHECK(applier::apply_match(once, again[0]).num_ops() == 1);
}

TEST_CASE("rewrite: a two-output rule merges two matmuls into one", "[applier]") {
    GraphBuilder b({act("x", {4, 6}), weight("p", {6, 5}), weight("q", {6, 3})});
    auto m1 = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(0), b.input(1)});
    auto m2 = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(0), b.input(2)});
    Graph g = std::move(b).finish({b.add1(OpKind::Relu, {}, {m1}), b.add1(OpKind::Tanh, {}, {m2})});
    Rule r = rule(
        "(matmul(x, a), matmul(x, c)) => (split[axis=1](matmul(x, concat[axis=1](a, c))).0, "
        "split[axis=1](matmul(x, concat[axis=1](a, c))).1) where x: act[m,k], a: weight[k,p], c: "
        "weight[k,q]");
    auto ms = applier::find_matches(g, r);
    REQUIRE(ms.size() == 2);
    Graph h = applier::apply_match(g, ms[0]);
    int matmuls = 0;
    for (const Node& n : h.nodes()) matmuls += n.op == OpKind::Matmul;
    CHECK(matmuls == 1);
    auto ex = applier::make_cpu_executor();
    applier::ModelValidator v("two-matmuls", g, *ex, applier::ValidateOptions{});
    CHECK(v.compare_with_model(h).ok);
}

TEST_CASE("validate: a wrong rule is caught as a mismatch at every site", "[applier]") {
    Graph g = small_cnn();
    auto ex = applier::make_cpu_executor();
    applier::ValidateOptions o;
    o.time = false;
    applier::ModelValidator v("small-cnn", g, *ex, o);
    // Drops the ReLU: wrong wherever the convolution has negative outputs.
    applier::RuleReport bad = v.check_rule(rule("wrong: relu(conv2d(x, w)) => conv2d(x, w)"));
    CHECK(bad.matched == 1);
    CHECK(bad.mismatches == 2);  // the site alone, and "all" (the same one)
    CHECK(bad.applied == 0);
    for (const applier::SiteCheck& s : bad.sites) {
        CHECK(s.status == applier::SiteStatus::Mismatch);
        CHECK(s.cmp.max_rel_error > 10 * s.cmp.tolerance);
        CHECK_THAT(s.message, Catch::Contains("tolerance"));
    }
    applier::RuleReport good = v.check_rule(rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w)"));
    CHECK(good.mismatches == 0);
    CHECK(good.errors == 0);
    CHECK(good.applied == 1);
    // Read right to left it matches the already fused convolution.
    applier::RuleReport rev = v.check_rule(rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w)"), true);
    CHECK(rev.matched == 1);
    CHECK(rev.mismatches == 0);
}

TEST_CASE("executor: the fast CPU path agrees with the reference evaluator", "[applier]") {
    Graph g = small_cnn();
    auto ref = applier::make_reference_executor();
    auto fast = applier::make_cpu_executor();
    for (uint64_t seed : {7u, 8u, 9u}) {
        INFO("seed " << seed);
        auto vars = applier::random_variables(g, seed);
        applier::Comparison c = applier::compare_outputs(
            applier::run_graph(*ref, g, vars), applier::run_graph(*fast, g, vars), applier::comparison_tolerance(g, g));
        CHECK(c.ok);
        CHECK(c.max_rel_error < 1e-5);
    }
}

TEST_CASE("validate: seeded inputs and the tolerance", "[applier]") {
    Graph g = small_cnn();
    auto a = applier::random_variables(g, 3), b = applier::random_variables(g, 3), c = applier::random_variables(g, 4);
    CHECK(a[1].data == b[1].data);
    CHECK(a[1].data != c[1].data);
    // He scaling of the 8x4x3x3 weight: |w| < sqrt(6 / 36).
    for (float w : a[1].data) CHECK(std::fabs(w) < std::sqrt(6.f / 36.f));
    // Longest chain: conv 36 + relu + conv 18 + relu + conv 8 + pool 9 + concat + split + add +
    // reshape + matmul 8.
    CHECK(applier::accumulation_length(g) == Approx(36 + 1 + 18 + 1 + 8 + 9 + 1 + 1 + 1 + 1 + 8));
    CHECK(applier::comparison_tolerance(g, g) == Approx(2 * std::ldexp(1.0, -24) * 85));
    FloatTensor e{{3}, {1.f, -2.f, 4.f}}, same = e, off{{3}, {1.f, -2.f, 4.1f}};
    CHECK(applier::compare_outputs({e}, {same}, 1e-6).ok);
    applier::Comparison c2 = applier::compare_outputs({e}, {off}, 1e-3);
    CHECK_FALSE(c2.ok);
    CHECK(c2.max_rel_error == Approx(0.1f / 4).epsilon(1e-3));
    FloatTensor nan{{3}, {1.f, NAN, 4.f}};
    CHECK_FALSE(applier::compare_outputs({e}, {nan}, 1e-2).ok);
}

TEST_CASE("optimize: the search takes a rewrite that halves the matmul work", "[applier]") {
    Graph g = big_matmuls(192);
    auto ex = applier::make_cpu_executor();
    applier::CostModel cost(*ex, applier::TimingOptions{1, 3});
    Rule r = rule(
        "ewadd(matmul(a, w), matmul(c, w)) => matmul(ewadd(a, c), w) where a: act[m,k], c: "
        "act[m,k], w: weight[k,n]");
    applier::OptimizeResult res =
        applier::optimize(g, {applier::SearchRule{"distribute", r}}, cost, applier::OptimizeOptions{});
    REQUIRE(res.steps.size() == 1);
    CHECK(res.steps[0].rule == "distribute");
    INFO("cost " << res.cost_before << " -> " << res.cost_after);
    CHECK(res.cost_after < res.cost_before);
    CHECK(res.stopped == "queue empty");
    int matmuls = 0;
    for (const Node& n : res.best.nodes()) matmuls += n.op == OpKind::Matmul;
    CHECK(matmuls == 1);
}
