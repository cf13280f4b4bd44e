#include "prover/op_symbols.h"

#include <stdexcept>

namespace rf::prover {

bool OpSig::operator<(const OpSig& o) const {
    if (op != o.op) return op < o.op;
    if (params != o.params) return params < o.params;
    if (arity != o.arity) return arity < o.arity;
    return output < o.output;
}

namespace {

std::string join(const std::vector<int32_t>& v, const char* sep) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + std::to_string(v[i]);
    return s;
}

std::string window_suffix(OpKind op, const Params& p) {
    auto [sh, sw] = param::stride(p, op);
    return "_s" + std::to_string(sh) + "x" + std::to_string(sw) + "_" + padding_name(param::padding(p, op)) + "_" +
           activation_name(param::activation(p, op));
}

// Output size of a sliding window along one axis, as the IR's shape rule computes it
// (ir/shape_rules.cpp): SAME keeps ceil(in / stride), VALID gives (in - k) / stride + 1.
TermId window_out(Terms& t, TermId in, TermId k, int stride, Padding pad) {
    switch (pad) {
        case Padding::Same: return stride == 1 ? in : t.div_const(t.add({in, t.int_lit(stride - 1)}), stride);
        case Padding::Valid: return t.add({t.div_const(t.sub(in, k), stride), t.int_lit(1)});
    }
    return in;
}

// x has rank r (and is a tensor, not the ill-typed value).
TermId has_rank(Terms& t, const DimFuncs& d, TermId x, int r) {
    std::vector<TermId> c;
    for (int k = 0; k < d.max_rank(); ++k)
        c.push_back(k < r ? t.le(t.int_lit(1), d.dim(t, k, x)) : t.eq(d.dim(t, k, x), t.int_lit(0)));
    return t.and_(c);
}

TermId shape_is(Terms& t, const DimFuncs& d, TermId x, const std::vector<TermId>& dims) {
    std::vector<TermId> c;
    for (int k = 0; k < d.max_rank(); ++k)
        c.push_back(t.eq(d.dim(t, k, x), k < static_cast<int>(dims.size()) ? dims[k] : t.int_lit(0)));
    return t.and_(c);
}

TermId same_shape(Terms& t, const DimFuncs& d, TermId x, TermId y) {
    std::vector<TermId> c;
    for (int k = 0; k < d.max_rank(); ++k) c.push_back(t.eq(d.dim(t, k, x), d.dim(t, k, y)));
    return t.and_(c);
}

// The parallel operators keep the dimensions and change one degree or the replica count; the
// operand must be a tensor (0 <= d0: not the ill-typed value) that the operator accepts.
std::vector<TermId> parallel_shape_rules(Terms& t, const DimFuncs& d, const OpSig& sig, FuncId f) {
    if (!d.distributed()) return {};
    const int R = d.max_rank();
    const int32_t k = param::degree(sig.params, sig.op);
    TermId x = t.var("x0", Sort::Tensor);
    TermId a = t.app(f, {x});
    const bool partition = is_partition_op(sig.op);
    const int dim = partition ? param::parallel_dim(sig.params) : -1;
    if (dim >= R) return {};
    // Everything but degree `dim` (or the replicas) carries over.
    std::vector<TermId> keep{same_shape(t, d, a, x)};
    for (int j = 0; j < R; ++j)
        if (j != dim) keep.push_back(t.eq(d.degree(t, j, a), d.degree(t, j, x)));
    if (partition) keep.push_back(t.eq(d.replicas(t, a), d.replicas(t, x)));
    const TermId is_tensor = t.le(t.int_lit(0), d.dim(t, 0, x));
    auto formula = [&](std::vector<TermId> guard, std::vector<TermId> concl) {
        guard.insert(guard.begin(), is_tensor);
        concl.insert(concl.end(), keep.begin(), keep.end());
        return t.forall({x}, t.implies(t.and_(guard), t.and_(concl)), {{a}});
    };
    if (sig.op == OpKind::Repartition) {
        const TermId gdim = d.degree(t, dim, x);
        std::vector<TermId> out;
        for (int32_t c : d.degree_values)
            out.push_back(formula({t.le(t.int_lit(1), d.dim(t, dim, x)), t.eq(gdim, t.int_lit(c)),
                                   t.eq(t.mod_const(d.dim(t, dim, x), int64_t{c} * k), t.int_lit(0))},
                                  {t.eq(d.degree(t, dim, a), t.int_lit(int64_t{c} * k))}));
        return out;
    }
    if (sig.op == OpKind::Combine) {
        const TermId gdim = d.degree(t, dim, x);
        return {formula(
            {t.le(t.int_lit(1), d.dim(t, dim, x)), t.le(t.int_lit(1), gdim), t.eq(t.mod_const(gdim, k), t.int_lit(0))},
            {t.eq(d.degree(t, dim, a), t.div_const(gdim, k))})};
    }
    const TermId r = d.replicas(t, x);
    if (sig.op == OpKind::Replicate)
        return {formula({t.le(t.int_lit(1), r)}, {t.eq(d.replicas(t, a), t.mul_const(k, r))})};
    return {formula({t.le(t.int_lit(1), r), t.eq(t.mod_const(r, k), t.int_lit(0))},
                    {t.eq(d.replicas(t, a), t.div_const(r, k))})};
}

// "guard -> result has dims" over `vars`, triggered by every application `app` of the operator.
// In a distributed query these operators' rules speak of whole operands `xs` (and a whole
// result): the shape rules of ir/shape_rules.cpp make their distributed forms ill-typed or
// different.
TermId guarded_shape_rule(Terms& t, const DimFuncs& d, const std::vector<TermId>& xs, std::vector<TermId> vars,
                          TermId app, TermId guard, const std::vector<TermId>& out) {
    std::vector<TermId> g{guard}, concl{shape_is(t, d, app, out)};
    if (d.distributed()) {
        for (TermId x : xs) g.push_back(d.whole(t, x));
        concl.push_back(d.whole(t, app));
    }
    return t.forall(std::move(vars), t.implies(t.and_(g), t.and_(concl)), {{app}});
}

// The operators whose spatial output size comes from a window: convolution, pooling, enlarge.
std::vector<TermId> window_shape_rules(Terms& t, const DimFuncs& d, const OpSig& sig, FuncId f,
                                       const std::vector<TermId>& xs) {
    const Params& p = sig.params;
    if (d.max_rank() < 4) return {};
    auto dim = [&](int k, TermId x) { return d.dim(t, k, x); };
    auto rule = [&](TermId app, TermId guard, const std::vector<TermId>& out) {
        return guarded_shape_rule(t, d, xs, xs, app, guard, out);
    };
    if (sig.op == OpKind::Conv2d) {
        TermId a = t.app(f, xs);
        TermId x = xs[0], w = xs[1];
        auto [sh, sw] = param::stride(p, sig.op);
        Padding pad = param::padding(p, sig.op);
        std::vector<TermId> base{has_rank(t, d, x, 4), has_rank(t, d, w, 4)};
        if (pad == Padding::Valid) {
            base.push_back(t.le(dim(2, w), dim(2, x)));
            base.push_back(t.le(dim(3, w), dim(3, x)));
        }
        std::vector<TermId> out{dim(0, x), dim(0, w), window_out(t, dim(2, x), dim(2, w), sh, pad),
                                window_out(t, dim(3, x), dim(3, w), sw, pad)};
        // Only the group counts the encoding can state linearly: dense (groups = 1) and
        // depthwise with one filter per channel. Other grouped convolutions get their shapes
        // from the rule's own typing only.
        std::vector<TermId> dense = base, depthwise = base;
        dense.push_back(t.eq(dim(1, x), dim(1, w)));
        depthwise.push_back(t.eq(dim(1, w), t.int_lit(1)));
        depthwise.push_back(t.eq(dim(0, w), dim(1, x)));
        return {rule(a, t.and_(dense), out), rule(a, t.and_(depthwise), out)};
    }
    if (sig.op == OpKind::PoolAvg || sig.op == OpKind::PoolMax) {
        TermId a = t.app(f, xs);
        TermId x = xs[0];
        auto [kh, kw] = param::kernel(p);
        auto [sh, sw] = param::stride(p, sig.op);
        Padding pad = param::padding(p, sig.op);
        std::vector<TermId> guard{has_rank(t, d, x, 4)};
        if (pad == Padding::Valid) {
            guard.push_back(t.le(t.int_lit(kh), dim(2, x)));
            guard.push_back(t.le(t.int_lit(kw), dim(3, x)));
        }
        return {rule(a, t.and_(guard),
                     {dim(0, x), dim(1, x), window_out(t, dim(2, x), t.int_lit(kh), sh, pad),
                      window_out(t, dim(3, x), t.int_lit(kw), sw, pad)})};
    }
    // Enlarge.
    TermId a = t.app(f, xs);
    TermId w = xs[0], r = xs[1];
    std::vector<TermId> guard{has_rank(t, d, w, 4), has_rank(t, d, r, 4)};
    for (int k : {2, 3}) {
        guard.push_back(t.le(dim(k, w), dim(k, r)));
        guard.push_back(t.eq(t.mod_const(t.sub(dim(k, r), dim(k, w)), 2), t.int_lit(0)));
    }
    return {rule(a, t.and_(guard), {dim(0, w), dim(1, w), dim(2, r), dim(3, r)})};
}

}  // namespace

