// Issue 22's operators in the ONNX export at opset 13: Sub, Div, Exp, Sqrt, Softmax (axis),
// ReduceSum (axes input), ReduceMean (axes attribute), with Gelu (opset 20) and the norms
// (LayerNormalization 17, RMSNormalization 23) written as their decompositions.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "applier/onnx_export.h"
#include "onnx.pb.h"
#include "tests/support/graph_vars.h"

using namespace rf;
using rf::testing::act;

namespace {

std::map<std::string, int> op_counts(const onnx::ModelProto& m) {
    std::map<std::string, int> n;
    for (const onnx::NodeProto& node : m.graph().node()) ++n[node.op_type()];
    return n;
}

}  // namespace

TEST_CASE("onnx export: the transformer operators at opset 13", "[applier][onnx][transformer]") {
    GraphBuilder b({act("x", {2, 3}), act("y", {2, 1})});
    const ValueRef x = b.input(0), y = b.input(1);
    std::vector<ValueRef> outs{
        b.add1(OpKind::EwSub, {}, {x, y}),
        b.add1(OpKind::EwDiv, {}, {x, y}),
        b.add1(OpKind::Exp, {}, {x}),
        b.add1(OpKind::Sqrt, {}, {x}),
        b.add1(OpKind::Gelu, {}, {x}),
        b.add1(OpKind::Softmax, param::axis_param(1), {x}),
        b.add1(OpKind::ReduceSum, param::axis_param(1), {x}),
        b.add1(OpKind::ReduceMean, param::axis_param(0), {x}),
        b.add1(OpKind::LayerNorm, param::axis_param(1), {x}),
        b.add1(OpKind::RmsNorm, param::axis_param(1), {x}),
    };
    const Graph g = std::move(b).finish(outs);
    std::vector<std::string> names;
    for (size_t i = 0; i < outs.size(); ++i) names.push_back("out" + std::to_string(i));
    onnx::ModelProto m;
    REQUIRE(m.ParseFromString(applier::export_onnx(g, {}, names)));
    const auto n = op_counts(m);
    CHECK(n.count("Gelu") == 0);
    CHECK(n.count("LayerNormalization") == 0);
    CHECK(n.count("RMSNormalization") == 0);
    CHECK(n.at("Erf") == 1);
    CHECK(n.at("Softmax") == 1);
    CHECK(n.at("ReduceSum") == 1);
    CHECK(n.at("ReduceMean") == 1 + 3);  // its own, layernorm's two, rmsnorm's one
    CHECK(n.at("Sqrt") == 1 + 2);
    CHECK(n.at("Sub") == 1 + 1);
    CHECK(n.at("Div") == 1 + 2);
    CHECK(n.at("Exp") == 1);
    for (const onnx::NodeProto& node : m.graph().node()) {
        INFO(node.op_type() << " " << node.output(0));
        if (node.op_type() == "Softmax") {
            REQUIRE(node.attribute_size() == 1);
            CHECK(node.attribute(0).name() == "axis");
            CHECK(node.attribute(0).i() == 1);
        }
        if (node.op_type() == "ReduceSum") CHECK(node.input_size() == 2);   // opset 13: axes is an input
        if (node.op_type() == "ReduceMean") CHECK(node.input_size() == 1);  // ...but an attribute here
    }
}
