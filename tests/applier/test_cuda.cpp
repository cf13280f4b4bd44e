// The CUDA executor against the reference evaluator on a graph that uses every operator it
// implements itself (and cuDNN/cuBLAS for conv and matmul, asymmetric SAME padding included).
// Without a GPU (or a CUDA build) the test says so and checks the error a user would see.
#include <catch2/catch.hpp>

#include "applier/executor.h"
#include "applier/validate.h"
#include "tests/support/graph_vars.h"

using namespace rf;
using rf::testing::act;
using rf::testing::weight;

namespace {

Graph every_operator() {
    GraphBuilder b({act("x", {2, 4, 9, 8}), weight("w1", {8, 4, 3, 3}), weight("w2", {8, 2, 1, 1}), weight("s", {}),
                    weight("m", {6, 7})});
    auto c1 = b.add1(OpKind::Conv2d, param::conv2d(2, 2, Padding::Same, Activation::Relu), {b.input(0), b.input(1)});
    auto big = b.add1(OpKind::Enlarge, {}, {b.input(2), b.input(1)});                                   // 1x1 -> 3x3
    auto c2 = b.add1(OpKind::Conv2d, param::conv2d(1, 1, Padding::Same, Activation::None), {c1, big});  // groups 4
    auto sg = b.add1(OpKind::Sigmoid, {}, {c2});
    auto th = b.add1(OpKind::Tanh, {}, {c1});
    auto mul = b.add1(OpKind::EwMul, {}, {sg, th});
    auto sc = b.add1(OpKind::Smul, {}, {mul, b.input(3)});
    auto avg = b.add1(OpKind::PoolAvg, param::pool(3, 3, 2, 2, Padding::Same, Activation::None), {sc});
    auto mx = b.add1(OpKind::PoolMax, param::pool(2, 2, 2, 2, Padding::Same, Activation::Relu), {sc});
    auto cat = b.add1(OpKind::Concat, param::axis_param(1), {avg, mx});
    auto parts = b.add(OpKind::Split, param::axis_param(1), {cat});
    auto add = b.add1(OpKind::EwAdd, {}, {parts[0], parts[1]});
    auto tr = b.add1(OpKind::Transpose, param::transpose({0, 2, 3, 1}, false), {add});
    auto flat = b.add1(OpKind::Reshape, param::shape_list({2 * 3 * 2 * 8 / 6, 6}), {tr});
    auto mm = b.add1(OpKind::Matmul, param::matmul(Activation::Relu), {flat, b.input(4)});
    auto one = b.add1(OpKind::ConstIconv, param::shape_list({8, 8, 3, 3}), {});
    auto c3 = b.add1(OpKind::Conv2d, param::conv2d(1, 1, Padding::Same, Activation::None), {add, one});
    return std::move(b).finish({mm, c3});
}

}  // namespace

TEST_CASE("cuda: the CUDA executor computes what the reference evaluator computes", "[applier][cuda]") {
    std::unique_ptr<applier::Executor> cuda;
    try {
        cuda = applier::make_cuda_executor();
    } catch (const std::exception& e) {
        const std::string why = e.what();
        CHECK_THAT(why, Catch::Contains(applier::built_with_cuda() ? "no CUDA device" : "built without CUDA"));
        WARN("skipped: no GPU present (" << why << ")");
        return;
    }
    Graph g = every_operator();
    auto ref = applier::make_reference_executor();
    for (uint64_t seed : {1u, 2u}) {
        INFO("seed " << seed);
        auto vars = applier::random_variables(g, seed);
        applier::Comparison c = applier::compare_outputs(
            applier::run_graph(*ref, g, vars), applier::run_graph(*cuda, g, vars), applier::comparison_tolerance(g, g));
        INFO(c.detail);
        CHECK(c.ok);
    }
    // Repeated execution of one prepared run gives the same outputs.
    auto vars = applier::random_variables(g, 3);
    auto run = cuda->prepare(g, vars);
    run->execute();
    auto first = run->outputs();
    run->execute();
    CHECK(run->outputs()[0].data == first[0].data);
}
