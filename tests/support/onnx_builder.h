// Small ONNX models built in a test: inputs, outputs, float initializers and nodes of one graph
// (opset 13), for the tests of ONNX import, export and the ONNX Runtime consumer check.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "onnx.pb.h"

namespace rf::testing {

struct OnnxBuilder {
    onnx::ModelProto m;
    onnx::GraphProto* g = m.mutable_graph();

    explicit OnnxBuilder(int64_t ir_version = 8) {
        m.set_ir_version(ir_version);
        m.add_opset_import()->set_version(13);
    }
    void input(const std::string& name, const std::vector<int64_t>& dims) {
        auto* v = g->add_input();
        v->set_name(name);
        auto* tt = v->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(onnx::TensorProto::FLOAT);
        for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
    }
    void output(const std::string& name) { g->add_output()->set_name(name); }
    /// A FLOAT initializer with these values (raw little-endian data, as exporters write it).
    void initializer(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
        auto* t = g->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        for (int64_t d : dims) t->add_dims(d);
        t->set_raw_data(v.data(), v.size() * sizeof(float));
    }
    onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& in, const std::string& out) {
        auto* n = g->add_node();
        n->set_op_type(op);
        n->set_name(out);
        for (const auto& s : in) n->add_input(s);
        n->add_output(out);
        return n;
    }
};

}  // namespace rf::testing
