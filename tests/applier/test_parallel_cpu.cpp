// The applier's CPU executor on distributed graphs: simulated devices, as the reference evaluator
// defines them (the BLAS matmul path is for whole tensors only), so both sides of a
// parallelization rule compute the same values.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "applier/executor.h"
#include "ir/eval.h"
#include "ir/native_text.h"
#include "ir/rule.h"

using namespace rf;

TEST_CASE("cpu executor: distributed graphs run on simulated devices", "[applier][parallel]") {
    const Rule r =
        build_rule(parse_native_rule("matmul(replicate[degree=2](x), repartition[dim=1,degree=2](w)) => "
                                     "repartition[dim=1,degree=2](matmul(x, w)) "
                                     "where x: act[16,32], w: weight[32,24]",
                                     "t.rf"));
    std::mt19937_64 rng(7);
    std::vector<FloatTensor> vars;
    for (const Variable& v : r.variables()) vars.push_back(random_float(v.type, rng));
    auto ex = applier::make_cpu_executor();
    const std::vector<FloatTensor> lhs = applier::run_graph(*ex, r.lhs, vars),
                                   rhs = applier::run_graph(*ex, r.rhs, vars);
    const std::vector<FloatTensor> ref = evaluate_float(r.lhs, vars);
    REQUIRE(lhs.size() == 1);
    REQUIRE(lhs[0].dims == ref[0].dims);
    REQUIRE(lhs[0].dims == rhs[0].dims);
    double worst = 0;
    for (size_t i = 0; i < ref[0].data.size(); ++i) {
        worst = std::max(worst, static_cast<double>(std::fabs(lhs[0].data[i] - ref[0].data[i])));
        worst = std::max(worst, static_cast<double>(std::fabs(lhs[0].data[i] - rhs[0].data[i])));
    }
    CHECK(worst < 1e-4);

    // The contracted dimension cut: two replicas of partial sums that add up to the product.
    const Rule partial = build_rule(
        parse_native_rule("matmul(repartition[dim=1,degree=2](x), repartition[dim=0,degree=2](w)) => "
                          "matmul(repartition[dim=1,degree=2](x), repartition[dim=0,degree=2](w)) where x: act[4,8], "
                          "w: weight[8,4]",
                          "t.rf"));
    const std::vector<FloatTensor> pv = {random_float(partial.variables()[0].type, rng),
                                         random_float(partial.variables()[1].type, rng)};
    const std::vector<FloatTensor> sums = applier::run_graph(*ex, partial.lhs, pv);
    REQUIRE(sums[0].dims == std::vector<int64_t>{2, 4, 4});
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
            float whole = 0;
            for (int k = 0; k < 8; ++k) whole += pv[0].data[i * 8 + k] * pv[1].data[k * 4 + j];
            CHECK(std::fabs(sums[0].data[i * 4 + j] + sums[0].data[16 + i * 4 + j] - whole) < 1e-4);
        }
}