std::string op_symbol_name(const OpSig& sig) {
    const Params& p = sig.params;
    switch (sig.op) {
        case OpKind::Input: throw std::logic_error("prover: an input is not an operator symbol");
        case OpKind::Conv2d: return "conv2d" + window_suffix(sig.op, p);
        case OpKind::Matmul: return std::string("matmul_") + activation_name(param::activation(p, sig.op));
        case OpKind::EwAdd:
        case OpKind::EwSub:
        case OpKind::EwMul:
        case OpKind::EwDiv:
        case OpKind::Smul:
        case OpKind::Relu:
        case OpKind::Sigmoid: RF_UNARY_ELEMENTWISE_CASES
        case OpKind::Tanh:
        case OpKind::Enlarge: return op_name(sig.op);
        // The shuffle flag is a layout hint (the evaluator ignores it): transpose with and without
        // it is one function, so the prover identifies the two (exports keep the flag).
        case OpKind::Transpose: return "transpose_p" + join(param::list(p), "_");
        case OpKind::Concat: return "concat" + std::to_string(sig.arity) + "_a" + std::to_string(param::axis(p));
        case OpKind::ReduceSum:
        case OpKind::ReduceMean:
        case OpKind::Softmax:
        case OpKind::LayerNorm:
        case OpKind::RmsNorm: return std::string(op_name(sig.op)) + "_a" + std::to_string(param::axis(p));
        case OpKind::Split: return "split" + std::to_string(sig.output) + "_a" + std::to_string(param::axis(p));
        case OpKind::PoolAvg:
        case OpKind::PoolMax: {
            auto [kh, kw] = param::kernel(p);
            return std::string(op_name(sig.op)) + "_k" + std::to_string(kh) + "x" + std::to_string(kw) +
                   window_suffix(sig.op, p);
        }
        case OpKind::ConstImm:
        case OpKind::ConstIconv:
        case OpKind::ConstOne:
        case OpKind::ConstPool:
        case OpKind::Reshape: return std::string(op_name(sig.op)) + "_" + join(param::list(p), "x");
        case OpKind::Repartition:
        case OpKind::Combine:
            return std::string(op_name(sig.op)) + "_d" + std::to_string(param::parallel_dim(p)) + "_k" +
                   std::to_string(param::degree(p, sig.op));
        case OpKind::Replicate:
        case OpKind::Reduction: return std::string(op_name(sig.op)) + "_k" + std::to_string(param::degree(p, sig.op));
    }
    throw std::logic_error("prover: unknown operator");
}

