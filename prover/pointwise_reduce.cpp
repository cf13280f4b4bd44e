// Reductions in the pointwise strategy (prover/pointwise_encoder.h): reduce_sum and reduce_mean
// along an axis, and softmax, layernorm and rmsnorm by their definitions over those sums.
//
// Why: the element of reduce_sum[axis=A](x) at a position is a sum over a bound index of x's
// element there with A replaced by that index. Such a sum is an atom of the normal form (one real
// per position, the same at every position along A), keyed by the summed atom alone, so the
// bound index needs no name: the key is canonical. What makes two sums meet is the normal form:
//  - linear: coefficients leave the sum, a sum of sums splits;
//  - a factor constant along A (a length-1 axis broadcast, another sum along A, exp of such)
//    leaves it, and a sum of a constant is length times it;
//  - sums along two axes are one atom over both (their order is gone);
//  - through a transpose (the axis it maps to), a concat along another axis (the concat of the
//    parts' sums) or along A (the sum of the parts' sums), and matmul's outer axes (a sum over
//    its rows is a matmul of the left operand's row sum);
//  - reduce_mean is the sum times 1/n, n the axis' length (a number, or a real >= 1 per symbol).
// exp of a sum is the product of exps, so softmax(x + c), c constant along the axis, has exp(c)
// in both numerator and sum: shift invariance. Every step is exact, and every proof is re-checked
// by the bounded checker.
#include <algorithm>
#include <stdexcept>

#include "prover/pointwise_encoder.h"

