// The reference evaluator against values worked out by hand on tiny tensors, and against the
// identities the rewrite rules rely on (enlarge, identity kernels, pooling as a convolution),
// on seeded random tensors whose seed is reported on failure.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "ir/eval.h"
#include "tests/support/graph_vars.h"

using namespace rf;
using rf::testing::act;
using rf::testing::weight;

namespace {

using Dims = std::vector<int64_t>;

ExactTensor ex(Dims dims, std::vector<int64_t> num, int64_t den = 1) {
    ExactTensor t;
    t.dims = std::move(dims);
    t.num = std::move(num);
    t.den = den;
    return t;
}

ExactTensor run1(const Graph& g, const std::vector<ExactTensor>& vars, uint64_t seed = 1) {
    auto out = evaluate_exact(g, vars, seed);
    REQUIRE(out.size() == 1);
    return out[0];
}

std::vector<ExactTensor> random_vars(const Graph& g, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<ExactTensor> vs;
    for (const Variable& v : g.variables()) vs.push_back(random_exact(v.type, rng));
    return vs;
}

std::vector<FloatTensor> as_float(const std::vector<ExactTensor>& xs) {
    std::vector<FloatTensor> fs;
    for (const ExactTensor& x : xs) {
        FloatTensor f;
        f.dims = x.dims;
        for (int64_t v : x.num) f.data.push_back(static_cast<float>(v) / static_cast<float>(x.den));
        fs.push_back(f);
    }
    return fs;
}

Graph conv_graph(Dims xd, Dims wd, int stride, Padding pad, Activation a = Activation::None) {
    std::vector<Dim> xs(xd.begin(), xd.end()), ws(wd.begin(), wd.end());
    GraphBuilder b({act("x", xs), weight("w", ws)});
    auto y = b.add1(OpKind::Conv2d, param::conv2d(stride, stride, pad, a), {b.input(0), b.input(1)});
    return std::move(b).finish({y});
}

}  // namespace