DimFuncs DimFuncs::declare(Terms& terms, int max_rank, bool distributed) {
    DimFuncs f;
    for (int k = 0; k < max_rank; ++k) f.d.push_back(terms.declare("d" + std::to_string(k), {Sort::Tensor}, Sort::Int));
    if (distributed) {
        for (int k = 0; k < max_rank; ++k)
            f.g.push_back(terms.declare("g" + std::to_string(k), {Sort::Tensor}, Sort::Int));
        f.rep = terms.declare("rep", {Sort::Tensor}, Sort::Int);
    }
    return f;
}

TermId DimFuncs::whole(Terms& t, TermId x) const {
    std::vector<TermId> c;
    if (!distributed()) return t.and_(c);
    for (int k = 0; k < max_rank(); ++k) c.push_back(t.eq(degree(t, k, x), t.int_lit(1)));
    c.push_back(t.eq(replicas(t, x), t.int_lit(1)));
    return t.and_(c);
}

TermId DimFuncs::same_distribution(Terms& t, TermId a, TermId b) const {
    std::vector<TermId> c;
    if (!distributed()) return t.and_(c);
    for (int k = 0; k < max_rank(); ++k) c.push_back(t.eq(degree(t, k, a), degree(t, k, b)));
    c.push_back(t.eq(replicas(t, a), replicas(t, b)));
    return t.and_(c);
}

