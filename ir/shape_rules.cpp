#include "ir/shape_rules.h"

#include <algorithm>
#include <optional>
#include <sstream>
#include <string>

namespace rf {

namespace {

// Where a rule's reason goes: `why` is null when the caller wants only the verdict (the
// enumerator asks about millions of operand pairs, most of them ill-typed), and then no message
// is built.
struct Ctx {
    DimUnifier& u;
    std::string* why;
};

// Records why `op` rejects its operands; returns nullopt so a rule can `return fail(...)`.
std::nullopt_t fail(const Ctx& c, OpKind op, const std::string& what) {
    if (c.why) *c.why = std::string(op_name(op)) + ": " + what;
    return std::nullopt;
}
// For messages that cost something to build: `what` is called only when a reason is wanted.
template <class F>
std::nullopt_t fail_with(const Ctx& c, OpKind op, F what) {
    if (c.why) *c.why = std::string(op_name(op)) + ": " + what();
    return std::nullopt;
}

std::string types_str(const std::vector<TensorType>& ts) {
    std::string s;
    for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + ts[i].to_string();
    return s;
}

bool need_rank(const Ctx& c, OpKind op, const std::vector<TensorType>& in, size_t i, size_t rank, const char* what) {
    if (in[i].rank() == rank) return true;
    fail_with(c, op, [&] {
        std::ostringstream m;
        m << what << " must have rank " << rank << ", got " << in[i].to_string() << " (inputs " << types_str(in) << ")";
        return m.str();
    });
    return false;
}

template <class What>
bool unify_dim(const Ctx& c, OpKind op, const Dim& a, const Dim& b, What what, const std::vector<TensorType>& in) {
    if (c.u.unify(a, b)) return true;
    fail_with(c, op, [&] {
        return std::string(what()) + " differ: " + c.u.resolve(a).to_string() + " vs " + c.u.resolve(b).to_string() +
               " (inputs " + types_str(in) + ")";
    });
    return false;
}

bool same_tree_shape(const SplitInfo& a, const SplitInfo& b) {
    if (!a || !b) return !a && !b;
    return same_tree_shape(a->left, b->left) && same_tree_shape(a->right, b->right);
}

bool unify_boundaries(const SplitInfo& a, const SplitInfo& b, DimUnifier& u) {
    if (!a) return true;
    return u.unify(a->left_size, b->left_size) && unify_boundaries(a->left, b->left, u) &&
           unify_boundaries(a->right, b->right, u);
}

// TASO's rule for element-wise results: a boundary survives only where all inputs agree, or,
// where the unifier joins boundaries, the boundaries of both are made one.
SplitInfo combine(const SplitInfo& a, const SplitInfo& b, DimUnifier& u) {
    if (same_split(a, b)) return a;
    if (u.joins_boundaries() && a && b && same_tree_shape(a, b) && unify_boundaries(a, b, u)) return a;
    return nullptr;
}

bool check_pad_act(const Ctx& c, OpKind op, Padding pad, Activation act) {
    if (pad != Padding::Same && pad != Padding::Valid) {
        fail(c, op, "padding must be same or valid");
        return false;
    }
    int a = static_cast<int>(act);
    if (a < 0 || a > 3) {
        fail(c, op, "activation must be none, sigmoid, relu or tanh");
        return false;
    }
    return true;
}

// Operators without a parallel semantics take only tensors that live whole on one device.
bool need_undistributed(const Ctx& c, OpKind op, const std::vector<TensorType>& in) {
    for (const TensorType& t : in)
        if (t.is_distributed()) {
            fail_with(c, op, [&] {
                return "takes no distributed operand, got " + t.to_string() + " (inputs " + types_str(in) + ")";
            });
            return false;
        }
    return true;
}

bool need_same_distribution(const Ctx& c, OpKind op, const std::vector<TensorType>& in) {
    for (size_t k = 1; k < in.size(); ++k)
        if (!in[k].same_distribution(in[0])) {
            fail_with(c, op, [&] { return "operands are distributed differently (inputs " + types_str(in) + ")"; });
            return false;
        }
    return true;
}

// Output size of a sliding window; symbolic sizes only at stride 1.
std::optional<Dim> window_out(const Ctx& c, OpKind op, const Dim& in, const Dim& k, int stride, Padding pad) {
    Dim n = c.u.resolve(in), kk = c.u.resolve(k);
    if (stride < 1) return fail(c, op, "stride must be at least 1");
    if (pad == Padding::Same) {
        if (stride == 1) return n;
        if (!n.is_concrete())
            return fail_with(c, op, [&] { return "stride > 1 needs a concrete spatial size, got " + n.to_string(); });
        return Dim((n.value() + stride - 1) / stride);
    }
    Dim diff = n - kk;
    if (stride == 1) {
        if (diff.is_concrete() && diff.value() < 0)
            return fail_with(c, op,
                             [&] { return "VALID window " + kk.to_string() + " larger than input " + n.to_string(); });
        return diff + Dim(1);
    }
    if (!diff.is_concrete())
        return fail_with(c, op, [&] { return "stride > 1 needs concrete sizes, got " + n.to_string(); });
    if (diff.value() < 0)
        return fail_with(c, op,
                         [&] { return "VALID window " + kk.to_string() + " larger than input " + n.to_string(); });
    return Dim(diff.value() / stride + 1);
}

std::optional<std::vector<int32_t>> checked_list(const Ctx& c, OpKind op, const Params& p, const char* what) {
    int n = p.v[0];
    if (n < 0 || n > kMaxListLen) return fail(c, op, std::string(what) + " has a bad length");
    return param::list(p);
}

using One = std::optional<TensorType>;

// Whether a dimension is (already known to be) 1: such an axis broadcasts.
bool is_one(const Ctx& c, const Dim& d) {
    const Dim r = c.u.resolve(d);
    return r.is_concrete() && r.value() == 1;
}

One infer_conv2d(const Ctx& c, const Params& p, const std::vector<TensorType>& in) {
    const OpKind op = OpKind::Conv2d;
    if (!need_undistributed(c, op, in) || !need_rank(c, op, in, 0, 4, "input") || !need_rank(c, op, in, 1, 4, "weight"))
        return std::nullopt;
    auto [sh, sw] = param::stride(p, op);
    Padding pad = param::padding(p, op);
    if (!check_pad_act(c, op, pad, param::activation(p, op))) return std::nullopt;
    Dim ch = c.u.resolve(in[0].dims[1]), cg = c.u.resolve(in[1].dims[1]), o = c.u.resolve(in[1].dims[0]);
    if (ch.is_concrete() && cg.is_concrete()) {
        // Groups are implied by the weight: input channels / weight input channels.
        if (cg.value() <= 0 || ch.value() % cg.value() != 0)
            return fail_with(c, op, [&] {
                return "input channels " + ch.to_string() + " not a multiple of weight channels " + cg.to_string() +
                       " (inputs " + types_str(in) + ")";
            });
        int64_t groups = ch.value() / cg.value();
        if (o.is_concrete() && o.value() % groups != 0)
            return fail_with(c, op, [&] {
                return "output channels " + o.to_string() + " not a multiple of groups " + std::to_string(groups);
            });
    }
    // With symbolic channels the group count stays open (a grouped-conv merge needs groups > 1);
    // divisibility is checked when the shapes are instantiated.
    auto h = window_out(c, op, in[0].dims[2], in[1].dims[2], sh, pad);
    if (!h) return std::nullopt;
    auto w = window_out(c, op, in[0].dims[3], in[1].dims[3], sw, pad);
    if (!w) return std::nullopt;
    TensorType t;
    t.dims = {in[0].dims[0], in[1].dims[0], *h, *w};
    t.set_split(0, in[0].split(0));
    t.set_split(1, in[1].split(0));
    return t;
}

// Unity's parallel matmul, one device per (batch part, row part, column part, contracted part,
// extra replica e): batch dims are cut alike in both operands and the contracted dim too; the
// left operand is replicated once per column part (times e), the right one once per row part
// (times e); the result's replicas are the partial sums over the contracted parts (times e).
bool matmul_distribution(const Ctx& c, const std::vector<TensorType>& in, TensorType& t) {
    const OpKind op = OpKind::Matmul;
    const TensorType &x = in[0], &w = in[1];
    if (!x.is_distributed() && !w.is_distributed()) return true;
    const size_t r = x.rank();
    if (r > 3) {
        fail_with(c, op, [&] { return "distributed operands must have rank 2 or 3 (inputs " + types_str(in) + ")"; });
        return false;
    }
    for (size_t i = 0; i + 2 < r; ++i) {
        if (x.degree(i) != w.degree(i)) {
            fail_with(c, op, [&] {
                return "batch dimension " + std::to_string(i) + " is cut differently (inputs " + types_str(in) + ")";
            });
            return false;
        }
        t.set_degree(i, x.degree(i));
    }
    const int32_t rows = x.degree(r - 2);
    const int32_t contracted = x.degree(r - 1), cols = w.degree(r - 1);
    if (w.degree(r - 2) != contracted) {
        fail_with(c, op, [&] { return "the contracted dimension is cut differently (inputs " + types_str(in) + ")"; });
        return false;
    }
    if (x.replicas % cols != 0 || w.replicas % rows != 0 || x.replicas / cols != w.replicas / rows) {
        fail_with(c, op, [&] {
            return "the left operand needs " + std::to_string(cols) + "*e replicas and the right one " +
                   std::to_string(rows) + "*e for one e (inputs " + types_str(in) + ")";
        });
        return false;
    }
    t.set_degree(r - 2, x.degree(r - 2));
    t.set_degree(r - 1, cols);
    t.replicas = contracted * (x.replicas / cols);
    return true;
}

One infer_matmul(const Ctx& c, const Params& p, const std::vector<TensorType>& in) {
    const OpKind op = OpKind::Matmul;
    if (!check_pad_act(c, op, Padding::Same, param::activation(p, op))) return std::nullopt;
    size_t r = in[0].rank();
    if (r < 2 || r > 4)
        return fail_with(c, op, [&] { return "operands must have rank 2, 3 or 4, got " + types_str(in); });
    if (!need_rank(c, op, in, 1, r, "right operand")) return std::nullopt;
    TensorType t;
    t.dims = in[0].dims;
    // Leading batch dimensions: equal, or one of them 1 and broadcast (numpy's matmul).
    for (size_t i = 0; i + 2 < r; ++i) {
        if (is_one(c, in[0].dims[i]) != is_one(c, in[1].dims[i])) {
            const TensorType& big = is_one(c, in[0].dims[i]) ? in[1] : in[0];
            t.dims[i] = big.dims[i];
            t.set_split(i, big.split(i));
            continue;
        }
        if (!unify_dim(
                c, op, in[0].dims[i], in[1].dims[i], [] { return "batch sizes"; }, in))
            return std::nullopt;
        t.set_split(i, combine(in[0].split(i), in[1].split(i), c.u));
    }
    if (!unify_dim(
            c, op, in[0].dims[r - 1], in[1].dims[r - 2], [] { return "contracted sizes"; }, in))
        return std::nullopt;
    t.dims[r - 1] = in[1].dims[r - 1];
    t.set_split(r - 2, in[0].split(r - 2));
    t.set_split(r - 1, in[1].split(r - 1));
    if (!matmul_distribution(c, in, t)) return std::nullopt;
    return t;
}

// Binary element-wise operators broadcast as numpy and ONNX do, between operands of one rank:
// an axis of length 1 on one side takes the other side's length (and its concat boundary);
// any other pair of lengths must be equal.
One infer_elementwise(const Ctx& c, OpKind op, const std::vector<TensorType>& in) {
    if (!need_rank(c, op, in, 1, in[0].rank(), "right operand") || !need_same_distribution(c, op, in))
        return std::nullopt;
    TensorType t;
    t.dims = in[0].dims;
    t.degrees = in[0].degrees;
    t.replicas = in[0].replicas;
    for (size_t i = 0; i < in[0].rank(); ++i) {
        const bool one0 = is_one(c, in[0].dims[i]), one1 = is_one(c, in[1].dims[i]);
        if (one0 != one1) {  // broadcast along axis i
            const TensorType& big = one0 ? in[1] : in[0];
            t.dims[i] = big.dims[i];
            t.set_split(i, big.split(i));
            continue;
        }
        if (!unify_dim(
                c, op, in[0].dims[i], in[1].dims[i], [&] { return "sizes of axis " + std::to_string(i); }, in))
            return std::nullopt;
        t.set_split(i, combine(in[0].split(i), in[1].split(i), c.u));
    }
    return t;
}

// Reductions keep their axis with length 1; softmax and the norms keep the operand's type.
One infer_axis_op(const Ctx& c, OpKind op, const Params& p, const std::vector<TensorType>& in) {
    if (!need_undistributed(c, op, in)) return std::nullopt;
    const int axis = param::axis(p);
    if (axis < 0 || static_cast<size_t>(axis) >= in[0].rank())
        return fail_with(c, op,
                         [&] { return "axis " + std::to_string(axis) + " out of range for " + in[0].to_string(); });
    TensorType t = in[0];
    if (op == OpKind::ReduceSum || op == OpKind::ReduceMean) {
        t.dims[axis] = Dim(1);
        t.set_split(axis, nullptr);
    }
    return t;
}

One infer_transpose(const Ctx& c, const Params& p, const std::vector<TensorType>& in) {
    const OpKind op = OpKind::Transpose;
    auto perm_or = checked_list(c, op, p, "perm");
    if (!perm_or) return std::nullopt;
    const std::vector<int32_t>& perm = *perm_or;
    if (perm.size() != in[0].rank())
        return fail_with(c, op, [&] {
            return "perm has " + std::to_string(perm.size()) + " entries for input " + in[0].to_string();
        });
    std::vector<int32_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i)
        if (sorted[i] != static_cast<int32_t>(i)) return fail(c, op, "perm is not a permutation");
    if (p.v[9] != 0 && p.v[9] != 1) return fail(c, op, "shuffle must be 0 or 1");  // the shuffle slot
    TensorType t;
    for (size_t i = 0; i < perm.size(); ++i) t.dims.push_back(in[0].dims[perm[i]]);
    for (size_t i = 0; i < perm.size(); ++i) t.set_split(i, in[0].split(perm[i]));
    for (size_t i = 0; i < perm.size(); ++i) t.set_degree(i, in[0].degree(perm[i]));
    t.replicas = in[0].replicas;
    return t;
}

One infer_concat(const Ctx& c, const Params& p, const std::vector<TensorType>& in) {
    const OpKind op = OpKind::Concat;
    size_t r = in[0].rank();
    int axis = param::axis(p);
    if (axis < 0 || static_cast<size_t>(axis) >= r)
        return fail_with(c, op,
                         [&] { return "axis " + std::to_string(axis) + " out of range for " + in[0].to_string(); });
    if (!need_same_distribution(c, op, in)) return std::nullopt;
    if (in[0].degree(axis) != 1)
        return fail_with(c, op, [&] {
            return "cannot join along axis " + std::to_string(axis) + ", which is cut: " + in[0].to_string();
        });
    TensorType t = in[0];
    for (size_t k = 1; k < in.size(); ++k) {
        if (!need_rank(c, op, in, k, r, "every operand")) return std::nullopt;
        for (size_t i = 0; i < r; ++i) {
            if (static_cast<int>(i) == axis) continue;
            if (!unify_dim(
                    c, op, t.dims[i], in[k].dims[i], [&] { return "sizes of axis " + std::to_string(i); }, in))
                return std::nullopt;
            t.set_split(i, combine(t.split(i), in[k].split(i), c.u));
        }
        auto node = std::make_shared<SplitTree>();
        node->left_size = t.dims[axis];
        node->left = t.split(axis);
        node->right = in[k].split(axis);
        t.dims[axis] = t.dims[axis] + in[k].dims[axis];
        t.set_split(axis, node);
    }
    return t;
}

std::optional<std::vector<TensorType>> infer_split(const Ctx& c, const Params& p, const std::vector<TensorType>& in) {
    const OpKind op = OpKind::Split;
    int axis = param::axis(p);
    if (axis < 0 || static_cast<size_t>(axis) >= in[0].rank())
        return fail_with(c, op,
                         [&] { return "axis " + std::to_string(axis) + " out of range for " + in[0].to_string(); });
    if (in[0].degree(axis) != 1)
        return fail_with(c, op, [&] {
            return "cannot split axis " + std::to_string(axis) + ", which is cut: " + in[0].to_string();
        });
    const SplitInfo& s = in[0].split(axis);
    if (!s)
        return fail_with(c, op, [&] {
            return "input " + in[0].to_string() + " has no concat boundary on axis " + std::to_string(axis);
        });
    TensorType left = in[0], right = in[0];
    left.dims[axis] = s->left_size;
    right.dims[axis] = in[0].dims[axis] - s->left_size;
    left.set_split(axis, s->left);
    right.set_split(axis, s->right);
    return std::vector<TensorType>{left, right};
}

One infer_pool(const Ctx& c, OpKind op, const Params& p, const std::vector<TensorType>& in) {
    if (!need_undistributed(c, op, in) || !need_rank(c, op, in, 0, 4, "input")) return std::nullopt;
    auto [kh, kw] = param::kernel(p);
    auto [sh, sw] = param::stride(p, op);
    if (kh < 1 || kw < 1) return fail(c, op, "kernel must be at least 1x1");
    Padding pad = param::padding(p, op);
    if (!check_pad_act(c, op, pad, param::activation(p, op))) return std::nullopt;
    auto h = window_out(c, op, in[0].dims[2], Dim(kh), sh, pad);
    if (!h) return std::nullopt;
    auto w = window_out(c, op, in[0].dims[3], Dim(kw), sw, pad);
    if (!w) return std::nullopt;
    TensorType t = in[0];
    t.dims[2] = *h;
    t.dims[3] = *w;
    t.set_split(2, nullptr);
    t.set_split(3, nullptr);
    return t;
}

One infer_enlarge(const Ctx& c, const std::vector<TensorType>& in) {
    const OpKind op = OpKind::Enlarge;
    if (!need_undistributed(c, op, in) || !need_rank(c, op, in, 0, 4, "kernel") ||
        !need_rank(c, op, in, 1, 4, "reference kernel"))
        return std::nullopt;
    TensorType t = in[0];
    for (int i : {2, 3}) {
        Dim from = c.u.resolve(in[0].dims[i]), to = c.u.resolve(in[1].dims[i]);
        Dim diff = to - from;
        if (diff.is_concrete() && (diff.value() < 0 || diff.value() % 2 != 0))
            return fail_with(c, op,
                             [&] { return "cannot centre kernel " + in[0].to_string() + " in " + in[1].to_string(); });
        t.dims[i] = in[1].dims[i];
        t.set_split(i, nullptr);
    }
    return t;
}

// Each constant's own condition on its shape parameter.
One infer_constant(const Ctx& c, OpKind op, const Params& p) {
    auto dims_or = checked_list(c, op, p, "shape");
    if (!dims_or) return std::nullopt;
    const std::vector<int32_t>& dims = *dims_or;
    for (int32_t d : dims)
        if (d < 1) return fail(c, op, "shape entries must be positive");
    TensorType t;
    for (int32_t d : dims) t.dims.push_back(Dim(d));
    if (op == OpKind::ConstImm && (dims.size() != 2 || dims[0] != dims[1]))
        return fail(c, op, "shape must be square [n,n]");
    if (op == OpKind::ConstIconv &&
        (dims.size() != 4 || (dims[1] != dims[0] && dims[1] != 1) || dims[2] % 2 == 0 || dims[3] % 2 == 0))
        return fail(c, op, "shape must be [c,c,kh,kw] or [c,1,kh,kw] with odd kh, kw");
    if (op == OpKind::ConstPool && (dims.size() != 4 || dims[1] != 1)) return fail(c, op, "shape must be [c,1,kh,kw]");
    return t;
}

One infer_reshape(const Ctx& c, const Params& p, const std::vector<TensorType>& in) {
    const OpKind op = OpKind::Reshape;
    if (!need_undistributed(c, op, in)) return std::nullopt;
    auto dims_or = checked_list(c, op, p, "shape");
    if (!dims_or) return std::nullopt;
    int64_t vol = 1;
    for (int32_t d : *dims_or) {
        if (d < 1) return fail(c, op, "shape entries must be positive");
        vol *= d;
    }
    int64_t in_vol = 1;
    for (const Dim& d : in[0].dims) {
        Dim r = c.u.resolve(d);
        if (!r.is_concrete())
            return fail_with(c, op, [&] { return "needs a concrete input shape, got " + in[0].to_string(); });
        in_vol *= r.value();
    }
    if (vol != in_vol)
        return fail_with(c, op, [&] {
            return "cannot reshape " + in[0].to_string() + " (" + std::to_string(in_vol) + " elements) to " +
                   std::to_string(vol) + " elements";
        });
    TensorType t;
    for (int32_t d : *dims_or) t.dims.push_back(Dim(d));
    return t;
}

// The four parallel operators change only the distribution.
One infer_parallel(const Ctx& c, OpKind op, const Params& p, const std::vector<TensorType>& in) {
    const int32_t k = param::degree(p, op);
    if (k < 2) return fail_with(c, op, [&] { return "degree must be at least 2, got " + std::to_string(k); });
    TensorType t = in[0];
    if (op == OpKind::Replicate) {
        if (int64_t{t.replicas} * k > 1024) return fail(c, op, "more than 1024 replicas");
        t.replicas *= k;
        return t;
    }
    if (op == OpKind::Reduction) {
        if (t.replicas % k != 0)
            return fail_with(c, op, [&] {
                return t.to_string() + " has " + std::to_string(t.replicas) + " replicas, not a multiple of " +
                       std::to_string(k);
            });
        t.replicas /= k;
        return t;
    }
    const int32_t dim = param::parallel_dim(p);
    if (dim < 0 || static_cast<size_t>(dim) >= t.rank())
        return fail_with(c, op, [&] { return "dim " + std::to_string(dim) + " out of range for " + t.to_string(); });
    const int32_t have = t.degree(dim);
    if (op == OpKind::Combine) {
        if (have % k != 0)
            return fail_with(c, op, [&] {
                return "dim " + std::to_string(dim) + " of " + t.to_string() + " is not cut in a multiple of " +
                       std::to_string(k) + " parts";
            });
        t.set_degree(dim, have / k);
        return t;
    }
    const int64_t parts = int64_t{have} * k;
    if (parts > 1024) return fail(c, op, "more than 1024 parts of one dimension");
    const Dim size = c.u.resolve(t.dims[dim]);
    if (size.is_concrete() && size.value() % parts != 0)
        return fail_with(c, op, [&] {
            return "dim " + std::to_string(dim) + " of " + t.to_string() + " does not divide into " +
                   std::to_string(parts) + " equal parts";
        });
    t.set_degree(dim, static_cast<int32_t>(parts));
    return t;
}

std::optional<std::vector<TensorType>> one(One t) {
    if (!t) return std::nullopt;
    return std::vector<TensorType>{std::move(*t)};
}

}  // namespace

