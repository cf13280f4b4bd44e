#include "applier/models/net_builder.h"

#include <cstdint>
#include <stdexcept>

namespace rf::applier {

namespace {

std::vector<Dim> to_dims(const std::vector<int64_t>& dims) {
    std::vector<Dim> d;
    d.reserve(dims.size());
    for (int64_t x : dims) d.push_back(Dim(x));
    return d;
}

}  // namespace

ValueRef NetBuilder::variable(const std::string& name, Role role, const std::vector<int64_t>& dims) {
    for (int64_t d : dims)
        if (d < 1) {
            std::string s;
            for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
            throw TypeError("variable '" + name + "': dimensions must be positive, got [" + s + "]");
        }
    return d_b.add_variable(Variable{name, role, make_type(to_dims(dims))});
}

ValueRef NetBuilder::input(const std::string& name, const std::vector<int64_t>& dims) {
    return variable(name, Role::Activation, dims);
}

ValueRef NetBuilder::weight(const std::vector<int64_t>& dims, const std::string& name) {
    return variable(name.empty() ? "w" + std::to_string(d_next_weight++) : name, Role::Weight, dims);
}

ValueRef NetBuilder::conv(ValueRef x, int64_t out, int kh, int kw, int sh, int sw, Padding pad, Activation act,
                          int64_t groups) {
    const int64_t in = dim(x, 1);
    if (groups < 1 || in % groups != 0)
        throw TypeError("conv2d: " + std::to_string(in) + " input channels not divisible into " +
                        std::to_string(groups) + " groups");
    return conv(x, weight({out, in / groups, kh, kw}), sh, sw, pad, act);
}

ValueRef NetBuilder::conv(ValueRef x, ValueRef w, int sh, int sw, Padding pad, Activation act) {
    return d_b.add1(OpKind::Conv2d, param::conv2d(sh, sw, pad, act), {x, w});
}

ValueRef NetBuilder::matmul(ValueRef a, ValueRef b, Activation act) {
    return d_b.add1(OpKind::Matmul, param::matmul(act), {a, b});
}

ValueRef NetBuilder::add(ValueRef a, ValueRef b) { return d_b.add1(OpKind::EwAdd, Params{}, {a, b}); }
ValueRef NetBuilder::mul(ValueRef a, ValueRef b) { return d_b.add1(OpKind::EwMul, Params{}, {a, b}); }
ValueRef NetBuilder::relu(ValueRef x) { return d_b.add1(OpKind::Relu, Params{}, {x}); }
ValueRef NetBuilder::sigmoid(ValueRef x) { return d_b.add1(OpKind::Sigmoid, Params{}, {x}); }
ValueRef NetBuilder::tanh(ValueRef x) { return d_b.add1(OpKind::Tanh, Params{}, {x}); }

ValueRef NetBuilder::sub(ValueRef a, ValueRef b) { return d_b.add1(OpKind::EwSub, Params{}, {a, b}); }
ValueRef NetBuilder::div(ValueRef a, ValueRef b) { return d_b.add1(OpKind::EwDiv, Params{}, {a, b}); }
ValueRef NetBuilder::exp(ValueRef x) { return d_b.add1(OpKind::Exp, Params{}, {x}); }
ValueRef NetBuilder::sqrt(ValueRef x) { return d_b.add1(OpKind::Sqrt, Params{}, {x}); }
ValueRef NetBuilder::gelu(ValueRef x) { return d_b.add1(OpKind::Gelu, Params{}, {x}); }
ValueRef NetBuilder::smul(ValueRef x, ValueRef scalar) { return d_b.add1(OpKind::Smul, Params{}, {x, scalar}); }

ValueRef NetBuilder::reduce_sum(ValueRef x, int axis) {
    return d_b.add1(OpKind::ReduceSum, param::axis_param(axis), {x});
}
ValueRef NetBuilder::reduce_mean(ValueRef x, int axis) {
    return d_b.add1(OpKind::ReduceMean, param::axis_param(axis), {x});
}
ValueRef NetBuilder::softmax(ValueRef x, int axis) { return d_b.add1(OpKind::Softmax, param::axis_param(axis), {x}); }
ValueRef NetBuilder::layernorm(ValueRef x, int axis) {
    return d_b.add1(OpKind::LayerNorm, param::axis_param(axis), {x});
}
ValueRef NetBuilder::rmsnorm(ValueRef x, int axis) { return d_b.add1(OpKind::RmsNorm, param::axis_param(axis), {x}); }

ValueRef NetBuilder::affine(ValueRef x, const std::string& name_prefix, bool bias) {
    std::vector<int64_t> d(type(x).rank(), 1);
    d.back() = dims(x).back();
    ValueRef y = mul(x, weight(d, name_prefix + "_gamma"));
    return bias ? add(y, weight(d, name_prefix + "_beta")) : y;
}

ValueRef NetBuilder::linear(ValueRef x, int64_t out, const std::string& name_prefix, bool bias) {
    ValueRef y = matmul(x, weight({dims(x).back(), out}, name_prefix + "_w"));
    return bias ? add(y, weight({1, out}, name_prefix + "_b")) : y;
}

ValueRef NetBuilder::maxpool(ValueRef x, int kh, int kw, int sh, int sw, Padding pad, Activation act) {
    return d_b.add1(OpKind::PoolMax, param::pool(kh, kw, sh, sw, pad, act), {x});
}

ValueRef NetBuilder::avgpool(ValueRef x, int kh, int kw, int sh, int sw, Padding pad, Activation act) {
    return d_b.add1(OpKind::PoolAvg, param::pool(kh, kw, sh, sw, pad, act), {x});
}

ValueRef NetBuilder::concat(int axis, const std::vector<ValueRef>& parts) {
    if (parts.empty()) throw TypeError("concat: no operands");
    if (parts.size() == 1) return parts[0];
    const size_t max_arity = static_cast<size_t>(op_info(OpKind::Concat).max_arity);
    std::vector<ValueRef> rest(parts.begin(), parts.end());
    // Fold from the left in chunks the IR accepts: concat(concat(p0..p7), p8, ...).
    while (rest.size() > max_arity) {
        std::vector<ValueRef> head(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(max_arity));
        ValueRef joined = d_b.add1(OpKind::Concat, param::axis_param(axis), head);
        rest.erase(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(max_arity));
        rest.insert(rest.begin(), joined);
    }
    return d_b.add1(OpKind::Concat, param::axis_param(axis), rest);
}

ValueRef NetBuilder::reshape(ValueRef x, const std::vector<int64_t>& dims) {
    if (static_cast<int>(dims.size()) > kMaxListLen)
        throw TypeError("reshape: at most " + std::to_string(kMaxListLen) + " dimensions");
    std::vector<int32_t> d;
    for (int64_t v : dims) {
        if (v < 1 || v > INT32_MAX) throw TypeError("reshape: dimension " + std::to_string(v) + " out of range");
        d.push_back(static_cast<int32_t>(v));
    }
    return d_b.add1(OpKind::Reshape, param::shape_list(d), {x});
}

ValueRef NetBuilder::transpose(ValueRef x, const std::vector<int32_t>& perm) {
    if (static_cast<int>(perm.size()) > kMaxListLen)
        throw TypeError("transpose: at most " + std::to_string(kMaxListLen) + " dimensions");
    return d_b.add1(OpKind::Transpose, param::transpose(perm, true), {x});
}

ValueRef NetBuilder::add_bias(ValueRef x, const std::string& name) { return add(x, weight(dims(x), name)); }

ValueRef NetBuilder::batchnorm(ValueRef x, const std::string& name_prefix) {
    if (type(x).rank() != 4) throw TypeError("batchnorm: input must have rank 4, got " + type(x).to_string());
    const int64_t c = dim(x, 1);
    ValueRef scale = weight({c, 1, 1, 1}, name_prefix.empty() ? "" : name_prefix + "_scale");
    ValueRef y = conv(x, scale, 1, 1, Padding::Same);
    return add_bias(y, name_prefix.empty() ? "" : name_prefix + "_bias");
}

int64_t NetBuilder::dim(ValueRef v, size_t axis) const {
    const TensorType& t = type(v);
    if (axis >= t.rank()) throw TypeError("axis " + std::to_string(axis) + " out of range for " + t.to_string());
    return t.dims[axis].value();
}

std::vector<int64_t> NetBuilder::dims(ValueRef v) const {
    std::vector<int64_t> d;
    for (const Dim& x : type(v).dims) d.push_back(x.value());
    return d;
}

Model NetBuilder::finish(std::string name, std::vector<ValueRef> outputs) && {
    return Model{std::move(name), std::move(d_b).finish(std::move(outputs)), {}, {}};
}

}  // namespace rf::applier
