// The pointwise strategy's transformer operators (prover/pointwise.h): subtraction, division and
// exp, as the normal form and the scalar query see them.
//  - ewsub(x, y) is x + (-1) y in the normal form.
//  - ewdiv(x, y) is x * recip(y): recip(y) an element-wise atom whose scalar r is tied to the
//    divisor's scalar d by d != 0 -> r * d = 1 (and Ackermann), so at a zero divisor nothing is
//    claimed. The query may assume every divisor non-zero (the rule's precondition, stated
//    when the divisors are not provably non-zero: a sum of exps is).
//  - exp is uninterpreted with the facts that make it exp: exp(a) > 0, and for the
//    applications in the query, a = 0 -> exp(a) = 1 and a + b = c -> exp(a) * exp(b) = exp(c)
//    (a, b, c any three arguments, a = b allowed), which covers exp of a sum, of a difference
//    and of a multiple, and exp(-a) = 1/exp(a). All are true of the real exp, so no proof
//    rests on a false fact.
#include <stdexcept>

#include "prover/pointwise_encoder.h"

namespace rf::prover::pointwise_detail {

Comb Encoder::ewsub(const Comb& x, const Comb& y) { return add(x, scale(y, terms().real_lit(-1))); }

Comb Encoder::ewdiv(const Comb& x, const Comb& y) {
    if (y.empty()) throw std::domain_error("a division by a tensor that is zero everywhere");
    return ewmul(x, unary(OpKind::EwDiv, y));  // a one-operand EwDiv atom: the reciprocal
}

TermId Encoder::transformer_scalar(const Atom& a, const std::vector<TermId>& xs, int id, const Index& idx) {
    Terms& t = terms();
    if (a.op == OpKind::EwDiv) {
        TermId r = fresh("recip" + std::to_string(id) + "_at" + idx_text(idx));
        fact(t.implies(t.distinct(xs[0], t.real_lit(0)), t.eq(t.mul({r, xs[0]}), t.real_lit(1))));
        d_uf.push_back({a.op, xs[0], r});
        d_divisors.push_back(xs[0]);
        return r;
    }
    if (a.op == OpKind::Exp) {
        TermId r = fresh("exp" + std::to_string(id) + "_at" + idx_text(idx));
        fact(t.not_(t.le(r, t.real_lit(0))));
        d_nonneg_terms.insert(r);
        d_uf.push_back({a.op, xs[0], r});
        d_exps.push_back({a.op, xs[0], r});
        return r;
    }
    if (a.op == OpKind::Sqrt) {
        // sqrt stays uninterpreted, with its sign where it is defined: >= 0, and > 0 above 0
        // (so sqrt(var + 1e-5), var a mean of squares, is never a zero divisor).
        TermId r = fresh("sqrt" + std::to_string(id) + "_at" + idx_text(idx));
        const TermId zero = t.real_lit(0);
        fact(t.implies(t.le(zero, xs[0]), t.le(zero, r)));
        fact(t.implies(t.not_(t.le(xs[0], zero)), t.not_(t.le(r, zero))));
        d_uf.push_back({a.op, xs[0], r});
        return r;
    }
    return -1;
}

int Encoder::reciprocal_of(int atom) {
    const Atom& a = d_atoms[atom];
    if (a.kind != Atom::Kind::Elem || a.op != OpKind::EwDiv || a.args[0].size() != 1 ||
        number(a.args[0][0].first) != int64_t{1})
        return -1;
    return a.args[0][0].second;
}

Comb Encoder::one() {
    Atom o = atom_of(Atom::Kind::One, OpKind::ConstOne);
    o.key = "one";
    return single(intern(std::move(o)));
}

void Encoder::register_divisors(const Index& idx) {
    // A reciprocal whose scalar the query never read (cancelled, or inside a sum's opaque real)
    // is still a divisor: read at the first output's position, it is assumed non-zero there
    // (AssumeNonZero) and asked about (AskZero), so the precondition is never dropped for it.
    for (size_t id = 0; id < d_atoms.size(); ++id)
        if (d_atoms[id].kind == Atom::Kind::Elem && d_atoms[id].op == OpKind::EwDiv) {
            Index at = idx;
            const int rank = d_atoms[id].dims;
            for (int k = static_cast<int>(at.size()); k < rank; ++k) at.push_back(Pos{9000 + k, 0});
            if (rank >= 0 && static_cast<int>(at.size()) > rank) at.resize(rank);
            scalar_atom(static_cast<int>(id), at);
        }
}

void Encoder::transformer_facts() {
    Terms& t = terms();
    const TermId zero = t.real_lit(0), one = t.real_lit(1);
    const size_t n = d_exps.size();
    for (size_t i = 0; i < n; ++i) {
        fact(t.implies(t.eq(d_exps[i].arg, zero), t.eq(d_exps[i].value, one)));
        for (size_t j = i; j < n; ++j) {
            const TermId sum = t.real_add({d_exps[i].arg, d_exps[j].arg});
            const TermId prod = d_fault == PointwiseFault::ExpIsAdditive
                                    ? t.real_add({d_exps[i].value, d_exps[j].value})
                                    : t.mul({d_exps[i].value, d_exps[j].value});
            fact(t.implies(t.eq(sum, zero), t.eq(prod, one)));
            for (size_t k = 0; k < n; ++k)
                if (k != i && k != j) fact(t.implies(t.eq(sum, d_exps[k].arg), t.eq(prod, d_exps[k].value)));
        }
    }
    if (d_assume_nonzero_divisors)
        for (TermId d : d_divisors) fact(t.distinct(d, zero));
}

}  // namespace rf::prover::pointwise_detail
