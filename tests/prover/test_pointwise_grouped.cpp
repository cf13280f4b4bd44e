// The pointwise strategy on grouped convolutions (prover/pointwise_convolutions.cpp): a grouped
// convolution is read as its dense blocks, a planted wrong block step ends as an error, and the
// bounded checker's small draws refute what larger ones hide.
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

TEST_CASE("pointwise: a grouped convolution is its dense blocks side by side", "[prover][pointwise][grouped]") {
    // Each group reads its own channels of the input and writes its own output channels: over a
    // channel concat the blocks are dense convolutions of the parts, and adjacent blocks of one
    // dense convolution are that convolution.
    for (const char* text : {
             "conv2d(concat[axis=1](relu(conv2d(x, w)), relu(conv2d(x, w))), w) => "
             "conv2d(relu(conv2d(concat[axis=1](x, x), w)), w) where x: act[2,4,5,5], w: "
             "weight[4,4,3,3]",
             "conv2d(concat[axis=1](x, x), w) => conv2d(x, w) where x: act[2,4,5,5], w: "
             "weight[4,4,3,3]",
             "concat[axis=1](conv2d(x, v), conv2d(y, w)) => conv2d(concat[axis=1](x, y), "
             "concat[axis=0](v, w)) "
             "where x: act[2,4,5,5], y: act[2,4,5,5], v: weight[4,4,3,3], w: weight[4,4,3,3]",
             "conv2d(concat[axis=1](ewadd(x, y), ewadd(y, x)), w) => ewadd(conv2d(x, w), conv2d(y, "
             "w)) "
             "where x: act[2,4,5,5], y: act[2,4,5,5], w: weight[4,4,3,3]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict == prover::Verdict::Proved);
        CHECK(c.bounded == "passed");
    }
    // Near misses: the parts swapped; a group that reads the other part; a concat of kernels,
    // which splits a dense convolution's output but not a grouped one's.
    for (const char* text : {
             "concat[axis=1](conv2d(x, v), conv2d(y, w)) => conv2d(concat[axis=1](y, x), "
             "concat[axis=0](v, w)) "
             "where x: act[2,4,5,5], y: act[2,4,5,5], v: weight[4,4,3,3], w: weight[4,4,3,3]",
             "conv2d(concat[axis=1](x, y), w) => conv2d(x, w) where x: act[2,4,5,5], y: "
             "act[2,4,5,5], w: weight[4,4,3,3]",
             "conv2d(concat[axis=1](x, y), concat[axis=0](v, w)) => "
             "concat[axis=1](conv2d(concat[axis=1](x, y), v), "
             "conv2d(concat[axis=1](x, y), w)) where x: act[2,4,5,5], y: act[2,4,5,5], v: "
             "weight[2,4,3,3], w: weight[2,4,3,3]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict == prover::Verdict::Refuted);
    }
}

TEST_CASE("pointwise: a planted wrong step for grouped convolutions is an error, never proved",
          "[prover][pointwise][grouped]") {
    prover::CheckOptions o;
    o.pointwise_fault = prover::PointwiseFault::GroupsReadFirstChannels;
    o.bounded = false;  // the re-check of a pointwise proof is not optional
    auto c = check(
        "conv2d(concat[axis=1](x, y), w) => conv2d(x, w) where x: act[2,4,5,5], y: act[2,4,5,5], "
        "w: weight[4,4,3,3]",
        o);
    CHECK(c.verdict == prover::Verdict::Error);
    CHECK_THAT(c.error, Catch::Contains("pointwise strategy is unsound"));
}

TEST_CASE(
    "pointwise: poolmax of uniform tensors and monotone sums, enlarge and concat through "
    "element-wise maps",
    "[prover][pointwise]") {
    for (const char* text : {
             "ewadd(poolmax[kernel=[3,3]](x), relu(poolmax[kernel=[3,3]](x))) => "
             "poolmax[kernel=[3,3]](ewadd(x, relu(x))) "
             "where x: act[2,4,5,5]",
             "ewadd(poolmax[kernel=[3,3]](x), const_one[shape=[2,4,5,5]]()) => "
             "poolmax[kernel=[3,3]](ewadd(x, const_one[shape=[2,4,5,5]]())) where x: act[2,4,5,5]",
             "poolmax[kernel=[3,3]](smul(const_one[shape=[2,4,5,5]](), s)) => "
             "smul(const_one[shape=[2,4,5,5]](), s) "
             "where s: weight[]",
             "ewmul(poolmax[kernel=[3,3]](ewmul(x, x)), poolmax[kernel=[3,3]](ewmul(x, x))) => "
             "poolmax[kernel=[3,3]](ewmul(ewmul(x, x), ewmul(x, x))) where x: act[2,4,5,5]",
             "ewmul(poolmax[kernel=[3,3]](x), relu(x)) => ewmul(relu(x), "
             "poolmax[kernel=[3,3]](relu(x))) where x: act[2,4,5,5]",
             "conv2d(x, relu(enlarge(v, w))) => conv2d(x, relu(v)) where x: act[2,4,5,5], v: "
             "weight[4,4,1,3], w: weight[4,4,3,3]",
             "conv2d(x, ewmul(enlarge(v, w), enlarge(v, w))) => conv2d(x, ewmul(v, v)) where x: "
             "act[2,4,5,5], "
             "v: weight[4,4,1,3], w: weight[4,4,3,3]",
             "conv2d(relu(concat[axis=1](v, v)), concat[axis=1](v, v)) => conv2d(relu(ewadd(v, "
             "v)), v) where v: weight[4,4,3,3]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict == prover::Verdict::Proved);
        CHECK(strategy_of(c) == "pointwise");
    }
    // Near misses: two different atoms under one poolmax; a kernel not enlarged alike.
    for (const char* text : {
             "ewadd(poolmax[kernel=[3,3]](x), relu(poolmax[kernel=[3,3]](y))) => "
             "poolmax[kernel=[3,3]](ewadd(x, relu(y))) "
             "where x: act[2,4,5,5], y: act[2,4,5,5]",
             "conv2d(x, ewmul(enlarge(v, w), w)) => conv2d(x, ewmul(v, v)) where x: act[2,4,5,5], "
             "v: weight[4,4,1,3], "
             "w: weight[4,4,3,3]",
         }) {
        INFO(text);
        CHECK(check(text).verdict == prover::Verdict::Refuted);
    }
}

TEST_CASE(
    "pointwise: where the identity matrix or kernel is not 0, a transpose or a flip changes "
    "nothing",
    "[prover][pointwise]") {
    for (const char* text : {
             "ewmul(transpose[perm=[1,0]](v), const_imm[shape=[4,4]]()) => ewmul(v, "
             "const_imm[shape=[4,4]]()) "
             "where v: weight[4,4]",
             "ewmul(const_iconv[shape=[4,4,3,3]](), conv2d(const_iconv[shape=[4,4,3,3]](), v)) => "
             "ewmul(v, const_iconv[shape=[4,4,3,3]]()) where v: weight[4,4,3,3]",
             "conv2d(const_iconv[shape=[4,4,3,3]](), ewmul(v, const_iconv[shape=[4,4,3,3]]())) => "
             "ewmul(v, const_iconv[shape=[4,4,3,3]]()) where v: weight[4,4,3,3]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict == prover::Verdict::Proved);
        CHECK(strategy_of(c) == "pointwise");
    }
    // Off the diagonal both change something: the all-ones tensor is not a mask.
    for (const char* text : {
             "ewmul(transpose[perm=[1,0]](v), const_one[shape=[4,4]]()) => ewmul(v, "
             "const_one[shape=[4,4]]()) "
             "where v: weight[4,4]",
             "ewmul(const_one[shape=[4,4,3,3]](), conv2d(const_iconv[shape=[4,4,3,3]](), v)) => "
             "ewmul(v, const_one[shape=[4,4,3,3]]()) where v: weight[4,4,3,3]",
         }) {
        INFO(text);
        CHECK(check(text).verdict == prover::Verdict::Refuted);
    }
}

TEST_CASE("bounded: draws of small magnitude refute x + x*x under a convolution", "[prover][bounded]") {
    // conv2d(y, x*x) with y = x + x*x: on integers and halves y is mostly >= 0 and the squares
    // dominate; in eighths y is about x, and the convolution takes both signs.
    Rule r = rule(
        "conv2d(ewadd(x, ewmul(x, x)), ewmul(x, x)) => conv2d[act=relu](ewadd(x, ewmul(x, x)), "
        "ewmul(x, x)) "
        "where x: weight[4,4,3,3]");
    prover::BoundedCheckOptions o;
    o.sparse_draws = 8;
    CHECK(prover::bounded_check(r, o).outcome != prover::BoundedCheck::Outcome::Refuted);
    o.small_draws = 4;
    CHECK(prover::bounded_check(r, o).outcome == prover::BoundedCheck::Outcome::Refuted);
    // The checker gives them to a rule no strategy proved.
    CHECK(check("conv2d(ewadd(x, ewmul(x, x)), ewmul(x, x)) => conv2d[act=relu](ewadd(x, ewmul(x, "
                "x)), ewmul(x, x)) "
                "where x: weight[4,4,3,3]")
              .verdict == prover::Verdict::Refuted);
}

TEST_CASE("pointwise: the block form keeps what a grouped convolution's atom proved", "[prover][pointwise][grouped]") {
    // Size-3 candidates the opaque grouped convolution proved: the block form must too (a
    // common coefficient comes out of a concat, relu is idempotent, a flip goes through a
    // concat of kernels along either of its first two axes).
    for (const char* text : {
             "conv2d(conv2d[act=relu](x, ewadd(v, v)), w) => conv2d(conv2d[act=relu](x, v), "
             "ewadd(w, w)) "
             "where x: act[2,4,5,5], v: weight[4,1,3,3], w: weight[4,4,3,3]",
             "relu(enlarge(v, w)) => conv2d[act=relu](const_iconv[shape=[4,4,3,3]](), "
             "conv2d[act=relu]("
             "const_iconv[shape=[4,4,3,3]](), v)) where v: weight[4,4,1,3], w: weight[4,4,3,3]",
             "conv2d(const_iconv[shape=[4,4,3,3]](), "
             "conv2d[act=relu](const_iconv[shape=[4,4,3,3]](), v)) => "
             "conv2d[act=relu](const_iconv[shape=[4,4,3,3]](), "
             "conv2d(const_iconv[shape=[4,4,3,3]](), v)) "
             "where v: weight[4,1,3,3]",
         }) {
        INFO(text);
        auto c = check(text);
        CHECK(c.verdict == prover::Verdict::Proved);
        CHECK(c.bounded == "passed");
    }
}
