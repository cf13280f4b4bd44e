// The algebraic decision of a pointwise identity (prover/scalar_algebra.h): the query's Real
// terms read into fractions of polynomials (prover/scalar_polynomial.h), with exp, reciprocals
// and uninterpreted functions read by their definitions.
#include "prover/scalar_algebra.h"

#include <cstdint>
#include <map>
#include <set>

#include "prover/pointwise.h"
#include "prover/scalar_polynomial.h"

namespace rf::prover {

namespace {

using namespace algebra;

class Reader {
public:
    Reader(Terms& terms, const std::vector<ScalarDefinition>& defs, AlgebraFault fault) : d_t(terms), d_fault(fault) {
        for (const ScalarDefinition& d : defs) d_defs.emplace(d.value, &d);
    }

    Frac form(TermId id) {
        auto it = d_memo.find(id);
        if (it != d_memo.end()) return it->second;
        Frac f = read(id);
        d_memo.emplace(id, f);
        return f;
    }

private:
    Frac read(TermId id) {
        const TermNode& n = d_t.node(id);
        if (n.sort != Sort::Real) throw AlgebraLimit("a term that is not Real");
        switch (n.op) {
            case TermOp::RealLit:
                if (n.value == INT64_MIN) throw AlgebraLimit("a literal whose negation overflows");
                return frac_const(ExactRational(n.value));
            case TermOp::Add: {
                Frac sum = frac_const(ExactRational(0));
                for (TermId k : std::vector<TermId>(n.kids)) sum = frac_add(sum, form(k));
                return sum;
            }
            case TermOp::Sub: {
                const std::vector<TermId> kids = n.kids;
                Frac b = form(kids[1]);
                b.num = poly_scale(b.num, ExactRational(-1));
                return frac_add(form(kids[0]), b);
            }
            case TermOp::Mul: {
                Frac product = frac_const(ExactRational(1));
                for (TermId k : std::vector<TermId>(n.kids)) product = frac_mul(product, form(k));
                return product;
            }
            case TermOp::App:
                if (!n.kids.empty()) break;
                return real(id);
            default: break;
        }
        throw AlgebraLimit("a Real term the algebra does not read");
    }

    // A 0-ary real: by its definition, or an independent atom.
    Frac real(TermId id) {
        auto def = d_defs.find(id);
        if (def == d_defs.end()) return frac_of(poly_atom(atom("r:" + d_t.func(d_t.node(id).func).name)));
        const ScalarDefinition& d = *def->second;
        switch (d.kind) {
            case ScalarDefinition::Kind::Reciprocal: return frac_reciprocal(form(d.argument));
            case ScalarDefinition::Kind::Exp: return exp(d.argument, d.value);
            case ScalarDefinition::Kind::Function:
                return frac_of(poly_atom(atom("f:" + d.function + "(" + frac_key(form(d.argument)) + ")")));
        }
        throw AlgebraLimit("an unknown definition");
    }

    // exp of a polynomial: the product over its terms c * m of exp(m / q)^p, c = p / q (a base
    // atom per m / q). exp of another fraction is one base atom. The fact that the value is
    // that product is recorded (see AlgebraDecision::facts).
    Frac exp(TermId argument, TermId value) {
        const Frac a = form(argument);
        std::vector<std::pair<int, int64_t>> powers;  // (base atom, power)
        if (is_one(a.den)) {
            for (const auto& [m, c] : a.num) {
                const std::string key =
                    "exp:" + monomial_key(m) + (c.is_integer() ? "" : "/" + std::to_string(c.den()));
                if (c.num() > kMaxExponent || c.num() < -kMaxExponent) throw AlgebraLimit("exp of a large multiple");
                powers.emplace_back(atom(key), c.num());
            }
        } else {
            powers.emplace_back(atom("exp:(" + frac_key(a) + ")"), 1);
        }
        Poly out = d_fault == AlgebraFault::ExpIsAdditive && powers.size() > 1 ? Poly{} : poly_const(ExactRational(1));
        for (const auto& [base, p] : powers)
            out = d_fault == AlgebraFault::ExpIsAdditive && powers.size() > 1
                      ? poly_add(out, poly_atom(base, static_cast<int>(p)))
                      : poly_mul(out, poly_atom(base, static_cast<int>(p)));
        record_exp_fact(value, powers);
        return frac_of(out);
    }