FuncId declare_op(Terms& terms, const OpSig& sig) {
    std::vector<Sort> args(sig.arity, Sort::Tensor);
    if (sig.op == OpKind::Split) args.push_back(Sort::Int);
    return terms.declare(op_symbol_name(sig), std::move(args), Sort::Tensor);
}

namespace {

// Binary element-wise operators broadcast (ir/shape_rules.cpp): per axis the lengths are equal,
// or one is 1 and the result takes the other (ranks beyond the operand's are 0, so they agree).
TermId broadcast_shape_rule(Terms& t, const DimFuncs& d, FuncId f, const std::vector<TermId>& xs) {
    auto dim = [&](int k, TermId x) { return d.dim(t, k, x); };
    TermId a = t.app(f, {xs[0], xs[1]});
    std::vector<TermId> guard{t.le(t.int_lit(0), dim(0, xs[0])), d.same_distribution(t, xs[0], xs[1])};
    std::vector<TermId> result{d.same_distribution(t, a, xs[0])};
    const TermId one = t.int_lit(1);
    for (int k = 0; k < d.max_rank(); ++k) {
        const TermId x = dim(k, xs[0]), y = dim(k, xs[1]);
        guard.push_back(
            t.or_({t.eq(x, y), t.and_({t.eq(x, one), t.le(one, y)}), t.and_({t.eq(y, one), t.le(one, x)})}));
        result.push_back(t.implies(t.eq(x, one), t.eq(dim(k, a), y)));
        result.push_back(t.implies(t.not_(t.eq(x, one)), t.eq(dim(k, a), x)));
    }
    return t.forall(xs, t.implies(t.and_(guard), t.and_(result)), {{a}});
}

// Along an axis the operand reaches: a sum or mean keeps it with length 1, softmax and the norms
// keep the operand's shape (ir/shape_rules.cpp's infer_axis_op).
std::vector<TermId> axis_op_shape_rule(Terms& t, const DimFuncs& d, const OpSig& sig, FuncId f,
                                       const std::vector<TermId>& xs) {
    const int axis = param::axis(sig.params);
    if (axis >= d.max_rank()) return {};
    const bool reduces = sig.op == OpKind::ReduceSum || sig.op == OpKind::ReduceMean;
    TermId a = t.app(f, {xs[0]});
    std::vector<TermId> out;
    for (int k = 0; k < d.max_rank(); ++k) out.push_back(reduces && k == axis ? t.int_lit(1) : d.dim(t, k, xs[0]));
    return {guarded_shape_rule(t, d, xs, xs, a, t.le(t.int_lit(1), d.dim(t, axis, xs[0])), out)};
}

}  // namespace

