// The ONNX importer's class (applier/onnx_import.h is the interface): the graph, attributes,
// windows and the convolutional operators here; the node dispatch and the transformer operators
// (softmax, reductions, layer norm, pow, gelu's erf form) in onnx_import_ops.cpp.
#pragma once

#include "applier/onnx_import.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include "applier/models/net_builder.h"
#include "applier/onnx_values.h"
#include "onnx.pb.h"

namespace rf::applier::onnx_import_detail {

using onnx_values::broadcast;
using onnx_values::float_values;
using onnx_values::int_values;
using onnx_values::join;
using onnx_values::NodeError;

class Importer {
public:
    explicit Importer(std::string source) : d_source(std::move(source)) {}

    Model run(const onnx::ModelProto& m, const std::string& name) {
        if (!m.has_graph()) throw std::runtime_error(d_source + ": not an ONNX model (no graph)");
        const onnx::GraphProto& g = m.graph();
        for (const auto& o : m.opset_import())
            if (o.domain().empty() || o.domain() == "ai.onnx") d_opset = o.version();
        for (const onnx::TensorProto& t : g.initializer()) d_consts[t.name()] = &t;
        for (const onnx::ValueInfoProto& in : g.input()) {
            if (d_consts.count(in.name())) continue;  // old exporters list initializers as inputs too
            d_values[in.name()] = d_nb.input(unique(in.name()), input_dims(in));
        }
        for (int i = 0; i < g.node_size(); ++i) {
            const onnx::NodeProto& n = g.node(i);
            const std::string where =
                n.op_type() + " node " + (n.name().empty() ? "#" + std::to_string(i) : "'" + n.name() + "'");
            try {
                import_node(n);
            } catch (const NodeError& e) {
                throw std::runtime_error(d_source + ": " + where + ": " + e.what());
            } catch (const TypeError& e) {
                throw std::runtime_error(d_source + ": " + where + ": " + e.what());
            }
        }
        std::vector<ValueRef> outputs;
        for (const onnx::ValueInfoProto& out : g.output()) {
            try {
                outputs.push_back(value(out.name()));
            } catch (const NodeError& e) {
                throw std::runtime_error(d_source + ": graph output: " + e.what());
            }
        }
        if (outputs.empty()) throw std::runtime_error(d_source + ": the graph has no outputs");
        Model model = std::move(d_nb).finish(name, std::move(outputs));
        model.weights = std::move(d_weights);
        for (const onnx::ValueInfoProto& out : g.output()) model.output_names.push_back(out.name());
        return model;
    }

private:
    std::vector<int64_t> input_dims(const onnx::ValueInfoProto& in) {
        const std::string what = d_source + ": graph input '" + in.name() + "'";
        if (!in.type().has_tensor_type() || !in.type().tensor_type().has_shape())
            throw std::runtime_error(what + " has no tensor shape");
        std::vector<int64_t> dims;
        for (const auto& d : in.type().tensor_type().shape().dim()) {
            if (!d.has_dim_value() || d.dim_value() < 1)
                throw std::runtime_error(what + " has a symbolic or non-positive dimension" +
                                         (d.has_dim_param() ? " '" + d.dim_param() + "'" : std::string()) +
                                         "; the IR needs concrete shapes (export with fixed sizes)");
            dims.push_back(d.dim_value());
        }
        return dims;
    }

    std::string unique(const std::string& base) {
        std::string n = base.empty() ? "v" : base;
        for (int k = 1; d_names.count(n); ++k) n = base + "_" + std::to_string(k);
        d_names.insert(n);
        return n;
    }

    bool is_const(const std::string& name) const { return d_consts.count(name) && !d_values.count(name); }

