#include "ir/shape_rules.h"

#include <algorithm>
#include <sstream>

namespace rf {

namespace {

[[noreturn]] void fail(OpKind op, const std::string& what) {
    throw TypeError(std::string(op_name(op)) + ": " + what);
}

std::string types_str(const std::vector<TensorType>& ts) {
    std::string s;
    for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + ts[i].to_string();
    return s;
}

void need_rank(OpKind op, const std::vector<TensorType>& in, size_t i, size_t rank, const char* what) {
    if (in[i].rank() != rank) {
        std::ostringstream m;
        m << what << " must have rank " << rank << ", got " << in[i].to_string() << " (inputs "
          << types_str(in) << ")";
        fail(op, m.str());
    }
}

void unify_dim(OpKind op, DimUnifier& u, const Dim& a, const Dim& b, const std::string& what,
               const std::vector<TensorType>& in) {
    if (!u.unify(a, b))
        fail(op, what + " differ: " + u.resolve(a).to_string() + " vs " + u.resolve(b).to_string() +
                     " (inputs " + types_str(in) + ")");
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

void check_pad_act(OpKind op, Padding pad, Activation act) {
    if (pad != Padding::Same && pad != Padding::Valid) fail(op, "padding must be same or valid");
    int a = static_cast<int>(act);
    if (a < 0 || a > 3) fail(op, "activation must be none, sigmoid, relu or tanh");
}

// Operators without a parallel semantics take only tensors that live whole on one device.
void need_undistributed(OpKind op, const std::vector<TensorType>& in) {
    for (const TensorType& t : in)
        if (t.is_distributed())
            fail(op, "takes no distributed operand, got " + t.to_string() + " (inputs " + types_str(in) + ")");
}

void need_same_distribution(OpKind op, const std::vector<TensorType>& in) {
    for (size_t k = 1; k < in.size(); ++k)
        if (!in[k].same_distribution(in[0]))
            fail(op, "operands are distributed differently (inputs " + types_str(in) + ")");
}

// Output size of a sliding window; symbolic sizes only at stride 1.
Dim window_out(OpKind op, DimUnifier& u, const Dim& in, const Dim& k, int stride, Padding pad) {
    Dim n = u.resolve(in), kk = u.resolve(k);
    if (stride < 1) fail(op, "stride must be at least 1");
    if (pad == Padding::Same) {
        if (stride == 1) return n;
        if (!n.is_concrete()) fail(op, "stride > 1 needs a concrete spatial size, got " + n.to_string());
        return Dim((n.value() + stride - 1) / stride);
    }
    Dim diff = n - kk;
    if (stride == 1) {
        if (diff.is_concrete() && diff.value() < 0)
            fail(op, "VALID window " + kk.to_string() + " larger than input " + n.to_string());
        return diff + Dim(1);
    }
    if (!diff.is_concrete()) fail(op, "stride > 1 needs concrete sizes, got " + n.to_string());
    if (diff.value() < 0) fail(op, "VALID window " + kk.to_string() + " larger than input " + n.to_string());
    return Dim(diff.value() / stride + 1);
}

std::vector<int32_t> checked_list(OpKind op, const Params& p, const char* what) {
    int n = p.v[0];
    if (n < 0 || n > kMaxListLen) fail(op, std::string(what) + " has a bad length");
    return param::list(p);
}

TensorType infer_conv2d(const Params& p, const std::vector<TensorType>& in, DimUnifier& u) {
    const OpKind op = OpKind::Conv2d;
    need_undistributed(op, in);
    need_rank(op, in, 0, 4, "input");
    need_rank(op, in, 1, 4, "weight");
    auto [sh, sw] = param::stride(p, op);
    Padding pad = param::padding(p, op);
    check_pad_act(op, pad, param::activation(p, op));
    Dim c = u.resolve(in[0].dims[1]), cg = u.resolve(in[1].dims[1]), o = u.resolve(in[1].dims[0]);
    if (c.is_concrete() && cg.is_concrete()) {
        // Groups are implied by the weight: input channels / weight input channels.
        if (cg.value() <= 0 || c.value() % cg.value() != 0)
            fail(op, "input channels " + c.to_string() + " not a multiple of weight channels " +
                         cg.to_string() + " (inputs " + types_str(in) + ")");
        int64_t groups = c.value() / cg.value();
        if (o.is_concrete() && o.value() % groups != 0)
            fail(op, "output channels " + o.to_string() + " not a multiple of groups " +
                         std::to_string(groups));
    }
    // With symbolic channels the group count stays open (a grouped-conv merge needs groups > 1);
    // divisibility is checked when the shapes are instantiated.
    TensorType t;
    t.dims = {in[0].dims[0], in[1].dims[0], window_out(op, u, in[0].dims[2], in[1].dims[2], sh, pad),
              window_out(op, u, in[0].dims[3], in[1].dims[3], sw, pad)};
    t.set_split(0, in[0].split(0));
    t.set_split(1, in[1].split(0));
    return t;
}

// Unity's parallel matmul, one device per (batch part, row part, column part, contracted part,
// extra replica e): batch dims are cut alike in both operands and the contracted dim too; the
// left operand is replicated once per column part (times e), the right one once per row part
// (times e); the result's replicas are the partial sums over the contracted parts (times e).
void matmul_distribution(const std::vector<TensorType>& in, TensorType& t) {
    const OpKind op = OpKind::Matmul;
    const TensorType &x = in[0], &w = in[1];
    if (!x.is_distributed() && !w.is_distributed()) return;
    const size_t r = x.rank();
    for (size_t i = 0; i + 2 < r; ++i) {
        if (x.degree(i) != w.degree(i)) fail(op, "batch dimension " + std::to_string(i) + " is cut differently (inputs " + types_str(in) + ")");
        t.set_degree(i, x.degree(i));
    }
    const int32_t rows = x.degree(r - 2);
    const int32_t contracted = x.degree(r - 1), cols = w.degree(r - 1);
    if (w.degree(r - 2) != contracted)
        fail(op, "the contracted dimension is cut differently (inputs " + types_str(in) + ")");
    if (x.replicas % cols != 0 || w.replicas % rows != 0 || x.replicas / cols != w.replicas / rows)
        fail(op, "the left operand needs " + std::to_string(cols) + "*e replicas and the right one " +
                     std::to_string(rows) + "*e for one e (inputs " + types_str(in) + ")");
    t.set_degree(r - 2, x.degree(r - 2));
    t.set_degree(r - 1, cols);
    t.replicas = contracted * (x.replicas / cols);
}

TensorType infer_matmul(const Params& p, const std::vector<TensorType>& in, DimUnifier& u) {
    const OpKind op = OpKind::Matmul;
    check_pad_act(op, Padding::Same, param::activation(p, op));
    size_t r = in[0].rank();
    if (r < 2 || r > 3) fail(op, "operands must have rank 2 or 3, got " + types_str(in));
    need_rank(op, in, 1, r, "right operand");
    for (size_t i = 0; i + 2 < r; ++i) unify_dim(op, u, in[0].dims[i], in[1].dims[i], "batch sizes", in);
    unify_dim(op, u, in[0].dims[r - 1], in[1].dims[r - 2], "contracted sizes", in);
    TensorType t;
    t.dims = in[0].dims;
    t.dims[r - 1] = in[1].dims[r - 1];
    for (size_t i = 0; i + 2 < r; ++i) t.set_split(i, combine(in[0].split(i), in[1].split(i), u));
    t.set_split(r - 2, in[0].split(r - 2));
    t.set_split(r - 1, in[1].split(r - 1));
    matmul_distribution(in, t);
    return t;
}

TensorType infer_elementwise(OpKind op, const std::vector<TensorType>& in, DimUnifier& u) {
    need_rank(op, in, 1, in[0].rank(), "right operand");
    need_same_distribution(op, in);
    TensorType t;
    t.dims = in[0].dims;
    t.degrees = in[0].degrees;
    t.replicas = in[0].replicas;
    for (size_t i = 0; i < in[0].rank(); ++i) {
        unify_dim(op, u, in[0].dims[i], in[1].dims[i], "sizes of axis " + std::to_string(i), in);
        t.set_split(i, combine(in[0].split(i), in[1].split(i), u));
    }
    return t;
}

TensorType infer_transpose(const Params& p, const std::vector<TensorType>& in) {
    const OpKind op = OpKind::Transpose;
    auto perm = checked_list(op, p, "perm");
    if (perm.size() != in[0].rank())
        fail(op, "perm has " + std::to_string(perm.size()) + " entries for input " + in[0].to_string());
    std::vector<int32_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i)
        if (sorted[i] != static_cast<int32_t>(i)) fail(op, "perm is not a permutation");
    if (p.v[9] != 0 && p.v[9] != 1) fail(op, "shuffle must be 0 or 1");  // the shuffle slot
    TensorType t;
    for (size_t i = 0; i < perm.size(); ++i) t.dims.push_back(in[0].dims[perm[i]]);
    for (size_t i = 0; i < perm.size(); ++i) t.set_split(i, in[0].split(perm[i]));
    for (size_t i = 0; i < perm.size(); ++i) t.set_degree(i, in[0].degree(perm[i]));
    t.replicas = in[0].replicas;
    return t;
}

TensorType infer_concat(const Params& p, const std::vector<TensorType>& in, DimUnifier& u) {
    const OpKind op = OpKind::Concat;
    size_t r = in[0].rank();
    int axis = param::axis(p);
    if (axis < 0 || static_cast<size_t>(axis) >= r)
        fail(op, "axis " + std::to_string(axis) + " out of range for " + in[0].to_string());
    need_same_distribution(op, in);
    if (in[0].degree(axis) != 1) fail(op, "cannot join along axis " + std::to_string(axis) + ", which is cut: " + in[0].to_string());
    TensorType t = in[0];
    for (size_t k = 1; k < in.size(); ++k) {
        need_rank(op, in, k, r, "every operand");
        for (size_t i = 0; i < r; ++i) {
            if (static_cast<int>(i) == axis) continue;
            unify_dim(op, u, t.dims[i], in[k].dims[i], "sizes of axis " + std::to_string(i), in);
            t.set_split(i, combine(t.split(i), in[k].split(i), u));
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

std::vector<TensorType> infer_split(const Params& p, const std::vector<TensorType>& in) {
    const OpKind op = OpKind::Split;
    int axis = param::axis(p);
    if (axis < 0 || static_cast<size_t>(axis) >= in[0].rank())
        fail(op, "axis " + std::to_string(axis) + " out of range for " + in[0].to_string());
    if (in[0].degree(axis) != 1) fail(op, "cannot split axis " + std::to_string(axis) + ", which is cut: " + in[0].to_string());
    const SplitInfo& s = in[0].split(axis);
    if (!s) fail(op, "input " + in[0].to_string() + " has no concat boundary on axis " + std::to_string(axis));
    TensorType left = in[0], right = in[0];
    left.dims[axis] = s->left_size;
    right.dims[axis] = in[0].dims[axis] - s->left_size;
    left.set_split(axis, s->left);
    right.set_split(axis, s->right);
    return {left, right};
}

TensorType infer_pool(OpKind op, const Params& p, const std::vector<TensorType>& in, DimUnifier& u) {
    need_undistributed(op, in);
    need_rank(op, in, 0, 4, "input");
    auto [kh, kw] = param::kernel(p);
    auto [sh, sw] = param::stride(p, op);
    if (kh < 1 || kw < 1) fail(op, "kernel must be at least 1x1");
    Padding pad = param::padding(p, op);
    check_pad_act(op, pad, param::activation(p, op));
    TensorType t = in[0];
    t.dims[2] = window_out(op, u, in[0].dims[2], Dim(kh), sh, pad);
    t.dims[3] = window_out(op, u, in[0].dims[3], Dim(kw), sw, pad);
    t.set_split(2, nullptr);
    t.set_split(3, nullptr);
    return t;
}

TensorType infer_enlarge(const std::vector<TensorType>& in, DimUnifier& u) {
    const OpKind op = OpKind::Enlarge;
    need_undistributed(op, in);
    need_rank(op, in, 0, 4, "kernel");
    need_rank(op, in, 1, 4, "reference kernel");
    TensorType t = in[0];
    for (int i : {2, 3}) {
        Dim from = u.resolve(in[0].dims[i]), to = u.resolve(in[1].dims[i]);
        Dim diff = to - from;
        if (diff.is_concrete() && (diff.value() < 0 || diff.value() % 2 != 0))
            fail(op, "cannot centre kernel " + in[0].to_string() + " in " + in[1].to_string());
        t.dims[i] = in[1].dims[i];
        t.set_split(i, nullptr);
    }
    return t;
}

TensorType infer_constant(OpKind op, const Params& p) {
    auto dims = checked_list(op, p, "shape");
    for (int32_t d : dims)
        if (d < 1) fail(op, "shape entries must be positive");
    TensorType t;
    for (int32_t d : dims) t.dims.push_back(Dim(d));
    switch (op) {
        case OpKind::ConstImm:
            if (dims.size() != 2 || dims[0] != dims[1]) fail(op, "shape must be square [n,n]");
            break;
        case OpKind::ConstIconv:
            if (dims.size() != 4 || (dims[1] != dims[0] && dims[1] != 1) || dims[2] % 2 == 0 || dims[3] % 2 == 0)
                fail(op, "shape must be [c,c,kh,kw] or [c,1,kh,kw] with odd kh, kw");
            break;
        case OpKind::ConstPool:
            if (dims.size() != 4 || dims[1] != 1) fail(op, "shape must be [c,1,kh,kw]");
            break;
        case OpKind::ConstOne:
            break;
        case OpKind::Input:
        case OpKind::Conv2d:
        case OpKind::Matmul:
        case OpKind::EwAdd:
        case OpKind::EwMul:
        case OpKind::Smul:
        case OpKind::Relu:
        case OpKind::Sigmoid:
        case OpKind::Tanh:
        case OpKind::Transpose:
        case OpKind::Concat:
        case OpKind::Split:
        case OpKind::PoolAvg:
        case OpKind::PoolMax:
        case OpKind::Enlarge:
        case OpKind::Reshape:
        case OpKind::Repartition:
        case OpKind::Combine:
        case OpKind::Replicate:
        case OpKind::Reduction: fail(op, "not a constant");
    }
    return t;
}

TensorType infer_reshape(const Params& p, const std::vector<TensorType>& in, DimUnifier& u) {
    const OpKind op = OpKind::Reshape;
    need_undistributed(op, in);
    auto dims = checked_list(op, p, "shape");
    int64_t vol = 1;
    for (int32_t d : dims) {
        if (d < 1) fail(op, "shape entries must be positive");
        vol *= d;
    }
    int64_t in_vol = 1;
    for (const Dim& d : in[0].dims) {
        Dim r = u.resolve(d);
        if (!r.is_concrete()) fail(op, "needs a concrete input shape, got " + in[0].to_string());
        in_vol *= r.value();
    }
    if (vol != in_vol) fail(op, "cannot reshape " + in[0].to_string() + " (" + std::to_string(in_vol) +
                                    " elements) to " + std::to_string(vol) + " elements");
    TensorType t;
    for (int32_t d : dims) t.dims.push_back(Dim(d));
    return t;
}

// The four parallel operators change only the distribution.
TensorType infer_parallel(OpKind op, const Params& p, const std::vector<TensorType>& in, DimUnifier& u) {
    const int32_t k = param::degree(p, op);
    if (k < 2) fail(op, "degree must be at least 2, got " + std::to_string(k));
    TensorType t = in[0];
    if (op == OpKind::Replicate) {
        if (int64_t{t.replicas} * k > 1024) fail(op, "more than 1024 replicas");
        t.replicas *= k;
        return t;
    }
    if (op == OpKind::Reduction) {
        if (t.replicas % k != 0)
            fail(op, t.to_string() + " has " + std::to_string(t.replicas) + " replicas, not a multiple of " + std::to_string(k));
        t.replicas /= k;
        return t;
    }
    const int32_t dim = param::parallel_dim(p);
    if (dim < 0 || static_cast<size_t>(dim) >= t.rank()) fail(op, "dim " + std::to_string(dim) + " out of range for " + t.to_string());
    const int32_t have = t.degree(dim);
    if (op == OpKind::Combine) {
        if (have % k != 0)
            fail(op, "dim " + std::to_string(dim) + " of " + t.to_string() + " is not cut in a multiple of " + std::to_string(k) + " parts");
        t.set_degree(dim, have / k);
        return t;
    }
    const int64_t parts = int64_t{have} * k;
    if (parts > 1024) fail(op, "more than 1024 parts of one dimension");
    const Dim size = u.resolve(t.dims[dim]);
    if (size.is_concrete() && size.value() % parts != 0)
        fail(op, "dim " + std::to_string(dim) + " of " + t.to_string() + " does not divide into " + std::to_string(parts) + " equal parts");
    t.set_degree(dim, static_cast<int32_t>(parts));
    return t;
}

}  // namespace

int required_rank(OpKind op, const Params& params, int input_index) {
    switch (op) {
        case OpKind::Conv2d:
        case OpKind::PoolAvg:
        case OpKind::PoolMax:
        case OpKind::Enlarge: return 4;
        case OpKind::Smul: return input_index == 1 ? 0 : -1;
        case OpKind::Transpose: return params.v[0];
        case OpKind::Input:
        case OpKind::Matmul:
        case OpKind::EwAdd:
        case OpKind::EwMul:
        case OpKind::Relu:
        case OpKind::Sigmoid:
        case OpKind::Tanh:
        case OpKind::Concat:
        case OpKind::Split:
        case OpKind::ConstImm:
        case OpKind::ConstIconv:
        case OpKind::ConstOne:
        case OpKind::ConstPool:
        case OpKind::Reshape:
        case OpKind::Repartition:
        case OpKind::Combine:
        case OpKind::Replicate:
        case OpKind::Reduction: return -1;
    }
    return -1;
}

std::vector<TensorType> infer_output_types(OpKind op, const Params& p, const std::vector<TensorType>& in,
                                           DimUnifier& u) {
    switch (op) {
        case OpKind::Input: fail(op, "an input has no operands");
        case OpKind::Conv2d: return {infer_conv2d(p, in, u)};
        case OpKind::Matmul: return {infer_matmul(p, in, u)};
        case OpKind::EwAdd:
        case OpKind::EwMul: return {infer_elementwise(op, in, u)};
        case OpKind::Smul:
            need_rank(op, in, 1, 0, "scalar");
            if (in[1].is_distributed()) fail(op, "the scalar must not be distributed, got " + in[1].to_string());
            return {in[0]};
        case OpKind::Relu:
        case OpKind::Sigmoid:
        case OpKind::Tanh: return {in[0]};
        case OpKind::Transpose: return {infer_transpose(p, in)};
        case OpKind::Concat: return {infer_concat(p, in, u)};
        case OpKind::Split: return infer_split(p, in);
        case OpKind::PoolAvg:
        case OpKind::PoolMax: return {infer_pool(op, p, in, u)};
        case OpKind::Enlarge: return {infer_enlarge(in, u)};
        case OpKind::ConstImm:
        case OpKind::ConstIconv:
        case OpKind::ConstOne:
        case OpKind::ConstPool: return {infer_constant(op, p)};
        case OpKind::Reshape: return {infer_reshape(p, in, u)};
        case OpKind::Repartition:
        case OpKind::Combine:
        case OpKind::Replicate:
        case OpKind::Reduction: return {infer_parallel(op, p, in, u)};
    }
    fail(op, "unknown operator");
}

}  // namespace rf
