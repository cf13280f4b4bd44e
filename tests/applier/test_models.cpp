// The built-in benchmark models: each builds (so every node type-checks), and its operator
// counts and output shapes equal the ones worked out by hand from TASO's scripts
// (docs/models.md shows the arithmetic). A changed block structure, a lost downsample
// convolution or an extra layer changes a count.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <random>
#include <set>

#include "applier/model.h"
#include "ir/eval.h"
#include "tests/applier/model_counts.h"

using namespace rf;
using Counts = std::map<std::string, int>;

namespace {

struct Expect {
    const char* name;
    int ops;
    Counts counts;
    int activations, weights;
    std::vector<std::string> output_shapes;
};

const std::vector<Expect>& expectations() {
    static const std::vector<Expect> e = {
        // 16 bottlenecks x 3 convs + 4 shortcut projections; no stem in TASO's version.
        {"resnet50", 84, {{"conv2d", 52}, {"ewadd", 16}, {"relu", 16}}, 1, 52, {"[1,2048,7,7]"}},
        // + the 7x7 stem conv and its max-pool.
        {"resnext50", 86, {{"conv2d", 53}, {"poolmax", 1}, {"ewadd", 16}, {"relu", 16}}, 1, 53, {"[1,2048,7,7]"}},
        // 8 layers x (3 projections + 2 batched matmuls + 1 linear; 4 reshapes; 4 transposes).
        {"bert",
         112,
         {{"matmul", 48}, {"reshape", 32}, {"transpose", 32}},
         1,
         32,
         {"[64,1024]", "[64,1024]", "[64,1024]", "[64,1024]", "[64,1024]", "[64,1024]", "[64,1024]", "[64,1024]",
          "[64,1024]"}},
        // Issue 22's blocks (applier/models/attention.cpp): attention is 4 projections (matmul and,
        // with bias, ewadd), 3 reshape+transpose pairs into heads, Q K^T, smul, softmax, x V, one
        // transpose+reshape back. BERT adds 2 residual ewadds, 2 layernorms with ewmul/ewadd
        // affine parts and a 2-matmul gelu feed-forward with biases.
        {"bert_layer",
         33,
         {{"matmul", 8},
          {"ewadd", 10},
          {"ewmul", 2},
          {"layernorm", 2},
          {"gelu", 1},
          {"reshape", 4},
          {"transpose", 4},
          {"smul", 1},
          {"softmax", 1}},
         1,
         17,
         {"[128,768]"}},
        // GPT-2: the same operators, pre-norm, plus the mask's ewadd (and the mask input).
        {"gpt2_block",
         34,
         {{"matmul", 8},
          {"ewadd", 11},
          {"ewmul", 2},
          {"layernorm", 2},
          {"gelu", 1},
          {"reshape", 4},
          {"transpose", 4},
          {"smul", 1},
          {"softmax", 1}},
         2,
         17,
         {"[128,768]"}},
        // Llama: no biases; 2 rmsnorms with an ewmul gain; gate, up, down matmuls, silu as
        // ewmul(g, sigmoid(g)) and the gating ewmul; 2 residual ewadds.
        {"llama_block",
         28,
         {{"matmul", 9},
          {"ewadd", 2},
          {"ewmul", 4},
          {"rmsnorm", 2},
          {"sigmoid", 1},
          {"reshape", 4},
          {"transpose", 4},
          {"smul", 1},
          {"softmax", 1}},
         1,
         10,
         {"[128,768]"}},
        // 5 steps x (16 matmuls, 8+3 ewadds, 4 ewmuls, 2 relu, 5 sigmoid, 8 tanh).
        {"nasrnn",
         230,
         {{"matmul", 80}, {"ewadd", 55}, {"ewmul", 20}, {"relu", 10}, {"sigmoid", 25}, {"tanh", 40}},
         5,
         81,
         {"[1,512]"}},
        // 15 normal cells (12 convs, 2 avg-pools, 5 adds, 1 concat) + 3 reduction cells (12 convs,
        // 1 max-pool, 2 avg-pools, 5 adds, 1 concat) + the leading 1x1 max-pool.
        {"nasnet_a",
         364,
         {{"conv2d", 216}, {"poolmax", 4}, {"poolavg", 36}, {"ewadd", 90}, {"concat", 18}},
         1,
         216,
         {"[1,5120,7,7]"}},
        // front 5 convs/2 pools; A x3 (7 convs), B (4), C x4 (10), D (6), E x2 (9); global pool.
        {"inception_v3",
         119,
         {{"conv2d", 94}, {"poolmax", 4}, {"poolavg", 10}, {"concat", 11}},
         1,
         94,
         {"[1,2048,1,1]"}},
        // conv1, 8 fire modules (3 convs + concat), conv10; 3 max-pools, global avg-pool, flatten.
        {"squeezenet",
         39,
         {{"conv2d", 26}, {"poolmax", 3}, {"poolavg", 1}, {"concat", 8}, {"reshape", 1}},
         1,
         26,
         {"[1,1000]"}},
        // 16 convs in 5 blocks with 5 max-pools, flatten, 3 fully connected layers.
        {"vgg19", 25, {{"conv2d", 16}, {"poolmax", 5}, {"reshape", 1}, {"matmul", 3}}, 1, 19, {"[1,1000]"}},
    };
    return e;
}

}  // namespace