std::optional<std::vector<TensorType>> try_infer_output_types(OpKind op, const Params& p,
                                                              const std::vector<TensorType>& in, DimUnifier& u,
                                                              std::string* why) {
    const Ctx c{u, why};
    switch (op) {
        case OpKind::Input: return fail(c, op, "an input has no operands");
        case OpKind::Conv2d: return one(infer_conv2d(c, p, in));
        case OpKind::Matmul: return one(infer_matmul(c, p, in));
        case OpKind::EwAdd:
        case OpKind::EwSub:
        case OpKind::EwMul:
        case OpKind::EwDiv: return one(infer_elementwise(c, op, in));
        case OpKind::ReduceSum:
        case OpKind::ReduceMean:
        case OpKind::Softmax:
        case OpKind::LayerNorm:
        case OpKind::RmsNorm: return one(infer_axis_op(c, op, p, in));
        case OpKind::Smul:
            if (!need_rank(c, op, in, 1, 0, "scalar")) return std::nullopt;
            if (in[1].is_distributed())
                return fail_with(c, op, [&] { return "the scalar must not be distributed, got " + in[1].to_string(); });
            return std::vector<TensorType>{in[0]};
        case OpKind::Relu:
        case OpKind::Sigmoid: RF_UNARY_ELEMENTWISE_CASES
        case OpKind::Tanh: return std::vector<TensorType>{in[0]};
        case OpKind::Transpose: return one(infer_transpose(c, p, in));
        case OpKind::Concat: return one(infer_concat(c, p, in));
        case OpKind::Split: return infer_split(c, p, in);
        case OpKind::PoolAvg:
        case OpKind::PoolMax: return one(infer_pool(c, op, p, in));
        case OpKind::Enlarge: return one(infer_enlarge(c, in));
        case OpKind::ConstImm:
        case OpKind::ConstIconv:
        case OpKind::ConstOne:
        case OpKind::ConstPool: return one(infer_constant(c, op, p));
        case OpKind::Reshape: return one(infer_reshape(c, p, in));
        case OpKind::Repartition:
        case OpKind::Combine:
        case OpKind::Replicate:
        case OpKind::Reduction: return one(infer_parallel(c, op, p, in));
    }
    return fail(c, op, "unknown operator");
}

std::vector<TensorType> infer_output_types(OpKind op, const Params& p, const std::vector<TensorType>& in,
                                           DimUnifier& u) {
    std::string why;
    auto out = try_infer_output_types(op, p, in, u, &why);
    if (!out) throw TypeError(why);
    return std::move(*out);
}

}  // namespace rf