    // The value of a tensor name; an initializer or Constant becomes a weight on first use.
    ValueRef value(const std::string& name) {
        if (auto it = d_values.find(name); it != d_values.end()) return it->second;
        if (auto it = d_lazy.find(name); it != d_lazy.end()) {
            // Built on first use, so a node the gelu pattern absorbs leaves no dead node behind.
            std::function<ValueRef()> make = std::move(it->second);
            d_lazy.erase(it);
            return d_values[name] = make();
        }
        auto c = d_consts.find(name);
        if (c == d_consts.end()) throw NodeError("tensor '" + name + "' is not defined before it is used");
        std::vector<int64_t> dims(c->second->dims().begin(), c->second->dims().end());
        if (dims.empty()) dims = {1};  // a scalar initializer: one element
        const std::string var = unique(name);
        ValueRef v = d_nb.weight(dims, var);
        if (auto values = float_values(*c->second)) {
            values->dims = dims;
            d_weights[var] = std::move(*values);
        }
        d_values[name] = v;
        return v;
    }

    const onnx::TensorProto& constant(const std::string& name, const char* what) {
        auto c = d_consts.find(name);
        if (c == d_consts.end())
            throw NodeError(std::string(what) + " '" + name + "' must be an initializer or Constant");
        return *c->second;
    }

