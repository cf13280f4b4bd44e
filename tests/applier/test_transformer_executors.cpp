// Issue 22's operators on the executors: the CPU executor (batched, broadcast matmul through
// BLAS; the rest through the reference kernels) and the CUDA executor (own kernels; run only
// where a GPU is present) against the reference evaluator on one attention-and-norm graph.
#include <catch2/catch.hpp>

#include "applier/executor.h"
#include "applier/validate.h"
#include "tests/support/graph_vars.h"

using namespace rf;
using rf::testing::act;
using rf::testing::weight;

namespace {

Graph attention_block() {
    GraphBuilder b({act("x", {2, 3, 4}), weight("w", {1, 4, 4}), weight("bias", {1, 1, 4}), act("row", {2, 3, 1}),
                    act("h", {2, 1, 3, 4}), weight("w4", {1, 2, 4, 5})});
    auto q = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(0), b.input(1)});  // batch broadcast
    auto k = b.add1(OpKind::Transpose, param::transpose({0, 2, 1}, false), {q});
    auto s = b.add1(OpKind::Matmul, param::matmul(Activation::None), {q, k});
    auto sm = b.add1(OpKind::Softmax, param::axis_param(2), {s});
    auto v = b.add1(OpKind::Matmul, param::matmul(Activation::None), {sm, q});
    auto a = b.add1(OpKind::EwAdd, {}, {v, b.input(2)});
    auto ln = b.add1(OpKind::LayerNorm, param::axis_param(2), {a});
    auto g = b.add1(OpKind::Gelu, {}, {ln});
    auto e = b.add1(OpKind::Exp, {}, {b.input(3)});
    auto d = b.add1(OpKind::EwDiv, {}, {g, e});
    auto mean = b.add1(OpKind::ReduceMean, param::axis_param(2), {d});
    auto c = b.add1(OpKind::EwSub, {}, {d, mean});
    auto rms = b.add1(OpKind::RmsNorm, param::axis_param(1), {c});
    auto sum = b.add1(OpKind::ReduceSum, param::axis_param(0), {rms});
    auto sq = b.add1(OpKind::Sqrt, {}, {b.add1(OpKind::Exp, {}, {sum})});
    auto m4 = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(4), b.input(5)});  // rank 4
    auto t4 = b.add1(OpKind::Transpose, param::transpose({3, 1, 0, 2}, false), {m4});
    return std::move(b).finish({sq, t4, sm});
}

}  // namespace

TEST_CASE("transformer operators: the CPU executor computes what the reference evaluator computes",
          "[applier][transformer]") {
    const Graph g = attention_block();
    CHECK(g.type(g.outputs()[1]).to_string() == "[5,2,2,3]");
    auto ref = applier::make_reference_executor();
    auto cpu = applier::make_cpu_executor();
    for (uint64_t seed : {1u, 2u}) {
        INFO("seed " << seed);
        auto vars = applier::random_variables(g, seed);
        const applier::Comparison c = applier::compare_outputs(
            applier::run_graph(*ref, g, vars), applier::run_graph(*cpu, g, vars), applier::comparison_tolerance(g, g));
        INFO(c.detail);
        CHECK(c.ok);
    }
}

TEST_CASE("transformer operators: the CUDA executor computes what the reference evaluator computes",
          "[applier][cuda][transformer]") {
    std::unique_ptr<applier::Executor> cuda;
    try {
        cuda = applier::make_cuda_executor();
    } catch (const std::exception& e) {
        const std::string why = e.what();
        CHECK_THAT(why, Catch::Contains(applier::built_with_cuda() ? "no CUDA device" : "built without CUDA"));
        WARN("skipped: no GPU present (" << why << ")");
        return;
    }
    const Graph g = attention_block();
    auto ref = applier::make_reference_executor();
    for (uint64_t seed : {1u, 2u}) {
        INFO("seed " << seed);
        auto vars = applier::random_variables(g, seed);
        const applier::Comparison c = applier::compare_outputs(
            applier::run_graph(*ref, g, vars), applier::run_graph(*cuda, g, vars), applier::comparison_tolerance(g, g));
        INFO(c.detail);
        CHECK(c.ok);
    }
}
