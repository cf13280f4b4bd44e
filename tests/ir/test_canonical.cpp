// Canonical form: equal up to renaming and reordering means equal text and hash (a property over
// seeded random graphs), and different graphs stay different.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "ir/canonical.h"
#include "ir/graph_rebuild.h"
#include "ir/native_text.h"

using namespace rf;

namespace {

// A random DAG over [4,4] activations and one scalar, with `ops` operator nodes.
Graph random_graph(std::mt19937_64& rng, int ops, int num_vars) {
    std::vector<Variable> vars;
    for (int i = 0; i < num_vars; ++i) vars.push_back({"x" + std::to_string(i), Role::Activation, make_type({4, 4})});
    vars.push_back({"s", Role::Weight, make_type({})});
    GraphBuilder b(vars);
    std::vector<ValueRef> values;
    for (int i = 0; i < num_vars; ++i) values.push_back(b.input(i));
    auto pick = [&] { return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng)]; };
    while (static_cast<int>(values.size()) < num_vars + ops) {
        ValueRef v;
        switch (std::uniform_int_distribution<int>(0, 6)(rng)) {
            case 0: v = b.add1(OpKind::Matmul, param::matmul(Activation::None), {pick(), pick()}); break;
            case 1: v = b.add1(OpKind::EwAdd, {}, {pick(), pick()}); break;
            case 2: v = b.add1(OpKind::EwMul, {}, {pick(), pick()}); break;
            case 3: v = b.add1(OpKind::Relu, {}, {pick()}); break;
            case 4: v = b.add1(OpKind::Transpose, param::transpose({1, 0}, false), {pick()}); break;
            case 5: v = b.add1(OpKind::Smul, {}, {pick(), b.input(num_vars)}); break;
            default: v = b.add1(OpKind::Matmul, param::matmul(Activation::Relu), {pick(), pick()}); break;
        }
        if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
    }
    return std::move(b).finish({values.back(), values[values.size() - 2]});
}

// The same graph with variables renamed and permuted and nodes in another topological order.
Graph shuffled(const Graph& g, std::mt19937_64& rng) {
    std::vector<int32_t> perm(g.variables().size());
    for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int32_t>(i);
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<Variable> table(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) {
        table[perm[i]] = g.variables()[i];
        table[perm[i]].name = "renamed" + std::to_string(perm[i] * 7 + 3);
    }
    // Random topological order: repeatedly pick any node whose operands are all placed.
    std::vector<char> placed(g.nodes().size(), 0);
    std::vector<uint32_t> order;
    while (order.size() < g.nodes().size()) {
        std::vector<uint32_t> ready;
        for (uint32_t i = 0; i < g.nodes().size(); ++i) {
            if (placed[i]) continue;
            bool ok = true;
            for (const ValueRef& in : g.node(i).inputs) ok = ok && placed[in.node];
            if (ok) ready.push_back(i);
        }
        uint32_t n = ready[std::uniform_int_distribution<size_t>(0, ready.size() - 1)(rng)];
        placed[n] = 1;
        order.push_back(n);
    }
    RebuildOptions o;
    o.order = order;
    o.variable = [&](int32_t v) { return perm[v]; };
    return rebuild(g, table, o);
}

}  // namespace

TEST_CASE("canonical: renaming and reordering do not change text or hash", "[ir][canonical]") {
    const uint64_t seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    for (int trial = 0; trial < 200; ++trial) {
        Graph g = random_graph(rng, 1 + trial % 7, 1 + trial % 3);
        Graph s = shuffled(g, rng);
        INFO("trial " << trial << ": " << canonical_text(g));
        REQUIRE(canonical_text(s) == canonical_text(g));
        REQUIRE(canonical_hash(s) == canonical_hash(g));
        REQUIRE(canonicalize(s) == canonicalize(g));
    }
}

TEST_CASE("canonical: different graphs differ", "[ir][canonical]") {
    auto text = [](const std::string& rule) { return canonical_text(build_rule(parse_native_rule(rule)).lhs); };
    CHECK(text("matmul(a, b) => matmul(a, b)") != text("matmul(b, a) => matmul(b, a) where a: act[2,3], b: act[3,2]"));
    CHECK(text("ewadd(a, b) => ewadd(a, b)") == text("ewadd(b, a) => ewadd(b, a)"));  // renaming only
    CHECK(text("ewadd(a, relu(b)) => ewadd(a, relu(b))") != text("ewadd(relu(a), b) => ewadd(relu(a), b)"));
    CHECK(text("relu(a) => relu(a) where a: act[2,3]") != text("relu(a) => relu(a) where a: act[3,2]"));
    CHECK(text("relu(a) => relu(a) where a: act[2,3]") != text("relu(a) => relu(a) where a: weight[2,3]"));
    CHECK(text("matmul(a, a) => matmul(a, a)") != text("matmul(a, b) => matmul(a, b)"));
}

TEST_CASE("canonical: rules are renamed over both sides and parse back", "[ir][canonical]") {
    Rule r = build_rule(parse_native_rule("named: ewadd(q, p) => ewadd(p, q)"));
    Rule c = canonicalize(r);
    CHECK(c.variables()[0].name == "v0");
    CHECK(c.variables()[1].name == "v1");
    CHECK(canonical_text(r) == "ewadd(v0, v1) => ewadd(v1, v0) where v0: act[d0,d1], v1: act[d0,d1]");
    Rule again = build_rule(parse_native_rule(canonical_text(r)));
    CHECK(canonical_text(again) == canonical_text(r));
    CHECK(canonical_hash(again) == canonical_hash(r));
    // The same rule over other variable names.
    Rule s = build_rule(parse_native_rule("ewadd(p, q) => ewadd(q, p)"));
    CHECK(canonical_hash(s) == canonical_hash(r));
}
