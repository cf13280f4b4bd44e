// Exact polynomial and fraction arithmetic of the scalar algebra (prover/scalar_polynomial.h).
#include "prover/scalar_polynomial.h"

#include <algorithm>
#include <set>

namespace rf::prover::algebra {

namespace {

ExactRational checked(std::optional<ExactRational> r) {
    if (!r) throw AlgebraLimit("a coefficient overflows 64 bits");
    return *r;
}

void add_term(Poly& p, const Monomial& m, const ExactRational& c) {
    auto [it, fresh] = p.emplace(m, c);
    if (fresh) {
        if (c.is_zero()) p.erase(it);
        return;
    }
    it->second = checked(it->second + c);
    if (it->second.is_zero()) p.erase(it);
}

void check_size(const Poly& p) {
    if (p.size() > kMaxTerms) throw AlgebraLimit("a polynomial of more than " + std::to_string(kMaxTerms) + " terms");
}

}  // namespace

Poly poly_const(const ExactRational& c) {
    Poly p;
    if (!c.is_zero()) p.emplace(Monomial{}, c);
    return p;
}

Poly poly_atom(int atom, int power) {
    if (power == 0) return poly_const(ExactRational(1));
    return Poly{{Monomial{{atom, power}}, ExactRational(1)}};
}

Monomial monomial_mul(const Monomial& a, const Monomial& b) {
    Monomial out;
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) {
            out.push_back(a[i++]);
        } else if (i == a.size() || b[j].first < a[i].first) {
            out.push_back(b[j++]);
        } else {
            const int e = a[i].second + b[j].second;
            if (e > kMaxExponent || e < -kMaxExponent) throw AlgebraLimit("an exponent beyond the algebra's limit");
            if (e != 0) out.emplace_back(a[i].first, e);
            ++i, ++j;
        }
    }
    return out;
}

Poly poly_add(const Poly& a, const Poly& b) {
    Poly out = a;
    for (const auto& [m, c] : b) add_term(out, m, c);
    check_size(out);
    return out;
}

Poly poly_mul(const Poly& a, const Poly& b) {
    if (a.size() * b.size() > kMaxTerms * 8) throw AlgebraLimit("a product too large for the algebra");
    Poly out;
    for (const auto& [ma, ca] : a)
        for (const auto& [mb, cb] : b) add_term(out, monomial_mul(ma, mb), checked(ca * cb));
    check_size(out);
    return out;
}

Poly poly_scale(const Poly& a, const ExactRational& c) {
    Poly out;
    if (c.is_zero()) return out;
    for (const auto& [m, x] : a) out.emplace(m, checked(x * c));
    return out;
}

bool is_one(const Poly& p) {
    return p.size() == 1 && p.begin()->first.empty() && p.begin()->second == ExactRational(1);
}

Frac frac_const(const ExactRational& c) { return Frac{poly_const(c), poly_const(ExactRational(1))}; }

Frac frac_of(Poly p) { return Frac{std::move(p), poly_const(ExactRational(1))}; }

Frac frac_add(const Frac& a, const Frac& b) {
    if (a.den == b.den) return normalise(Frac{poly_add(a.num, b.num), a.den});
    return normalise(Frac{poly_add(poly_mul(a.num, b.den), poly_mul(b.num, a.den)), poly_mul(a.den, b.den)});
}

Frac frac_mul(const Frac& a, const Frac& b) { return normalise(Frac{poly_mul(a.num, b.num), poly_mul(a.den, b.den)}); }

Frac frac_reciprocal(const Frac& a) {
    if (a.num.empty()) throw AlgebraLimit("a divisor that is 0 as a polynomial");
    return normalise(Frac{a.den, a.num});
}

bool frac_equal(const Frac& a, const Frac& b) {
    if (a.den == b.den) return a.num == b.num;
    return poly_mul(a.num, b.den) == poly_mul(b.num, a.den);
}

Frac normalise(Frac f) {
    if (f.den.empty()) throw AlgebraLimit("a divisor that is 0 as a polynomial");
    if (f.num.empty()) return frac_const(ExactRational(0));
    // The least power of each atom over every term of num and den (0 where a term lacks it):
    // that monomial divides both. It is not 0 where den is not (it divides den), so cancelling
    // it keeps the value; a negative least power (only exp's bases have them) is cleared alike.
    std::set<int> atoms;
    for (const Poly* p : {&f.num, &f.den})
        for (const auto& [m, c] : *p)
            for (const auto& [atom, e] : m) atoms.insert(atom);
    std::map<int, int> least;
    for (int atom : atoms) {
        int low = kMaxExponent + 1;
        for (const Poly* p : {&f.num, &f.den})
            for (const auto& [m, c] : *p) {
                auto at = std::find_if(m.begin(), m.end(), [&](const auto& x) { return x.first == atom; });
                low = std::min(low, at == m.end() ? 0 : at->second);
            }
        if (low != 0) least[atom] = low;
    }
    Monomial inverse;
    for (const auto& [atom, e] : least)
        if (e != 0) inverse.emplace_back(atom, -e);
    if (!inverse.empty()) {
        const Poly by{{inverse, ExactRational(1)}};
        f.num = poly_mul(f.num, by);
        f.den = poly_mul(f.den, by);
    }
    const ExactRational lead = f.den.begin()->second;
    if (lead != ExactRational(1)) {
        const ExactRational inv = checked(ExactRational(1) / lead);
        f.num = poly_scale(f.num, inv);
        f.den = poly_scale(f.den, inv);
    }
    return f;
}

std::string monomial_key(const Monomial& m) {
    std::string s;
    for (const auto& [atom, e] : m) s += "*a" + std::to_string(atom) + (e == 1 ? "" : "^" + std::to_string(e));
    return s;
}

std::string poly_key(const Poly& p) {
    if (p.empty()) return "0";
    std::string s;
    for (const auto& [m, c] : p) s += (s.empty() ? "" : " + ") + c.to_string() + monomial_key(m);
    return s;
}

std::string frac_key(const Frac& f) {
    return is_one(f.den) ? poly_key(f.num) : "(" + poly_key(f.num) + ")/(" + poly_key(f.den) + ")";
}

}  // namespace rf::prover::algebra
