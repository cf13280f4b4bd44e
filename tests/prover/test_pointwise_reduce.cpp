// The pointwise strategy on reductions (prover/pointwise_reduce.cpp): sums and means along an axis
// as atoms of the normal form, softmax, layernorm and rmsnorm by their definitions, divisors that
// are positive (a sum of exps, sqrt(t + 1e-5) with t >= 0) needing no condition, near misses left
// unproved (and refuted), and a planted wrong step that ends as an error.
#include <catch2/catch.hpp>

#include "pointwise_test_util.h"

using namespace rf;
using rf::testing::pointwise::strategy_of;

namespace {
// No axioms: whatever is proved here, the pointwise strategy proved.
prover::RuleCheck check_pointwise(const std::string& text, prover::CheckOptions o = {}) {
    static const prover::AxiomSet none;  // the checker keeps a reference
    prover::Checker c(none, o);
    return c.check(rf::testing::pointwise::rule(text), "reduce");
}

void require_proved(const std::vector<const char*>& rules) {
    for (const char* text : rules) {
        INFO(text);
        auto c = check_pointwise(text);
        CHECK(c.verdict == prover::Verdict::Proved);
        CHECK(strategy_of(c) == "pointwise");
        CHECK(c.preconditions.empty());
    }
}
}  // namespace

TEST_CASE("pointwise reduce: sums are linear, lose what is constant along them, and commute",
          "[prover][pointwise][transformer][reduce]") {
    require_proved({
        "reduce_sum[axis=1](ewadd(smul(x, s), y)) => ewadd(smul(reduce_sum[axis=1](x), s), reduce_sum[axis=1](y)) "
        "where x: act[n,d], y: act[n,d]",
        "reduce_mean[axis=0](ewsub(x, y)) => ewsub(reduce_mean[axis=0](x), reduce_mean[axis=0](y)) "
        "where x: act[n,d], y: act[n,d]",
        // A factor broadcast along the axis leaves the sum; a mean of it is itself.
        "reduce_sum[axis=1](ewmul(x, r)) => ewmul(r, reduce_sum[axis=1](x)) where x: act[n,d], r: act[n,1]",
        "reduce_mean[axis=1](ewadd(x, r)) => ewadd(reduce_mean[axis=1](x), r) where x: act[n,d], r: act[n,1]",
        "reduce_mean[axis=0](ewmul(c, ewmul(x, c))) => ewmul(ewmul(c, c), reduce_mean[axis=0](x)) "
        "where x: act[n,d], c: act[1,d]",
        // A sum along an axis of length 1 is its operand.
        "reduce_sum[axis=1](reduce_mean[axis=1](x)) => reduce_mean[axis=1](x) where x: act[n,d]",
        // The order of two reductions, through a transpose, and matmul's outer axes.
        "reduce_mean[axis=0](reduce_sum[axis=1](x)) => reduce_sum[axis=1](reduce_mean[axis=0](x)) where x: act[n,d]",
        "reduce_sum[axis=0](transpose[perm=[1,0]](x)) => transpose[perm=[1,0]](reduce_sum[axis=1](x)) "
        "where x: act[n,d]",
        "reduce_sum[axis=0](matmul(x, w)) => matmul(reduce_sum[axis=0](x), w) where x: act[n,d], w: weight[d,e]",
        "reduce_mean[axis=1](matmul(x, w)) => matmul(x, reduce_mean[axis=1](w)) where x: act[n,d], w: weight[d,e]",
        // Over a concat: along another axis, the concat of the sums; along it, their sum.
        "reduce_sum[axis=1](concat[axis=1](x, y)) => ewadd(reduce_sum[axis=1](x), reduce_sum[axis=1](y)) "
        "where x: act[2,3], y: act[2,2]",
        "reduce_mean[axis=1](concat[axis=1](x, x)) => reduce_mean[axis=1](x) where x: act[2,3]",
        "reduce_sum[axis=1](concat[axis=0](x, y)) => concat[axis=0](reduce_sum[axis=1](x), reduce_sum[axis=1](y)) "
        "where x: act[2,3], y: act[1,3]",
        // exp of a sum, and a broadcast exp factor out of a sum.
        "exp(reduce_sum[axis=1](ewadd(x, y))) => ewmul(exp(reduce_sum[axis=1](x)), exp(reduce_sum[axis=1](y))) "
        "where x: act[n,d], y: act[n,d]",
        "reduce_sum[axis=1](exp(ewadd(x, r))) => ewmul(reduce_sum[axis=1](exp(x)), exp(r)) "
        "where x: act[n,d], r: act[n,1]",
    });
}