TEST_CASE("conv2d SAME is a cross-correlation with centred zero padding", "[ir][eval]") {
    Graph g = conv_graph({1, 1, 3, 3}, {1, 1, 3, 3}, 1, Padding::Same);
    ExactTensor x = ex({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    // A 1 right of centre reads the right neighbour (not flipped as a true convolution would be).
    CHECK(run1(g, {x, ex({1, 1, 3, 3}, {0, 0, 0, 0, 0, 1, 0, 0, 0})}) == ex({1, 1, 3, 3}, {2, 3, 0, 5, 6, 0, 8, 9, 0}));
    CHECK(run1(g, {x, ex({1, 1, 3, 3}, {1, 0, 0, 0, 0, 0, 0, 0, 0})}) == ex({1, 1, 3, 3}, {0, 0, 0, 0, 1, 2, 0, 4, 5}));
    CHECK(run1(g, {x, ex({1, 1, 3, 3}, {0, 1, 0, 1, 1, 1, 0, 1, 0})}) ==
          ex({1, 1, 3, 3}, {7, 11, 11, 17, 25, 23, 19, 29, 23}));
}

TEST_CASE("conv2d strides, VALID, asymmetric SAME padding, groups and fused relu", "[ir][eval]") {
    ExactTensor x = ex({1, 1, 4, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
    SECTION("VALID 2x2 stride 2") {
        Graph g = conv_graph({1, 1, 4, 4}, {1, 1, 2, 2}, 2, Padding::Valid);
        CHECK(run1(g, {x, ex({1, 1, 2, 2}, {1, 1, 1, 1})}) == ex({1, 1, 2, 2}, {10, 18, 42, 50}));
    }
    SECTION("SAME 3x3 stride 2 on 4x4 pads 0 before and 1 after") {
        Graph g = conv_graph({1, 1, 4, 4}, {1, 1, 3, 3}, 2, Padding::Same);
        CHECK(run1(g, {x, ex({1, 1, 3, 3}, std::vector<int64_t>(9, 1))}) == ex({1, 1, 2, 2}, {45, 39, 66, 50}));
    }
    SECTION("depthwise: groups = in channels / weight channels") {
        Graph g = conv_graph({1, 2, 1, 1}, {2, 1, 1, 1}, 1, Padding::Same);
        CHECK(run1(g, {ex({1, 2, 1, 1}, {3, 5}), ex({2, 1, 1, 1}, {2, 7})}) == ex({1, 2, 1, 1}, {6, 35}));
    }
    SECTION("full conv, then the same with fused relu") {
        ExactTensor xi = ex({1, 2, 1, 1}, {3, 5}), w = ex({2, 2, 1, 1}, {1, 1, 1, -1});
        CHECK(run1(conv_graph({1, 2, 1, 1}, {2, 2, 1, 1}, 1, Padding::Same), {xi, w}) == ex({1, 2, 1, 1}, {8, -2}));
        CHECK(run1(conv_graph({1, 2, 1, 1}, {2, 2, 1, 1}, 1, Padding::Same, Activation::Relu), {xi, w}) ==
              ex({1, 2, 1, 1}, {8, 0}));
    }
}

TEST_CASE("average pooling is exact and counts padding, and max pooling ignores it", "[ir][eval]") {
    SECTION("mean of 1 and 2 is 3/2 exactly") {
        GraphBuilder b({act("x", {1, 1, 1, 2})});
        auto y = b.add1(OpKind::PoolAvg, param::pool(1, 2, 1, 1, Padding::Valid, Activation::None), {b.input(0)});
        Graph g = std::move(b).finish({y});
        ExactTensor r = run1(g, {ex({1, 1, 1, 2}, {1, 2})});
        CHECK(r.dims == Dims{1, 1, 1, 1});
        CHECK(r.num == std::vector<int64_t>{3});
        CHECK(r.den == 2);
        CHECK(evaluate_float(g, as_float({ex({1, 1, 1, 2}, {1, 2})}))[0].data[0] == Approx(1.5f));
    }
    SECTION("3x3 SAME average over a 2x2 input divides by 9") {
        GraphBuilder b({act("x", {1, 1, 2, 2})});
        auto y = b.add1(OpKind::PoolAvg, param::pool(3, 3, 1, 1, Padding::Same, Activation::None), {b.input(0)});
        Graph g = std::move(b).finish({y});
        CHECK(run1(g, {ex({1, 1, 2, 2}, {1, 2, 3, 4})}) == ex({1, 1, 2, 2}, {10, 10, 10, 10}, 9));
    }
    SECTION("max of negative values is not raised to the padding's 0") {
        ExactTensor x = ex({1, 1, 2, 2}, {-1, -2, -3, -4});
        GraphBuilder b({act("x", {1, 1, 2, 2})});
        auto y3 = b.add1(OpKind::PoolMax, param::pool(3, 3, 1, 1, Padding::Same, Activation::None), {b.input(0)});
        // 2x2 SAME at stride 1 pads 0 before and 1 after: each window looks right and down.
        auto y2 = b.add1(OpKind::PoolMax, param::pool(2, 2, 1, 1, Padding::Same, Activation::None), {b.input(0)});
        Graph g = std::move(b).finish({y3, y2});
        auto out = evaluate_exact(g, {x}, 1);
        CHECK(out[0] == ex({1, 1, 2, 2}, {-1, -1, -1, -1}));
        CHECK(out[1] == ex({1, 1, 2, 2}, {-1, -2, -3, -4}));
        auto fout = evaluate_float(g, as_float({x}));
        CHECK(fout[1].data == std::vector<float>{-1, -2, -3, -4});
    }
    SECTION("fused relu after average") {
        GraphBuilder b({act("x", {1, 1, 1, 2})});
        auto y = b.add1(OpKind::PoolAvg, param::pool(1, 1, 1, 1, Padding::Valid, Activation::Relu), {b.input(0)});
        Graph g = std::move(b).finish({y});
        CHECK(run1(g, {ex({1, 1, 1, 2}, {-3, 5}, 2)}) == ex({1, 1, 1, 2}, {0, 5}, 2));
    }
}

TEST_CASE("relu keeps non-negative rationals and zeroes negative ones", "[ir][eval]") {
    GraphBuilder b({act("x", {4})});
    auto y = b.add1(OpKind::Relu, {}, {b.input(0)});
    Graph g = std::move(b).finish({y});
    ExactTensor x = ex({4}, {-3, 0, 3, 7}, 2);
    ExactTensor r = run1(g, {x});
    CHECK(r == ex({4}, {0, 0, 3, 7}, 2));
    CHECK(r.den == 2);
    CHECK(evaluate_float(g, as_float({x}))[0].data == std::vector<float>{0.f, 0.f, 1.5f, 3.5f});
}

TEST_CASE("transpose permutes axes, and reshape reinterprets row-major", "[ir][eval]") {
    SECTION("2-D") {
        GraphBuilder b({act("x", {2, 3})});
        auto t = b.add1(OpKind::Transpose, param::transpose({1, 0}, true), {b.input(0)});
        auto r = b.add1(OpKind::Reshape, param::shape_list({3, 2}), {b.input(0)});
        Graph g = std::move(b).finish({t, r});
        auto out = evaluate_exact(g, {ex({2, 3}, {1, 2, 3, 4, 5, 6})}, 1);
        CHECK(out[0] == ex({3, 2}, {1, 4, 2, 5, 3, 6}));
        CHECK(out[1] == ex({3, 2}, {1, 2, 3, 4, 5, 6}));
    }
    SECTION("3-D with perm [2,0,1]: out[i,j,k] = x[j,k,i]") {
        GraphBuilder b({act("x", {2, 3, 4})});
        auto t = b.add1(OpKind::Transpose, param::transpose({2, 0, 1}, false), {b.input(0)});
        Graph g = std::move(b).finish({t});
        ExactTensor x = ex({2, 3, 4}, {});
        for (int a = 0; a < 2; ++a)
            for (int bb = 0; bb < 3; ++bb)
                for (int c = 0; c < 4; ++c) x.num.push_back(100 * a + 10 * bb + c);
        ExactTensor r = run1(g, {x});
        REQUIRE(r.dims == Dims{4, 2, 3});
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 2; ++j)
                for (int k = 0; k < 3; ++k) CHECK(r.num[(i * 2 + j) * 3 + k] == 100 * j + 10 * k + i);
    }
}

TEST_CASE("concat then split returns the parts", "[ir][eval]") {
    SECTION("two operands on axis 1") {
        GraphBuilder b({act("a", {2, 1}), act("b", {2, 2})});
        auto c = b.add1(OpKind::Concat, param::axis_param(1), {b.input(0), b.input(1)});
        auto s = b.add(OpKind::Split, param::axis_param(1), {c});
        Graph g = std::move(b).finish({c, s[0], s[1]});
        ExactTensor a = ex({2, 1}, {1, 2}), bt = ex({2, 2}, {3, 4, 5, 6}, 5);
        auto out = evaluate_exact(g, {a, bt}, 1);
        // Over the common denominator 5.
        CHECK(out[0] == ex({2, 3}, {5, 3, 4, 10, 5, 6}, 5));
        CHECK(out[1] == a);
        CHECK(out[2] == bt);
    }
    SECTION("three operands: split cuts at the last boundary, then the earlier one") {
        GraphBuilder b({act("a", {1, 2}), act("b", {2, 2}), act("c", {3, 2})});
        auto cat = b.add1(OpKind::Concat, param::axis_param(0), {b.input(0), b.input(1), b.input(2)});
        auto s = b.add(OpKind::Split, param::axis_param(0), {cat});
        auto s2 = b.add(OpKind::Split, param::axis_param(0), {s[0]});
        Graph g = std::move(b).finish({s2[0], s2[1], s[1]});
        auto vars = random_vars(g, 7);
        auto out = evaluate_exact(g, vars, 1);
        CHECK(out[0] == vars[0]);
        CHECK(out[1] == vars[1]);
        CHECK(out[2] == vars[2]);
    }
}

TEST_CASE("matmul 2-D, batched 3-D and fused relu", "[ir][eval]") {
    SECTION("2-D") {
        GraphBuilder b({act("a", {2, 2}), weight("b", {2, 2})});
        auto y = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(0), b.input(1)});
        Graph g = std::move(b).finish({y});
        CHECK(run1(g, {ex({2, 2}, {1, 2, 3, 4}), ex({2, 2}, {5, 6, 7, 8})}) == ex({2, 2}, {19, 22, 43, 50}));
    }
    SECTION("3-D: one matrix product per batch entry") {
        GraphBuilder b({act("a", {2, 2, 2}), weight("b", {2, 2, 3})});
        auto y = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(0), b.input(1)});
        Graph g = std::move(b).finish({y});
        ExactTensor a = ex({2, 2, 2}, {1, 2, 3, 4, 1, 0, 0, 1});
        ExactTensor m = ex({2, 2, 3}, {1, 0, 1, 0, 1, 1, 2, 3, 4, 5, 6, 7});
        CHECK(run1(g, {a, m}) == ex({2, 2, 3}, {1, 2, 3, 3, 4, 7, 2, 3, 4, 5, 6, 7}));
    }
    SECTION("fused relu") {
        GraphBuilder b({act("a", {1, 2}), weight("b", {2, 2})});
        auto y = b.add1(OpKind::Matmul, param::matmul(Activation::Relu), {b.input(0), b.input(1)});
        Graph g = std::move(b).finish({y});
        CHECK(run1(g, {ex({1, 2}, {1, -2}), ex({2, 2}, {1, 3, 1, 1})}) == ex({1, 2}, {0, 1}));
    }
}