    // ---- attributes ----
    const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name) {
        for (const auto& a : n.attribute())
            if (a.name() == name) return &a;
        return nullptr;
    }
    int64_t attr_int(const onnx::NodeProto& n, const char* name, int64_t dflt) {
        auto* a = attr(n, name);
        return a ? a->i() : dflt;
    }
    float attr_float(const onnx::NodeProto& n, const char* name, float dflt) {
        auto* a = attr(n, name);
        return a ? a->f() : dflt;
    }
    std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const char* name, std::vector<int64_t> dflt = {}) {
        auto* a = attr(n, name);
        return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : dflt;
    }
    // Every attribute must be one we read: an ignored attribute would silently change meaning.
    void only_attrs(const onnx::NodeProto& n, std::initializer_list<const char*> known) {
        for (const auto& a : n.attribute()) {
            bool ok = false;
            for (const char* k : known) ok = ok || a.name() == k;
            if (!ok) throw NodeError("attribute '" + a.name() + "' is not supported");
        }
    }
    ValueRef operand(const onnx::NodeProto& n, int k) {
        if (k >= n.input_size() || n.input(k).empty())
            throw NodeError("needs input " + std::to_string(k + 1) + ", has " + std::to_string(n.input_size()));
        return value(n.input(k));
    }
    void define(const onnx::NodeProto& n, const std::vector<ValueRef>& outs) {
        if (n.output_size() < 1) throw NodeError("has no output");
        for (int k = 0; k < n.output_size(); ++k) {
            if (n.output(k).empty()) continue;
            if (static_cast<size_t>(k) >= outs.size())
                throw NodeError("output " + std::to_string(k + 1) + " ('" + n.output(k) + "') is not supported");
            d_values[n.output(k)] = outs[static_cast<size_t>(k)];
        }
    }

    // ---- windows: ONNX explicit pads -> the IR's SAME / VALID ----
    Padding window_padding(const onnx::NodeProto& n, ValueRef x, const std::vector<int64_t>& k,
                           const std::vector<int64_t>& s, bool* padded) {
        const std::string ap = attr(n, "auto_pad") ? attr(n, "auto_pad")->s() : "NOTSET";
        std::vector<int64_t> pads = attr_ints(n, "pads", {0, 0, 0, 0});
        if (pads.size() != 4) throw NodeError("pads must have 4 entries for a 2-D window, got " + join(pads));
        std::vector<int64_t> same(4);
        for (int i = 0; i < 2; ++i) {
            const int64_t in = d_nb.dim(x, 2 + i), out = (in + s[i] - 1) / s[i];
            const int64_t total = std::max<int64_t>((out - 1) * s[i] + k[i] - in, 0);
            same[i] = total / 2;
            same[2 + i] = total - total / 2;
        }
        *padded = false;
        if (ap == "VALID") return Padding::Valid;
        if (ap == "SAME_UPPER" || (ap == "SAME_LOWER" && same[0] == same[2] && same[1] == same[3])) {
            *padded = same != std::vector<int64_t>(4, 0);
            return Padding::Same;
        }
        if (ap != "NOTSET" && !ap.empty())
            throw NodeError("auto_pad " + ap + " puts the odd padding first; the IR pads SAME_UPPER");
        if (pads == std::vector<int64_t>(4, 0)) return Padding::Valid;
        if (pads == same) {
            *padded = true;
            return Padding::Same;
        }
        throw NodeError("pads " + join(pads) + " are neither VALID nor SAME (which would be " + join(same) + ")");
    }

    // The IR's output must be the size ONNX gives for this window, or the mapping is wrong.
    void check_window_out(const onnx::NodeProto& n, ValueRef x, ValueRef y, const std::vector<int64_t>& k,
                          const std::vector<int64_t>& s, bool ceil_mode) {
        std::vector<int64_t> pads = attr_ints(n, "pads", {0, 0, 0, 0});
        const std::string ap = attr(n, "auto_pad") ? attr(n, "auto_pad")->s() : "NOTSET";
        for (int i = 0; i < 2; ++i) {
            const int64_t in = d_nb.dim(x, 2 + i);
            int64_t want;
            if (ap == "SAME_UPPER" || ap == "SAME_LOWER")
                want = (in + s[i] - 1) / s[i];
            else {
                const int64_t span = in + (ap == "VALID" ? 0 : pads[i] + pads[2 + i]) - k[i];
                want = (ceil_mode ? (span + s[i] - 1) / s[i] : span / s[i]) + 1;
            }
            if (d_nb.dim(y, 2 + i) != want)
                throw NodeError("output size " + std::to_string(d_nb.dim(y, 2 + i)) + " on axis " +
                                std::to_string(2 + i) + " differs from ONNX's " + std::to_string(want) +
                                " (ceil_mode or padding the IR cannot express)");
        }
    }

    std::vector<int64_t> pair_attr(const onnx::NodeProto& n, const char* name, std::vector<int64_t> dflt) {
        auto v = attr_ints(n, name, dflt);
        if (v.size() != 2) throw NodeError(std::string(name) + " must have 2 entries (2-D only), got " + join(v));
        for (int64_t e : v)
            if (e < 1 || e > INT32_MAX)
                throw NodeError(std::string(name) + " entries must be positive, got " + join(v));
        return v;
    }

    void need_rank(ValueRef x, size_t r, const char* what) {
        if (d_nb.type(x).rank() != r)
            throw NodeError(std::string(what) + " must have rank " + std::to_string(r) + ", got " +
                            d_nb.type(x).to_string());
    }

    ValueRef conv(const onnx::NodeProto& n) {
        only_attrs(n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
        ValueRef x = operand(n, 0), w = operand(n, 1);
        need_rank(x, 4, "input");
        need_rank(w, 4, "weight");
        if (attr_ints(n, "dilations", {1, 1}) != std::vector<int64_t>{1, 1})
            throw NodeError("dilations other than 1 are not supported");
        const std::vector<int64_t> k = {d_nb.dim(w, 2), d_nb.dim(w, 3)};
        if (attr(n, "kernel_shape") && attr_ints(n, "kernel_shape") != k)
            throw NodeError("kernel_shape " + join(attr_ints(n, "kernel_shape")) + " disagrees with weight " +
                            d_nb.type(w).to_string());
        const int64_t group = attr_int(n, "group", 1);
        if (group < 1 || d_nb.dim(w, 1) * group != d_nb.dim(x, 1))
            throw NodeError("group " + std::to_string(group) + " disagrees with input " + d_nb.type(x).to_string() +
                            " and weight " + d_nb.type(w).to_string());
        auto s = pair_attr(n, "strides", {1, 1});
        bool padded = false;
        Padding pad = window_padding(n, x, k, s, &padded);
        ValueRef y = d_nb.conv(x, w, static_cast<int>(s[0]), static_cast<int>(s[1]), pad);
        check_window_out(n, x, y, k, s, false);
        if (n.input_size() > 2 && !n.input(2).empty()) y = bias(n, y, n.input(2), 1);
        return y;
    }

    // A bias B (broadcast over y: along `axis` alone, or numpy-style for -1) enters as a weight
    // of y's full shape holding B's values broadcast.
    ValueRef bias(const onnx::NodeProto&, ValueRef y, const std::string& b, int axis) {
        if (!is_const(b)) {
            ValueRef v = value(b);
            if (d_nb.type(v).same_shape(d_nb.type(y))) return d_nb.add(y, v);
            throw NodeError("operand '" + b + "' " + d_nb.type(v).to_string() + " would broadcast to " +
                            d_nb.type(y).to_string() + "; the IR broadcasts only weights");
        }
        const onnx::TensorProto& t = *d_consts[b];
        std::vector<int64_t> bd(t.dims().begin(), t.dims().end());
        const auto yd = d_nb.dims(y);
        if (axis >= 0 ? bd != std::vector<int64_t>{yd[static_cast<size_t>(axis)]} : !broadcasts(bd, yd))
            throw NodeError("bias '" + b + "' " + join(bd) + " does not broadcast to " + d_nb.type(y).to_string());
        const std::string var = unique(b);
        if (auto values = float_values(t)) d_weights[var] = broadcast(*values, yd, axis);
        return d_nb.add_bias(y, var);
    }

    bool broadcasts(const std::vector<int64_t>& small, const std::vector<int64_t>& big) {
        if (small.size() > big.size()) return false;
        for (size_t i = 0; i < small.size(); ++i) {
            int64_t a = small[small.size() - 1 - i], b = big[big.size() - 1 - i];
            if (a != b && a != 1) return false;
        }
        return true;
    }

    ValueRef binary(OpKind kind, ValueRef a, ValueRef b) { return d_nb.graph().add1(kind, Params{}, {a, b}); }

    // x with leading length-1 axes up to rank r: numpy aligns shapes at the last axis, the IR's
    // element-wise operators broadcast between operands of one rank.
    ValueRef at_rank(ValueRef x, size_t r) {
        auto d = d_nb.dims(x);
        if (d.size() >= r) return x;
        d.insert(d.begin(), r - d.size(), 1);
        return d_nb.reshape(x, d);
    }

    ValueRef elementwise(const onnx::NodeProto& n, OpKind kind) {
        only_attrs(n, {});
        const std::string &an = n.input_size() > 0 ? n.input(0) : "", &bn = n.input_size() > 1 ? n.input(1) : "";
        if (an.empty() || bn.empty()) throw NodeError("needs two inputs");
        // A constant operand of a smaller shape broadcasts: it becomes a weight of the full shape
        // (as TASO's models hold biases, so their rules still match).
        for (int side = 0; side < 2; ++side) {
            const std::string& c = side ? an : bn;
            const std::string& o = side ? bn : an;
            if (!is_const(c) || is_const(o)) continue;
            ValueRef ov = value(o);
            const onnx::TensorProto& t = *d_consts[c];
            std::vector<int64_t> cd(t.dims().begin(), t.dims().end());
            if (cd == d_nb.dims(ov) || !broadcasts(cd, d_nb.dims(ov))) break;
            const std::string var = unique(c);
            ValueRef w = d_nb.weight(d_nb.dims(ov), var);
            if (auto values = float_values(t)) d_weights[var] = broadcast(*values, d_nb.dims(ov));
            return side ? binary(kind, w, ov) : binary(kind, ov, w);
        }
        // Computed operands broadcast in the IR (length-1 axes); a lower rank gains leading 1s.
        ValueRef a = value(an), b = value(bn);
        const size_t r = std::max(d_nb.type(a).rank(), d_nb.type(b).rank());
        return binary(kind, at_rank(a, r), at_rank(b, r));
    }

    ValueRef matmul(const onnx::NodeProto& n) {
        only_attrs(n, {});
        ValueRef a = operand(n, 0), b = operand(n, 1);
        const size_t ra = d_nb.type(a).rank(), rb = d_nb.type(b).rank();
        if (ra == rb && ra >= 2 && ra <= 4) return d_nb.matmul(a, b);
        if ((ra == 3 || ra == 4) && rb == 2) {  // [..., M, K] x [K, N]: fold the batch into the rows
            auto ad = d_nb.dims(a);
            int64_t rows = 1;
            for (size_t i = 0; i + 1 < ra; ++i) rows *= ad[i];
            ValueRef y = d_nb.matmul(d_nb.reshape(a, {rows, ad.back()}), b);
            ad.back() = d_nb.dim(b, 1);
            return d_nb.reshape(y, ad);
        }
        throw NodeError("operands " + d_nb.type(a).to_string() + " x " + d_nb.type(b).to_string() +
                        ": the IR multiplies operands of equal rank 2 to 4 (or [..., M, K] x [K, N]); "
                        "batch dimensions do not broadcast");
    }

    ValueRef gemm(const onnx::NodeProto& n) {
        only_attrs(n, {"alpha", "beta", "transA", "transB"});
        if (attr_float(n, "alpha", 1.f) != 1.f || attr_float(n, "beta", 1.f) != 1.f)
            throw NodeError("alpha/beta other than 1 are not supported");
        ValueRef a = operand(n, 0), b = operand(n, 1);
        need_rank(a, 2, "A");
        need_rank(b, 2, "B");
        if (attr_int(n, "transA", 0)) a = d_nb.transpose(a, {1, 0});
        if (attr_int(n, "transB", 0)) b = d_nb.transpose(b, {1, 0});
        ValueRef y = d_nb.matmul(a, b);
        if (n.input_size() > 2 && !n.input(2).empty()) y = bias(n, y, n.input(2), -1);
        return y;
    }

    ValueRef pool(const onnx::NodeProto& n, bool is_max) {
        if (is_max)
            only_attrs(n, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
        else
            only_attrs(n, {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
        ValueRef x = operand(n, 0);
        need_rank(x, 4, "input");
        if (!attr(n, "kernel_shape")) throw NodeError("kernel_shape is required");
        auto k = pair_attr(n, "kernel_shape", {});
        auto s = pair_attr(n, "strides", {1, 1});
        if (attr_ints(n, "dilations", {1, 1}) != std::vector<int64_t>{1, 1})
            throw NodeError("dilations other than 1 are not supported");
        bool padded = false;
        Padding pad = window_padding(n, x, k, s, &padded);
        if (!is_max && padded && attr_int(n, "count_include_pad", 0) == 0)
            throw NodeError("count_include_pad=0 with padding: the IR's average pooling counts the padding");
        const int kh = static_cast<int>(k[0]), kw = static_cast<int>(k[1]), sh = static_cast<int>(s[0]),
                  sw = static_cast<int>(s[1]);
        ValueRef y = is_max ? d_nb.maxpool(x, kh, kw, sh, sw, pad) : d_nb.avgpool(x, kh, kw, sh, sw, pad);
        check_window_out(n, x, y, k, s, attr_int(n, "ceil_mode", 0) != 0);
        return y;
    }

    ValueRef reshape(const onnx::NodeProto& n) {
        only_attrs(n, {"allowzero"});
        ValueRef x = operand(n, 0);
        if (n.input_size() < 2) throw NodeError("needs a shape input");
        std::vector<int64_t> shape = int_values(constant(n.input(1), "shape"));
        const auto in = d_nb.dims(x);
        int64_t known = 1, vol = 1, infer = -1;
        for (int64_t d : in) vol *= d;
        for (size_t i = 0; i < shape.size(); ++i) {
            if (shape[i] == 0 && !attr_int(n, "allowzero", 0)) {
                if (i >= in.size()) throw NodeError("shape " + join(shape) + ": 0 copies a missing axis");
                shape[i] = in[i];
            }
            if (shape[i] == -1) {
                if (infer >= 0) throw NodeError("shape " + join(shape) + " has two -1 entries");
                infer = static_cast<int64_t>(i);
            } else if (shape[i] < 1) {
                throw NodeError("shape " + join(shape) + " has an entry the IR cannot express");
            } else {
                known *= shape[i];
            }
        }
        if (infer >= 0) {
            if (vol % known != 0)
                throw NodeError("shape " + join(shape) + " does not divide " + d_nb.type(x).to_string());
            shape[static_cast<size_t>(infer)] = vol / known;
        }
        return d_nb.reshape(x, shape);
    }

    ValueRef flatten(const onnx::NodeProto& n) {
        only_attrs(n, {"axis"});
        ValueRef x = operand(n, 0);
        auto d = d_nb.dims(x);
        int64_t axis = attr_int(n, "axis", 1);
        if (axis < 0) axis += static_cast<int64_t>(d.size());
        if (axis < 0 || axis > static_cast<int64_t>(d.size()))
            throw NodeError("axis out of range for " + d_nb.type(x).to_string());
        int64_t a = 1, b = 1;
        for (size_t i = 0; i < d.size(); ++i) (static_cast<int64_t>(i) < axis ? a : b) *= d[i];
        return d_nb.reshape(x, {a, b});
    }

    int axis_of(const onnx::NodeProto& n, ValueRef x, int64_t dflt) {
        int64_t axis = attr_int(n, "axis", dflt), r = static_cast<int64_t>(d_nb.type(x).rank());
        if (axis < 0) axis += r;
        if (axis < 0 || axis >= r) throw NodeError("axis out of range for " + d_nb.type(x).to_string());
        return static_cast<int>(axis);
    }

    std::vector<ValueRef> split(const onnx::NodeProto& n) {
        only_attrs(n, {"axis", "split", "num_outputs"});
        ValueRef x = operand(n, 0);
        const int axis = axis_of(n, x, 0);
        std::vector<int64_t> sizes = attr_ints(n, "split");
        if (n.input_size() > 1 && !n.input(1).empty()) sizes = int_values(constant(n.input(1), "split"));
        if (n.output_size() != 2)
            throw NodeError("split into " + std::to_string(n.output_size()) + " parts: the IR's split has two outputs");
        auto outs = d_nb.graph().add(OpKind::Split, param::axis_param(axis), {x});
        if (!sizes.empty() &&
            (sizes.size() != 2 || d_nb.dim(outs[0], axis) != sizes[0] || d_nb.dim(outs[1], axis) != sizes[1]))
            throw NodeError("split sizes " + join(sizes) + " are not the concat boundary of " +
                            d_nb.type(x).to_string() + " (the IR's split cuts there)");
        if (sizes.empty() && d_nb.dim(outs[0], axis) != d_nb.dim(outs[1], axis))
            throw NodeError("an even split of " + d_nb.type(x).to_string() + " is not its concat boundary");
        return outs;
    }

    // y = (x - mean) / sqrt(var + eps) * scale + B, per channel, as the IR's batchnorm holds it:
    // a depthwise kernel s = scale / sqrt(var + eps) and a bias B - mean * s of x's full shape.
    void batchnorm_values(const onnx::NodeProto& n, const std::vector<int64_t>& xd, const std::string& prefix,
                          float eps) {
        if (n.input_size() != 5) throw NodeError("needs 5 inputs (X, scale, B, mean, var)");
        std::vector<std::optional<FloatTensor>> p;
        for (int k = 1; k < 5; ++k) {
            p.push_back(float_values(constant(n.input(k), "batch-norm parameter")));
            if (p.back() && p.back()->data.size() != static_cast<size_t>(xd[1]))
                throw NodeError("'" + n.input(k) + "' must hold " + std::to_string(xd[1]) + " values, one per channel");
        }
        for (const auto& v : p)
            if (!v) return;  // no values: random weights stand for them
        FloatTensor s{{xd[1], 1, 1, 1}, {}}, b{{xd[1]}, {}};
        for (int64_t c = 0; c < xd[1]; ++c) {
            const float k = p[0]->data[c] / std::sqrt(p[3]->data[c] + eps);
            s.data.push_back(k);
            b.data.push_back(p[1]->data[c] - p[2]->data[c] * k);
        }
        d_weights[prefix + "_scale"] = std::move(s);
        d_weights[prefix + "_bias"] = broadcast(b, xd, 1);
    }

    // ---- transformer operators (issue 22) ----
    int norm_axis(int64_t axis, ValueRef x);

    ValueRef softmax(const onnx::NodeProto& n);

    // ReduceSum / ReduceMean: axes as the attribute (ReduceMean before opset 18, ReduceSum
    // before 13) or as the second input; several axes nest (a mean of equal-size means is the
    // mean); keepdims = 0 reshapes the kept length-1 axes away.
    ValueRef reduce(const onnx::NodeProto& n, bool mean);

    // The constant `name` holds one number (a scalar or a one-element tensor): its value.
    std::optional<float> scalar_const(const std::string& name);

    // LayerNormalization (opset 17): the IR's layernorm adds 1e-5 under the root; another
    // epsilon is imported decomposed, (x - mean) / sqrt(mean((x - mean)^2) + eps), which is
    // what the operator means. Scale and B are the affine part (ewmul, ewadd, broadcast).
    ValueRef layer_norm(const onnx::NodeProto& n);

    // y op input k (Scale or B of a norm), broadcast as Mul / Add broadcast it.
    ValueRef affine_operand(const onnx::NodeProto& n, int k, ValueRef y, OpKind kind);

    ValueRef pow(const onnx::NodeProto& n);

    // Gelu's erf form as exporters write it, 0.5 * x * (1 + erf(x / sqrt 2)) (or x * 0.7071...,
    // or (0.5 * x) * (1 + erf)), becomes one gelu node. Each partial result is recorded here
    // and has no IR value: the IR has no erf, so a partial result used elsewhere is an error.
    enum class Gelu { Scaled, Half, Erf, OnePlusErf, XOnePlusErf };
    struct Partial {
        Gelu stage;
        std::string x;  ///< the tensor name gelu is applied to
    };
    std::optional<Partial> partial(const std::string& name, Gelu stage);
    // Records `n`'s output as a stage of the pattern. Stages past Erf have no value; Scaled
    // and Half are real values too, built only if something else reads them.
    void record(const onnx::NodeProto& n, Gelu stage, const std::string& x, std::function<ValueRef()> make = {});
    static bool near(std::optional<float> v, double want);

    // True when `n` was taken as a step of gelu's erf form.
    bool gelu_step(const onnx::NodeProto& n);

    void import_node(const onnx::NodeProto& n);

    std::string d_source;
    NetBuilder d_nb;
    std::map<std::string, const onnx::TensorProto*> d_consts;  ///< initializers and Constant outputs
    std::list<onnx::TensorProto> d_owned;                      ///< Constant values (stable addresses)
    std::map<std::string, ValueRef> d_values;
    /// Values built on first use (value()): steps of gelu's erf form that may be read elsewhere.
    std::map<std::string, std::function<ValueRef()>> d_lazy;
    std::map<std::string, Partial> d_partial;      ///< steps of gelu's erf form, by output name
    int64_t d_opset = 13;                          ///< the default domain's opset
    std::set<std::string> d_names;                 ///< variable names taken
    std::map<std::string, FloatTensor> d_weights;  ///< weight values by variable name
};

}  // namespace rf::applier::onnx_import_detail