TEST_CASE("pointwise reduce: softmax, layernorm and rmsnorm by their definitions",
          "[prover][pointwise][transformer][reduce]") {
    require_proved({
        // Shift invariance along the axis, by a broadcast input or by the rows' own mean.
        "softmax[axis=1](ewsub(x, r)) => softmax[axis=1](x) where x: act[n,d], r: act[n,1]",
        "softmax[axis=0](ewadd(c, x)) => softmax[axis=0](x) where x: act[n,d], c: act[1,d]",
        "softmax[axis=1](ewsub(x, reduce_mean[axis=1](x))) => softmax[axis=1](x) where x: act[n,d]",
        "layernorm[axis=1](ewsub(x, r)) => layernorm[axis=1](x) where x: act[n,d], r: act[n,1]",
        "layernorm[axis=1](ewsub(x, reduce_mean[axis=1](x))) => layernorm[axis=1](x) where x: act[n,d]",
        // A softmax's row sums are 1 (y stands for the ones it would need).
        "ewmul(reduce_sum[axis=1](softmax[axis=1](x)), y) => y where x: act[n,d], y: act[n,1]",
        // Transposes, concats of rows, scaling through matmul.
        "transpose[perm=[1,0]](softmax[axis=1](x)) => softmax[axis=0](transpose[perm=[1,0]](x)) where x: act[n,d]",
        "transpose[perm=[1,0]](rmsnorm[axis=1](x)) => rmsnorm[axis=0](transpose[perm=[1,0]](x)) where x: act[n,d]",
        "softmax[axis=1](concat[axis=0](x, y)) => concat[axis=0](softmax[axis=1](x), softmax[axis=1](y)) "
        "where x: act[2,3], y: act[1,3]",
        "layernorm[axis=1](concat[axis=0](x, y)) => concat[axis=0](layernorm[axis=1](x), layernorm[axis=1](y)) "
        "where x: act[2,3], y: act[2,3]",
        "softmax[axis=1](matmul(smul(x, s), w)) => softmax[axis=1](smul(matmul(x, w), s)) "
        "where x: act[n,d], w: weight[d,d]",
    });
}

TEST_CASE("pointwise reduce: a sum of exps or sqrt(t + 1e-5), t >= 0, is never a zero divisor",
          "[prover][pointwise][transformer][reduce]") {
    for (const char* text : {
             "softmax[axis=1](x) => ewdiv(exp(x), reduce_sum[axis=1](exp(x))) where x: act[n,d]",
             "ewmul(ewdiv(x, reduce_mean[axis=1](exp(y))), reduce_mean[axis=1](exp(y))) => x "
             "where x: act[n,d], y: act[n,d]",
             "ewmul(ewdiv(x, sqrt(exp(y))), sqrt(exp(y))) => x",
         }) {
        INFO(text);
        auto c = check_pointwise(text);
        REQUIRE(c.verdict == prover::Verdict::Proved);
        CHECK(c.preconditions.empty());
    }
    for (const char* text : {
             "ewmul(ewdiv(x, reduce_sum[axis=1](y)), reduce_sum[axis=1](y)) => x where x: act[n,d], y: act[n,d]",
             "ewmul(ewdiv(x, sqrt(y)), sqrt(y)) => x",
         }) {
        INFO(text);
        auto c = check_pointwise(text);
        REQUIRE(c.verdict == prover::Verdict::Proved);
        CHECK(c.preconditions == std::vector<Precondition>{Precondition::NonZeroDivisors});
    }
}

TEST_CASE("pointwise reduce: near misses are refuted, never proved", "[prover][pointwise][transformer][reduce]") {
    for (const char* text : {
             "reduce_sum[axis=1](ewmul(x, y)) => ewmul(reduce_sum[axis=1](x), reduce_sum[axis=1](y)) "
             "where x: act[n,d], y: act[n,d]",
             "reduce_sum[axis=1](ewadd(x, r)) => ewadd(reduce_sum[axis=1](x), r) where x: act[n,d], r: act[n,1]",
             "reduce_mean[axis=1](ewmul(x, x)) => ewmul(reduce_mean[axis=1](x), reduce_mean[axis=1](x)) "
             "where x: act[n,d]",
             "reduce_mean[axis=1](exp(x)) => exp(reduce_mean[axis=1](x)) where x: act[n,d]",
             "softmax[axis=0](ewsub(x, r)) => softmax[axis=0](x) where x: act[n,d], r: act[n,1]",
             "transpose[perm=[1,0]](softmax[axis=1](x)) => softmax[axis=1](transpose[perm=[1,0]](x)) "
             "where x: act[n,n]",
             "rmsnorm[axis=1](smul(x, s)) => rmsnorm[axis=1](x) where x: act[n,d]",
             "layernorm[axis=1](ewsub(x, c)) => layernorm[axis=1](x) where x: act[n,d], c: act[1,d]",
         }) {
        INFO(text);
        auto c = check_pointwise(text);
        CHECK(c.verdict == prover::Verdict::Refuted);
    }
}

