// ONNX in and out with real weights: the importer keeps initializer values in the form the IR
// uses them (a convolution bias per channel, a Gemm bias numpy-broadcast, batch normalisation
// folded into scale and bias), checked against values computed by hand; and an exported model
// (weights pre-computed, as `optimize --out` writes it) reads back with the same input and
// output names and the same outputs.
#include <catch2/catch.hpp>

#include <cmath>

#include "applier/executor.h"
#include "applier/onnx_export.h"
#include "applier/onnx_import.h"
#include "applier/precompute.h"
#include "applier/validate.h"
#include "onnx.pb.h"
#include "tests/support/onnx_builder.h"

using namespace rf;

namespace {

struct Onnx : testing::OnnxBuilder {
    void init(const std::string& name, std::vector<int64_t> dims, std::vector<float> v) { initializer(name, dims, v); }
    applier::Model load() const { return applier::import_onnx(m.SerializeAsString(), "m.onnx", "m"); }
};

void attr_int(onnx::NodeProto* n, const char* name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
}

FloatTensor tensor(std::vector<int64_t> dims, std::vector<float> v) {
    return FloatTensor{std::move(dims), std::move(v)};
}

/// Runs a model on given inputs (by variable name) and its weights.
std::vector<FloatTensor> run(const Graph& g, const std::vector<FloatTensor>& weights_and_inputs) {
    auto ex = applier::make_reference_executor();
    return applier::run_graph(*ex, g, weights_and_inputs);
}

std::vector<FloatTensor> values_with_input(const applier::Model& m, const std::string& input, const FloatTensor& x) {
    std::vector<FloatTensor> v = applier::model_variables(m, 1);
    for (size_t i = 0; i < m.graph.variables().size(); ++i)
        if (m.graph.variables()[i].name == input) v[i] = x;
    return v;
}

}  // namespace

TEST_CASE("onnx import: weight values kept -- conv bias per channel, batch norm folded", "[applier][onnx]") {
    // x: two channels of one pixel. A 1x1 conv swapping the channels, bias [10, 20], then batch
    // norm with scale [2, 1], B [1, 0], mean [0.5, 2], var [3, 0], epsilon 1.
    Onnx o;
    o.input("x", {1, 2, 1, 1});
    o.init("w", {2, 2, 1, 1}, {0, 1, 1, 0});
    o.init("b", {2}, {10, 20});
    o.init("s", {2}, {2, 1});
    o.init("B", {2}, {1, 0});
    o.init("mean", {2}, {0.5, 2});
    o.init("var", {2}, {3, 0});
    o.node("Conv", {"x", "w", "b"}, "c");
    auto* bn = o.node("BatchNormalization", {"c", "s", "B", "mean", "var"}, "y");
    auto* eps = bn->add_attribute();
    eps->set_name("epsilon");
    eps->set_type(onnx::AttributeProto::FLOAT);
    eps->set_f(1.f);
    o.g->add_output()->set_name("y");
    applier::Model m = o.load();
    CHECK(m.output_names == std::vector<std::string>{"y"});
    CHECK(m.weights.size() == 4);  // w, b (broadcast), y's scale and bias
    auto y = run(m.graph, values_with_input(m, "x", tensor({1, 2, 1, 1}, {3, 5})));
    REQUIRE(y.size() == 1);
    // conv: [5 + 10, 3 + 20] = [15, 23]; bn: (15 - 0.5) / 2 * 2 + 1 = 15.5, (23 - 2) / 1 * 1 + 0 = 21
    CHECK(y[0].data[0] == Approx(15.5f));
    CHECK(y[0].data[1] == Approx(21.f));
}

TEST_CASE("onnx import: a Gemm bias broadcasts numpy-style, transB reads the weight transposed", "[applier][onnx]") {
    Onnx o;
    o.input("x", {2, 3});
    o.init("W", {2, 3}, {1, 0, 0, 0, 1, 1});  // transB: y = x W^T
    o.init("c", {2}, {100, 200});
    attr_int(o.node("Gemm", {"x", "W", "c"}, "y"), "transB", 1);
    o.g->add_output()->set_name("y");
    applier::Model m = o.load();
    auto y = run(m.graph, values_with_input(m, "x", tensor({2, 3}, {1, 2, 3, 4, 5, 6})));
    CHECK(y[0].data == std::vector<float>{101, 205, 104, 211});
}

