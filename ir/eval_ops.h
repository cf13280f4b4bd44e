// The one definition of each operator's value, shared by exact and float evaluation.
//
// `eval_op` switches over every OpKind once; it is instantiated with a domain (ExactDomain in
// eval_exact.cpp, FloatDomain in eval_float.cpp) that supplies what differs between the two:
// the element arithmetic (passed on to the kernels of eval_kernels.h), the per-tensor scale
// (the exact denominator; always 1 for floats), bringing operands to a common scale, division
// by an integer, and the activation functions. A domain provides:
//   Tensor, Elem, Arith                      value type, element type, kernel arithmetic
//   data(t), scale(t)                        element buffer, denominator
//   make(dims, scale)                        zero-filled tensor
//   mul_scale(a, b)                          denominator of a product
//   align(in, storage, &scale)               operands over one common denominator
//   run_bounded({a, b}, terms, kernel)       runs kernel(arith) for sums of `terms` products
//                                            of elements of a and b (an exact domain drops the
//                                            overflow checks when the sums provably fit)
//   divide(t, k)                             t / k, exactly where possible
//   finish(t, arith, activation)             reports overflow, applies the activation,
//                                            leaves the tensor in canonical form
//   unary_elementwise<Entry>(t, salt)        applies a same-shape unary operator's scalar
//                                            function (ir/elementwise_ops.h), or the seeded
//                                            random function `salt` names where it cannot
//   ew_div(a, b, dims)                       a / b element-wise, broadcasting length-1 axes
//   constant(rank, num, den)                 the rational num/den as a tensor of dims [1,...]
// and optionally softmax(x, axis) where the domain computes it better than exp / sum of exp
// (floats subtract the maximum first). Softmax, layernorm and rmsnorm are otherwise composed
// here from exp, sqrt, sums, broadcast subtraction and division, once for every domain.
// `evaluate_graph` walks a graph in node order and evaluates only what its outputs depend on.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "ir/elementwise_ops.h"
#include "ir/eval.h"
#include "ir/eval_kernels.h"

namespace rf::eval_detail {

/// The dims of a value of type t: [replicas, dims...] when it has replicas, else its dims.
inline Dims concrete_dims(const TensorType& t) {
    Dims d;
    d.reserve(t.rank() + 1);
    if (t.replicas > 1) d.push_back(t.replicas);
    for (const Dim& x : t.dims) d.push_back(x.value());
    return d;
}

inline bool dims_match(const Dims& d, const TensorType& t) {
    const size_t lead = t.replicas > 1 ? 1 : 0;
    if (d.size() != t.rank() + lead || (lead && d[0] != t.replicas)) return false;
    for (size_t i = 0; i < t.rank(); ++i)
        if (!t.dims[i].is_concrete() || t.dims[i].value() != d[i + lead]) return false;
    return true;
}

/// Where the logical axes of a value of type t start: after its replica axis, if any.
inline size_t axis_offset(const TensorType& t) { return t.replicas > 1 ? 1 : 0; }

inline std::string dims_str(const Dims& d) {
    std::string s = "[";
    for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
    return s + "]";
}

inline Window window_of(const Node& node, const Dims& xd, const Dims& od, int64_t kh, int64_t kw) {
    auto [sh, sw] = param::stride(node.params, node.op);
    const bool same = param::padding(node.params, node.op) == Padding::Same;
    return Window{kh, kw, sh, sw, pad_before(same, xd[2], od[2], kh, sh), pad_before(same, xd[3], od[3], kw, sw)};
}

/// What a domain without denominators (float, the prime field) has in common: every tensor's
/// scale is 1, so products need no new scale and operands no alignment. The derived domain adds
/// its arithmetic (run_bounded), divide, finish and check_input.
template <class TensorT, class ElemT>
struct UnscaledDomain {
    using Tensor = TensorT;
    using Elem = ElemT;