TEST_CASE("enlarging a kernel then SAME conv equals the SAME conv", "[ir][eval]") {
    struct Case {
        Dims xd, wd, refd;
    };
    for (const Case& c :
         {Case{{2, 4, 5, 5}, {4, 4, 1, 1}, {4, 4, 3, 3}}, Case{{2, 4, 5, 5}, {3, 4, 3, 3}, {3, 4, 5, 5}},
          Case{{1, 4, 4, 6}, {4, 2, 1, 3}, {4, 2, 3, 5}}}) {
        std::vector<Dim> xs(c.xd.begin(), c.xd.end()), ws(c.wd.begin(), c.wd.end()), rs(c.refd.begin(), c.refd.end());
        GraphBuilder b({act("x", xs), weight("w", ws), weight("r", rs)});
        auto conv = param::conv2d(1, 1, Padding::Same, Activation::None);
        auto direct = b.add1(OpKind::Conv2d, conv, {b.input(0), b.input(1)});
        auto big = b.add1(OpKind::Enlarge, {}, {b.input(1), b.input(2)});
        auto via = b.add1(OpKind::Conv2d, conv, {b.input(0), big});
        Graph g = std::move(b).finish({direct, via, big});
        for (uint64_t seed = 1; seed <= 5; ++seed) {
            CAPTURE(seed);
            auto vars = random_vars(g, seed);
            auto out = evaluate_exact(g, vars, seed);
            CHECK(out[0] == out[1]);
            CHECK(out[2].dims == c.refd);
            auto fout = evaluate_float(g, as_float(vars));
            CHECK(fout[0].data == fout[1].data);
        }
    }
}