namespace rf::prover::pointwise_detail {

namespace {
uint64_t bit(int axis) { return axis >= 0 && axis < 64 ? uint64_t{1} << axis : 0; }
}  // namespace

uint64_t Encoder::comb_flat(const Comb& c) {
    uint64_t f = ~uint64_t{0};
    for (const auto& e : c) f &= d_atoms[e.second].flat;
    return f;
}

bool Encoder::comb_positive(const Comb& c) {
    return nonneg(c) && std::any_of(c.begin(), c.end(), [&](const auto& e) { return d_atoms[e.second].positive; });
}

void Encoder::set_reduce_flags(Atom& a) {
    switch (a.kind) {
        case Atom::Kind::Var: {
            const TensorType& t = d_rule.variables()[a.var].type;
            a.dims = static_cast<int>(t.rank());
            for (size_t k = 0; k < t.rank(); ++k)
                if (t.dims[k].is_concrete() && t.dims[k].value() == 1) a.flat |= bit(static_cast<int>(k));
            break;
        }
        case Atom::Kind::One:
            a.flat = ~uint64_t{0};
            a.positive = true;
            break;
        case Atom::Kind::Const:
            if (a.op == OpKind::ConstPool) a.flat = ~uint64_t{0};
            break;
        case Atom::Kind::Elem: {
            a.flat = ~uint64_t{0};
            for (const Comb& c : a.args) {
                a.flat &= comb_flat(c);
                for (const auto& e : c) a.dims = std::max(a.dims, d_atoms[e.second].dims);
            }
            const bool all_positive =
                std::all_of(a.args.begin(), a.args.end(), [&](const Comb& c) { return comb_positive(c); });
            a.positive = a.op == OpKind::Exp ||
                         ((a.op == OpKind::EwMul || a.op == OpKind::EwDiv || a.op == OpKind::Sqrt) && all_positive);
            if (a.op == OpKind::Sqrt && nonneg(a.args[0])) a.nonneg = true;
            break;
        }
        case Atom::Kind::Transpose: {
            const Atom& in = d_atoms[a.args[0][0].second];
            for (size_t k = 0; k < a.perm.size(); ++k)
                if (in.flat & bit(a.perm[k])) a.flat |= bit(static_cast<int>(k));
            a.positive = in.positive;
            a.dims = static_cast<int>(a.perm.size());
            break;
        }
        case Atom::Kind::Sum: {
            const Atom& in = d_atoms[a.args[0][0].second];
            a.flat = in.flat;
            for (int64_t ax : a.sizes) a.flat |= bit(static_cast<int>(ax));
            a.positive = in.positive;
            a.nonneg = in.nonneg || in.positive;
            a.dims = in.dims;
            break;
        }
        case Atom::Kind::Concat:
            a.flat = ~bit(a.axis);
            for (const Comb& c : a.args) a.flat &= comb_flat(c);
            a.positive = std::all_of(a.args.begin(), a.args.end(), [&](const Comb& c) { return comb_positive(c); });
            a.dims = static_cast<int>(a.rank);
            break;
        case Atom::Kind::Shift: a.flat = comb_flat(a.args[0]); break;
        case Atom::Kind::Linear:
            if (a.op == OpKind::Matmul && !a.factors.empty()) {
                // Rows come from the first factor, columns from the last, batch axes from all.
                const int r = d_atoms[a.factors[0]].dims;
                if (r < 2) break;
                a.dims = r;
                uint64_t all = ~uint64_t{0};
                for (int f : a.factors) all &= d_atoms[f].flat;
                a.flat = (all & (bit(r - 2) - 1)) | (d_atoms[a.factors.front()].flat & bit(r - 2)) |
                         (d_atoms[a.factors.back()].flat & bit(r - 1));
            }
            break;
        case Atom::Kind::Opaque: break;
    }
    a.nonneg = a.nonneg || a.positive;
}

TermId Encoder::length(const Dim& d) {
    Terms& t = terms();
    if (d.is_concrete()) return t.real_lit(d.constant());
    std::vector<TermId> parts;
    if (d.constant() != 0) parts.push_back(t.real_lit(d.constant()));
    for (const auto& [sym, k] : d.terms()) {
        const std::string name = "dim_s" + std::to_string(sym);
        const bool known = t.find(name) >= 0;
        const TermId s = t.app(t.declare(name, {}, Sort::Real));
        if (!known) fact(t.le(t.real_lit(1), s));
        d_positive_terms.insert(s);
        parts.push_back(cmul(t.real_lit(k), s));
    }
    const TermId len = t.real_add(parts);
    if (parts.size() > 1 || d.constant() != 0) fact(t.le(t.real_lit(1), len));  // an axis is never empty
    d_positive_terms.insert(len);
    return len;
}

TermId Encoder::inverse(TermId len) {
    if (number(len) == int64_t{1}) return len;
    for (const auto& [inv, of] : d_inverse_of)
        if (of == len) return inv;
    Terms& t = terms();
    const TermId inv = fresh("inv_len");
    fact(t.eq(t.mul({len, inv}), t.real_lit(1)));
    d_inverse_of.emplace(inv, len);
    d_positive_terms.insert(inv);
    return inv;
}

TermId Encoder::epsilon() {
    // layernorm's and rmsnorm's 1e-5, exactly: the real eps with 100000 * eps = 1.
    Terms& t = terms();
    const bool known = t.find("eps_1e5") >= 0;
    const TermId eps = t.app(t.declare("eps_1e5", {}, Sort::Real));
    if (!known) fact(t.eq(t.mul({t.real_lit(100000), eps}), t.real_lit(1)));
    d_positive_terms.insert(eps);
    return eps;
}

TermId Encoder::cancel_inverses(TermId product) {
    // A product's factors, flattened; 1/L cancels L (a factor, or a number it divides).
    const TermNode n = terms().node(product);
    if (n.op != TermOp::Mul) return product;
    std::vector<TermId> fs;
    std::vector<TermId> todo(n.kids.rbegin(), n.kids.rend());
    while (!todo.empty()) {
        const TermId f = todo.back();
        todo.pop_back();
        const TermNode& fn = terms().node(f);
        if (fn.op == TermOp::Mul)
            todo.insert(todo.end(), fn.kids.rbegin(), fn.kids.rend());
        else
            fs.push_back(f);
    }
    bool changed = false;
    for (size_t i = 0; i < fs.size(); ++i) {
        auto inv = d_inverse_of.find(fs[i]);
        if (inv == d_inverse_of.end()) continue;
        const std::optional<int64_t> l = number(inv->second);
        for (size_t j = 0; j < fs.size(); ++j) {
            if (j == i || fs[j] < 0) continue;
            const std::optional<int64_t> k = number(fs[j]);
            if (fs[j] == inv->second || (l && k && *l != 0 && *k % *l == 0)) {
                fs[j] = fs[j] == inv->second ? terms().real_lit(1) : terms().real_lit(*k / *l);
                fs[i] = terms().real_lit(1);
                changed = true;
                break;
            }
        }
    }
    if (!changed) return product;
    TermId out = terms().real_lit(1);
    for (TermId f : fs) out = number(f) == int64_t{1} ? out : (number(out) == int64_t{1} ? f : terms().mul({out, f}));
    return out;
}

std::vector<int> Encoder::factors_of(int atom) {
    const Atom& a = d_atoms[atom];
    if (a.kind != Atom::Kind::Elem || a.op != OpKind::EwMul) return {atom};
    std::vector<int> out;
    for (const Comb& c : a.args) {
        if (c.size() != 1 || number(c[0].first) != int64_t{1}) return {atom};
        for (int f : factors_of(c[0].second)) out.push_back(f);
    }
    return out;
}

int Encoder::product(std::vector<int> factors) {
    std::sort(factors.begin(), factors.end());
    int cur = factors[0];
    for (size_t i = 1; i < factors.size(); ++i) cur = elem(OpKind::EwMul, {single(cur), single(factors[i])})[0].second;
    return cur;
}

Comb Encoder::reduce(const Comb& x, int axis, const Dim& len, size_t rank, bool mean) {
    d_q.normalised = true;
    Comb out;
    for (const auto& [coef, atom] : x) out = add(out, scale(sum_atom(atom, axis, len, rank), coef));
    return mean ? scale(out, inverse(length(len))) : out;
}

Comb Encoder::sum_atom(int atom, int axis, const Dim& len, size_t rank) {
    const Atom a = d_atoms[atom];  // a copy: interning below may grow d_atoms
    if (a.flat & bit(axis))        // constant along the axis: length times itself (a planted fault forgets the length)
        return d_fault == PointwiseFault::SumForgetsLength ? single(atom) : scale(single(atom), length(len));
    if (a.kind == Atom::Kind::Concat && a.rank == rank) {
        if (a.axis == axis) {
            Comb out;
            for (size_t i = 0; i < a.args.size(); ++i)
                out = add(out, reduce(a.args[i], axis, Dim(a.sizes[i]), rank, false));
            return out;
        }
        std::vector<Comb> parts;
        for (const Comb& part : a.args) parts.push_back(reduce(part, axis, len, rank, false));
        return concat(a.axis, a.sizes, a.rank, parts);
    }
    if (a.kind == Atom::Kind::Transpose && a.perm.size() == rank) {
        Comb out;
        for (const auto& [k, x] : sum_atom(a.args[0][0].second, a.perm[axis], len, rank))
            out = add(out, scale(transpose(a.perm, x), k));
        return out;
    }
    if (a.kind == Atom::Kind::Linear && a.op == OpKind::Matmul && a.dims == static_cast<int>(rank) && rank >= 2 &&
        axis + 2 >= static_cast<int>(rank)) {
        // A sum over the rows is over the first factor's rows; over the columns, the last's.
        std::vector<Comb> args;
        for (int f : a.factors) args.push_back(single(f));
        Comb& end = axis + 2 == static_cast<int>(rank) ? args.front() : args.back();
        end = sum_atom(end[0].second, axis, len, rank);
        const auto outer = d_contraction;  // the summed matmul's contraction, not the caller's
        d_contraction.reset();
        if (a.contraction) d_contraction = Contraction{*a.contraction, rank};
        Comb out = linear(OpKind::Matmul, a.params, args);
        d_contraction = outer;
        return out;
    }
    if (a.kind == Atom::Kind::Elem) {
        const std::vector<int32_t> perm = perm_inside(atom);
        const int inner = perm.size() == rank ? untranspose(atom, perm) : -1;
        if (inner >= 0) {
            Comb out;
            for (const auto& [k, x] : sum_atom(inner, perm[axis], len, rank))
                out = add(out, scale(transpose(perm, x), k));
            return out;
        }
    }
    if (a.kind == Atom::Kind::Elem && a.op == OpKind::EwMul) {
        std::vector<int> constant, varying;
        for (int f : factors_of(atom)) (d_atoms[f].flat & bit(axis) ? constant : varying).push_back(f);
        if (!constant.empty()) return ewmul(single(product(constant)), sum_atom(product(varying), axis, len, rank));
        const int canonical = product(varying);
        if (canonical != atom) return sum_atom(canonical, axis, len, rank);
    }
    std::vector<int64_t> axes{axis};
    int inner = atom;
    if (a.kind == Atom::Kind::Sum) {
        // Sums along two axes are one sum over both: their order is gone.
        axes = a.sizes;
        axes.push_back(axis);
        std::sort(axes.begin(), axes.end());
        inner = a.args[0][0].second;
    }
    Atom s = atom_of(Atom::Kind::Sum, OpKind::ReduceSum);
    s.sizes = axes;
    s.key = "sum[";
    for (int64_t x : axes) s.key += std::to_string(x) + ",";
    s.key += "]a" + std::to_string(inner);
    s.args = {single(inner)};
    return single(intern(std::move(s)));
}

Comb Encoder::axis_op(OpKind op, const Comb& x, int axis, const Dim& len, size_t rank) {
    d_q.normalised = true;
    if (op == OpKind::Softmax) {
        const Comb e = unary(OpKind::Exp, x);
        return ewdiv(e, reduce(e, axis, len, rank, false));
    }
    Atom one = atom_of(Atom::Kind::One, OpKind::ConstOne);
    one.key = "one";
    const Comb eps{{epsilon(), intern(std::move(one))}};
    if (op == OpKind::LayerNorm) {
        const Comb centred = ewsub(x, reduce(x, axis, len, rank, true));
        const Comb var = reduce(ewmul(centred, centred), axis, len, rank, true);
        return ewdiv(centred, unary(OpKind::Sqrt, add(var, eps)));
    }
    const Comb mean_square = reduce(ewmul(x, x), axis, len, rank, true);  // rmsnorm
    return ewdiv(x, unary(OpKind::Sqrt, add(mean_square, eps)));
}

std::optional<std::pair<Atom, std::vector<Comb>>> Encoder::as_concat(const Comb& x) {
    // Every term a concat along one axis with one split, or constant along that axis (the same
    // in every part): the comb is one concat of the parts' combs.
    const auto first =
        std::find_if(x.begin(), x.end(), [&](const auto& e) { return d_atoms[e.second].kind == Atom::Kind::Concat; });
    if (first == x.end()) return std::nullopt;
    const Atom c = d_atoms[first->second];
    std::vector<Comb> parts(c.args.size());
    for (const auto& [coef, atom] : x) {
        const Atom& a = d_atoms[atom];
        const bool same = a.kind == Atom::Kind::Concat && a.axis == c.axis && a.sizes == c.sizes;
        if (!same && !(a.flat & bit(c.axis))) return std::nullopt;
        for (size_t i = 0; i < parts.size(); ++i)
            parts[i] = add(parts[i], same ? scale(a.args[i], coef) : Comb{{coef, atom}});
    }
    return std::make_pair(c, parts);
}

Comb Encoder::unary(OpKind op, const Comb& x) {
    // Element-wise, so per part of a concat.
    if (auto c = as_concat(x)) {
        std::vector<Comb> parts;
        for (const Comb& part : c->second) parts.push_back(unary(op, part));
        return concat(c->first.axis, c->first.sizes, c->first.rank, parts);
    }
    if (op == OpKind::EwDiv && x.size() == 1 && number(x[0].first) == int64_t{1}) {
        // Where the divisors are not zero, 1/(a*b) = (1/a)(1/b) and 1/(1/a) = a: nested divisions
        // become products (z3 gave up on their scalar identities, or timed out, run to run).
        // Every reciprocal built is a divisor of the query (register_divisors), so the rule's
        // condition is the same: a*b is not zero exactly where a and b are not.
        std::vector<int> fs;
        for (int f : factors_of(x[0].second)) {
            const int inner = reciprocal_of(f);
            fs.push_back(inner >= 0 ? inner : elem(OpKind::EwDiv, {single(f)})[0].second);
        }
        return single(product(fs));
    }
    return op == OpKind::Exp ? exp(x) : elem(op, {x});
}

std::vector<int32_t> Encoder::perm_inside(int atom) {
    const Atom& a = d_atoms[atom];
    if (a.kind == Atom::Kind::Transpose) return a.perm;
    if (a.kind != Atom::Kind::Elem) return {};
    for (const Comb& c : a.args)
        for (const auto& e : c)
            if (auto p = perm_inside(e.second); !p.empty()) return p;
    return {};
}

int Encoder::untranspose(int atom, const std::vector<int32_t>& perm) {
    // `atom` as transpose[perm](result) when it is an element-wise map of such transposes (and
    // of constants): element-wise operators commute with a transpose.
    const Atom a = d_atoms[atom];  // a copy: interning below may grow d_atoms
    if (a.kind == Atom::Kind::Transpose) return a.perm == perm ? a.args[0][0].second : -1;
    if (a.kind == Atom::Kind::One) return atom;
    if (a.kind != Atom::Kind::Elem) return -1;
    std::vector<Comb> args;
    for (const Comb& c : a.args) {
        Comb inner;
        for (const auto& [coef, x] : c) {
            const int u = untranspose(x, perm);
            if (u < 0) return -1;
            inner = add(inner, {{coef, u}});
        }
        args.push_back(inner);
    }
    return elem(a.op, args)[0].second;
}

Comb Encoder::exp(const Comb& x) {
    if (x.empty()) {
        Atom one = atom_of(Atom::Kind::One, OpKind::ConstOne);
        one.key = "one";
        return single(intern(std::move(one)));
    }
    Comb out;
    for (const auto& [coef, atom] : x) {
        const Comb term = elem(OpKind::Exp, {{{coef, atom}}});
        // The planted fault takes exp(a + b) for exp(a) + exp(b).
        out = out.empty() ? term : d_fault == PointwiseFault::ExpIsAdditive ? add(out, term) : ewmul(out, term);
    }
    return out;
}

TermId Encoder::reduce_scalar(const Atom& a, int id, const Index& idx) {
    if (a.flat) {
        // Constant along an axis (a length-1 axis broadcast, a sum along it): one real there,
        // remembered under the position it is read at (so a variable read there first and at
        // another position later is one real).
        Index at = idx;
        for (size_t k = 0; k < at.size() && k < 64; ++k)
            if (a.flat >> k & 1) at[k] = Pos{kBroadcastPos, 0};
        if (at != idx) return scalar_atom(id, at);
    }
    if (a.kind != Atom::Kind::Sum) return -1;
    Terms& t = terms();
    const TermId r = fresh("sum" + std::to_string(id) + "_at" + idx_text(idx));
    d_opaque.insert("reduce_sum");
    if (a.positive)
        fact(t.not_(t.le(r, t.real_lit(0))));
    else if (a.nonneg)
        fact(t.le(t.real_lit(0), r));
    return r;
}

}  // namespace rf::prover::pointwise_detail
