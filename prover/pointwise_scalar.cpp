// The pointwise strategy's scalar query: the element at one symbolic position of a normal form
// as a real term, and the facts (Ackermann, order of positions) that close it (prover/pointwise_encoder.h).
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>

#include "prover/pointwise_encoder.h"

namespace rf::prover::pointwise_detail {

TermId Encoder::scalar(const Comb& c, const Index& idx) {
    std::vector<TermId> parts;
    for (const auto& [coef, atom] : c) {
        TermId e = scalar_atom(atom, idx);
        parts.push_back(d_q.query.terms.node(coef).op == TermOp::RealLit && d_q.query.terms.node(coef).value == 1
                            ? e
                            : d_q.query.terms.mul({coef, e}));
    }
    return d_q.query.terms.real_add(parts);
}

void Encoder::diagonal_facts() {
    // The identity matrix and the identity kernel are 0 off the diagonal of their first two
    // axes. Where one of them is not 0 at a position, that position is on the diagonal, so there
    // an atom equals itself with the two axes swapped (a transpose changes nothing), and the flip
    // conv2d(const_iconv, K) is K (the flip of K at the kernel's centre, for K of the identity
    // kernel's spatial size). Snapshot first: scalar() below may add entries.
    std::vector<std::pair<std::pair<int, Index>, TermId>> seen(d_scalar.begin(), d_scalar.end());
    Terms& t = terms();
    for (const auto& [key, c] : seen) {
        const Atom k = d_atoms[key.first];  // a copy: scalar_atom() may grow d_atoms
        if (k.kind != Atom::Kind::Const || (k.op != OpKind::ConstImm && k.op != OpKind::ConstIconv)) continue;
        const std::vector<int32_t> shape = param::list(k.params);
        const Index& idx = key.second;
        if (idx.size() < 2 || shape.size() != idx.size() || shape[0] != shape[1]) continue;
        const TermId on_diagonal = t.not_(t.eq(c, t.real_lit(0)));
        Index swapped = idx;
        std::swap(swapped[0], swapped[1]);
        for (const auto& [other, value] : seen) {
            if (other.second != idx || other.first == key.first) continue;
            const Atom a = d_atoms[other.first];  // a copy: scalar() may grow d_atoms
            if (a.kind == Atom::Kind::Const) continue;
            auto mirror = d_scalar.find({other.first, swapped});
            if (mirror != d_scalar.end() && mirror->second != value)
                fact(t.implies(on_diagonal, t.eq(value, mirror->second)));
            const bool is_flip = a.kind == Atom::Kind::Linear && a.op == OpKind::Conv2d && a.sizes.size() == 6 &&
                                 k.op == OpKind::ConstIconv && a.sizes[0] == a.sizes[2] && a.sizes[1] == a.sizes[3] &&
                                 a.sizes[0] == shape[2] && a.sizes[1] == shape[3];
            if (is_flip) fact(t.implies(on_diagonal, t.eq(value, scalar_atom(a.factors[0], idx))));
        }
    }
}

PointwiseQuery Encoder::finish(std::vector<TermId> differ) {
    diagonal_facts();
    Terms& t = d_q.query.terms;
    // Ackermann: an uninterpreted function takes equal arguments to equal values.
    for (size_t i = 0; i < d_uf.size(); ++i)
        for (size_t j = i + 1; j < d_uf.size(); ++j)
            if (d_uf[i].op == d_uf[j].op)
                fact(t.implies(t.eq(d_uf[i].arg, d_uf[j].arg), t.eq(d_uf[i].value, d_uf[j].value)));
    // The order of positions: pos < a implies pos < b for a <= b; no position is below 0,
    // every one is below its axis' size.
    for (auto i = d_below.begin(); i != d_below.end(); ++i) {
        auto [sym, th] = i->first;
        if (th <= 0) fact(t.not_(i->second));
        if (d_sym_dim.count(sym) && th >= d_sym_dim[sym]) fact(i->second);
        for (auto j = std::next(i); j != d_below.end() && j->first.first == sym; ++j)
            fact(t.implies(i->second, j->second));
    }
    transformer_facts();
    // The algebraic decision reads what the uninterpreted applications are: each a function of
    // its argument (the Ackermann facts above), exp and a reciprocal by their meaning (the
    // latter only where the query assumes the divisor non-zero).
    for (const UfApp& u : d_uf) {
        ScalarDefinition d{ScalarDefinition::Kind::Function, op_name(u.op), u.arg, u.value, -1, {}};
        if (u.op == OpKind::Exp) d.kind = ScalarDefinition::Kind::Exp;
        if (u.op == OpKind::EwDiv && d_assume_nonzero_divisors) d.kind = ScalarDefinition::Kind::Reciprocal;
        d_q.definitions.push_back(std::move(d));
    }
    d_q.query.assertions.push_back({"goal", "goal", AssertionKind::Goal, t.or_(std::move(differ))});
    d_q.query.logic = "QF_NRA";
    d_q.opaque.assign(d_opaque.begin(), d_opaque.end());
    return std::move(d_q);
}

void Encoder::fact(TermId f) {
    std::string name = "def" + std::to_string(d_q.query.assertions.size());
    d_q.query.assertions.push_back({name, "definition", AssertionKind::Fact, f});
}

TermId Encoder::fresh(const std::string& base) {
    std::string name = base;
    for (int k = 1; terms().find(name) >= 0; ++k) name = base + "_" + std::to_string(k);
    return terms().app(terms().declare(name, {}, Sort::Real));
}

TermId Encoder::below(int sym, int64_t th) {
    auto it = d_below.find({sym, th});
    if (it != d_below.end()) return it->second;
    std::string name = "below_" + std::to_string(sym) + (th < 0 ? "_m" : "_") + std::to_string(th < 0 ? -th : th);
    TermId b = terms().app(terms().declare(name, {}, Sort::Bool));
    d_below.emplace(std::make_pair(sym, th), b);
    return b;
}

std::string Encoder::idx_text(const Index& idx) {
    std::string s;
    for (const Pos& i : idx)
        s += "_" + std::to_string(i.sym) +
             (i.off ? (i.off > 0 ? "p" : "m") + std::to_string(i.off > 0 ? i.off : -i.off) : "");
    return s;
}

TermId Encoder::concat_scalar(const Atom& a, int id, const Index& idx) {
    // Operand i holds positions [S_i, S_{i+1}) along the axis, S the running sums.
    Terms& t = terms();
    const TermId r = fresh("concat" + std::to_string(id) + "_at" + idx_text(idx));
    const Pos p = idx[a.axis];
    ScalarDefinition def{ScalarDefinition::Kind::Concat, "concat", -1, r, p.sym, {}};
    int64_t start = 0;
    for (size_t i = 0; i < a.args.size(); ++i) {
        const int64_t end = start + a.sizes[i];
        std::vector<TermId> in_part;
        if (i > 0) in_part.push_back(t.not_(below(p.sym, start - p.off)));
        if (i + 1 < a.args.size()) in_part.push_back(below(p.sym, end - p.off));
        Index inner = idx;
        inner[a.axis].off -= start;
        const TermId part = scalar(a.args[i], inner);
        fact(t.implies(t.and_(in_part), t.eq(r, part)));
        // The same case split for the algebraic decision: part i where
        // start - off <= position < end - off (no bound at the ends).
        def.pieces.push_back(
            {i > 0 ? start - p.off : INT64_MIN, i + 1 < a.args.size() ? end - p.off : INT64_MAX, part});
        start = end;
    }
    d_q.definitions.push_back(std::move(def));
    return r;
}

TermId Encoder::scalar_atom(int id, const Index& idx) {
    auto memo_key = std::make_pair(id, idx);
    auto it = d_scalar.find(memo_key);
    if (it != d_scalar.end()) return it->second;
    const Atom a = d_atoms[id];  // a copy: interning below may grow d_atoms
    Terms& t = terms();
    TermId r = -1;
    if ((r = reduce_scalar(a, id, idx)) >= 0) {  // constant along an axis, or a sum
        d_scalar.emplace(memo_key, r);
        return r;
    }
    switch (a.kind) {
        case Atom::Kind::Var: {
            // A broadcast operand (an axis of length 1) has one element along that axis: every
            // position there reads it (exact, so sound, and what makes broadcasting decidable).
            Index at = idx;
            const TensorType& vt = d_rule.variables()[a.var].type;
            for (size_t k = 0; k < at.size() && k < vt.rank(); ++k)
                if (vt.dims[k].is_concrete() && vt.dims[k].value() == 1) at[k] = Pos{kBroadcastPos, 0};
            const std::string name = d_rule.variables()[a.var].name + "_at" + idx_text(at);
            r = at != idx && terms().find(name) >= 0 ? terms().app(terms().find(name)) : fresh(name);
            break;
        }
        case Atom::Kind::One: r = t.real_lit(1); break;
        case Atom::Kind::Sum:  // reduce_scalar
        case Atom::Kind::Linear:
        case Atom::Kind::Opaque:
            r = fresh(std::string(op_name(a.op)) + std::to_string(id) + "_at" + idx_text(idx));
            d_opaque.insert(op_name(a.op));
            if (a.nonneg) fact(t.le(t.real_lit(0), r));
            // A maximum over a window that holds the position itself (stride 1, SAME padding)
            // is at least the element there.
            if (a.kind == Atom::Kind::Opaque && a.op == OpKind::PoolMax && a.args.size() == 1 &&
                param::padding(a.params, OpKind::PoolMax) == Padding::Same &&
                param::stride(a.params, OpKind::PoolMax) == std::array<int32_t, 2>{1, 1})
                fact(t.le(scalar(a.args[0], idx), r));
            break;
        case Atom::Kind::Const: {
            std::vector<int32_t> shape = param::list(a.params);
            if (a.op == OpKind::ConstPool) {
                // One value everywhere: 1/(kh*kw).
                std::string name = "const_pool" + std::to_string(id);
                if (terms().find(name) >= 0) return terms().app(terms().find(name));
                r = terms().app(terms().declare(name, {}, Sort::Real));
                fact(t.eq(t.mul({t.real_lit(int64_t{shape.at(2)} * shape.at(3)), r}), t.real_lit(1)));
                break;
            }
            // 0 or 1; the identity matrix (and a dense identity kernel) is symmetric in its
            // first two indices, so both orders name one real.
            Index at = idx;
            if (at.size() >= 2 && shape.size() >= 2 && shape[0] == shape[1] && at[1] < at[0]) std::swap(at[0], at[1]);
            std::string name = std::string(op_name(a.op)) + std::to_string(id) + "_at" + idx_text(at);
            if (terms().find(name) >= 0) {
                r = terms().app(terms().find(name));
                break;
            }
            r = terms().app(terms().declare(name, {}, Sort::Real));
            fact(t.or_({t.eq(r, t.real_lit(0)), t.eq(r, t.real_lit(1))}));
            break;
        }
        case Atom::Kind::Transpose: {
            // out[i_0, ..., i_{r-1}] = x[j] with j[perm[k]] = i_k.
            Index inner(idx.size());
            for (size_t k = 0; k < a.perm.size() && k < idx.size(); ++k) inner[a.perm[k]] = idx[k];
            r = scalar(a.args[0], inner);
            break;
        }
        case Atom::Kind::Shift: {
            Index inner = idx;
            inner[a.axis].off += a.sizes[0];
            r = scalar(a.args[0], inner);
            break;
        }
        case Atom::Kind::Concat: r = concat_scalar(a, id, idx); break;
        case Atom::Kind::Elem: {
            std::vector<TermId> xs;
            for (const Comb& c : a.args) xs.push_back(scalar(c, idx));
            if (a.op == OpKind::EwMul) {
                r = t.mul(xs);
            } else if (a.op == OpKind::Relu) {
                if (d_fault == PointwiseFault::ReluIsIdentity) {
                    r = xs[0];
                    break;
                }
                r = fresh("relu" + std::to_string(id) + "_at" + idx_text(idx));
                d_nonneg_terms.insert(r);
                TermId zero = t.real_lit(0);
                fact(t.or_({t.and_({t.le(zero, xs[0]), t.eq(r, xs[0])}), t.and_({t.le(xs[0], zero), t.eq(r, zero)})}));
                d_q.definitions.push_back({ScalarDefinition::Kind::Function, "relu", xs[0], r, -1, {}});
            } else if ((r = transformer_scalar(a, xs, id, idx)) < 0) {
                r = fresh(std::string(op_name(a.op)) + std::to_string(id) + "_at" + idx_text(idx));
                d_uf.push_back({a.op, xs[0], r});
            }
            break;
        }
    }
    d_scalar.emplace(memo_key, r);
    return r;
}

}  // namespace rf::prover::pointwise_detail