TEST_CASE("constants have their documented values", "[ir][eval]") {
    GraphBuilder b;
    auto imm = b.add1(OpKind::ConstImm, param::shape_list({3, 3}), {});
    auto iconv = b.add1(OpKind::ConstIconv, param::shape_list({2, 2, 3, 3}), {});
    auto dw = b.add1(OpKind::ConstIconv, param::shape_list({2, 1, 1, 3}), {});
    auto pool = b.add1(OpKind::ConstPool, param::shape_list({2, 1, 3, 3}), {});
    auto one = b.add1(OpKind::ConstOne, param::shape_list({2, 3}), {});
    Graph g = std::move(b).finish({imm, iconv, dw, pool, one});
    auto out = evaluate_exact(g, {}, 1);
    CHECK(out[0] == ex({3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1}));
    std::vector<int64_t> ic(36, 0);
    ic[4] = 1;       // [0,0,1,1]
    ic[27 + 4] = 1;  // [1,1,1,1]
    CHECK(out[1] == ex({2, 2, 3, 3}, ic));
    CHECK(out[2] == ex({2, 1, 1, 3}, {0, 1, 0, 0, 1, 0}));
    CHECK(out[3].num == std::vector<int64_t>(18, 1));
    CHECK(out[3].den == 9);
    CHECK(out[4] == ex({2, 3}, std::vector<int64_t>(6, 1)));
    auto fout = evaluate_float(g, {});
    CHECK(fout[3].data[0] == Approx(1.0 / 9));
}

