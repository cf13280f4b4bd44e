// The pointwise strategy (prover/pointwise.h): true element-wise rules that E-matching gives up
// on are proved as scalar identities over the reals, false near-misses are not, every such proof
// names its strategy and passes the bounded checker, and a planted wrong step ends as an error.
#include <catch2/catch.hpp>

#include "ir/native_text.h"
#include "ir/rule.h"
#include "prover/axiom_set.h"
#include "prover/bounded_check.h"
#include "prover/checker.h"
#include "prover/pointwise.h"
#include "tests/prover/pointwise_test_util.h"

using namespace rf;
using namespace rf::testing::pointwise;

TEST_CASE("pointwise: sign facts and scalar algebra are proved", "[prover][pointwise]") {
    for (const char* text : {
             "relu(ewmul(x, x)) => ewmul(x, x) where x: act[2,3]",
             "ewadd(relu(x), relu(x)) => relu(ewadd(x, x)) where x: act[d0,d1]",
             "ewmul(relu(x), relu(x)) => ewmul(x, relu(x)) where x: act[d0,d1]",
             "smul(ewadd(x, x), s) => smul(x, ewadd(s, s)) where x: act[d0,d1], s: weight[]",
             "relu(const_one[shape=[2,3]]()) => const_one[shape=[2,3]]()",
             "relu(relu(ewmul(x, y))) => relu(ewmul(y, x)) where x: act[d0,d1], y: act[d0,d1]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict == prover::Verdict::Proved);
        CHECK(c.bounded == "passed");  // re-checked, even though a solver proved it
    }
}

TEST_CASE("pointwise: the multilinear normal form pulls scalars out of linear operators", "[prover][pointwise]") {
    for (const char* text : {
             "matmul(smul(x, s), y) => smul(matmul(x, y), s) where x: act[d0,d1], y: "
             "weight[d1,d2], s: weight[]",
             "smul(matmul(matmul(x, a), b), s) => matmul(matmul(smul(x, s), a), b) where x: "
             "act[d0,d1], a: weight[d1,d2], "
             "b: weight[d2,d3], s: weight[]",
             "matmul(ewadd(x, smul(x, s)), y) => ewadd(matmul(x, y), smul(matmul(x, y), s)) where "
             "x: act[d0,d1], "
             "y: weight[d1,d2], s: weight[]",
             "relu(matmul(smul(x, s), y)) => matmul[act=relu](x, smul(y, s)) where x: act[d0,d1], "
             "y: weight[d1,d2], s: weight[]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict == prover::Verdict::Proved);
    }
}

TEST_CASE("pointwise: near-miss false rules are not proved", "[prover][pointwise]") {
    for (const char* text : {
             "relu(ewadd(x, y)) => ewadd(relu(x), relu(y)) where x: act[d0,d1], y: act[d0,d1]",
             "ewmul(relu(x), relu(y)) => relu(ewmul(x, y)) where x: act[d0,d1], y: act[d0,d1]",
             "relu(smul(x, s)) => smul(relu(x), s) where x: act[d0,d1], s: weight[]",
             "sigmoid(ewadd(x, x)) => ewadd(sigmoid(x), sigmoid(x)) where x: act[d0,d1]",
             "transpose[perm=[1,0]](x) => x where x: act[d0,d0]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict != prover::Verdict::Proved);
        CHECK(c.verdict != prover::Verdict::Error);
    }
    // An unknown says why the pointwise strategy did not decide it.
    prover::CheckOptions o;
    o.bounded = false;
    auto u = check("relu(ewadd(x, y)) => ewadd(relu(x), relu(y)) where x: act[d0,d1], y: act[d0,d1]", o);
    REQUIRE(u.verdict == prover::Verdict::Unknown);
    const auto* unk = std::get_if<prover::Unknown>(&u.results.at(0).outcome);
    REQUIRE(unk);
    CHECK_THAT(unk->reason, Catch::Contains("pointwise: the scalar identity is not valid"));
}

TEST_CASE("pointwise: a proof names its strategy and the identity", "[prover][pointwise]") {
    auto c = check("relu(ewmul(x, x)) => ewmul(x, x) where x: act[2,3]");
    REQUIRE(c.verdict == prover::Verdict::Proved);
    CHECK(strategy_of(c) == "pointwise");
    const auto& p = std::get<prover::Proved>(c.results[0].outcome);
    CHECK_THAT(p.detail, Catch::Contains("relu"));
    // A rule the axioms prove keeps the E-matching strategy and its core.
    auto e = check("ewadd(x, y) => ewadd(y, x) where x: act[2,3], y: act[2,3]");
    REQUIRE(e.verdict == prover::Verdict::Proved);
    CHECK(strategy_of(e) == "e-matching");
    // Off: the same rule stays unknown.
    prover::CheckOptions off;
    off.pointwise = false;
    CHECK(check("relu(ewmul(x, x)) => ewmul(x, x) where x: act[2,3]", off).verdict == prover::Verdict::Unknown);
}

TEST_CASE("pointwise: transpose is an index map and its shuffle flag a layout hint", "[prover][pointwise]") {
    CHECK(check("transpose[perm=[1,0],shuffle=1](x) => transpose[perm=[1,0]](x) where x: act[d0,d1]").verdict ==
          prover::Verdict::Proved);
    CHECK(check("relu(transpose[perm=[1,0]](ewmul(x, x))) => transpose[perm=[1,0]](ewmul(x, x)) "
                "where x: act[d0,d1]")
              .verdict == prover::Verdict::Proved);
    CHECK(check("transpose[perm=[1,0]](transpose[perm=[1,0]](relu(x))) => relu(x) where x: act[d0,d1]").verdict ==
          prover::Verdict::Proved);
}

TEST_CASE("pointwise: a planted wrong normalisation step is an error, never proved", "[prover][pointwise]") {
    prover::CheckOptions o;
    o.pointwise_fault = prover::PointwiseFault::ReluIsIdentity;
    o.bounded = false;  // the re-check of a pointwise proof is not optional
    auto c = check("relu(x) => x where x: act[2,3]", o);
    CHECK(c.verdict == prover::Verdict::Error);
    CHECK_THAT(c.error, Catch::Contains("pointwise strategy is unsound"));
}

TEST_CASE("pointwise: the query is QF_NRA and names its atoms", "[prover][pointwise]") {
    std::string why;
    auto q = prover::encode_pointwise(rule("relu(ewmul(x, x)) => ewmul(x, x) where x: act[2,3]"), why);
    REQUIRE(q);
    CHECK(q->query.logic == "QF_NRA");
    CHECK(q->opaque.empty());
    auto m =
        prover::encode_pointwise(rule("relu(matmul(x, y)) => matmul(x, y) where x: act[2,3], y: weight[3,4]"), why);
    REQUIRE(m);
    CHECK(m->opaque == std::vector<std::string>{"matmul"});  // normalised, its elements opaque
    CHECK(m->normalised);
    // A concat whose sizes are symbolic stays opaque (at known sizes it is an index map).
    auto k = prover::encode_pointwise(rule("relu(concat[axis=0](x, y)) => concat[axis=0](x, y) "
                                           "where x: act[d0,d1], y: act[d0,d1]"),
                                      why);
    REQUIRE(k);
    CHECK(k->opaque == std::vector<std::string>{"concat"});
}

TEST_CASE("pointwise: constants, sign facts of linear operators, poolmax and enlarge", "[prover][pointwise]") {
    for (const char* text : {
             "relu(const_imm[shape=[4,4]]()) => const_imm[shape=[4,4]]()",
             "ewmul(const_iconv[shape=[4,4,3,3]](), const_iconv[shape=[4,4,3,3]]()) => "
             "const_iconv[shape=[4,4,3,3]]()",
             "transpose[perm=[1,0]](const_imm[shape=[4,4]]()) => const_imm[shape=[4,4]]()",
             "relu(const_pool[shape=[4,1,3,3]]()) => const_pool[shape=[4,1,3,3]]()",
             "poolmax[kernel=[3,3]](const_one[shape=[2,4,5,5]]()) => const_one[shape=[2,4,5,5]]()",
             "ewadd(poolmax[kernel=[3,3]](x), poolmax[kernel=[3,3]](x)) => "
             "poolmax[kernel=[3,3]](ewadd(x, x)) where x: act[2,4,5,5]",
             "conv2d(relu(w), relu(w)) => conv2d[act=relu](relu(w), relu(w)) where w: "
             "weight[4,4,3,3]",
             "conv2d(x, enlarge(w, r)) => conv2d(x, w) where x: act[2,4,5,5], w: weight[4,4,1,3], "
             "r: weight[4,1,3,3]",
         }) {
        INFO(text);
        CHECK(check(text).verdict == prover::Verdict::Proved);
    }
    for (const char* text : {
             // Not symmetric: a general matrix; VALID padding changes what enlarge does.
             "transpose[perm=[1,0]](relu(x)) => relu(x) where x: act[4,4]",
             "conv2d[pad=valid](x, enlarge(w, r)) => conv2d[pad=valid](x, w) where x: "
             "act[2,4,5,5], w: weight[4,4,3,3], "
             "r: weight[4,1,3,3]",
             "ewadd(poolmax[kernel=[3,3]](x), poolmax[kernel=[3,3]](y)) => "
             "poolmax[kernel=[3,3]](ewadd(x, y)) where "
             "x: act[2,4,5,5], y: act[2,4,5,5]",
             "conv2d(x, x) => conv2d[act=relu](x, x) where x: weight[4,4,3,3]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict != prover::Verdict::Proved);
        CHECK(c.verdict != prover::Verdict::Error);
    }
}

TEST_CASE("shuffle: E-matching identifies transpose with and without the flag", "[prover][pointwise]") {
    prover::CheckOptions o;
    o.pointwise = false;
    auto c = check(
        "relu(transpose[perm=[1,0],shuffle=1](x)) => transpose[perm=[1,0]](relu(x)) where x: "
        "act[d0,d1]",
        o);
    CHECK(c.verdict == prover::Verdict::Proved);
    CHECK(strategy_of(c) == "e-matching");
}

TEST_CASE("pointwise: matmul chains, bilinear ewmul, enlarge and the identity kernel inside sums",
          "[prover][pointwise]") {
    for (const char* text : {
             "smul(matmul(matmul(x, a), b), s) => matmul(smul(x, s), matmul(a, b)) where x: "
             "act[d0,d1], a: weight[d1,d2], "
             "b: weight[d2,d3], s: weight[]",
             "smul(matmul(ewmul(x, y), a), s) => matmul(ewmul(y, smul(x, s)), a) where x: "
             "act[d0,d1], y: act[d0,d1], "
             "a: weight[d1,d2], s: weight[]",
             "ewadd(conv2d(x, v), conv2d(x, w)) => conv2d(x, ewadd(v, enlarge(w, "
             "const_one[shape=[1,1,3,3]]()))) where "
             "x: act[2,4,5,5], v: weight[4,4,3,3], w: weight[4,4,1,3]",
             "conv2d[act=relu](x, const_iconv[shape=[4,4,3,3]]()) => relu(x) where x: act[2,4,5,5]",
         }) {
        INFO(text);
        CHECK(check(text).verdict == prover::Verdict::Proved);
    }
    for (const char* text : {
             "matmul(matmul(x, a), b) => matmul(matmul(x, b), a) where x: act[4,4], a: "
             "weight[4,4], b: weight[4,4]",
             "conv2d[stride=[2,2]](x, enlarge(w, r)) => conv2d[stride=[2,2]](x, w) where x: "
             "act[2,4,4,4], w: weight[4,4,1,1], "
             "r: weight[4,4,3,3]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict != prover::Verdict::Proved);
        CHECK(c.verdict != prover::Verdict::Error);
    }
}

TEST_CASE("pointwise: concat and split are index maps at known sizes", "[prover][pointwise]") {
    for (const char* text : {
             "transpose[perm=[1,0],shuffle=1](concat[axis=1](x, y)) => "
             "concat[axis=0](transpose[perm=[1,0]](x), "
             "transpose[perm=[1,0]](y)) where x: act[2,4], y: act[2,4]",
             "smul(concat[axis=1](x, matmul(x, w)), s) => concat[axis=1](smul(x, s), "
             "matmul(smul(x, s), w)) where "
             "x: act[2,4], w: weight[4,4], s: weight[]",
             "(split[axis=0](concat[axis=0](x, y)).0, split[axis=0](concat[axis=0](x, y)).1) => "
             "(x, y) where x: act[2,4], "
             "y: act[2,4]",
             "relu(concat[axis=1](x, ewmul(y, y))) => concat[axis=1](relu(x), ewmul(y, y)) where "
             "x: act[2,3], y: act[2,5]",
         }) {
        INFO(text);
        CHECK(check(text).verdict == prover::Verdict::Proved);
    }
    for (const char* text : {
             "concat[axis=1](x, y) => concat[axis=1](y, x) where x: act[2,4], y: act[2,4]",
             "transpose[perm=[1,0]](concat[axis=1](x, y)) => "
             "concat[axis=0](transpose[perm=[1,0]](y), "
             "transpose[perm=[1,0]](x)) where x: act[4,4], y: act[4,4]",
             "(split[axis=0](concat[axis=0](x, y)).0, split[axis=0](concat[axis=0](x, y)).1) => "
             "(y, x) where x: act[2,4], "
             "y: act[2,4]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict != prover::Verdict::Proved);
        CHECK(c.verdict != prover::Verdict::Error);
    }
}

TEST_CASE("pointwise: conv and matmul distribute over a concat of their batch or row axis", "[prover][pointwise]") {
    for (const char* text : {
             "concat[axis=0](conv2d(x, w), conv2d(y, w)) => conv2d(concat[axis=0](x, y), "
             "enlarge(w, const_one[shape=[1,1,3,3]]())) "
             "where x: act[2,4,5,5], y: act[2,4,5,5], w: weight[4,4,1,3]",
             "concat[axis=0](matmul(x, w), smul(matmul(x, w), s)) => matmul(concat[axis=0](x, "
             "smul(x, s)), w) where "
             "x: act[2,4], w: weight[4,4], s: weight[]",
             "concat[axis=1](conv2d[act=relu](x, v), conv2d[act=relu](x, w)) => "
             "conv2d[act=relu](x, concat[axis=0](v, "
             "enlarge(w, const_one[shape=[1,1,3,3]]()))) where x: act[2,4,5,5], v: "
             "weight[4,4,3,3], w: weight[4,4,1,3]",
             "conv2d(conv2d[act=relu](x, const_iconv[shape=[4,4,3,3]]()), w) => conv2d(relu(x), "
             "enlarge(w, "
             "const_one[shape=[1,1,3,3]]())) where x: act[2,4,5,5], w: weight[4,4,1,3]",
         }) {
        INFO(text);
        CHECK(check(text).verdict == prover::Verdict::Proved);
    }
    // The parts in the wrong order: a near miss.
    auto c = check(
        "concat[axis=0](matmul(x, w), matmul(y, w)) => matmul(concat[axis=0](y, x), w) where x: "
        "act[2,4], "
        "y: act[2,4], w: weight[4,4]");
    CHECK(c.verdict != prover::Verdict::Proved);
}

TEST_CASE("pointwise: identity matrix, relu through poolmax, contractions over concats", "[prover][pointwise]") {
    for (const char* text : {
             "(matmul(const_imm[shape=[4,4]](), x), relu(const_imm[shape=[4,4]]())) => (x, "
             "const_imm[shape=[4,4]]()) where "
             "x: act[4,4]",
             "poolmax[kernel=[3,3]](ewadd(relu(x), relu(x))) => "
             "relu(poolmax[kernel=[3,3]](ewadd(x, x))) where x: act[2,4,5,5]",
             "ewadd(conv2d(x, w), conv2d(y, v)) => conv2d(concat[axis=1](x, y), concat[axis=1](w, "
             "v)) where x: act[2,4,5,5], "
             "y: act[2,4,5,5], w: weight[4,4,3,3], v: weight[4,4,3,3]",
             "ewadd(matmul(a, b), matmul(c, d)) => matmul(concat[axis=1](a, c), concat[axis=0](b, "
             "d)) where a: act[2,4], "
             "c: act[2,4], b: weight[4,3], d: weight[4,3]",
         }) {
        INFO(text);
        CHECK(check(text).verdict == prover::Verdict::Proved);
    }
    for (const char* text : {
             "ewadd(conv2d(x, w), conv2d(y, v)) => conv2d(concat[axis=1](x, y), concat[axis=1](v, "
             "w)) where x: act[2,4,5,5], "
             "y: act[2,4,5,5], w: weight[4,4,3,3], v: weight[4,4,3,3]",
             "poolmax[kernel=[3,3]](ewadd(x, y)) => ewadd(poolmax[kernel=[3,3]](x), "
             "poolmax[kernel=[3,3]](y)) where "
             "x: act[2,4,5,5], y: act[2,4,5,5]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict != prover::Verdict::Proved);
        CHECK(c.verdict != prover::Verdict::Error);
    }
}

TEST_CASE("pointwise: relu's positive homogeneity reaches inside a convolution", "[prover][pointwise]") {
    CHECK(check("conv2d(relu(ewadd(x, x)), w) => conv2d(relu(x), ewadd(w, w)) where x: "
                "act[2,4,5,5], w: weight[4,4,3,3]")
              .verdict == prover::Verdict::Proved);
    // Not for a scalar of unknown sign.
    auto c = check(
        "conv2d(relu(smul(x, s)), w) => conv2d(relu(x), smul(w, s)) where x: act[2,4,5,5], w: "
        "weight[4,4,3,3], "
        "s: weight[]");
    CHECK(c.verdict != prover::Verdict::Proved);
    CHECK(c.verdict != prover::Verdict::Error);
}

TEST_CASE("pointwise: convolutions with the identity kernel as input, and pooled identity kernels",
          "[prover][pointwise]") {
    // TASO's size-3 rules that need the constants' meaning (taso_149, 157, 198, 386, 401).
    for (const char* text : {
             "poolavg[kernel=[3,3]](x) => conv2d(x, "
             "poolavg[kernel=[3,3]](const_iconv[shape=[4,4,3,3]]())) where x: act[2,4,5,5]",
             "smul(conv2d(x, const_pool[shape=[4,1,3,3]]()), ewmul(s, s)) => "
             "poolavg[kernel=[3,3]](smul(smul(x, s), s)) "
             "where x: act[2,4,5,5], s: weight[]",
             "conv2d(const_iconv[shape=[4,4,3,3]](), conv2d(const_iconv[shape=[4,4,3,3]](), w)) => "
             "enlarge(w, const_one[shape=[1,1,3,3]]()) where w: weight[4,4,1,3]",
             "conv2d[act=relu](const_iconv[shape=[4,4,3,3]](), "
             "conv2d[act=relu](const_iconv[shape=[4,4,3,3]](), w)) => "
             "relu(relu(enlarge(w, const_one[shape=[1,1,3,3]]()))) where w: weight[4,4,1,3]",
             "conv2d(const_iconv[shape=[4,4,3,3]](), conv2d(const_iconv[shape=[4,4,3,3]](), w)) => "
             "w where w: weight[4,4,3,3]",
             "conv2d[act=relu](const_iconv[shape=[4,4,3,3]](), const_iconv[shape=[4,4,3,3]]()) => "
             "const_iconv[shape=[4,4,3,3]]()",
             "smul(conv2d(poolavg[kernel=[3,3]](x), w), s) => poolavg[kernel=[3,3]](conv2d(smul(x, "
             "s), w)) "
             "where x: weight[4,4,3,1], w: weight[4,4,1,3], s: weight[]",
             "conv2d(poolavg[kernel=[3,3]](x), w) => poolavg[kernel=[3,3]](conv2d(x, w)) where x: "
             "act[2,4,5,5], w: weight[4,4,1,1]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict == prover::Verdict::Proved);
        CHECK(strategy_of(c) == "pointwise");
    }
    // Near misses: one flip is not the identity; a 3x3 kernel does not commute with pooling; a
    // VALID convolution with the pooled kernel is not a SAME pooling.
    for (const char* text : {
             "conv2d(const_iconv[shape=[4,4,3,3]](), w) => w where w: weight[4,4,3,3]",
             "conv2d(poolavg[kernel=[3,3]](x), w) => poolavg[kernel=[3,3]](conv2d(x, w)) where x: "
             "act[2,4,5,5], w: weight[4,4,3,3]",
             "conv2d(x, poolavg[kernel=[3,3]](const_iconv[shape=[4,4,3,3]]())) => x where x: "
             "act[2,4,5,5]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict == prover::Verdict::Refuted);
    }
}

TEST_CASE("pointwise: pools and transpose through concat, monotone maps through poolmax", "[prover][pointwise]") {
    for (const char* text : {
             "concat[axis=0](ewadd(poolmax[kernel=[3,3]](x), poolmax[kernel=[3,3]](x)), "
             "poolmax[kernel=[3,3]](x)) => "
             "poolmax[kernel=[3,3]](concat[axis=0](ewadd(x, x), x)) where x: weight[4,4,3,3]",
             "concat[axis=1](poolavg[kernel=[3,3]](x), poolavg[kernel=[3,3]](y)) => "
             "poolavg[kernel=[3,3]](concat[axis=1](x, y)) "
             "where x: act[2,4,5,5], y: act[2,4,5,5]",
             "concat[axis=0](matmul(transpose[perm=[1,0]](x), y), matmul(transpose[perm=[1,0]](x), "
             "y)) => "
             "matmul(transpose[perm=[1,0]](concat[axis=1](x, x)), y) where x: act[2,4], y: "
             "act[2,4]",
             "ewmul(poolmax[kernel=[3,3]](x), ewmul(poolmax[kernel=[3,3]](x), "
             "poolmax[kernel=[3,3]](x))) => "
             "poolmax[kernel=[3,3]](ewmul(x, ewmul(x, x))) where x: weight[4,4,3,3]",
             "ewmul(poolmax[kernel=[3,3]](relu(x)), poolmax[kernel=[3,3]](relu(x))) => "
             "poolmax[kernel=[3,3]](ewmul(relu(x), relu(x))) where x: weight[4,4,3,3]",
             "poolmax[kernel=[3,3]](smul(smul(x, s), s)) => smul(poolmax[kernel=[3,3]](x), "
             "ewmul(s, s)) "
             "where x: act[2,4,5,5], s: weight[]",
             "ewadd(poolmax[kernel=[3,3]](smul(x, s)), poolmax[kernel=[3,3]](smul(x, s))) => "
             "poolmax[kernel=[3,3]](smul(ewadd(x, x), s)) where x: act[2,4,5,5], s: weight[]",
             "conv2d(conv2d[act=relu](ewadd(x, x), w), w) => conv2d(conv2d[act=relu](x, w), "
             "ewadd(w, w)) "
             "where x: act[2,4,5,5], w: weight[4,4,3,3]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict == prover::Verdict::Proved);
    }
    // An even power of a value of either sign is not monotone; a scalar of unknown sign does
    // not leave poolmax.
    for (const char* text : {
             "ewmul(poolmax[kernel=[3,3]](x), poolmax[kernel=[3,3]](x)) => "
             "poolmax[kernel=[3,3]](ewmul(x, x)) where x: act[2,4,5,5]",
             "poolmax[kernel=[3,3]](smul(x, s)) => smul(poolmax[kernel=[3,3]](x), s) where x: "
             "act[2,4,5,5], s: weight[]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict == prover::Verdict::Refuted);
    }
}

TEST_CASE("pointwise: a planted wrong step for pooled kernels is an error, never proved", "[prover][pointwise]") {
    prover::CheckOptions o;
    o.pointwise_fault = prover::PointwiseFault::PoolKernelAnyStride;
    o.bounded = false;  // the re-check of a pointwise proof is not optional
    auto c = check(
        "conv2d(x, poolavg[kernel=[3,3],pad=valid](const_iconv[shape=[4,4,3,3]]())) => "
        "poolavg[kernel=[3,3]](x) "
        "where x: act[2,4,5,5]",
        o);
    CHECK(c.verdict == prover::Verdict::Error);
    CHECK_THAT(c.error, Catch::Contains("pointwise strategy is unsound"));
    // Without the fault the rule is false and refuted.
    CHECK(check("conv2d(x, poolavg[kernel=[3,3],pad=valid](const_iconv[shape=[4,4,3,3]]())) => "
                "poolavg[kernel=[3,3]](x) "
                "where x: act[2,4,5,5]")
              .verdict == prover::Verdict::Refuted);
}

TEST_CASE("bounded: sparse draws refute what dense draws let a sum of squares hide", "[prover][bounded]") {
    // conv2d(X, X) with X = concat(x*x, y) looks non-negative on dense draws (the squares
    // dominate) but is not: with x = 0 the cross terms of y have either sign.
    auto c = check(
        "conv2d(concat[axis=1](ewmul(x, x), y), concat[axis=1](ewmul(x, x), y)) => "
        "conv2d[act=relu](concat[axis=1](ewmul(x, x), y), concat[axis=1](ewmul(x, x), y)) "
        "where x: weight[4,4,3,3], y: weight[4,4,3,3]");
    CHECK(c.verdict == prover::Verdict::Refuted);
    // x + x*x >= 0 at every integer, not between -1 and 0: the draws in halves find it.
    auto h = check("relu(ewadd(x, ewmul(x, x))) => ewadd(x, ewmul(x, x)) where x: weight[4,4,3,3]");
    CHECK(h.verdict == prover::Verdict::Refuted);
}