    static std::vector<Elem>& data(Tensor& t) { return t.data; }
    static const std::vector<Elem>& data(const Tensor& t) { return t.data; }
    static int64_t scale(const Tensor&) { return 1; }

    Tensor make(Dims dims, int64_t) const {
        Tensor t;
        t.data.assign(static_cast<size_t>(volume(dims)), Elem{});
        t.dims = std::move(dims);
        return t;
    }
    int64_t mul_scale(int64_t, int64_t) const { return 1; }
    std::vector<const Tensor*> align(const std::vector<const Tensor*>& in, std::vector<Tensor>&,
                                     int64_t& common) const {
        common = 1;
        return in;
    }
};

// The larger cases of eval_op, each one operator family. Output dims come from the node's
// (concrete) types, as in eval_op.
template <class Dom>
using TensorPtrs = std::vector<const typename Dom::Tensor*>;

/// Matmul, of whole tensors or of distributed ones (the parts each device multiplies).
template <class Dom>
typename Dom::Tensor eval_matmul(Dom& dom, const Node& node, const TensorPtrs<Dom>& in,
                                 const std::vector<const TensorType*>& in_types) {
    using Tensor = typename Dom::Tensor;
    typename Dom::Arith ar;
    auto data = [](const Tensor* t) { return Dom::data(*t).data(); };
    const Activation act = param::activation(node.params, node.op);
    const Tensor &a = *in[0], &b = *in[1];
    const TensorType &ta = *in_types[0], &tb = *in_types[1];
    Tensor out = dom.make(concrete_dims(node.outputs[0]), dom.mul_scale(Dom::scale(a), Dom::scale(b)));
    if (ta.is_distributed() || tb.is_distributed()) {
        const size_t r = ta.rank();
        MatmulParts parts{ta.degree(r - 2), ta.degree(r - 1), tb.degree(r - 1), 1};
        parts.extra = ta.replicas / parts.col_parts;
        const int64_t batch = r == 3 ? ta.dims[0].value() : 1, M = ta.dims[r - 2].value(), K = ta.dims[r - 1].value(),
                      N = tb.dims[r - 1].value();
        if (M % parts.row_parts || K % parts.contracted_parts || N % parts.col_parts || parts.extra < 1)
            throw EvalError("matmul: operand types " + ta.to_string() + ", " + tb.to_string() +
                            " cut a dimension into parts that do not divide it");
        dom.run_bounded({&a, &b}, K, [&](auto& kar) {
            parallel_matmul(kar, data(&a), data(&b), Dom::data(out).data(), batch, M, K, N, parts);
        });
        return dom.finish(std::move(out), ar, act);
    }
    // Leading batch dimensions broadcast like an element-wise operator's: one product per batch
    // index of the result, reading each operand's (possibly broadcast) matrix.
    const size_t r = a.dims.size();
    const int64_t M = a.dims[r - 2], K = a.dims[r - 1], N = b.dims[r - 1];
    const Dims ob(out.dims.begin(), out.dims.end() - 2), ab(a.dims.begin(), a.dims.end() - 2),
        bb(b.dims.begin(), b.dims.end() - 2);
    dom.run_bounded({&a, &b}, K, [&](auto& kar) {
        broadcast_each(ob, ab, bb, [&](int64_t i, int64_t ia, int64_t ib) {
            matmul(kar, data(&a) + ia * M * K, data(&b) + ib * K * N, Dom::data(out).data() + i * M * N, 1, M, K, N);
        });
    });
    return dom.finish(std::move(out), ar, act);
}

/// Concat along the node's axis (past the replica axis of a replicated operand).
template <class Dom>
typename Dom::Tensor eval_concat(Dom& dom, const Node& node, const TensorPtrs<Dom>& in,
                                 const std::vector<const TensorType*>& in_types) {
    typename Dom::Arith ar;
    const size_t axis = static_cast<size_t>(param::axis(node.params)) + axis_offset(*in_types[0]);
    std::vector<typename Dom::Tensor> storage;
    int64_t s = 1;
    auto ops = dom.align(in, storage, s);
    typename Dom::Tensor out = dom.make(concrete_dims(node.outputs[0]), s);
    std::vector<const typename Dom::Elem*> parts;
    std::vector<int64_t> part_axis;
    for (const typename Dom::Tensor* t : ops) {
        parts.push_back(Dom::data(*t).data());
        part_axis.push_back(t->dims[axis]);
    }
    const AxisView v = axis_view(out.dims, axis);
    concat(parts, part_axis, v.outer, v.inner, Dom::data(out).data());
    return dom.finish(std::move(out), ar, Activation::None);
}

/// Split at the operand's concat boundary on the node's axis: the two parts.
template <class Dom>
std::vector<typename Dom::Tensor> eval_split(Dom& dom, const Node& node, const TensorPtrs<Dom>& in,
                                             const std::vector<const TensorType*>& in_types) {
    typename Dom::Arith ar;
    const size_t axis = static_cast<size_t>(param::axis(node.params));
    const SplitInfo& cut = in_types[0]->split(axis);
    if (!cut || !cut->left_size.is_concrete())
        throw EvalError("split: operand type " + in_types[0]->to_string() +
                        " has no concrete concat boundary on axis " + std::to_string(axis));
    const int64_t left = cut->left_size.value();
    const AxisView v = axis_view(in[0]->dims, axis + axis_offset(*in_types[0]));
    const auto* x = Dom::data(*in[0]).data();
    typename Dom::Tensor a = dom.make(concrete_dims(node.outputs[0]), Dom::scale(*in[0]));
    typename Dom::Tensor b = dom.make(concrete_dims(node.outputs[1]), Dom::scale(*in[0]));
    slice(x, v, 0, left, Dom::data(a).data());
    slice(x, v, left, v.axis - left, Dom::data(b).data());
    return {dom.finish(std::move(a), ar, Activation::None), dom.finish(std::move(b), ar, Activation::None)};
}

/// Replicate (replica i of the operand becomes replicas i*k .. i*k+k-1) and reduction (replica i
/// of the result sums replicas i*k .. i*k+k-1 of the operand).
template <class Dom>
typename Dom::Tensor eval_replicas(Dom& dom, const Node& node, const TensorPtrs<Dom>& in,
                                   const std::vector<const TensorType*>& in_types) {
    typename Dom::Arith ar;
    const int64_t k = param::degree(node.params, node.op), reps = node.outputs[0].replicas;
    typename Dom::Tensor out = dom.make(concrete_dims(node.outputs[0]), Dom::scale(*in[0]));
    const int64_t n = volume(out.dims) / reps;
    const auto* x = Dom::data(*in[0]).data();
    auto* o = Dom::data(out).data();
    if (node.op == OpKind::Replicate) {
        for (int64_t i = 0; i < in_types[0]->replicas; ++i)
            for (int64_t j = 0; j < k; ++j) std::copy(x + i * n, x + (i + 1) * n, o + (i * k + j) * n);
    } else {
        for (int64_t i = 0; i < reps; ++i)
            for (int64_t j = 0; j < k; ++j)
                for (int64_t e = 0; e < n; ++e) o[i * n + e] = ar.add(o[i * n + e], x[(i * k + j) * n + e]);
    }
    return dom.finish(std::move(out), ar, Activation::None);
}

/// a op b for the binary element-wise operators, broadcasting length-1 axes between operands of
/// one rank (numpy, ONNX); `od` is the result's dims.
template <class Dom>
typename Dom::Tensor eval_ew_binary(Dom& dom, OpKind op, const typename Dom::Tensor& a, const typename Dom::Tensor& b,
                                    const Dims& od) {
    using Tensor = typename Dom::Tensor;
    typename Dom::Arith ar;
    if (op == OpKind::EwDiv) return dom.ew_div(a, b, od);
    if (op == OpKind::EwMul) {
        Tensor out = dom.make(od, dom.mul_scale(Dom::scale(a), Dom::scale(b)));
        auto* o = Dom::data(out).data();
        const auto *x = Dom::data(a).data(), *y = Dom::data(b).data();
        broadcast_each(od, a.dims, b.dims, [&](int64_t i, int64_t ia, int64_t ib) { o[i] = ar.mul(x[ia], y[ib]); });
        return dom.finish(std::move(out), ar, Activation::None);
    }
    std::vector<Tensor> storage;
    int64_t s = 1;
    auto ops = dom.align({&a, &b}, storage, s);
    Tensor out = dom.make(od, s);
    auto* o = Dom::data(out).data();
    const auto *x = Dom::data(*ops[0]).data(), *y = Dom::data(*ops[1]).data();
    if (op == OpKind::EwSub)
        broadcast_each(od, a.dims, b.dims, [&](int64_t i, int64_t ia, int64_t ib) { o[i] = ar.sub(x[ia], y[ib]); });
    else
        broadcast_each(od, a.dims, b.dims, [&](int64_t i, int64_t ia, int64_t ib) { o[i] = ar.add(x[ia], y[ib]); });
    return dom.finish(std::move(out), ar, Activation::None);
}

/// The sum along `axis`, kept with length 1; divided by the axis length for a mean.
template <class Dom>
typename Dom::Tensor eval_reduce(Dom& dom, const typename Dom::Tensor& x, size_t axis, bool mean) {
    typename Dom::Arith ar;
    Dims od = x.dims;
    od[axis] = 1;
    typename Dom::Tensor out = dom.make(od, Dom::scale(x));
    const AxisView v = axis_view(x.dims, axis);
    dom.run_bounded({&x}, v.axis, [&](auto& kar) { reduce_sum(kar, Dom::data(x).data(), v, Dom::data(out).data()); });
    if (mean) dom.divide(out, v.axis);
    return dom.finish(std::move(out), ar, Activation::None);
}

/// exp(x) / sum of exp(x) along the axis, unless the domain has its own.
template <class Dom>
typename Dom::Tensor eval_softmax(Dom& dom, const typename Dom::Tensor& x, size_t axis) {
    if constexpr (requires { dom.softmax(x, axis); }) {
        return dom.softmax(x, axis);
    } else {
        using Exp = UnaryElementwise<OpKind::Exp>;
        auto e = dom.template unary_elementwise<Exp>(x, unary_elementwise_salt("exp"));
        auto sum = eval_reduce(dom, e, axis, false);
        return dom.ew_div(e, sum, x.dims);
    }
}

/// layernorm: (x - mean) / sqrt(mean((x - mean)^2) + 1e-5); rmsnorm: x / sqrt(mean(x*x) + 1e-5),
/// along the axis, no affine part. 1e-5 is the rational 1/100000 in every domain.
template <class Dom>
typename Dom::Tensor eval_norm(Dom& dom, const typename Dom::Tensor& x, size_t axis, bool center) {
    using Sqrt = UnaryElementwise<OpKind::Sqrt>;
    auto centred = center ? eval_ew_binary(dom, OpKind::EwSub, x, eval_reduce(dom, x, axis, true), x.dims) : x;
    auto sq = eval_ew_binary(dom, OpKind::EwMul, centred, centred, x.dims);
    auto ms = eval_reduce(dom, sq, axis, true);
    auto eps = dom.constant(x.dims.size(), 1, 100000);
    auto den = dom.template unary_elementwise<Sqrt>(eval_ew_binary(dom, OpKind::EwAdd, ms, eps, ms.dims),
                                                    unary_elementwise_salt("sqrt"));
    return dom.ew_div(centred, den, x.dims);
}

/// The outputs of one node. Output dims come from the node's (concrete) types, which the shape
/// rules derived from the same operands, so the kernels can trust them.
template <class Dom>
std::vector<typename Dom::Tensor> eval_op(Dom& dom, const Node& node,
                                          const std::vector<const typename Dom::Tensor*>& in,
                                          const std::vector<const TensorType*>& in_types) {
    using Tensor = typename Dom::Tensor;
    const OpKind op = node.op;
    const Params& p = node.params;
    typename Dom::Arith ar;
    auto out_dims = [&](size_t k) { return concrete_dims(node.outputs[k]); };
    auto data = [](const Tensor* t) { return Dom::data(*t).data(); };

    switch (op) {
        case OpKind::Input:
            throw EvalError("input: an input node has no operator to evaluate; its value is a variable");
        case OpKind::Conv2d: {
            const Tensor &x = *in[0], &w = *in[1];
            Tensor out = dom.make(out_dims(0), dom.mul_scale(Dom::scale(x), Dom::scale(w)));
            const Window win = window_of(node, x.dims, out.dims, w.dims[2], w.dims[3]);
            dom.run_bounded({&x, &w}, w.dims[1] * w.dims[2] * w.dims[3], [&](auto& kar) {
                conv2d(kar, data(&x), x.dims, data(&w), w.dims, Dom::data(out).data(), out.dims, win);
            });
            return {dom.finish(std::move(out), ar, param::activation(p, op))};
        }
        case OpKind::Matmul: return {eval_matmul(dom, node, in, in_types)};
        case OpKind::EwAdd:
        case OpKind::EwSub:
        case OpKind::EwMul:
        case OpKind::EwDiv: return {eval_ew_binary(dom, op, *in[0], *in[1], out_dims(0))};
        case OpKind::ReduceSum:
        case OpKind::ReduceMean:
            return {eval_reduce(dom, *in[0], static_cast<size_t>(param::axis(p)), op == OpKind::ReduceMean)};
        case OpKind::Softmax: return {eval_softmax(dom, *in[0], static_cast<size_t>(param::axis(p)))};
        case OpKind::LayerNorm:
        case OpKind::RmsNorm:
            return {eval_norm(dom, *in[0], static_cast<size_t>(param::axis(p)), op == OpKind::LayerNorm)};
        case OpKind::Smul: {
            // Smul's scalar is rank 0: it broadcasts by a zero stride.
            Tensor out = dom.make(out_dims(0), dom.mul_scale(Dom::scale(*in[0]), Dom::scale(*in[1])));
            auto* o = Dom::data(out).data();
            const auto *a = data(in[0]), *b = data(in[1]);
            for (size_t i = 0, n = Dom::data(out).size(); i < n; ++i) o[i] = ar.mul(a[i], b[0]);
            return {dom.finish(std::move(out), ar, Activation::None)};
        }
        case OpKind::Relu:
        case OpKind::Sigmoid:
        case OpKind::Tanh: {
            const Activation act = op == OpKind::Relu      ? Activation::Relu
                                   : op == OpKind::Sigmoid ? Activation::Sigmoid
                                                           : Activation::Tanh;
            return {dom.finish(Tensor(*in[0]), ar, act)};
        }
#define RF_EVAL_UNARY_ELEMENTWISE(kind, name, ...) \
    case OpKind::kind:                             \
        return {dom.template unary_elementwise<UnaryElementwise<OpKind::kind>>(*in[0], unary_elementwise_salt(name))};
            RF_UNARY_ELEMENTWISE_OPS(RF_EVAL_UNARY_ELEMENTWISE)
#undef RF_EVAL_UNARY_ELEMENTWISE
        case OpKind::Transpose: {
            Tensor out = dom.make(out_dims(0), Dom::scale(*in[0]));
            // One transpose per replica.
            const size_t off = axis_offset(*in_types[0]);
            const Dims xd(in[0]->dims.begin() + off, in[0]->dims.end());
            const int64_t n = volume(xd), reps = in_types[0]->replicas;
            for (int64_t k = 0; k < reps; ++k)
                transpose(data(in[0]) + k * n, xd, param::list(p), Dom::data(out).data() + k * n);
            return {dom.finish(std::move(out), ar, Activation::None)};
        }
        case OpKind::Concat: return {eval_concat(dom, node, in, in_types)};
        case OpKind::Split: return eval_split(dom, node, in, in_types);
        case OpKind::PoolAvg:
        case OpKind::PoolMax: {
            const Tensor& x = *in[0];
            auto [kh, kw] = param::kernel(p);
            Tensor out = dom.make(out_dims(0), Dom::scale(x));
            const Window win = window_of(node, x.dims, out.dims, kh, kw);
            dom.run_bounded({&x}, int64_t{kh} * kw, [&](auto& kar) {
                pool(kar, op == OpKind::PoolMax, data(&x), x.dims, Dom::data(out).data(), out.dims, win);
            });
            if (op == OpKind::PoolAvg) dom.divide(out, int64_t{kh} * kw);
            return {dom.finish(std::move(out), ar, param::activation(p, op))};
        }
        case OpKind::Enlarge: {
            // The reference operand contributes only its shape.
            Tensor out = dom.make(out_dims(0), Dom::scale(*in[0]));
            enlarge(data(in[0]), in[0]->dims, Dom::data(out).data(), out.dims);
            return {dom.finish(std::move(out), ar, Activation::None)};
        }
        case OpKind::ConstImm: {
            Tensor out = dom.make(out_dims(0), 1);
            const int64_t n = out.dims[0];
            for (int64_t i = 0; i < n; ++i) Dom::data(out)[i * n + i] = Dom::Arith::one();
            return {dom.finish(std::move(out), ar, Activation::None)};
        }
        case OpKind::ConstIconv: {
            Tensor out = dom.make(out_dims(0), 1);
            identity_conv_kernel(out.dims, Dom::Arith::one(), Dom::data(out).data());
            return {dom.finish(std::move(out), ar, Activation::None)};
        }
        case OpKind::ConstOne:
        case OpKind::ConstPool: {
            Tensor out = dom.make(out_dims(0), 1);
            std::fill(Dom::data(out).begin(), Dom::data(out).end(), Dom::Arith::one());
            if (op == OpKind::ConstPool) dom.divide(out, out.dims[2] * out.dims[3]);
            return {dom.finish(std::move(out), ar, Activation::None)};
        }
        case OpKind::Reshape:
        case OpKind::Repartition:
        case OpKind::Combine: {
            // A partition moves parts between devices; the values stay.
            Tensor out = *in[0];
            out.dims = out_dims(0);
            return {dom.finish(std::move(out), ar, Activation::None)};
        }
        case OpKind::Replicate:
        case OpKind::Reduction: return {eval_replicas(dom, node, in, in_types)};
    }
    throw EvalError("unknown operator kind " + std::to_string(static_cast<int>(op)));
}

/// Checks what the public eval_node_* entry points are given: one type per operand, operand
/// dims equal to those types, buffers of the right size, concrete output types.
/// The number of elements a tensor of the domain holds (a domain with two representations says).
template <class Dom>
int64_t elem_count(const typename Dom::Tensor& t) {
    if constexpr (requires { Dom::count(t); })
        return static_cast<int64_t>(Dom::count(t));
    else
        return static_cast<int64_t>(Dom::data(t).size());
}

/// A node's outputs: the domain's own dispatch where it has one (exact evaluation picks the
/// rational or the modular domain per node), else eval_op.
template <class Dom>
std::vector<typename Dom::Tensor> eval_in(Dom& dom, const Node& node,
                                          const std::vector<const typename Dom::Tensor*>& in,
                                          const std::vector<const TensorType*>& in_types) {
    if constexpr (requires { dom.eval_node(node, in, in_types); })
        return dom.eval_node(node, in, in_types);
    else
        return eval_op(dom, node, in, in_types);
}

template <class Dom>
void check_node_call(const Node& node, const std::vector<const typename Dom::Tensor*>& in,
                     const std::vector<TensorType>& in_types) {
    const std::string op = op_name(node.op);
    if (in.size() != node.inputs.size())
        throw EvalError(op + ": " + std::to_string(in.size()) + " operand values for " +
                        std::to_string(node.inputs.size()) + " operands");
    if (in_types.size() != in.size())
        throw EvalError(op + ": " + std::to_string(in_types.size()) + " operand types for " +
                        std::to_string(in.size()) + " operand values");
    for (size_t i = 0; i < in.size(); ++i) {
        if (!in[i] || !dims_match(in[i]->dims, in_types[i]) || elem_count<Dom>(*in[i]) != volume(in[i]->dims))
            throw EvalError(op + ": operand " + std::to_string(i) + " value " +
                            (in[i] ? dims_str(in[i]->dims) : "(null)") + " does not match its type " +
                            in_types[i].to_string());
    }
    for (const TensorType& t : node.outputs)
        if (!t.is_concrete()) throw EvalError(op + ": output type " + t.to_string() + " is not concrete");
}

template <class Dom>
std::vector<typename Dom::Tensor> eval_node_checked(Dom& dom, const Node& node,
                                                    const std::vector<const typename Dom::Tensor*>& in,
                                                    const std::vector<TensorType>& in_types) {
    check_node_call<Dom>(node, in, in_types);
    std::vector<const TensorType*> types;
    for (const TensorType& t : in_types) types.push_back(&t);
    return eval_in(dom, node, in, types);
}

template <class Dom>
std::vector<typename Dom::Tensor> evaluate_graph(Dom& dom, const Graph& g,
                                                 const std::vector<typename Dom::Tensor>& variables) {
    using Tensor = typename Dom::Tensor;
    const auto& nodes = g.nodes();
    // Only what the outputs depend on is evaluated: a dead node could only waste time or throw.
    std::vector<char> live(nodes.size(), 0);
    for (const ValueRef& v : g.outputs()) live[v.node] = 1;
    for (size_t i = nodes.size(); i-- > 0;)
        if (live[i])
            for (const ValueRef& v : nodes[i].inputs) live[v.node] = 1;

    std::vector<std::vector<Tensor>> owned(nodes.size());
    std::vector<const Tensor*> var_value(nodes.size(), nullptr);
    auto value = [&](ValueRef v) -> const Tensor* {
        return var_value[v.node] ? var_value[v.node] : &owned[v.node][v.output];
    };
    std::vector<const Tensor*> in;
    std::vector<const TensorType*> in_types;
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (!live[i]) continue;
        const Node& nd = nodes[i];
        for (const TensorType& t : nd.outputs)
            if (!t.is_concrete())
                throw EvalError(std::string(op_name(nd.op)) + " (node " + std::to_string(i) + "): type " +
                                t.to_string() + " is not concrete");
        if (nd.op == OpKind::Input) {
            const int32_t var = param::variable(nd.params);
            const Variable& decl = g.variables()[var];
            if (static_cast<size_t>(var) >= variables.size())
                throw EvalError("variable " + decl.name + ": no value given");
            const Tensor& t = variables[var];
            if (!dims_match(t.dims, decl.type) || elem_count<Dom>(t) != volume(t.dims))
                throw EvalError("variable " + decl.name + ": value " + dims_str(t.dims) + " (" +
                                std::to_string(elem_count<Dom>(t)) + " elements) does not match its type " +
                                decl.type.to_string());
            Dom::check_input(t, decl.name);
            var_value[i] = &t;
            continue;
        }
        in.clear();
        in_types.clear();
        for (const ValueRef& v : nd.inputs) {
            in.push_back(value(v));
            in_types.push_back(&g.type(v));
        }
        owned[i] = eval_in(dom, nd, in, in_types);
    }
    std::vector<Tensor> out;
    out.reserve(g.outputs().size());
    for (const ValueRef& v : g.outputs()) out.push_back(*value(v));
    return out;
}

}  // namespace rf::eval_detail