TEST_CASE("identity constants are identities", "[ir][eval]") {
    for (uint64_t seed = 11; seed <= 14; ++seed) {
        CAPTURE(seed);
        GraphBuilder b({act("x", {2, 4, 5, 5}), act("m", {3, 4})});
        auto x = b.input(0), m = b.input(1);
        auto conv = param::conv2d(1, 1, Padding::Same, Activation::None);
        auto full = b.add1(OpKind::Conv2d, conv, {x, b.add1(OpKind::ConstIconv, param::shape_list({4, 4, 3, 3}), {})});
        auto dw = b.add1(OpKind::Conv2d, conv, {x, b.add1(OpKind::ConstIconv, param::shape_list({4, 1, 3, 3}), {})});
        auto ones = b.add1(OpKind::EwMul, {}, {x, b.add1(OpKind::ConstOne, param::shape_list({2, 4, 5, 5}), {})});
        auto imm = b.add1(OpKind::Matmul, param::matmul(Activation::None),
                          {m, b.add1(OpKind::ConstImm, param::shape_list({4, 4}), {})});
        Graph g = std::move(b).finish({full, dw, ones, imm});
        auto vars = random_vars(g, seed);
        auto out = evaluate_exact(g, vars, 1);
        CHECK(out[0] == vars[0]);
        CHECK(out[1] == vars[0]);
        CHECK(out[2] == vars[0]);
        CHECK(out[3] == vars[1]);
    }
}

TEST_CASE("depthwise conv with const_pool equals 3x3 SAME average pooling", "[ir][eval]") {
    GraphBuilder b({act("x", {2, 4, 5, 5})});
    auto x = b.input(0);
    auto k = b.add1(OpKind::ConstPool, param::shape_list({4, 1, 3, 3}), {});
    auto conv = b.add1(OpKind::Conv2d, param::conv2d(1, 1, Padding::Same, Activation::None), {x, k});
    auto pool = b.add1(OpKind::PoolAvg, param::pool(3, 3, 1, 1, Padding::Same, Activation::None), {x});
    Graph g = std::move(b).finish({conv, pool});
    for (uint64_t seed = 1; seed <= 5; ++seed) {
        CAPTURE(seed);
        auto vars = random_vars(g, seed);
        auto out = evaluate_exact(g, vars, 1);
        CHECK(out[0] == out[1]);
        CHECK(out[0].den == out[1].den);  // both in lowest terms, so representations agree too
        auto fout = evaluate_float(g, as_float(vars));
        for (size_t i = 0; i < fout[0].data.size(); ++i) CHECK(fout[0].data[i] == Approx(fout[1].data[i]).margin(1e-5));
    }
}

TEST_CASE("smul and ewadd combine denominators exactly", "[ir][eval]") {
    GraphBuilder b({act("x", {2}), weight("s", {})});
    auto x = b.input(0);
    auto sx = b.add1(OpKind::Smul, {}, {x, b.input(1)});
    auto sum = b.add1(OpKind::EwAdd, {}, {sx, x});
    Graph g = std::move(b).finish({sx, sum});
    auto out = evaluate_exact(g, {ex({2}, {1, 2}), ex({}, {1}, 3)}, 1);
    CHECK(out[0] == ex({2}, {1, 2}, 3));
    CHECK(out[1].num == std::vector<int64_t>{4, 8});
    CHECK(out[1].den == 3);
    // 1/2 * 2/1 sums to whole numbers: the result comes back in lowest terms.
    auto whole = evaluate_exact(g, {ex({2}, {2, 4}, 2), ex({}, {1}, 1)}, 1);
    CHECK(whole[1].num == std::vector<int64_t>{2, 4});
    CHECK(whole[1].den == 1);
}

