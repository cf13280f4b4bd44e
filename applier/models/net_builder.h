// NetBuilder: a thin layer over GraphBuilder for writing benchmark networks the way TASO's and
// TENSAT's example scripts write them -- "a conv with 64 output channels, 3x3, stride 2" -- so
// each model file reads like its reference script. Weights are created here as Role::Weight
// variables (named w0, w1, ... unless a name is given); their values are not part of the graph.
// It also holds the substitutions every loader shares (a batch-norm layer as a per-channel
// affine map), so the built-in models and the file loaders substitute the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "applier/model.h"
#include "ir/graph.h"

namespace rf::applier {

class NetBuilder {
public:
    /// A model input (Role::Activation).
    ValueRef input(const std::string& name, const std::vector<int64_t>& dims);
    /// A weight variable; auto-named "w<k>" when `name` is empty.
    ValueRef weight(const std::vector<int64_t>& dims, const std::string& name = "");

    /// Convolution with a fresh weight [out, in/groups, kh, kw].
    ValueRef conv(ValueRef x, int64_t out, int kh, int kw, int sh, int sw, Padding pad,
                  Activation act = Activation::None, int64_t groups = 1);
    ValueRef conv(ValueRef x, ValueRef w, int sh, int sw, Padding pad, Activation act = Activation::None);
    ValueRef matmul(ValueRef a, ValueRef b, Activation act = Activation::None);
    ValueRef add(ValueRef a, ValueRef b);
    ValueRef mul(ValueRef a, ValueRef b);
    ValueRef relu(ValueRef x);
    ValueRef sigmoid(ValueRef x);
    ValueRef tanh(ValueRef x);
    // Transformer operators (issue 22). Binary element-wise ones broadcast length-1 axes.
    ValueRef sub(ValueRef a, ValueRef b);
    ValueRef div(ValueRef a, ValueRef b);
    ValueRef exp(ValueRef x);
    ValueRef sqrt(ValueRef x);
    ValueRef gelu(ValueRef x);
    /// x times a rank-0 scalar (smul).
    ValueRef smul(ValueRef x, ValueRef scalar);
    ValueRef reduce_sum(ValueRef x, int axis);
    ValueRef reduce_mean(ValueRef x, int axis);
    ValueRef softmax(ValueRef x, int axis);
    ValueRef layernorm(ValueRef x, int axis);
    ValueRef rmsnorm(ValueRef x, int axis);
    /// x * w + b along the last axis, w and b fresh [1, ..., 1, d] weights broadcast over the
    /// other axes: the affine part of a layer norm (no bias when `bias` is false: rmsnorm).
    ValueRef affine(ValueRef x, const std::string& name_prefix, bool bias = true);
    /// x times a fresh [in, out] weight, plus a fresh [1, out] broadcast bias when `bias`.
    ValueRef linear(ValueRef x, int64_t out, const std::string& name_prefix, bool bias = true);
    ValueRef maxpool(ValueRef x, int kh, int kw, int sh, int sw, Padding pad, Activation act = Activation::None);
    ValueRef avgpool(ValueRef x, int kh, int kw, int sh, int sw, Padding pad, Activation act = Activation::None);
    /// Concatenation of any number of operands; past the IR's arity limit it nests (the value is
    /// the same, only the concat boundaries differ).
    ValueRef concat(int axis, const std::vector<ValueRef>& parts);
    ValueRef reshape(ValueRef x, const std::vector<int64_t>& dims);
    /// A data-moving transpose (TASO's shuffle=true).
    ValueRef transpose(ValueRef x, const std::vector<int32_t>& perm);
    /// Inference-time batch normalisation, y = x * scale[c] + bias[c], which the IR has no operator
    /// for: a depthwise 1x1 convolution (the per-channel scale, with mean and variance folded in)
    /// followed by an ewadd of a bias weight of x's full shape (the IR does not broadcast).
    ValueRef batchnorm(ValueRef x, const std::string& name_prefix = "");
    /// A weight of `like`'s full shape added to it: how a broadcast bias enters the IR.
    ValueRef add_bias(ValueRef x, const std::string& name = "");

    const TensorType& type(ValueRef v) const { return d_b.type(v); }
    /// Size of axis `axis` of a concrete value.
    int64_t dim(ValueRef v, size_t axis) const;
    std::vector<int64_t> dims(ValueRef v) const;
    GraphBuilder& graph() { return d_b; }

    Model finish(std::string name, std::vector<ValueRef> outputs) &&;

private:
    ValueRef variable(const std::string& name, Role role, const std::vector<int64_t>& dims);
    GraphBuilder d_b;
    int d_next_weight = 0;
};

}  // namespace rf::applier
