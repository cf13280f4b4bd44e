// The ONNX importer's node dispatch and its transformer operators (applier/onnx_importer.h):
// Softmax, ReduceSum/ReduceMean, LayerNormalization, Pow, and gelu's erf form read as one gelu.
#include <cmath>

#include "applier/onnx_importer.h"

namespace rf::applier::onnx_import_detail {

// ---- transformer operators (issue 22) ----
int Importer::norm_axis(int64_t axis, ValueRef x) {
    const int64_t r = static_cast<int64_t>(d_nb.type(x).rank());
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) throw NodeError("axis out of range for " + d_nb.type(x).to_string());
    return static_cast<int>(axis);
}

ValueRef Importer::softmax(const onnx::NodeProto& n) {
    only_attrs(n, {"axis"});
    ValueRef x = operand(n, 0);
    const int last = static_cast<int>(d_nb.type(x).rank()) - 1;
    // Before opset 13 Softmax flattened every axis from `axis` on into one: the same as the
    // IR's softmax only when that is the last axis alone.
    const int axis = norm_axis(attr_int(n, "axis", d_opset < 13 ? 1 : -1), x);
    if (d_opset < 13 && axis != last)
        throw NodeError("opset " + std::to_string(d_opset) + " Softmax with axis " + std::to_string(axis) +
                        " normalises axes " + std::to_string(axis) + ".." + std::to_string(last) +
                        " together; the IR's softmax takes one axis");
    return d_nb.softmax(x, axis);
}

// ReduceSum / ReduceMean: axes as the attribute (ReduceMean before opset 18, ReduceSum
// before 13) or as the second input; several axes nest (a mean of equal-size means is the
// mean); keepdims = 0 reshapes the kept length-1 axes away.
ValueRef Importer::reduce(const onnx::NodeProto& n, bool mean) {
    only_attrs(n, {"axes", "keepdims", "noop_with_empty_axes"});
    ValueRef x = operand(n, 0);
    std::vector<int64_t> axes = attr_ints(n, "axes");
    if (n.input_size() > 1 && !n.input(1).empty()) {
        if (attr(n, "axes")) throw NodeError("axes given both as attribute and as input");
        axes = int_values(constant(n.input(1), "axes"));
    }
    const size_t r = d_nb.type(x).rank();
    if (axes.empty()) {
        if (attr_int(n, "noop_with_empty_axes", 0)) return x;
        for (size_t i = 0; i < r; ++i) axes.push_back(static_cast<int64_t>(i));
    }
    std::set<int> seen;
    for (int64_t a : axes)
        if (!seen.insert(norm_axis(a, x)).second) throw NodeError("axes " + join(axes) + " repeat an axis");
    ValueRef y = x;
    for (int a : seen) y = mean ? d_nb.reduce_mean(y, a) : d_nb.reduce_sum(y, a);
    if (attr_int(n, "keepdims", 1)) return y;
    std::vector<int64_t> kept;
    for (size_t i = 0; i < r; ++i)
        if (!seen.count(static_cast<int>(i))) kept.push_back(d_nb.dim(x, i));
    if (kept.empty()) throw NodeError("keepdims = 0 over every axis gives a scalar; the IR keeps rank >= 1");
    return d_nb.reshape(y, kept);
}

// The constant `name` holds one number (a scalar or a one-element tensor): its value.
std::optional<float> Importer::scalar_const(const std::string& name) {
    if (!is_const(name) || d_lazy.count(name)) return std::nullopt;
    auto v = float_values(*d_consts[name]);
    if (!v || v->data.size() != 1) return std::nullopt;
    return v->data[0];
}

