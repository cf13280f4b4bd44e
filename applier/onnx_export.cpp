#include "applier/onnx_export.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>

#include "ir/eval_kernels.h"
#include "onnx.pb.h"

namespace rf::applier {

namespace {

constexpr int kOpset = 13;

class Exporter {
public:
    Exporter(const Graph& g, const std::vector<FloatTensor>& values) : d_g(g), d_values(values) {}

    std::string run(const std::vector<std::string>& output_names) {
        if (!output_names.empty() && output_names.size() != d_g.outputs().size())
            throw std::runtime_error("onnx export: " + std::to_string(output_names.size()) + " output names for " +
                                     std::to_string(d_g.outputs().size()) + " outputs");
        onnx::ModelProto m;
        m.set_ir_version(7);  // the IR version of opset 13
        m.set_producer_name("ruleforge");
        m.add_opset_import()->set_version(kOpset);
        d_graph = m.mutable_graph();
        d_graph->set_name("ruleforge");
        // An output produced by an operator takes the output's name directly; a model input,
        // weight or repeated value reaches its output through an Identity.
        std::map<ValueRef, std::string> direct;
        std::vector<std::string> names;
        for (size_t i = 0; i < d_g.outputs().size(); ++i) {
            const ValueRef v = d_g.outputs()[i];
            names.push_back(output_names.empty() ? "output" + std::to_string(i) : output_names[i]);
            if (d_g.node(v.node).op != OpKind::Input && !direct.count(v)) direct[v] = names.back();
        }
        d_direct = direct;
        for (uint32_t i = 0; i < d_g.nodes().size(); ++i) node(i);
        for (size_t i = 0; i < d_g.outputs().size(); ++i) {
            const ValueRef v = d_g.outputs()[i];
            if (name(v) != names[i]) emit("Identity", {name(v)}, names[i]);
            value_info(d_graph->add_output(), names[i], d_g.type(v));
        }
        return m.SerializeAsString();
    }

private:
    std::string name(ValueRef v) const {
        const Node& n = d_g.node(v.node);
        if (n.op == OpKind::Input) return d_g.variables()[param::variable(n.params)].name;
        if (auto it = d_direct.find(v); it != d_direct.end()) return it->second;
        return "t" + std::to_string(v.node) + (v.output ? "_" + std::to_string(v.output) : "");
    }

    static void value_info(onnx::ValueInfoProto* vi, const std::string& name, const TensorType& t) {
        vi->set_name(name);
        auto* tt = vi->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(onnx::TensorProto::FLOAT);
        auto* shape = tt->mutable_shape();
        for (const Dim& d : t.dims) shape->add_dim()->set_dim_value(d.value());
    }

    onnx::NodeProto* emit(const std::string& op, const std::vector<std::string>& inputs, const std::string& output) {
        onnx::NodeProto* n = d_graph->add_node();
        n->set_op_type(op);
        n->set_name(output);
        for (const std::string& in : inputs) n->add_input(in);
        n->add_output(output);
        return n;
    }

    static void ints(onnx::NodeProto* n, const char* name, const std::vector<int64_t>& v) {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INTS);
        for (int64_t x : v) a->add_ints(x);
    }
    static void int1(onnx::NodeProto* n, const char* name, int64_t v) {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(v);
    }

    std::string int64_initializer(const std::string& name, const std::vector<int64_t>& v) {
        onnx::TensorProto* t = d_graph->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::INT64);
        t->add_dims(static_cast<int64_t>(v.size()));
        for (int64_t x : v) t->add_int64_data(x);
        return name;
    }

    /// A rank-0 float constant (the decompositions' 0.5, 1, 1/sqrt(2), 1e-5).
    std::string float_initializer(const std::string& name, float v) {
        onnx::TensorProto* t = d_graph->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        t->add_float_data(v);
        return name;
    }

    /// x / sqrt(mean(c * c) + 1e-5) along `axis`, c = x - mean(x) when `center` (layernorm) else x
    /// (rmsnorm): opset 13 has neither LayerNormalization (17) nor RMSNormalization (23), and
    /// LayerNormalization normalises every axis from `axis` on, not one.
    void emit_norm(const std::string& x, const std::string& out, int64_t axis, bool center) {
        auto mean = [&](const std::string& v, const std::string& name) {
            onnx::NodeProto* r = emit("ReduceMean", {v}, name);
            ints(r, "axes", {axis});
            int1(r, "keepdims", 1);
            return name;
        };
        const std::string c = center ? emit("Sub", {x, mean(x, out + "_mean")}, out + "_centred")->output(0) : x;
        const std::string sq = emit("Mul", {c, c}, out + "_sq")->output(0);
        const std::string var = mean(sq, out + "_var");
        const std::string eps = emit("Add", {var, float_initializer(out + "_eps", 1e-5f)}, out + "_vareps")->output(0);
        const std::string den = emit("Sqrt", {eps}, out + "_den")->output(0);
        emit("Div", {c, den}, out);
    }

