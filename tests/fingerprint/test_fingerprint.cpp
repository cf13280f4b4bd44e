// Exact fingerprints of IR graphs: equal graphs hash alike, a value at one shape is not a value
// at another, overflow never counts as equality.
#include <catch2/catch.hpp>

#include "enumerator/preset.h"
#include "fingerprint/graph_fingerprint.h"

using namespace rf;

namespace {

ShapePlan square_plan(std::vector<int64_t> sizes, int base) {
    Variable x{"x", Role::Activation, make_type({Dim::symbol(0), Dim::symbol(0)})};
    std::vector<Instantiation> insts;
    for (int64_t n : sizes) insts.push_back(Instantiation{{{0, n}}, 1});
    return ShapePlan({x}, insts, base, 7);
}

}  // namespace

TEST_CASE("fingerprint: equal graphs share a fingerprint, different ones do not", "[fingerprint]") {
    ShapePlan plan = taso_plan();
    GraphBuilder a(plan.base_variables());
    ValueRef s = a.add1(OpKind::EwAdd, Params{}, {a.input(0), a.input(1)});
    Graph ga = std::move(a).finish({a.add1(OpKind::Relu, Params{}, {s})});
    GraphBuilder b(plan.base_variables());
    ValueRef t = b.add1(OpKind::EwAdd, Params{}, {b.input(1), b.input(0)});
    Graph gb = std::move(b).finish({b.add1(OpKind::Relu, Params{}, {t})});
    GraphBuilder c(plan.base_variables());
    Graph gc = std::move(c).finish({c.add1(OpKind::Relu, Params{}, {c.input(0)})});
    GraphValues va = evaluate_points(ga, plan, 1), vb = evaluate_points(gb, plan, 1), vc = evaluate_points(gc, plan, 1);
    CHECK(va.fingerprint() == vb.fingerprint());
    CHECK(same_values(va, vb));
    CHECK(va.fingerprint() != vc.fingerprint());
    CHECK_FALSE(same_values(va, vc));
    // Every point is evaluated, TASO's shape among them.
    CHECK(va.points.size() == plan.points().size());
    CHECK(va.points[0].status == PointStatus::Ok);
}

TEST_CASE("fingerprint: transpose(x) == x only at 1x1 is told apart by a second shape", "[fingerprint]") {
    auto build = [](const ShapePlan& plan) {
        GraphBuilder b(plan.base_variables());
        return std::move(b).finish({b.add1(OpKind::Transpose, param::transpose({1, 0}, false), {b.input(0)})});
    };
    auto input = [](const ShapePlan& plan) {
        GraphBuilder b(plan.base_variables());
        return std::move(b).finish({b.input(0)});
    };
    ShapePlan one = square_plan({1}, 0);
    CHECK(same_values(evaluate_points(build(one), one, 1), evaluate_points(input(one), one, 1)));
    ShapePlan two = square_plan({1, 3}, 0);
    CHECK_FALSE(same_values(evaluate_points(build(two), two, 1), evaluate_points(input(two), two, 1)));
}

TEST_CASE("fingerprint: an overflowing graph equals nothing, not even itself", "[fingerprint]") {
    ShapePlan plan = square_plan({3}, 0);
    GraphBuilder b(plan.base_variables());
    ValueRef y = b.input(0);
    for (int i = 0; i < 8; ++i) y = b.add1(OpKind::EwMul, Params{}, {y, y});  // x^256
    Graph g = std::move(b).finish({y});
    GraphValues v = evaluate_points(g, plan, 1);
    REQUIRE(v.overflowed());
    CHECK_FALSE(same_values(v, v));
}

TEST_CASE("fingerprint: truncation keeps the requested bits", "[fingerprint]") {
    Fingerprint f{0xffff'ffff'ffff'ffffULL, 0xffff'ffff'ffff'ffffULL};
    CHECK(truncate(f, 4) == Fingerprint{0, 0xf});
    CHECK(truncate(f, 128) == f);
    CHECK(truncate(f, 80) == Fingerprint{0xffff, 0xffff'ffff'ffff'ffffULL});
}