TEST_CASE("exact equality is rational equality, and normalize reaches lowest terms", "[ir][eval]") {
    CHECK(ex({2}, {1, 2}, 2) == ex({2}, {2, 4}, 4));
    CHECK(ex({2}, {1, 2}, 2) != ex({2}, {1, 2}, 1));
    CHECK(ex({2}, {1, 2}) != ex({1, 2}, {1, 2}));
    CHECK(ex({1}, {std::numeric_limits<int64_t>::max()}, 3) != ex({1}, {std::numeric_limits<int64_t>::max()}, 7));
    ExactTensor t = ex({3}, {6, -9, 0}, 12);
    normalize(t);
    CHECK(t.num == std::vector<int64_t>{2, -3, 0});
    CHECK(t.den == 4);
    ExactTensor z = ex({2}, {0, 0}, 5);
    normalize(z);
    CHECK(z.den == 1);
}

TEST_CASE("overflow throws EvalOverflow instead of wrapping", "[ir][eval]") {
    const int64_t big = int64_t{1} << 40;
    SECTION("ewmul") {
        GraphBuilder b({act("x", {2})});
        auto y = b.add1(OpKind::EwMul, {}, {b.input(0), b.input(0)});
        Graph g = std::move(b).finish({y});
        CHECK_THROWS_AS(evaluate_exact(g, {ex({2}, {3, big})}, 1), EvalOverflow);
        CHECK(run1(g, {ex({2}, {3, 1 << 20})}) == ex({2}, {9, int64_t{1} << 40}));
    }
    SECTION("ewadd") {
        GraphBuilder b({act("x", {1})});
        auto y = b.add1(OpKind::EwAdd, {}, {b.input(0), b.input(0)});
        Graph g = std::move(b).finish({y});
        CHECK_THROWS_AS(evaluate_exact(g, {ex({1}, {std::numeric_limits<int64_t>::max()})}, 1), EvalOverflow);
    }
    SECTION("matmul accumulation") {
        GraphBuilder b({act("a", {1, 4}), weight("b", {4, 1})});
        auto y = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(0), b.input(1)});
        Graph g = std::move(b).finish({y});
        const int64_t q = int64_t{1} << 61;  // 4 * 2^61 = 2^63 does not fit
        CHECK_THROWS_AS(evaluate_exact(g, {ex({1, 4}, {1, 1, 1, 1}), ex({4, 1}, {q, q, q, q})}, 1), EvalOverflow);
        // The magnitude bound (4 * 2^61) is too large for the unchecked path, yet no partial sum
        // overflows: the checked path must still give the exact answer.
        CHECK(run1(g, {ex({1, 4}, {1, 1, 1, 1}), ex({4, 1}, {q, q, -q, -q})}) == ex({1, 1}, {0}));
    }
    SECTION("conv accumulation") {
        Graph g = conv_graph({1, 1, 1, 2}, {1, 1, 1, 2}, 1, Padding::Valid);
        const int64_t h = int64_t{1} << 62;
        CHECK_THROWS_AS(evaluate_exact(g, {ex({1, 1, 1, 2}, {h, h}), ex({1, 1, 1, 2}, {1, 1})}, 1), EvalOverflow);
        CHECK(run1(g, {ex({1, 1, 1, 2}, {h, h}), ex({1, 1, 1, 2}, {1, -1})}) == ex({1, 1, 1, 1}, {0}));
    }
    SECTION("common denominator") {
        GraphBuilder b({act("x", {1}), act("y", {1})});
        auto y = b.add1(OpKind::EwAdd, {}, {b.input(0), b.input(1)});
        Graph g = std::move(b).finish({y});
        const int64_t p1 = 4294967311,
                      p2 = 4294967291;  // primes around 2^32: their lcm exceeds 2^63
        CHECK_THROWS_AS(evaluate_exact(g, {ex({1}, {1}, p1), ex({1}, {1}, p2)}, 1), EvalOverflow);
    }
}

