// Issue 22's transformer blocks (bert_layer, gpt2_block, llama_block) under `apply`: a few true
// rules over their operators, proved on import, validate at every site with no mismatch, and
// the tolerance that lets them pass is the one derived for exp and softmax (applier/validate.h),
// not a looser one: its parts are checked here on small graphs.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "applier/executor.h"
#include "applier/model.h"
#include "applier/precompute.h"
#include "applier/validate.h"
#include "tests/support/cli_run.h"
#include "tests/support/graph_vars.h"

using namespace rf;
using rf::testing::act;
using namespace rf::applier;
using rf::testing::run_cli;
using rf::testing::temp_file;

namespace {

// True identities over the blocks' operators, all proved (softmax_def at rank 3 by the pointwise
// strategy's sums, prover/pointwise_reduce.cpp; before it, only when forced: --include-unproved).
const char* kRules =
    "scale_through_matmul: smul(matmul(x, y), s) => matmul(x, smul(y, s)) where x: act[d0,d1,d2], y: act[d0,d2,d3]\n"
    "bias_through_matmul: matmul(ewadd(x, b), w) => ewadd(matmul(x, w), matmul(b, w)) "
    "where x: act[d0,d1], b: act[1,d1], w: act[d1,d2]\n"
    "residual_bias: ewadd(x, ewadd(y, b)) => ewadd(ewadd(x, y), b) where x: act[d0,d1], y: act[d0,d1], b: act[1,d1]\n"
    "ewmul_assoc: ewmul(ewmul(x, y), z) => ewmul(x, ewmul(y, z)) where x: act[d0,d1], y: act[d0,d1], z: act[d0,d1]\n"
    "silu_comm: ewmul(x, sigmoid(x)) => ewmul(sigmoid(x), x)\n"
    "norm_gain_comm: ewmul(rmsnorm[axis=1](x), g) => ewmul(g, rmsnorm[axis=1](x)) where x: act[d0,d1], g: act[1,d1]\n"
    "ln_gain_comm: ewmul(layernorm[axis=1](x), g) => ewmul(g, layernorm[axis=1](x)) where x: act[d0,d1], g: act[1,d1]\n"
    "softmax_def: softmax[axis=2](x) => ewdiv(exp(x), reduce_sum[axis=2](exp(x))) where x: act[d0,d1,d2]\n";

std::string fresh_db(const std::string& name) {
    std::string path = std::string(RF_BINARY_DIR) + "/" + name;
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    return path;
}

}  // namespace

TEST_CASE("transformer models: apply validates the proved rules on the three blocks", "[applier][cli][transformer]") {
    const std::string db = fresh_db("transformer_models.db");
    REQUIRE(run_cli({"import", "--db", db, "--format", "native", temp_file("transformer_models.rf", kRules)}).code ==
            0);
    auto p = run_cli({"prove", "--db", db});
    REQUIRE(p.code == 0);
    CHECK_THAT(p.out, Catch::Contains("proved   8"));
    // Sites per model and rule (both directions together), worked out from the block diagrams.
    const std::map<std::string, std::map<std::string, int>> want = {
        {"bert_layer",
         {{"scale_through_matmul", 1},
          {"bias_through_matmul", 1},
          {"residual_bias", 3},
          {"ln_gain_comm", 4},
          {"softmax_def", 1}}},
        {"gpt2_block",
         {{"scale_through_matmul", 1},
          {"bias_through_matmul", 4},
          {"residual_bias", 2},
          {"ln_gain_comm", 4},
          {"softmax_def", 1}}},
        {"llama_block",
         {{"scale_through_matmul", 1},
          {"ewmul_assoc", 4},
          {"silu_comm", 2},
          {"norm_gain_comm", 4},
          {"softmax_def", 1}}},
    };
    for (const auto& [model, sites] : want) {
        INFO("model " << model);
        auto r = run_cli({"apply", "--db", db, "--model", model, "--include-unproved", "--no-time", "--json"});
        INFO(r.err);
        REQUIRE(r.code == 0);
        auto j = nlohmann::json::parse(r.out);
        CHECK(j["summary"]["mismatches"] == 0);
        CHECK(j["summary"]["errors"] == 0);
        std::map<std::string, int> got;
        for (const auto& rule : j["rules"]) {
            got[rule["name"]] += rule["sites"].get<int>();
            CHECK(rule["validated"] == rule["sites"]);
            for (const auto& c : rule["checks"]) {
                INFO(rule["name"] << " " << c["site"] << " " << c.value("message", ""));
                CHECK(c["status"] == "valid");
            }
        }
        CHECK(got == sites);
    }
}