// LayerNormalization (opset 17): the IR's layernorm adds 1e-5 under the root; another
// epsilon is imported decomposed, (x - mean) / sqrt(mean((x - mean)^2) + eps), which is
// what the operator means. Scale and B are the affine part (ewmul, ewadd, broadcast).
ValueRef Importer::layer_norm(const onnx::NodeProto& n) {
    only_attrs(n, {"axis", "epsilon", "stash_type"});
    for (int k = 1; k < n.output_size(); ++k)
        if (!n.output(k).empty()) throw NodeError("the Mean and InvStdDev outputs are not supported");
    ValueRef x = operand(n, 0);
    const int last = static_cast<int>(d_nb.type(x).rank()) - 1;
    const int axis = norm_axis(attr_int(n, "axis", -1), x);
    if (axis != last)
        throw NodeError("axis " + std::to_string(axis) + " normalises axes " + std::to_string(axis) + ".." +
                        std::to_string(last) + " together; the IR's layernorm takes one axis (export with axis -1)");
    const float eps = attr_float(n, "epsilon", 1e-5f);
    if (!(eps > 0)) throw NodeError("epsilon must be positive");
    ValueRef y;
    if (eps == 1e-5f) {
        y = d_nb.layernorm(x, axis);
    } else {
        ValueRef d = d_nb.sub(x, d_nb.reduce_mean(x, axis));
        ValueRef var = d_nb.reduce_mean(d_nb.mul(d, d), axis);
        const std::string e = unique((n.name().empty() ? n.output(0) : n.name()) + "_epsilon");
        d_weights[e] =
            FloatTensor{d_nb.dims(var), std::vector<float>(static_cast<size_t>(d_nb.type(var).volume()), eps)};
        y = d_nb.div(d, d_nb.sqrt(d_nb.add(var, d_nb.weight(d_nb.dims(var), e))));
    }
    y = affine_operand(n, 1, y, OpKind::EwMul);
    return affine_operand(n, 2, y, OpKind::EwAdd);
}

// y op input k (Scale or B of a norm), broadcast as Mul / Add broadcast it.
ValueRef Importer::affine_operand(const onnx::NodeProto& n, int k, ValueRef y, OpKind kind) {
    if (k >= n.input_size() || n.input(k).empty()) return y;
    const std::string& c = n.input(k);
    if (is_const(c)) {
        const onnx::TensorProto& t = *d_consts[c];
        std::vector<int64_t> cd(t.dims().begin(), t.dims().end());
        if (!broadcasts(cd, d_nb.dims(y)))
            throw NodeError("'" + c + "' " + join(cd) + " does not broadcast to " + d_nb.type(y).to_string());
        const std::string var = unique(c);
        ValueRef w = d_nb.weight(d_nb.dims(y), var);
        if (auto values = float_values(t)) d_weights[var] = broadcast(*values, d_nb.dims(y));
        return binary(kind, y, w);
    }
    ValueRef v = value(c);
    return binary(kind, y, at_rank(v, d_nb.type(y).rank()));
}

ValueRef Importer::pow(const onnx::NodeProto& n) {
    only_attrs(n, {});
    ValueRef x = operand(n, 0);
    if (n.input_size() < 2 || scalar_const(n.input(1)) != 2.f)
        throw NodeError("only the constant exponent 2 is supported (as x * x)");
    return d_nb.mul(x, x);
}

std::optional<Importer::Partial> Importer::partial(const std::string& name, Gelu stage) {
    auto it = d_partial.find(name);
    if (it == d_partial.end() || it->second.stage != stage) return std::nullopt;
    return it->second;
}

// Records `n`'s output as a stage of the pattern. Stages past Erf have no value; Scaled
// and Half are real values too, built only if something else reads them.
void Importer::record(const onnx::NodeProto& n, Gelu stage, const std::string& x, std::function<ValueRef()> make) {
    d_partial[n.output(0)] = {stage, x};
    const std::string out = n.output(0);
    d_lazy[out] = make ? std::move(make) : std::function<ValueRef()>([out]() -> ValueRef {
        throw NodeError("tensor '" + out +
                        "' is part of an erf (erf is supported only in gelu's form "
                        "0.5 * x * (1 + erf(x / sqrt 2))) and is used outside it");
    });
}

