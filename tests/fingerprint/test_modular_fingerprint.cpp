// Fingerprints over a modular ShapePlan (issue 22): the plan draws modular inputs, true
// identities of exp, softmax, division and sums share a fingerprint and confirm as equal,
// near-misses do not, and a plan of TASO's operators does not ask for the modular domain.
#include <catch2/catch.hpp>

#include <string>

#include "fingerprint/graph_fingerprint.h"
#include "ir/native_text.h"
#include "ir/rule.h"

using namespace rf;

namespace {

// x, y: act[n, m]; c: act[n, 1], at two instantiations of (n, m), two draws each.
fingerprint::ShapePlan plan(bool modular) {
    const Dim n = Dim::symbol(0), m = Dim::symbol(1);
    std::vector<Variable> vars{{"x", Role::Activation, make_type({n, m})},
                               {"y", Role::Activation, make_type({n, m})},
                               {"c", Role::Activation, make_type({n, Dim(1)})}};
    std::vector<fingerprint::Instantiation> insts{fingerprint::Instantiation{{{0, 2}, {1, 3}}, 2},
                                                  fingerprint::Instantiation{{{0, 3}, {1, 4}}, 2}};
    return fingerprint::ShapePlan(vars, insts, 0, 5, modular);
}

// The two sides of a rule over the plan's variables x, y, c (in that order).
std::pair<Graph, Graph> sides(const fingerprint::ShapePlan& p, const std::string& lhs, const std::string& rhs) {
    const std::string where = " where x: act[d0,d1], y: act[d0,d1], c: act[d0,1]";
    const Rule r = build_rule(parse_native_rule("ewadd(ewadd(x, y), c) => " + lhs + where));
    const Rule s = build_rule(parse_native_rule("ewadd(ewadd(x, y), c) => " + rhs + where));
    return {fingerprint::instantiate_graph(r.rhs, p, p.base()), fingerprint::instantiate_graph(s.rhs, p, p.base())};
}

}  // namespace

TEST_CASE("modular fingerprints: identities share a class, near-misses do not", "[fingerprint][transformer]") {
    const fingerprint::ShapePlan p = plan(true);
    REQUIRE(p.modular());
    CHECK(p.input(0, 0).modular);
    const std::pair<const char*, const char*> same[] = {
        {"exp(ewadd(x, y))", "ewmul(exp(x), exp(y))"},
        {"softmax[axis=1](ewadd(x, c))", "softmax[axis=1](x)"},
        {"ewmul(ewdiv(x, y), y)", "x"},
        {"reduce_sum[axis=1](ewadd(x, y))", "ewadd(reduce_sum[axis=1](x), reduce_sum[axis=1](y))"},
    };
    const std::pair<const char*, const char*> differ[] = {
        {"exp(ewadd(x, y))", "ewadd(exp(x), exp(y))"},
        {"softmax[axis=0](ewadd(x, c))", "softmax[axis=0](x)"},
        {"ewmul(ewdiv(x, y), y)", "y"},
        {"reduce_sum[axis=1](ewmul(x, y))", "ewmul(reduce_sum[axis=1](x), reduce_sum[axis=1](y))"},
    };
    for (const auto& [l, r] : same) {
        INFO(l << " vs " << r);
        const auto [gl, gr] = sides(p, l, r);
        const fingerprint::GraphValues a = fingerprint::evaluate_points(gl, p, 1),
                                       b = fingerprint::evaluate_points(gr, p, 1);
        CHECK(a.fingerprint() == b.fingerprint());
        CHECK(fingerprint::same_values(a, b));
    }
    for (const auto& [l, r] : differ) {
        INFO(l << " vs " << r);
        const auto [gl, gr] = sides(p, l, r);
        const fingerprint::GraphValues a = fingerprint::evaluate_points(gl, p, 1),
                                       b = fingerprint::evaluate_points(gr, p, 1);
        CHECK(a.fingerprint() != b.fingerprint());
        CHECK_FALSE(fingerprint::same_values(a, b));
    }
}

TEST_CASE("modular fingerprints: which operators ask for the modular domain", "[fingerprint][transformer]") {
    for (OpKind op :
         {OpKind::Exp, OpKind::Sqrt, OpKind::Gelu, OpKind::EwDiv, OpKind::Softmax, OpKind::LayerNorm, OpKind::RmsNorm})
        CHECK(fingerprint::fingerprint_needs_modular(op));
    for (OpKind op : {OpKind::EwAdd, OpKind::EwSub, OpKind::EwMul, OpKind::Matmul, OpKind::Relu, OpKind::Sigmoid,
                      OpKind::ReduceSum, OpKind::ReduceMean, OpKind::Conv2d, OpKind::Transpose})
        CHECK_FALSE(fingerprint::fingerprint_needs_modular(op));
    // A plan that does not ask keeps TASO's integer inputs.
    const fingerprint::ShapePlan q = plan(false);
    CHECK_FALSE(q.input(0, 0).modular);
    CHECK(q.input(0, 0).den == 1);
}