TEST_CASE("applier: the built-in model list is sorted and complete", "[applier]") {
    std::vector<std::string> want;
    for (const Expect& e : expectations()) want.push_back(e.name);
    std::sort(want.begin(), want.end());
    CHECK(applier::model_names() == want);
}

TEST_CASE("applier: every built-in model builds with the counts worked out by hand", "[applier]") {
    for (const Expect& e : expectations()) {
        INFO("model " << e.name);
        auto t0 = std::chrono::steady_clock::now();
        applier::Model m = applier::build_model(e.name);
        auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        CHECK(m.name == e.name);
        CHECK(m.graph.num_ops() == e.ops);
        CHECK(test::op_counts(m.graph) == e.counts);
        CHECK(test::count_role(m.graph, Role::Activation) == e.activations);
        CHECK(test::count_role(m.graph, Role::Weight) == e.weights);
        std::vector<std::string> shapes;
        for (const ValueRef& v : m.graph.outputs()) shapes.push_back(m.graph.type(v).to_string());
        CHECK(shapes == e.output_shapes);
        // Every variable is an operand somewhere: a model has no dangling inputs or weights.
        std::set<uint32_t> used;
        for (const Node& n : m.graph.nodes())
            for (const ValueRef& v : n.inputs)
                if (m.graph.node(v.node).op == OpKind::Input) used.insert(v.node);
        CHECK(used.size() == m.graph.variables().size());
        CHECK(ms < 1000.0);
    }
}

TEST_CASE("applier: grouped and depthwise convolutions carry their groups in the weight shape", "[applier]") {
    applier::Model m = applier::build_model("resnext50");
    int grouped = 0;
    for (const Node& n : m.graph.nodes()) {
        if (n.op != OpKind::Conv2d) continue;
        const TensorType &x = m.graph.type(n.inputs[0]), &w = m.graph.type(n.inputs[1]);
        if (x.dims[1].value() / w.dims[1].value() == 32) ++grouped;
    }
    CHECK(grouped == 16);  // the 3x3 conv of every bottleneck

    applier::Model nas = applier::build_model("nasnet_a");
    int depthwise = 0;
    for (const Node& n : nas.graph.nodes())
        if (n.op == OpKind::Conv2d && nas.graph.type(n.inputs[1]).dims[1].value() == 1) ++depthwise;
    CHECK(depthwise == 3 * (5 * 5 + 5));  // one per separable conv
}

TEST_CASE("applier: an unknown model name lists the known ones", "[applier]") {
    try {
        applier::build_model("resnet51");
        FAIL("no error");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) ==
              "unknown model 'resnet51'; known: bert, bert_layer, gpt2_block, inception_v3, llama_block, nasnet_a, "
              "nasrnn, resnet50, resnext50, squeezenet, vgg19");
    }
}

TEST_CASE("applier: the recurrent and attention models evaluate in float", "[applier]") {
    // The two cheapest models run end to end through the reference evaluator: batched matmul,
    // reshape and shuffle-transpose (bert) and every activation (nasrnn) at their real sizes.
    for (const char* name : {"nasrnn", "bert"}) {
        INFO("model " << name);
        applier::Model m = applier::build_model(name);
        std::mt19937_64 rng(7);
        std::vector<FloatTensor> vars;
        for (const Variable& v : m.graph.variables()) vars.push_back(random_float(v.type, rng, -0.05f, 0.05f));
        auto outs = evaluate_float(m.graph, vars);
        REQUIRE(outs.size() == m.graph.outputs().size());
        size_t not_finite = 0;
        for (const FloatTensor& t : outs)
            for (float x : t.data) not_finite += !std::isfinite(x);
        CHECK(not_finite == 0);
    }
}

TEST_CASE("applier: every built-in model evaluates on the reference evaluator", "[applier][.slow]") {
    // Seconds to minutes per convolutional model on the plain loops of ir/eval.h: this records
    // what the reference costs (run one with -c MODEL); the fast executors exist for the rest.
    for (const std::string& name : applier::model_names()) {
        DYNAMIC_SECTION(name) {
            applier::Model m = applier::build_model(name);
            std::mt19937_64 rng(7);
            std::vector<FloatTensor> vars;
            for (const Variable& v : m.graph.variables()) vars.push_back(random_float(v.type, rng, -0.05f, 0.05f));
            auto t0 = std::chrono::steady_clock::now();
            auto outs = evaluate_float(m.graph, vars);
            double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            WARN(name << ": reference float evaluation " << s << " s");
            size_t not_finite = 0;
            for (const FloatTensor& t : outs)
                for (float x : t.data) not_finite += !std::isfinite(x);
            CHECK(not_finite == 0);
        }
    }
}