TEST_CASE("exact sigmoid and tanh are a seeded function of the rational value", "[ir][eval]") {
    GraphBuilder b({act("x", {64})});
    auto sig = b.add1(OpKind::Sigmoid, {}, {b.input(0)});
    auto th = b.add1(OpKind::Tanh, {}, {b.input(0)});
    Graph g = std::move(b).finish({sig, th});
    std::mt19937_64 rng(3);
    ExactTensor x = random_exact(make_type({64}), rng, -1000, 1000);
    auto a = evaluate_exact(g, {x}, 42);
    auto again = evaluate_exact(g, {x}, 42);
    auto other = evaluate_exact(g, {x}, 43);
    CHECK(a == again);
    CHECK(a[0] != other[0]);
    CHECK(a[0] != a[1]);  // sigmoid and tanh are different functions
    for (const ExactTensor& t : a) {
        CHECK(t.den == 1);
        for (int64_t v : t.num) {
            CHECK(v >= -16);
            CHECK(v <= 16);
        }
    }
    // Only the value counts: 2x/2 is x.
    ExactTensor x2 = x;
    for (int64_t& v : x2.num) v *= 2;
    x2.den = 2;
    CHECK(evaluate_exact(g, {x2}, 42) == a);
    // Equal inputs, equal outputs; the real sigmoid in float.
    auto f = evaluate_float(g, as_float({ex({64}, std::vector<int64_t>(64, 0))}));
    CHECK(f[0].data[5] == Approx(0.5f));
    CHECK(f[1].data[5] == Approx(0.f));
}

TEST_CASE("fused sigmoid and tanh are the same functions as the operators", "[ir][eval]") {
    GraphBuilder b({act("x", {1, 2, 4, 4}), weight("w", {3, 2, 3, 3})});
    auto fused =
        b.add1(OpKind::Conv2d, param::conv2d(1, 1, Padding::Same, Activation::Sigmoid), {b.input(0), b.input(1)});
    auto plain = b.add1(OpKind::Conv2d, param::conv2d(1, 1, Padding::Same, Activation::None), {b.input(0), b.input(1)});
    auto sep = b.add1(OpKind::Sigmoid, {}, {plain});
    auto pt = b.add1(OpKind::PoolAvg, param::pool(2, 2, 1, 1, Padding::Valid, Activation::Tanh), {b.input(0)});
    auto pp = b.add1(OpKind::PoolAvg, param::pool(2, 2, 1, 1, Padding::Valid, Activation::None), {b.input(0)});
    auto tsep = b.add1(OpKind::Tanh, {}, {pp});
    Graph g = std::move(b).finish({fused, sep, pt, tsep});
    for (uint64_t seed = 1; seed <= 3; ++seed) {
        CAPTURE(seed);
        auto vars = random_vars(g, seed);
        auto out = evaluate_exact(g, vars, seed);
        CHECK(out[0] == out[1]);
        CHECK(out[2] == out[3]);
        auto fout = evaluate_float(g, as_float(vars));
        CHECK(fout[0].data == fout[1].data);
        CHECK(fout[2].data == fout[3].data);
    }
}

TEST_CASE("float and exact agree on integer inputs for linear operators", "[ir][eval]") {
    GraphBuilder b({act("x", {2, 4, 5, 5}), weight("w", {4, 2, 3, 3}), act("m", {2, 3, 4}), weight("n", {2, 4, 2})});
    auto x = b.input(0);
    auto c = b.add1(OpKind::Conv2d, param::conv2d(2, 2, Padding::Same, Activation::Relu), {x, b.input(1)});
    auto cat = b.add1(OpKind::Concat, param::axis_param(1), {c, c});
    auto t = b.add1(OpKind::Transpose, param::transpose({0, 2, 3, 1}, false), {cat});
    auto p = b.add1(OpKind::PoolAvg, param::pool(2, 2, 1, 1, Padding::Valid, Activation::None), {x});
    auto mx = b.add1(OpKind::PoolMax, param::pool(3, 3, 2, 2, Padding::Same, Activation::None), {x});
    auto mm = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(2), b.input(3)});
    auto sum = b.add1(OpKind::EwAdd, {}, {mm, mm});
    Graph g = std::move(b).finish({t, p, mx, sum});
    for (uint64_t seed = 1; seed <= 4; ++seed) {
        CAPTURE(seed);
        auto vars = random_vars(g, seed);
        auto exact = evaluate_exact(g, vars, 1);
        auto fl = evaluate_float(g, as_float(vars));
        REQUIRE(exact.size() == fl.size());
        for (size_t k = 0; k < exact.size(); ++k) {
            CAPTURE(k);
            REQUIRE(exact[k].dims == fl[k].dims);
            for (size_t i = 0; i < fl[k].data.size(); ++i)
                CHECK(fl[k].data[i] == Approx(static_cast<double>(exact[k].num[i]) / exact[k].den));
        }
    }
}