TEST_CASE("pointwise reduce: a planted wrong sum step is an error, never proved",
          "[prover][pointwise][transformer][reduce]") {
    prover::CheckOptions o;
    o.pointwise_fault = prover::PointwiseFault::SumForgetsLength;
    o.bounded = false;  // the re-check of a pointwise proof is not optional
    auto c = check_pointwise(
        "reduce_sum[axis=1](ewadd(x, r)) => ewadd(reduce_sum[axis=1](x), r) where x: act[n,d], r: act[n,1]", o);
    CHECK(c.verdict == prover::Verdict::Error);
    CHECK_THAT(c.error, Catch::Contains("pointwise strategy is unsound"));
}

TEST_CASE("pointwise reduce: outer products, broadcast factors through matmul, nested divisions",
          "[prover][pointwise][transformer][reduce]") {
    require_proved({
        // matmul of [n,1] and [1,m] is their broadcast product; factors constant along the
        // contraction index leave it; one column makes it a sum.
        "ewmul(v0, v1) => matmul(v0, v1) where v0: act[3,1], v1: act[1,4]",
        "concat[axis=0](ewmul(v0, v1), ewmul(v0, v1)) => matmul(concat[axis=0](v0, v0), v1) "
        "where v0: act[3,1], v1: act[1,4]",
        "matmul(ewmul(v0, v1), v2) => matmul(v0, matmul(v1, v2)) where v0: act[3,1], v1: act[1,4], v2: weight[4,4]",
        "ewmul(v0, matmul(v1, v2)) => matmul(v1, ewmul(v0, v2)) where v0: act[1,4], v1: act[3,4], v2: weight[4,4]",
        "ewmul(v0, matmul(v1, v2)) => matmul(ewmul(v0, v1), v2) where v0: act[3,1], v1: act[3,4], v2: weight[4,4]",
        "matmul(v0, transpose[perm=[1,0]](v1)) => reduce_sum[axis=1](ewmul(v0, v1)) where v0: act[3,4], v1: act[1,4]",
        "matmul(transpose[perm=[1,0]](v0), v1) => reduce_sum[axis=0](ewmul(v1, v0)) where v0: act[3,1], v1: act[3,4]",
        // gelu goes per part into a concat; a factor broadcast along a concat's axis is itself in
        // every part.
        "concat[axis=0](softmax[axis=1](gelu(v0)), softmax[axis=1](gelu(v0))) => "
        "softmax[axis=1](gelu(concat[axis=0](v0, v0))) where v0: act[3,4]",
        "concat[axis=0](reduce_mean[axis=1](ewmul(v0, v0)), reduce_mean[axis=1](ewmul(v0, v0))) => "
        "reduce_mean[axis=1](ewmul(v0, concat[axis=0](v0, v0))) where v0: act[1,4]",
        // A broadcast variable read at its one position first and at another later is one real.
        "concat[axis=0](ewadd(v0, v1), ewadd(v0, v1)) => ewadd(v1, concat[axis=0](v0, v0)) "
        "where v0: act[3,1], v1: act[1,4]",
    });
    for (const char* text : {
             "ewdiv(v0, ewdiv(v1, v2)) => ewmul(v0, ewdiv(v2, v1)) where v0: act[3,4], v1: act[1,4], v2: act[3,4]",
             "ewdiv(ewmul(v0, v1), v2) => ewdiv(v1, ewdiv(v2, v0)) where v0: act[3,4], v1: act[3,1], v2: act[1,4]",
             // x / x is 1 where x is not zero (softmax along a length-1 axis is 1 everywhere).
             "ewsub(sqrt(v0), sqrt(v0)) => layernorm[axis=1](ewdiv(v0, v0)) where v0: act[1,4]",
             "ewmul(v0, softmax[axis=0](v1)) => ewmul(v0, ewdiv(v1, v1)) where v0: act[1,4], v1: act[1,4]",
             // The divisor y sits inside a sum (an opaque real): the condition is still stated.
             "ewdiv(reduce_sum[axis=1](ewdiv(x, y)), exp(z)) => ewmul(reduce_sum[axis=1](ewdiv(x, y)), "
             "exp(ewsub(z, ewadd(z, z)))) where x: act[n,d], y: act[n,d], z: act[n,1]",
         }) {
        INFO(text);
        auto c = check_pointwise(text);
        REQUIRE(c.verdict == prover::Verdict::Proved);
        CHECK(strategy_of(c) == "pointwise");
        CHECK(c.preconditions == std::vector<Precondition>{Precondition::NonZeroDivisors});
    }
}