bool Importer::near(std::optional<float> v, double want) { return v && std::fabs(*v - want) < 1e-4 * want; }

// True when `n` was taken as a step of gelu's erf form.
bool Importer::gelu_step(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    if (n.input_size() != (op == "Erf" ? 1 : 2) || n.output_size() != 1 || n.attribute_size()) return false;
    const std::string& a = n.input(0);
    if (op == "Erf") {
        auto p = partial(a, Gelu::Scaled);
        if (!p) throw NodeError("Erf is supported only in gelu's form 0.5 * x * (1 + erf(x / sqrt 2))");
        record(n, Gelu::Erf, p->x);
        return true;
    }
    const std::string& b = n.input(1);
    // An undefined operand is reported by the ordinary path, at this node.
    for (const std::string* t : {&a, &b})
        if (!d_values.count(*t) && !d_lazy.count(*t) && !d_consts.count(*t)) return false;
    auto lazy = [this, n, op]() {
        return elementwise(n, op == "Div" ? OpKind::EwDiv : op == "Add" ? OpKind::EwAdd : OpKind::EwMul);
    };
    for (int side = 0; side < 2; ++side) {
        const std::string& u = side ? b : a;  // the computed operand
        const std::string& c = side ? a : b;  // the other one
        if (op == "Div" && side == 0 && near(scalar_const(c), std::sqrt(2.0)) && !is_const(u))
            return record(n, Gelu::Scaled, u, lazy), true;
        if (op == "Mul" && near(scalar_const(c), std::sqrt(0.5)) && !is_const(u))
            return record(n, Gelu::Scaled, u, lazy), true;
        if (op == "Mul" && near(scalar_const(c), 0.5) && !is_const(u)) {
            if (auto p = partial(u, Gelu::XOnePlusErf)) return define(n, {d_nb.gelu(value(p->x))}), true;
            return record(n, Gelu::Half, u, lazy), true;
        }
        if (op == "Add" && near(scalar_const(c), 1.0))
            if (auto p = partial(u, Gelu::Erf)) return record(n, Gelu::OnePlusErf, p->x), true;
        if (op == "Mul")
            if (auto p = partial(u, Gelu::OnePlusErf)) {
                if (c == p->x) return record(n, Gelu::XOnePlusErf, p->x), true;
                if (auto h = partial(c, Gelu::Half); h && h->x == p->x)
                    return define(n, {d_nb.gelu(value(p->x))}), true;
            }
    }
    return false;
}