std::vector<TermId> shape_rule_formulas(Terms& t, const DimFuncs& d, const OpSig& sig) {
    const FuncId f = declare_op(t, sig);
    const Params& p = sig.params;
    const int R = d.max_rank();
    std::vector<TermId> xs;
    for (int i = 0; i < sig.arity; ++i) xs.push_back(t.var("x" + std::to_string(i), Sort::Tensor));
    auto dim = [&](int k, TermId x) { return d.dim(t, k, x); };
    auto rule = [&](std::vector<TermId> vars, TermId app, TermId guard, const std::vector<TermId>& out) {
        return guarded_shape_rule(t, d, xs, std::move(vars), app, guard, out);
    };
    switch (sig.op) {
        case OpKind::Input: return {};
        case OpKind::Relu:
        case OpKind::Sigmoid: RF_UNARY_ELEMENTWISE_CASES
        case OpKind::Tanh: {
            // The ill-typed value maps to itself, so no guard is needed; a distribution is kept.
            TermId a = t.app(f, {xs[0]});
            return {t.forall({xs[0]}, t.and_({same_shape(t, d, a, xs[0]), d.same_distribution(t, a, xs[0])}), {{a}})};
        }
        case OpKind::EwAdd:
        case OpKind::EwSub:
        case OpKind::EwMul:
        case OpKind::EwDiv: return {broadcast_shape_rule(t, d, f, xs)};
        case OpKind::Smul: {
            TermId a = t.app(f, {xs[0], xs[1]});
            return {t.forall(xs,
                             t.implies(t.and_({has_rank(t, d, xs[1], 0), d.whole(t, xs[1])}),
                                       t.and_({same_shape(t, d, a, xs[0]), d.same_distribution(t, a, xs[0])})),
                             {{a}})};
        }
        case OpKind::Transpose: {
            auto perm = param::list(p);
            if (static_cast<int>(perm.size()) > R) return {};
            TermId a = t.app(f, {xs[0]});
            std::vector<TermId> out;
            for (int32_t k : perm) out.push_back(dim(k, xs[0]));
            return {rule(xs, a, has_rank(t, d, xs[0], static_cast<int>(perm.size())), out)};
        }
        case OpKind::Concat: {
            int axis = param::axis(p);
            if (axis >= R) return {};
            TermId a = t.app(f, xs);
            std::vector<TermId> guard, along;
            for (TermId x : xs) {
                guard.push_back(t.le(t.int_lit(1), dim(axis, x)));
                along.push_back(dim(axis, x));
                for (int k = 0; k < R; ++k)
                    if (k != axis && x != xs[0]) guard.push_back(t.eq(dim(k, x), dim(k, xs[0])));
            }
            std::vector<TermId> out;
            for (int k = 0; k < R; ++k) out.push_back(k == axis ? t.add(along) : dim(k, xs[0]));
            return {rule(xs, a, t.and_(guard), out)};
        }
        case OpKind::Split: {
            int axis = param::axis(p);
            if (axis >= R) return {};
            TermId pos = t.var("p", Sort::Int);
            TermId a = t.app(f, {xs[0], pos});
            TermId guard = t.and_({t.le(t.int_lit(1), pos), t.le(t.add({pos, t.int_lit(1)}), dim(axis, xs[0]))});
            std::vector<TermId> out;
            for (int k = 0; k < R; ++k)
                out.push_back(k != axis ? dim(k, xs[0]) : sig.output == 0 ? pos : t.sub(dim(axis, xs[0]), pos));
            return {rule({xs[0], pos}, a, guard, out)};
        }
        case OpKind::Matmul: {
            TermId a = t.app(f, xs);
            TermId x = xs[0], y = xs[1];
            std::vector<TermId> out;
            out.push_back(rule(xs, a, t.and_({has_rank(t, d, x, 2), has_rank(t, d, y, 2), t.eq(dim(1, x), dim(0, y))}),
                               {dim(0, x), dim(1, y)}));
            if (R >= 3) {
                const TermId rank3 = t.and_({has_rank(t, d, x, 3), has_rank(t, d, y, 3), t.eq(dim(2, x), dim(1, y))});
                out.push_back(
                    rule(xs, a, t.and_({rank3, t.eq(dim(0, x), dim(0, y))}), {dim(0, x), dim(1, x), dim(2, y)}));
                // A batch of 1 broadcasts against the other operand's (ir/shape_rules.cpp).
                out.push_back(
                    rule(xs, a, t.and_({rank3, t.eq(dim(0, x), t.int_lit(1))}), {dim(0, y), dim(1, x), dim(2, y)}));
                out.push_back(
                    rule(xs, a, t.and_({rank3, t.eq(dim(0, y), t.int_lit(1))}), {dim(0, x), dim(1, x), dim(2, y)}));
            }
            return out;
        }
        case OpKind::Conv2d:
        case OpKind::PoolAvg:
        case OpKind::PoolMax:
        case OpKind::Enlarge: return window_shape_rules(t, d, sig, f, xs);
        case OpKind::ConstImm:
        case OpKind::ConstIconv:
        case OpKind::ConstOne:
        case OpKind::ConstPool: {
            auto shape = param::list(p);
            if (static_cast<int>(shape.size()) > R) return {};
            std::vector<TermId> dims;
            for (int32_t v : shape) dims.push_back(t.int_lit(v));
            TermId c = t.app(f);
            return {t.and_({shape_is(t, d, c, dims), d.whole(t, c)})};
        }
        case OpKind::Reshape: return {};
        case OpKind::ReduceSum:
        case OpKind::ReduceMean:
        case OpKind::Softmax:
        case OpKind::LayerNorm:
        case OpKind::RmsNorm: return axis_op_shape_rule(t, d, sig, f, xs);
        case OpKind::Repartition:
        case OpKind::Combine:
        case OpKind::Replicate:
        case OpKind::Reduction: return parallel_shape_rules(t, d, sig, f);
    }
    return {};
}

}  // namespace rf::prover