    void weight(int32_t var) {
        const Variable& decl = d_g.variables()[var];
        if (static_cast<size_t>(var) >= d_values.size() ||
            d_values[var].data.size() != static_cast<size_t>(decl.type.volume()))
            throw std::runtime_error("onnx export: weight '" + decl.name + "' has no value of type " +
                                     decl.type.to_string());
        onnx::TensorProto* t = d_graph->add_initializer();
        t->set_name(decl.name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        for (const Dim& d : decl.type.dims) t->add_dims(d.value());
        t->set_raw_data(d_values[var].data.data(), d_values[var].data.size() * sizeof(float));
    }

    // The pads ONNX needs for the IR's SAME window (the odd one after, as the evaluator pads).
    std::vector<int64_t> pads(const Node& n, const TensorType& in, int64_t kh, int64_t kw) {
        const bool same = param::padding(n.params, n.op) == Padding::Same;
        auto [sh, sw] = param::stride(n.params, n.op);
        std::vector<int64_t> p(4, 0);
        const int64_t H = in.dims[2].value(), W = in.dims[3].value();
        const int64_t OH = n.outputs[0].dims[2].value(), OW = n.outputs[0].dims[3].value();
        if (!same) return p;
        const int64_t th = std::max<int64_t>((OH - 1) * sh + kh - H, 0),
                      tw = std::max<int64_t>((OW - 1) * sw + kw - W, 0);
        p[0] = eval_detail::pad_before(true, H, OH, kh, sh);
        p[1] = eval_detail::pad_before(true, W, OW, kw, sw);
        p[2] = th - p[0];
        p[3] = tw - p[1];
        return p;
    }

    // The operator's own node, then its fused activation (if any) into the value's name.
    void with_activation(const Node& n, uint32_t i, const std::string& op, const std::vector<std::string>& in,
                         const std::function<void(onnx::NodeProto*)>& attrs) {
        const Activation act = param::activation(n.params, n.op);
        const std::string out = name({i, 0});
        attrs(emit(op, in, act == Activation::None ? out : out + "_pre"));
        switch (act) {
            case Activation::None: return;
            case Activation::Relu: emit("Relu", {out + "_pre"}, out); return;
            case Activation::Sigmoid: emit("Sigmoid", {out + "_pre"}, out); return;
            case Activation::Tanh: emit("Tanh", {out + "_pre"}, out); return;
        }
    }

    [[noreturn]] void unsupported(uint32_t i, const char* why) const {
        throw std::runtime_error("onnx export: " + std::string(op_name(d_g.node(i).op)) + " (node " +
                                 std::to_string(i) + "): " + why);
    }

    // Gelu is opset 20: written as x * 0.5 * (1 + erf(x / sqrt(2))).
    void emit_gelu(const std::string& x, const std::string& out) {
        const std::string s =
            emit("Mul", {x, float_initializer(out + "_rsqrt2", 0.70710678118654752f)}, out + "_scaled")->output(0);
        const std::string e = emit("Erf", {s}, out + "_erf")->output(0);
        const std::string p = emit("Add", {e, float_initializer(out + "_one", 1.f)}, out + "_erf1")->output(0);
        const std::string h = emit("Mul", {x, float_initializer(out + "_half", 0.5f)}, out + "_half_x")->output(0);
        emit("Mul", {h, p}, out);
    }

    void node(uint32_t i) {
        const Node& n = d_g.node(i);
        std::vector<std::string> in;
        for (const ValueRef& v : n.inputs) in.push_back(name(v));
        const std::string out = name({i, 0});
        switch (n.op) {
            case OpKind::Input: {
                const int32_t var = param::variable(n.params);
                const Variable& decl = d_g.variables()[var];
                if (decl.role == Role::Weight)
                    weight(var);
                else
                    value_info(d_graph->add_input(), decl.name, decl.type);
                return;
            }
            case OpKind::Conv2d: {
                const TensorType &x = d_g.type(n.inputs[0]), &w = d_g.type(n.inputs[1]);
                const int64_t kh = w.dims[2].value(), kw = w.dims[3].value();
                const auto [sh, sw] = param::stride(n.params, n.op);
                const int64_t stride_h = sh, stride_w = sw;  // clang 14 cannot capture bindings
                const auto p = pads(n, x, kh, kw);
                const int64_t group = x.dims[1].value() / w.dims[1].value();
                with_activation(n, i, "Conv", in, [&](onnx::NodeProto* c) {
                    ints(c, "kernel_shape", {kh, kw});
                    ints(c, "strides", {stride_h, stride_w});
                    ints(c, "pads", p);
                    int1(c, "group", group);
                });
                return;
            }
            case OpKind::Matmul: return with_activation(n, i, "MatMul", in, [](onnx::NodeProto*) {});
            case OpKind::PoolAvg:
            case OpKind::PoolMax: {
                const auto [kernel_h, kernel_w] = param::kernel(n.params);
                const auto [sh, sw] = param::stride(n.params, n.op);
                // clang 14 cannot capture structured bindings in a lambda
                const int64_t kh = kernel_h, kw = kernel_w, stride_h = sh, stride_w = sw;
                const auto p = pads(n, d_g.type(n.inputs[0]), kh, kw);
                const bool avg = n.op == OpKind::PoolAvg;
                with_activation(n, i, avg ? "AveragePool" : "MaxPool", in, [&](onnx::NodeProto* c) {
                    ints(c, "kernel_shape", {kh, kw});
                    ints(c, "strides", {stride_h, stride_w});
                    ints(c, "pads", p);
                    if (avg) int1(c, "count_include_pad", 1);  // the IR divides by the whole window
                });
                return;
            }
            case OpKind::EwAdd: emit("Add", in, out); return;
            case OpKind::EwMul:
            case OpKind::Smul: emit("Mul", in, out); return;  // smul's rank-0 scalar broadcasts
            case OpKind::Relu: emit("Relu", in, out); return;
            case OpKind::Sigmoid: emit("Sigmoid", in, out); return;
            case OpKind::Tanh: emit("Tanh", in, out); return;
            case OpKind::EwSub: emit("Sub", in, out); return;
            case OpKind::EwDiv: emit("Div", in, out); return;
            case OpKind::Softmax: int1(emit("Softmax", in, out), "axis", param::axis(n.params)); return;
            case OpKind::ReduceSum: {  // opset 13: the axes are an input
                in.push_back(int64_initializer(out + "_axes", {param::axis(n.params)}));
                int1(emit("ReduceSum", in, out), "keepdims", 1);
                return;
            }
            case OpKind::ReduceMean: {  // opset 13: the axes are an attribute
                onnx::NodeProto* r = emit("ReduceMean", in, out);
                ints(r, "axes", {param::axis(n.params)});
                int1(r, "keepdims", 1);
                return;
            }
            case OpKind::LayerNorm:
            case OpKind::RmsNorm:
                emit_norm(in[0], out, param::axis(n.params), n.op == OpKind::LayerNorm);
                return;
                RF_UNARY_ELEMENTWISE_CASES  // the catalogue's ONNX spelling, when it has one
                if (n.op == OpKind::Gelu) return emit_gelu(in[0], out);
                if (op_info(n.op).onnx_name.empty()) unsupported(i, "ONNX has no such operator");
                emit(std::string(op_info(n.op).onnx_name), in, out);
                return;
            case OpKind::Transpose: {
                std::vector<int64_t> perm;
                for (int32_t p : param::list(n.params)) perm.push_back(p);
                ints(emit("Transpose", in, out), "perm", perm);
                return;
            }
            case OpKind::Concat: int1(emit("Concat", in, out), "axis", param::axis(n.params)); return;
            case OpKind::Split: {
                const int32_t axis = param::axis(n.params);
                const std::vector<int64_t> sizes = {n.outputs[0].dims[axis].value(), n.outputs[1].dims[axis].value()};
                in.push_back(int64_initializer(out + "_split", sizes));
                onnx::NodeProto* s = emit("Split", in, out);
                s->add_output(name({i, 1}));
                int1(s, "axis", axis);
                return;
            }
            case OpKind::Reshape: {
                std::vector<int64_t> shape;
                for (const Dim& d : n.outputs[0].dims) shape.push_back(d.value());
                in.push_back(int64_initializer(out + "_shape", shape));
                emit("Reshape", in, out);
                return;
            }
            case OpKind::Enlarge:
            case OpKind::ConstImm:
            case OpKind::ConstIconv:
            case OpKind::ConstOne:
            case OpKind::ConstPool:
                unsupported(i, "a weight-only value; pre-compute the weights first (applier/precompute.h)");
            case OpKind::Repartition:
            case OpKind::Combine:
            case OpKind::Replicate:
            case OpKind::Reduction: unsupported(i, "a parallel operator has no ONNX counterpart");
        }
    }

    const Graph& d_g;
    const std::vector<FloatTensor>& d_values;
    onnx::GraphProto* d_graph = nullptr;
    std::map<ValueRef, std::string> d_direct;
};

}  // namespace

std::string export_onnx(const Graph& g, const std::vector<FloatTensor>& values,
                        const std::vector<std::string>& output_names) {
    return Exporter(g, values).run(output_names);
}

void write_onnx(const std::string& path, const Graph& g, const std::vector<FloatTensor>& values,
                const std::vector<std::string>& output_names) {
    const std::string bytes = export_onnx(g, values, output_names);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace rf::applier