TEST_CASE("onnx export: weights pre-computed, names kept, outputs equal after a round trip", "[applier][onnx]") {
    Onnx o;
    o.input("image", {1, 3, 8, 8});
    std::vector<float> w(4 * 3 * 3 * 3), w2(4 * 4 * 3 * 3);
    for (size_t i = 0; i < w.size(); ++i) w[i] = std::sin(static_cast<float>(i)) * 0.3f;
    for (size_t i = 0; i < w2.size(); ++i) w2[i] = std::cos(static_cast<float>(i)) * 0.2f;
    o.init("w", {4, 3, 3, 3}, w);
    o.init("w2", {4, 4, 3, 3}, w2);
    o.init("b", {4}, {0.1f, -0.2f, 0.3f, 0.f});
    auto* c = o.node("Conv", {"image", "w", "b"}, "c");
    auto* pads = c->add_attribute();
    pads->set_name("pads");
    pads->set_type(onnx::AttributeProto::INTS);
    for (int k = 0; k < 4; ++k) pads->add_ints(1);
    o.node("Relu", {"c"}, "r");
    auto* c2 = o.node("Conv", {"r", "w2"}, "c2");
    auto* s = c2->add_attribute();
    s->set_name("strides");
    s->set_type(onnx::AttributeProto::INTS);
    s->add_ints(2), s->add_ints(2);
    auto* mp = o.node("MaxPool", {"r"}, "pooled");
    auto* k = mp->add_attribute();
    k->set_name("kernel_shape");
    k->set_type(onnx::AttributeProto::INTS);
    k->add_ints(2), k->add_ints(2);
    auto* st = mp->add_attribute();
    st->CopyFrom(*s);
    o.g->add_output()->set_name("c2");
    o.g->add_output()->set_name("pooled");
    applier::Model m = o.load();

    auto ex = applier::make_reference_executor();
    FloatTensor x{{1, 3, 8, 8}, {}};
    for (int i = 0; i < 192; ++i) x.data.push_back(std::sin(0.7f * static_cast<float>(i)));
    const auto values = values_with_input(m, "image", x);
    applier::FoldedGraph f = applier::fold_weights(m.graph, values, *ex);
    const std::string bytes = applier::export_onnx(f.graph, f.variables, m.output_names);

    onnx::ModelProto back;
    REQUIRE(back.ParseFromString(bytes));
    CHECK(back.opset_import(0).version() == 13);
    REQUIRE(back.graph().input_size() == 1);
    CHECK(back.graph().input(0).name() == "image");
    REQUIRE(back.graph().output_size() == 2);
    CHECK(back.graph().output(0).name() == "c2");
    CHECK(back.graph().output(1).name() == "pooled");
    CHECK(back.graph().initializer_size() >= 3);

    applier::Model again = applier::import_onnx(bytes, "out.onnx", "out");
    const auto want = applier::run_graph(*ex, m.graph, values);
    const auto got = applier::run_graph(*ex, again.graph, values_with_input(again, "image", x));
    const applier::Comparison cmp = applier::compare_outputs(want, got, 1e-6);
    INFO(cmp.detail);
    CHECK(cmp.ok);
}

TEST_CASE("onnx export: an operator ONNX cannot take is named", "[applier][onnx]") {
    GraphBuilder b;
    ValueRef x = b.add_variable(Variable{"x", Role::Activation, make_type({2, 2})});
    ValueRef one = b.add1(OpKind::ConstOne, param::shape_list({2, 2}), {});
    Graph g = std::move(b).finish({b.add1(OpKind::EwAdd, {}, {x, one})});
    CHECK_THROWS_WITH(applier::export_onnx(g, {FloatTensor{{2, 2}, {1, 2, 3, 4}}}, {}),
                      Catch::Contains("const_one (node 1): a weight-only value; pre-compute the weights first"));
}