void Importer::import_node(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx")
        throw NodeError("operator domain '" + n.domain() + "' is not supported");
    if (op == "Constant") {
        only_attrs(n, {"value"});
        if (!attr(n, "value") || !attr(n, "value")->has_t()) throw NodeError("only a tensor 'value' is supported");
        if (n.output_size() != 1) throw NodeError("needs one output");
        d_owned.push_back(attr(n, "value")->t());
        d_consts[n.output(0)] = &d_owned.back();
        return;
    }
    // ONNX's spellings of the catalogue's operators are the catalogue's (ir/op_kind.h); here
    // only their attributes are mapped.
    const std::optional<OpKind> kind = op_from_onnx_name(op);
    if ((op == "Div" || op == "Mul" || op == "Add" || op == "Erf") && gelu_step(n)) return;
    if (op == "Gelu") {  // opset 20
        only_attrs(n, {"approximate"});
        if (attr(n, "approximate") && attr(n, "approximate")->s() != "none")
            throw NodeError("approximate '" + attr(n, "approximate")->s() +
                            "' is not supported (the IR's gelu is the erf form)");
        return define(n, {d_nb.gelu(operand(n, 0))});
    }
    if (kind == OpKind::Softmax) return define(n, {softmax(n)});
    if (kind == OpKind::ReduceSum || kind == OpKind::ReduceMean)
        return define(n, {reduce(n, kind == OpKind::ReduceMean)});
    if (kind == OpKind::LayerNorm) return define(n, {layer_norm(n)});
    if (op == "Pow") return define(n, {pow(n)});
    if (kind == OpKind::EwSub || kind == OpKind::EwDiv) return define(n, {elementwise(n, *kind)});
    if (kind && op_info(*kind).has(kElementwise) && op_info(*kind).max_arity == 1)  // relu, sigmoid, tanh
        return only_attrs(n, {}), define(n, {d_nb.graph().add1(*kind, Params{}, {operand(n, 0)})});
    if (kind == OpKind::Conv2d) return define(n, {conv(n)});
    if (kind == OpKind::Matmul) return define(n, {matmul(n)});
    if (op == "Gemm") return define(n, {gemm(n)});
    if (kind == OpKind::EwAdd || kind == OpKind::EwMul) return define(n, {elementwise(n, *kind)});
    if (kind == OpKind::Transpose) {
        only_attrs(n, {"perm"});
        ValueRef x = operand(n, 0);
        std::vector<int32_t> perm;
        for (int64_t p : attr_ints(n, "perm")) perm.push_back(static_cast<int32_t>(p));
        if (perm.empty())  // ONNX's default reverses the axes
            for (size_t i = d_nb.type(x).rank(); i-- > 0;) perm.push_back(static_cast<int32_t>(i));
        return define(n, {d_nb.transpose(x, perm)});
    }
    if (kind == OpKind::Concat) {
        only_attrs(n, {"axis"});
        std::vector<ValueRef> parts;
        for (int k = 0; k < n.input_size(); ++k) parts.push_back(operand(n, k));
        if (parts.empty()) throw NodeError("needs at least one input");
        if (!attr(n, "axis")) throw NodeError("axis is required");
        return define(n, {d_nb.concat(axis_of(n, parts[0], 0), parts)});
    }
    if (kind == OpKind::Split) return define(n, split(n));
    if (kind == OpKind::PoolAvg) return define(n, {pool(n, false)});
    if (kind == OpKind::PoolMax) return define(n, {pool(n, true)});
    if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
        only_attrs(n, {});
        ValueRef x = operand(n, 0);
        need_rank(x, 4, "input");
        const int h = static_cast<int>(d_nb.dim(x, 2)), w = static_cast<int>(d_nb.dim(x, 3));
        return define(n, {op == "GlobalMaxPool" ? d_nb.maxpool(x, h, w, 1, 1, Padding::Valid)
                                                : d_nb.avgpool(x, h, w, 1, 1, Padding::Valid)});
    }
    if (kind == OpKind::Reshape) return define(n, {reshape(n)});
    if (op == "Flatten") return define(n, {flatten(n)});
    if (op == "Identity") return only_attrs(n, {}), define(n, {operand(n, 0)});
    if (op == "Dropout") {  // inference: the identity; its mask output is not supported
        only_attrs(n, {"seed", "ratio"});
        if (n.output_size() > 1 && !n.output(1).empty()) throw NodeError("the mask output is not supported");
        return define(n, {operand(n, 0)});
    }
    if (op == "BatchNormalization") {
        only_attrs(n, {"epsilon", "momentum", "training_mode", "spatial"});
        if (attr_int(n, "training_mode", 0) != 0) throw NodeError("training_mode is not supported");
        if (n.output_size() > 1) throw NodeError("running-statistics outputs are not supported");
        ValueRef x = operand(n, 0);
        need_rank(x, 4, "input");
        const std::string prefix = unique(n.name().empty() ? n.output(0) : n.name());
        batchnorm_values(n, d_nb.dims(x), prefix, attr_float(n, "epsilon", 1e-5f));
        return define(n, {d_nb.batchnorm(x, prefix)});
    }
    throw NodeError("operator type '" + op + "' has no counterpart in the IR");
}

}  // namespace rf::applier::onnx_import_detail
