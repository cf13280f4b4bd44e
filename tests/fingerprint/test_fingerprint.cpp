// Exact fingerprints of IR graphs: equal graphs hash alike, a value at one shape is not a value
// at another, overflow never counts as equality.
#include <catch2/catch.hpp>

#include "enumerator/preset.h"
#include "fingerprint/graph_fingerprint.h"

using namespace rf;

namespace {

fingerprint::ShapePlan square_plan(std::vector<int64_t> sizes, int base) {
    Variable x{"x", Role::Activation, make_type({Dim::symbol(0), Dim::symbol(0)})};
    std::vector<fingerprint::Instantiation> insts;
    for (int64_t n : sizes) insts.push_back(fingerprint::Instantiation{{{0, n}}, 1});
    return fingerprint::ShapePlan({x}, insts, base, 7);
}

}  // namespace

TEST_CASE("fingerprint: equal graphs share a fingerprint, different ones do not", "[fingerprint]") {
    fingerprint::ShapePlan plan = enumerator::taso_plan();
    GraphBuilder a(plan.base_variables());
    ValueRef s = a.add1(OpKind::EwAdd, Params{}, {a.input(0), a.input(1)});
    Graph ga = std::move(a).finish({a.add1(OpKind::Relu, Params{}, {s})});
    GraphBuilder b(plan.base_variables());
    ValueRef t = b.add1(OpKind::EwAdd, Params{}, {b.input(1), b.input(0)});
    Graph gb = std::move(b).finish({b.add1(OpKind::Relu, Params{}, {t})});
    GraphBuilder c(plan.base_variables());
    Graph gc = std::move(c).finish({c.add1(OpKind::Relu, Params{}, {c.input(0)})});
    fingerprint::GraphValues va = fingerprint::evaluate_points(ga, plan, 1),
                             vb = fingerprint::evaluate_points(gb, plan, 1),
                             vc = fingerprint::evaluate_points(gc, plan, 1);
    CHECK(va.fingerprint() == vb.fingerprint());
    CHECK(fingerprint::same_values(va, vb));
    CHECK(va.fingerprint() != vc.fingerprint());
    CHECK_FALSE(fingerprint::same_values(va, vc));
    // Every point is evaluated, TASO's shape among them.
    CHECK(va.points.size() == plan.points().size());
    CHECK(va.points[0].status == fingerprint::PointStatus::Ok);
}

TEST_CASE("fingerprint: transpose(x) == x only at 1x1 is told apart by a second shape", "[fingerprint]") {
    auto build = [](const fingerprint::ShapePlan& plan) {
        GraphBuilder b(plan.base_variables());
        return std::move(b).finish({b.add1(OpKind::Transpose, param::transpose({1, 0}, false), {b.input(0)})});
    };
    auto input = [](const fingerprint::ShapePlan& plan) {
        GraphBuilder b(plan.base_variables());
        return std::move(b).finish({b.input(0)});
    };
    fingerprint::ShapePlan one = square_plan({1}, 0);
    CHECK(fingerprint::same_values(fingerprint::evaluate_points(build(one), one, 1),
                                   fingerprint::evaluate_points(input(one), one, 1)));
    fingerprint::ShapePlan two = square_plan({1, 3}, 0);
    CHECK_FALSE(fingerprint::same_values(fingerprint::evaluate_points(build(two), two, 1),
                                         fingerprint::evaluate_points(input(two), two, 1)));
}

TEST_CASE("fingerprint: an overflowing graph equals nothing, not even itself", "[fingerprint]") {
    fingerprint::ShapePlan plan = square_plan({3}, 0);
    GraphBuilder b(plan.base_variables());
    ValueRef y = b.input(0);
    for (int i = 0; i < 8; ++i) y = b.add1(OpKind::EwMul, Params{}, {y, y});  // x^256
    Graph g = std::move(b).finish({y});
    fingerprint::GraphValues v = fingerprint::evaluate_points(g, plan, 1);
    REQUIRE(v.overflowed());
    CHECK_FALSE(fingerprint::same_values(v, v));
}

TEST_CASE("fingerprint: truncation keeps the requested bits", "[fingerprint]") {
    fingerprint::Fingerprint f{0xffff'ffff'ffff'ffffULL, 0xffff'ffff'ffff'ffffULL};
    CHECK(fingerprint::truncate(f, 4) == fingerprint::Fingerprint{0, 0xf});
    CHECK(fingerprint::truncate(f, 128) == f);
    CHECK(fingerprint::truncate(f, 80) == fingerprint::Fingerprint{0xffff, 0xffff'ffff'ffff'ffffULL});
}
