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

    // The form of a term in the current region; d_regional says whether it depends on it.
    Frac form(TermId id) {
        auto it = d_memo.find(id);
        if (it != d_memo.end()) {
            d_regional = d_regional || it->second.regional;
            return it->second.form;
        }
        const bool outer = d_regional;
        d_regional = false;
        Frac f = read(id);
        d_memo.emplace(id, Memo{f, d_regional});
        d_regional = outer || d_regional;
        return f;
    }

    /// The region of positions the forms are read in: per index symbol, [from, to). The forms
    /// that depend on it are forgotten.
    void set_region(std::map<int, std::pair<int64_t, int64_t>> region) {
        d_region = std::move(region);
        for (auto it = d_memo.begin(); it != d_memo.end();) it = it->second.regional ? d_memo.erase(it) : std::next(it);
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
            case ScalarDefinition::Kind::Concat: return concat(d);
            case ScalarDefinition::Kind::Reciprocal: return frac_reciprocal(form(d.argument));
            case ScalarDefinition::Kind::Exp: return exp(d.argument, d.value);
            case ScalarDefinition::Kind::Function:
                return frac_of(poly_atom(atom("f:" + d.function + "(" + frac_key(form(d.argument)) + ")")));
        }
        throw AlgebraLimit("an unknown definition");
    }

    // A concat in the current region: the piece whose bounds hold all over it (the query's
    // case-split facts make the concat's real that piece's there).
    Frac concat(const ScalarDefinition& d) {
        d_regional = true;
        auto at = d_region.find(d.position);
        const std::pair<int64_t, int64_t> r = at == d_region.end() ? std::make_pair(INT64_MIN, INT64_MAX) : at->second;
        for (const ScalarDefinition::Piece& p : d.pieces)
            if (p.from <= r.first && r.second <= p.to) return form(p.term);
        throw AlgebraLimit("a concat piece that does not cover a region");
    }

    // exp of a polynomial: the product over its terms c * m of exp(m / q)^p, c = p / q (a base
    // atom per m / q). exp of another fraction is one base atom. The fact that the value is
    // that product is recorded (see AlgebraDecision::facts).
    Frac exp(TermId argument, TermId value) {
        const bool outer = d_regional;
        d_regional = false;
        const Frac a = form(argument);
        // Its facts (value = product of bases) must hold everywhere: not per region.
        if (d_regional) throw AlgebraLimit("exp of a value that depends on a concat's case split");
        d_regional = outer;
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
        if (d_recorded.insert(value).second) d_pending.push_back({value, powers});
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
    struct Memo {
        Frac form;
        bool regional;  ///< depends on the region (reads a concat)
    };
    std::map<TermId, Memo> d_memo;
    bool d_regional = false;
    std::map<int, std::pair<int64_t, int64_t>> d_region;
    std::set<TermId> d_recorded;
    std::map<std::string, int> d_atoms;
    std::map<int, TermId> d_base_real;
    std::vector<PendingExp> d_pending;
};

// The regions of positions the query's concats split: per index symbol, the intervals between
// its pieces' bounds; every combination of one interval per symbol (one region without concats).
// Empty when there would be more than kMaxRegions.
constexpr size_t kMaxRegions = 64;
std::vector<std::map<int, std::pair<int64_t, int64_t>>> regions(const std::vector<ScalarDefinition>& defs) {
    std::map<int, std::set<int64_t>> bounds;
    for (const ScalarDefinition& d : defs)
        if (d.kind == ScalarDefinition::Kind::Concat)
            for (const ScalarDefinition::Piece& p : d.pieces) {
                if (p.from != INT64_MIN) bounds[d.position].insert(p.from);
                if (p.to != INT64_MAX) bounds[d.position].insert(p.to);
            }
    std::vector<std::map<int, std::pair<int64_t, int64_t>>> out{{}};
    for (const auto& [sym, cuts] : bounds) {
        std::vector<std::pair<int64_t, int64_t>> intervals;
        int64_t from = INT64_MIN;
        for (int64_t c : cuts) {
            intervals.emplace_back(from, c);
            from = c;
        }
        intervals.emplace_back(from, INT64_MAX);
        if (out.size() * intervals.size() > kMaxRegions) return {};
        std::vector<std::map<int, std::pair<int64_t, int64_t>>> next;
        for (const auto& region : out)
            for (const auto& iv : intervals) {
                next.push_back(region);
                next.back()[sym] = iv;
            }
        out = std::move(next);
    }
    return out;
}

}  // namespace

AlgebraDecision decide_by_algebra(Terms& terms, const std::vector<std::pair<TermId, TermId>>& sides,
                                  const std::vector<ScalarDefinition>& definitions, AlgebraFault fault) {
    AlgebraDecision out;
    try {
        const auto all = regions(definitions);
        if (all.empty()) throw AlgebraLimit("more than " + std::to_string(kMaxRegions) + " regions of concats");
        Reader r(terms, definitions, fault);
        // Every position lies in one region, where each concat is one piece: equal forms in
        // every region are equal values everywhere.
        for (const auto& region : all) {
            r.set_region(region);
            for (const auto& [l, rside] : sides) {
                if (l == rside) continue;
                const Frac a = r.form(l), b = r.form(rside);
                if (!frac_equal(a, b)) {
                    out.answer = AlgebraDecision::Answer::Different;
                    out.why = "normal forms differ: " + frac_key(a) + " vs " + frac_key(b);
                    return out;
                }
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
