// The CPU executor's own paths (matmul, convolution as im2col + sgemm, ReLU) against the reference
// evaluator: OpenBLAS is loaded at run time (applier/blas.h), so a wrong argument order in the
// call would compile and only show here.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "applier/executor.h"
#include "ir/eval.h"
#include "ir/native_text.h"
#include "ir/rule.h"

using namespace rf;

TEST_CASE("cpu executor: its matmul, convolution and relu kernels equal the reference evaluator", "[applier]") {
    const char* rules[] = {
        "matmul(x, w) => matmul(x, w) where x: act[5,7], w: weight[7,3]",
        "matmul(x, w) => matmul(x, w) where x: act[2,5,7], w: weight[2,7,3]",
        "conv2d[stride=[2,2],pad=same](x, w) => conv2d[stride=[2,2],pad=same](x, w) where x: "
        "act[2,4,9,9], w: weight[6,4,3,3]",
        "conv2d[pad=valid,act=relu](x, w) => conv2d[pad=valid,act=relu](x, w) where x: "
        "act[1,4,6,6], w: weight[6,2,3,3]",
        // ReLU, fused and alone, is the executor's own vectorised loop.
        "matmul[act=relu](x, w) => matmul[act=relu](x, w) where x: act[5,7], w: weight[7,3]",
        "relu(ewadd(x, y)) => relu(ewadd(x, y)) where x: act[3,40], y: act[3,40]",
    };
    auto ex = applier::make_cpu_executor();
    std::mt19937_64 rng(11);
    for (const char* text : rules) {
        INFO(text);
        const Rule r = build_rule(parse_native_rule(text, "t.rf"));
        std::vector<FloatTensor> vars;
        for (const Variable& v : r.variables()) vars.push_back(random_float(v.type, rng));
        const std::vector<FloatTensor> got = applier::run_graph(*ex, r.lhs, vars), ref = evaluate_float(r.lhs, vars);
        REQUIRE(got.size() == 1);
        REQUIRE(got[0].dims == ref[0].dims);
        double worst = 0, largest = 0;
        for (size_t i = 0; i < ref[0].data.size(); ++i) {
            worst = std::max(worst, static_cast<double>(std::fabs(got[0].data[i] - ref[0].data[i])));
            largest = std::max(largest, static_cast<double>(std::fabs(ref[0].data[i])));
        }
        CHECK(largest > 0.1);  // not a comparison of zeros
        CHECK(worst < 1e-4);
    }
}