TEST_CASE("transformer models: the attention scale is 1/sqrt(dk), other weights are drawn", "[applier][transformer]") {
    for (const char* name : {"bert_layer", "gpt2_block", "llama_block"}) {
        Model m = build_model(name);
        REQUIRE(m.weights.size() == 1);
        REQUIRE(m.weights.count("attn_scale"));
        CHECK(m.weights["attn_scale"].data == std::vector<float>{0.125f});
        const auto vars = model_variables(m, 1);
        for (size_t i = 0; i < vars.size(); ++i)
            if (m.graph.variables()[i].name == "attn_scale") CHECK(vars[i].data == std::vector<float>{0.125f});
    }
}

TEST_CASE("validate: per-feature weight vectors are drawn between -1 and 1, not He-scaled", "[applier][transformer]") {
    GraphBuilder b({act("x", {4, 64}), Variable{"gain", Role::Weight, make_type({1, 64})},
                    Variable{"w", Role::Weight, make_type({64, 64})}});
    auto y = b.add1(OpKind::EwMul, {}, {b.input(0), b.input(1)});
    Graph g = std::move(b).finish({b.add1(OpKind::Matmul, param::matmul(Activation::None), {y, b.input(2)})});
    const auto vars = random_variables(g, 3);
    float gain = 0, w = 0;
    for (float v : vars[1].data) gain = std::max(gain, std::fabs(v));
    for (float v : vars[2].data) w = std::max(w, std::fabs(v));
    CHECK(gain < 1.f);
    CHECK(gain > 0.8f);
    CHECK(w <= std::sqrt(6.f / 64));  // He: fan-in 64
}

TEST_CASE("validate: exp and softmax scale the rounding error reaching them", "[applier][transformer]") {
    // x -> matmul (K = 16) -> softmax over an axis of 10 -> exp.
    GraphBuilder b({act("x", {10, 16}), act("w", {16, 10})});
    auto m = b.add1(OpKind::Matmul, param::matmul(Activation::None), {b.input(0), b.input(1)});
    auto s = b.add1(OpKind::Softmax, param::axis_param(1), {m});
    Graph g = std::move(b).finish({b.add1(OpKind::Exp, {}, {s})});
    // 16 steps into softmax, times 2 * scale, plus the axis (10) and 3; exp multiplies by the
    // scale and adds its own step.
    CHECK(accumulation_length(g) == 16 * 2 + 13 + 1);
    CHECK(accumulation_length(g, 5) == (16 * 2 * 5 + 13) * 5 + 1);
    CHECK(comparison_tolerance(g, g, 5) == Approx(2 * std::ldexp(1.0, -24) * ((16 * 2 * 5 + 13) * 5 + 1)));
    GraphBuilder r({act("x", {2, 8}), Variable{"w", Role::Weight, make_type({2, 8})}});
    auto l = r.add1(OpKind::LayerNorm, param::axis_param(1),
                    {r.add1(OpKind::ReduceSum, param::axis_param(0), {r.input(0)})});
    Graph n = std::move(r).finish({r.add1(OpKind::EwDiv, {}, {l, r.input(1)})});
    CHECK(accumulation_length(n) == 2 + (2 * 8 + 3) + 1);  // sum of 2, norm over 8, division

    // The scale is the largest operand of an exp or softmax, run on the executor.
    GraphBuilder e({act("a", {1, 3}), act("c", {1, 3})});
    auto sum = e.add1(OpKind::EwAdd, {}, {e.input(0), e.input(1)});
    Graph eg = std::move(e).finish({e.add1(OpKind::Exp, {}, {sum}), e.input(1)});
    auto ex = make_cpu_executor();
    const std::vector<FloatTensor> vals = {{{1, 3}, {1, 2, -3}}, {{1, 3}, {0.5f, -9, 0}}};
    CHECK(exp_operand_scale(*ex, eg, vals) == 7);  // |2 + -9|; c's own -9 feeds no exp
    CHECK(exp_operand_scale(*ex, g, random_variables(g, 1)) >= 1);
}