    // value = prod base^p, as value * prod_{p<0} base^-p = prod_{p>0} base^p over the bases'
    // reals (under the planted fault: the sum of the bases' powers). Built only once the
    // identity is decided, so an undecided one leaves the query's terms as they were.
    void record_exp_fact(TermId value, const std::vector<std::pair<int, int64_t>>& powers) {
        d_pending.push_back({value, powers});
    }

public:
    std::vector<TermId> facts() {
        std::vector<TermId> out;
        // A value that is one base to the power 1 is that base's real: no fresh real needed.
        for (const PendingExp& e : d_pending)
            if (e.powers.size() == 1 && e.powers[0].second == 1) d_base_real.emplace(e.powers[0].first, e.value);
        for (const PendingExp& e : d_pending) {
            if (e.powers.size() == 1 && e.powers[0].second == 1 && base_real(e.powers[0].first, out) == e.value)
                continue;
            std::vector<TermId> left{e.value}, right, sum;
            for (const auto& [base, p] : e.powers) {
                const TermId b = base_real(base, out);
                for (int64_t k = 0; k < (p < 0 ? -p : p); ++k) (p < 0 ? left : right).push_back(b);
                sum.push_back(d_t.mul(std::vector<TermId>(p > 0 ? p : 0, b)));
            }
            const bool additive = d_fault == AlgebraFault::ExpIsAdditive && e.powers.size() > 1;
            out.push_back(d_t.eq(d_t.mul(left), additive ? d_t.real_add(sum) : d_t.mul(right)));
        }
        return out;
    }

private:
    struct PendingExp {
        TermId value;
        std::vector<std::pair<int, int64_t>> powers;
    };

    TermId base_real(int base, std::vector<TermId>& facts) {
        auto it = d_base_real.find(base);
        if (it != d_base_real.end()) return it->second;
        std::string name = "exp_base" + std::to_string(base);
        for (int k = 1; d_t.find(name) >= 0; ++k) name = "exp_base" + std::to_string(base) + "_" + std::to_string(k);
        const TermId b = d_t.app(d_t.declare(name, {}, Sort::Real));
        facts.push_back(d_t.not_(d_t.le(b, d_t.real_lit(0))));
        d_base_real.emplace(base, b);
        return b;
    }

    // Negative powers arise only from exp's bases, which are never 0 (scalar_polynomial.h).
    int atom(const std::string& key) { return d_atoms.emplace(key, static_cast<int>(d_atoms.size())).first->second; }

    Terms& d_t;
    AlgebraFault d_fault;
    std::map<TermId, const ScalarDefinition*> d_defs;
    std::map<TermId, Frac> d_memo;
    std::map<std::string, int> d_atoms;
    std::map<int, TermId> d_base_real;
    std::vector<PendingExp> d_pending;
};

}  // namespace

AlgebraDecision decide_by_algebra(Terms& terms, const std::vector<std::pair<TermId, TermId>>& sides,
                                  const std::vector<ScalarDefinition>& definitions, AlgebraFault fault) {
    AlgebraDecision out;
    try {
        Reader r(terms, definitions, fault);
        for (const auto& [l, rside] : sides) {
            if (l == rside) continue;
            const Frac a = r.form(l), b = r.form(rside);
            if (!frac_equal(a, b)) {
                out.answer = AlgebraDecision::Answer::Different;
                out.why = "normal forms differ: " + frac_key(a) + " vs " + frac_key(b);
                return out;
            }
        }
        out.answer = AlgebraDecision::Answer::Equal;
        out.facts = r.facts();
    } catch (const std::exception& e) {  // AlgebraLimit, or out of memory: the solver decides
        out.answer = AlgebraDecision::Answer::Undecided;
        out.why = e.what();
    }
    return out;
}

AlgebraDecision decide_pointwise_by_algebra(PointwiseQuery& pq, AlgebraFault fault) {
    AlgebraDecision d = decide_by_algebra(pq.query.terms, pq.sides, pq.definitions, fault);
    if (d.answer == AlgebraDecision::Answer::Equal)
        for (TermId f : d.facts) {
            const std::string name = "algebra" + std::to_string(pq.query.assertions.size());
            pq.query.assertions.push_back({name, "exp (algebraic normal form)", AssertionKind::Fact, f});
        }
    return d;
}

}  // namespace rf::prover