TEST_CASE("evaluation refuses symbolic types and mismatched inputs", "[ir][eval]") {
    SECTION("symbolic dimension") {
        GraphBuilder b({act("x", {Dim::symbol(0), 3})});
        auto y = b.add1(OpKind::Relu, {}, {b.input(0)});
        Graph g = std::move(b).finish({y});
        CHECK_THROWS_AS(evaluate_exact(g, {ex({2, 3}, std::vector<int64_t>(6, 1))}, 1), EvalError);
        CHECK_THROWS_AS(evaluate_float(g, as_float({ex({2, 3}, std::vector<int64_t>(6, 1))})), EvalError);
        std::mt19937_64 rng(1);
        CHECK_THROWS_AS(random_exact(g.variables()[0].type, rng), EvalError);
    }
    SECTION("wrong dims, wrong size, missing value, bad denominator") {
        GraphBuilder b({act("x", {2, 3}), act("y", {2, 3})});
        auto y = b.add1(OpKind::EwAdd, {}, {b.input(0), b.input(1)});
        Graph g = std::move(b).finish({y});
        ExactTensor ok = ex({2, 3}, std::vector<int64_t>(6, 1));
        CHECK_THROWS_AS(evaluate_exact(g, {ok, ex({3, 2}, std::vector<int64_t>(6, 1))}, 1), EvalError);
        CHECK_THROWS_AS(evaluate_exact(g, {ok, ex({2, 3}, std::vector<int64_t>(5, 1))}, 1), EvalError);
        CHECK_THROWS_AS(evaluate_exact(g, {ok}, 1), EvalError);
        CHECK_THROWS_AS(evaluate_exact(g, {ok, ex({2, 3}, std::vector<int64_t>(6, 1), 0)}, 1), EvalError);
        CHECK(run1(g, {ok, ok}) == ex({2, 3}, std::vector<int64_t>(6, 2)));
    }
}

TEST_CASE("eval_node evaluates one node from operand values and types", "[ir][eval]") {
    GraphBuilder b({act("a", {1, 2}), act("c", {1, 3})});
    auto cat = b.add1(OpKind::Concat, param::axis_param(1), {b.input(0), b.input(1)});
    auto s = b.add(OpKind::Split, param::axis_param(1), {cat});
    Graph g = std::move(b).finish({s[0], s[1]});
    const Node& split = g.node(s[0].node);
    ExactTensor joined = ex({1, 5}, {1, 2, 3, 4, 5}, 3);
    auto out = eval_node_exact(split, {&joined}, {g.type(cat)}, 1);
    REQUIRE(out.size() == 2);
    CHECK(out[0] == ex({1, 2}, {1, 2}, 3));
    CHECK(out[1] == ex({1, 3}, {3, 4, 5}, 3));
    CHECK(out[0].den == 3);  // already in lowest terms: gcd(1, 2, 3) = 1
    FloatTensor jf = as_float({joined})[0];
    auto fout = eval_node_float(split, {&jf}, {g.type(cat)});
    CHECK(fout[1].data.size() == 3);
    CHECK_THROWS_AS(eval_node_exact(split, {&joined}, {}, 1), EvalError);
    ExactTensor wrong = ex({1, 4}, {1, 2, 3, 4});
    CHECK_THROWS_AS(eval_node_exact(split, {&wrong}, {g.type(cat)}, 1), EvalError);
}
