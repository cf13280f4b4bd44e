// ONNX import of issue 22's operators: a transformer block as frameworks export it at opset 17
// (LayerNormalization, Softmax, batched MatMul, Gelu's erf form) and at opset 13 (layer norm
// decomposed into ReduceMean, Sub, Pow, Add, Sqrt, Div), with numpy broadcasting; the two
// imports compute the same values, and what the IR cannot express is an error naming the node.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "applier/model.h"
#include "applier/onnx_import.h"
#include "ir/eval.h"
#include "tests/applier/model_counts.h"
#include "tests/support/onnx_builder.h"

using namespace rf;
using namespace rf::applier;
using rf::testing::OnnxBuilder;

namespace {

constexpr int64_t kSeq = 4, kHidden = 8, kHeads = 2, kDk = 4;

std::vector<float> values(size_t n, float lo, float hi, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = u(rng);
    return v;
}

void scalar(OnnxBuilder& o, const std::string& name, float v) { o.initializer(name, {}, {v}); }
void ints_init(OnnxBuilder& o, const std::string& name, std::vector<int64_t> v) {
    auto* t = o.g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
}
void attr_int(onnx::NodeProto* n, const char* name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
}
void attr_ints(onnx::NodeProto* n, const char* name, std::vector<int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
}
void attr_float(onnx::NodeProto* n, const char* name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
}

// y = layer_norm(x) * gamma + beta over the last axis, decomposed as PyTorch exports it at
// opset 13 (ReduceMean with an axes attribute), or as one LayerNormalization at opset 17.
std::string layer_norm(OnnxBuilder& o, const std::string& x, const std::string& p, bool decomposed) {
    if (!decomposed) {
        o.node("LayerNormalization", {x, p + "_gamma", p + "_beta"}, p + "_ln");
        return p + "_ln";
    }
    attr_ints(o.node("ReduceMean", {x}, p + "_mean"), "axes", {-1});
    o.node("Sub", {x, p + "_mean"}, p + "_d");
    o.node("Pow", {p + "_d", "two"}, p + "_sq");
    attr_ints(o.node("ReduceMean", {p + "_sq"}, p + "_var"), "axes", {-1});
    o.node("Add", {p + "_var", "eps"}, p + "_ve");
    o.node("Sqrt", {p + "_ve"}, p + "_std");
    o.node("Div", {p + "_d", p + "_std"}, p + "_n");
    o.node("Mul", {p + "_n", p + "_gamma"}, p + "_g");
    o.node("Add", {p + "_g", p + "_beta"}, p + "_ln");
    return p + "_ln";
}

// One attention head block: LN, Q/K/V (MatMul + bias), heads split with Reshape/Transpose,
// scores scaled by Div, Softmax, context, Transpose/Reshape back, residual, LN, Gemm, Gelu.
OnnxBuilder block(int opset, bool decomposed, bool gelu_erf) {
    OnnxBuilder o;
    o.m.mutable_opset_import(0)->set_version(opset);
    o.input("x", {kSeq, kHidden});
    uint32_t seed = 1;
    for (const char* p : {"ln1", "ln2"}) {
        o.initializer(std::string(p) + "_gamma", {kHidden}, values(kHidden, 0.5f, 1.5f, seed++));
        o.initializer(std::string(p) + "_beta", {kHidden}, values(kHidden, -0.1f, 0.1f, seed++));
    }
    scalar(o, "two", 2.f);
    scalar(o, "eps", 1e-5f);
    scalar(o, "scale", std::sqrt(static_cast<float>(kDk)));
    ints_init(o, "heads_shape", {kSeq, kHeads, kDk});
    ints_init(o, "back_shape", {kSeq, kHidden});
    const std::string h = layer_norm(o, "x", "ln1", decomposed);
    for (const char* w : {"q", "k", "v"}) {
        const std::string n = w;
        o.initializer(n + "_w", {kHidden, kHidden}, values(kHidden * kHidden, -0.3f, 0.3f, seed++));
        o.initializer(n + "_b", {kHidden}, values(kHidden, -0.1f, 0.1f, seed++));
        o.node("MatMul", {h, n + "_w"}, n + "_mm");
        o.node("Add", {n + "_mm", n + "_b"}, n + "_p");
        o.node("Reshape", {n + "_p", "heads_shape"}, n + "_r");
        attr_ints(o.node("Transpose", {n + "_r"}, n + "_h"), "perm",
                  n == "k" ? std::vector<int64_t>{1, 2, 0} : std::vector<int64_t>{1, 0, 2});
    }
    o.node("MatMul", {"q_h", "k_h"}, "scores");
    o.node("Div", {"scores", "scale"}, "scaled");
    attr_int(o.node("Softmax", {"scaled"}, "probs"), "axis", -1);
    o.node("MatMul", {"probs", "v_h"}, "ctx");
    attr_ints(o.node("Transpose", {"ctx"}, "ctx_t"), "perm", {1, 0, 2});
    o.node("Reshape", {"ctx_t", "back_shape"}, "ctx_r");
    o.node("Add", {"x", "ctx_r"}, "res");
    const std::string m = layer_norm(o, "res", "ln2", decomposed);
    o.initializer("ff_w", {kHidden, kHidden}, values(kHidden * kHidden, -0.3f, 0.3f, seed++));
    o.initializer("ff_b", {kHidden}, values(kHidden, -0.1f, 0.1f, seed++));
    o.node("Gemm", {m, "ff_w", "ff_b"}, "ff");
    if (gelu_erf) {  // 0.5 * x * (1 + erf(x / sqrt 2)), as torch.onnx writes F.gelu before opset 20
        scalar(o, "sqrt2", 1.4142135f);
        scalar(o, "one", 1.f);
        scalar(o, "half", 0.5f);
        o.node("Div", {"ff", "sqrt2"}, "g_s");
        o.node("Erf", {"g_s"}, "g_e");
        o.node("Add", {"g_e", "one"}, "g_1");
        o.node("Mul", {"ff", "g_1"}, "g_x");
        o.node("Mul", {"g_x", "half"}, "y");
    } else {
        o.node("Gelu", {"ff"}, "y");
    }
    o.output("y");
    return o;
}

// "op:n op:n ...", sorted: readable when a count differs.
std::string counts(const Graph& g) {
    std::string s;
    for (const auto& [op, n] : test::op_counts(g)) s += (s.empty() ? "" : " ") + op + ":" + std::to_string(n);
    return s;
}

Model load(const OnnxBuilder& o) { return import_onnx(o.m.SerializeAsString(), "block.onnx", "block"); }

std::string error(const OnnxBuilder& o) {
    try {
        load(o);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

FloatTensor run(const Model& m, const std::vector<float>& x) {
    std::vector<FloatTensor> vars;
    for (const Variable& v : m.graph.variables()) {
        if (v.role == Role::Activation) {
            vars.push_back({{kSeq, kHidden}, x});
        } else {
            REQUIRE(m.weights.count(v.name));
            vars.push_back(m.weights.at(v.name));
        }
    }
    auto outs = evaluate_float(m.graph, vars);
    REQUIRE(outs.size() == 1);
    return outs[0];
}

}  // namespace

TEST_CASE("onnx import: a transformer block at opset 17 maps onto issue 22's operators",
          "[applier][onnx][transformer]") {
    Model m = load(block(17, false, true));
    // 3 projections + 2 attention matmuls + the Gemm; 2 beta, 3 bias, the residual and the Gemm's
    // bias are ewadds; the erf form is one gelu.
    CHECK(counts(m.graph) == "ewadd:7 ewdiv:1 ewmul:2 gelu:1 layernorm:2 matmul:6 reshape:4 softmax:1 transpose:4");
    CHECK(m.graph.type(m.graph.outputs()[0]).to_string() == "[4,8]");
    // The same block with ONNX's Gelu (opset 20) is the same graph.
    CHECK(counts(load(block(20, false, false)).graph) == counts(m.graph));
}

TEST_CASE("onnx import: opset 13's decomposed layer norm computes what LayerNormalization does",
          "[applier][onnx][transformer]") {
    Model d = load(block(13, true, true));
    CHECK(counts(d.graph) ==
          "ewadd:9 ewdiv:3 ewmul:4 ewsub:2 gelu:1 matmul:6 reduce_mean:4 reshape:4 softmax:1 sqrt:2 transpose:4");
    Model n = load(block(17, false, true));
    const std::vector<float> x = values(kSeq * kHidden, -2.f, 2.f, 99);
    const FloatTensor a = run(d, x), b = run(n, x);
    REQUIRE(a.data.size() == b.data.size());
    double worst = 0;
    for (size_t i = 0; i < a.data.size(); ++i) worst = std::max(worst, std::fabs(double(a.data[i]) - b.data[i]));
    CHECK(worst < 1e-5);
    // And the erf form equals the IR's gelu: the imported value of a lone erf-form gelu.
    OnnxBuilder g;
    g.input("x", {2, 3});
    scalar(g, "sqrt2", 1.4142135f);
    scalar(g, "one", 1.f);
    scalar(g, "half", 0.5f);
    g.node("Mul", {"x", "half"}, "hx");  // (0.5 * x) * (1 + erf(x / sqrt 2)): the other order
    g.node("Div", {"x", "sqrt2"}, "s");
    g.node("Erf", {"s"}, "e");
    g.node("Add", {"one", "e"}, "e1");
    g.node("Mul", {"e1", "hx"}, "y");
    g.output("y");
    Model gm = load(g);
    CHECK(gm.graph.num_ops() == 1);
    CHECK(counts(gm.graph) == "gelu:1");
}

TEST_CASE("onnx import: reductions take axes as attribute or input, keepdims, broadcasting",
          "[applier][onnx][transformer]") {
    for (int opset : {13, 18}) {
        INFO("opset " << opset);
        OnnxBuilder o;
        o.m.mutable_opset_import(0)->set_version(opset);
        o.input("x", {2, 3, 4});
        o.input("r", {4});  // rank 1 against rank 3: numpy aligns at the last axis
        ints_init(o, "ax", {1});
        // ReduceSum takes axes as an input from opset 13, ReduceMean from 18.
        o.node("ReduceSum", {"x", "ax"}, "s");
        if (opset == 18)
            o.node("ReduceMean", {"x", "ax"}, "m");
        else
            attr_ints(o.node("ReduceMean", {"x"}, "m"), "axes", {1});
        o.node("Sub", {"s", "m"}, "d");    // [2,1,4] - [2,1,4]
        o.node("Mul", {"x", "d"}, "xd");   // [2,3,4] * [2,1,4]
        o.node("Add", {"xd", "r"}, "xr");  // [2,3,4] + [4]
        auto* k = o.node("ReduceSum", {"xr"}, "y");
        attr_ints(k, "axes", {0, 2});  // two axes nest; keepdims 0 drops them
        attr_int(k, "keepdims", 0);
        if (opset == 18) {  // the attribute form is gone at 18: the importer takes either
            k->mutable_attribute()->Clear();
            ints_init(o, "ax2", {0, -1});
            k->add_input("ax2");
            attr_int(k, "keepdims", 0);
        }
        o.output("y");
        Model m = load(o);
        CHECK(m.graph.type(m.graph.outputs()[0]).to_string() == "[3]");
        CHECK(counts(m.graph) == "ewadd:1 ewmul:1 ewsub:1 reduce_mean:1 reduce_sum:3 reshape:2");
        // Values: the numpy definition, computed here.
        const std::vector<float> x = values(24, -1.f, 1.f, 5), r = values(4, -1.f, 1.f, 6);
        auto outs = evaluate_float(m.graph, {{{2, 3, 4}, x}, {{4}, r}});
        for (int j = 0; j < 3; ++j) {
            double want = 0;
            for (int i = 0; i < 2; ++i)
                for (int l = 0; l < 4; ++l) {
                    double s = 0;
                    for (int jj = 0; jj < 3; ++jj) s += x[(i * 3 + jj) * 4 + l];
                    want += x[(i * 3 + j) * 4 + l] * (s - s / 3) + r[l];
                }
            CHECK(outs[0].data[j] == Approx(want).margin(1e-5));
        }
    }
}

TEST_CASE("onnx import: transformer nodes the IR cannot express are errors naming the node",
          "[applier][onnx][transformer]") {
    auto base = [](int opset = 17) {
        OnnxBuilder o;
        o.m.mutable_opset_import(0)->set_version(opset);
        o.input("x", {2, 3, 4});
        scalar(o, "three", 3.f);
        scalar(o, "sqrt2", 1.4142135f);
        o.output("y");
        return o;
    };
    {
        OnnxBuilder o = base();
        o.node("Erf", {"x"}, "y");
        CHECK(error(o) ==
              "block.onnx: Erf node 'y': Erf is supported only in gelu's form 0.5 * x * (1 + erf(x / sqrt 2))");
    }
    {
        OnnxBuilder o = base();
        o.node("Div", {"x", "sqrt2"}, "s");
        o.node("Erf", {"s"}, "e");
        o.node("Exp", {"e"}, "y");
        CHECK(error(o) ==
              "block.onnx: Exp node 'y': tensor 'e' is part of an erf (erf is supported only in gelu's "
              "form 0.5 * x * (1 + erf(x / sqrt 2))) and is used outside it");
    }
    {
        OnnxBuilder o = base();
        o.node("Div", {"nowhere", "sqrt2"}, "y");  // not taken for a step of gelu's erf form
        CHECK(error(o) == "block.onnx: Div node 'y': tensor 'nowhere' is not defined before it is used");
    }
    {
        OnnxBuilder o = base();
        o.node("Pow", {"x", "three"}, "y");
        CHECK(error(o) == "block.onnx: Pow node 'y': only the constant exponent 2 is supported (as x * x)");
    }
    {
        OnnxBuilder o = base();
        attr_int(o.node("LayerNormalization", {"x"}, "y"), "axis", 1);
        CHECK(error(o) ==
              "block.onnx: LayerNormalization node 'y': axis 1 normalises axes 1..2 together; the IR's "
              "layernorm takes one axis (export with axis -1)");
    }
    {
        OnnxBuilder o = base();
        auto* n = o.node("Gelu", {"x"}, "y");
        auto* a = n->add_attribute();
        a->set_name("approximate");
        a->set_type(onnx::AttributeProto::STRING);
        a->set_s("tanh");
        CHECK(error(o) ==
              "block.onnx: Gelu node 'y': approximate 'tanh' is not supported (the IR's gelu is the erf form)");
    }
    {
        OnnxBuilder o = base(11);
        attr_int(o.node("Softmax", {"x"}, "y"), "axis", 1);
        CHECK(error(o) ==
              "block.onnx: Softmax node 'y': opset 11 Softmax with axis 1 normalises axes 1..2 together; "
              "the IR's softmax takes one axis");
    }
    {
        OnnxBuilder o = base();
        attr_int(o.node("ReduceMean", {"x"}, "y"), "foo", 1);
        CHECK(error(o) == "block.onnx: ReduceMean node 'y': attribute 'foo' is not supported");
    }
    {
        OnnxBuilder o = base();
        o.input("z", {3, 4, 2});
        o.node("MatMul", {"x", "z"}, "mm");
        o.node("Relu", {"mm"}, "y");
        CHECK_THAT(error(o), Catch::StartsWith("block.onnx: MatMul node 'mm': "));
    }
}

TEST_CASE("onnx import: LayerNormalization with another epsilon is imported decomposed",
          "[applier][onnx][transformer]") {
    OnnxBuilder o;
    o.m.mutable_opset_import(0)->set_version(17);
    o.input("x", {2, 8});
    attr_float(o.node("LayerNormalization", {"x"}, "y"), "epsilon", 1e-12f);  // BERT's
    o.output("y");
    Model m = load(o);
    CHECK(counts(m.graph) == "ewadd:1 ewdiv:1 ewmul:1 ewsub:1 reduce_mean:2 sqrt:1");
    const std::vector<float> x = values(16, -3.f, 3.f, 8);
    std::vector<FloatTensor> vars;
    for (const Variable& v : m.graph.variables())
        vars.push_back(v.role == Role::Activation ? FloatTensor{{2, 8}, x} : m.weights.at(v.name));
    auto y = evaluate_float(m.graph, vars)[0];
    for (int r = 0; r < 2; ++r) {
        double mean = 0, var = 0;
        for (int c = 0; c < 8; ++c) mean += x[r * 8 + c] / 8.0;
        for (int c = 0; c < 8; ++c) var += (x[r * 8 + c] - mean) * (x[r * 8 + c] - mean) / 8.0;
        for (int c = 0; c < 8; ++c)
            CHECK(y.data[r * 8 + c] == Approx((x[r * 8 + c] - mean) / std::sqrt(var + 1e-12)).margin(1e-5));
    }
}
