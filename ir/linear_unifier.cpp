#include "ir/linear_unifier.h"

#include <numeric>

namespace rf {

bool LinearUnifier::unify(const Dim& a, const Dim& b) {
    Dim diff = resolve(a) - resolve(b);
    if (diff.is_concrete()) return diff.constant() == 0;
    // 2*a - 2*c = 0 says a = c: divide by the coefficients' gcd (no integer solution when it
    // does not divide the constant).
    int64_t g = 0;
    for (const auto& [sym, coef] : diff.terms()) g = std::gcd(g, coef < 0 ? -coef : coef);
    if (diff.constant() % g != 0) return false;
    diff = diff.divided(g);
    // Solve for a symbol with a unit coefficient; prefer the newest so that declared and
    // earlier symbols survive (they name the shapes the user wrote).
    for (auto it = diff.terms().rbegin(); it != diff.terms().rend(); ++it) {
        auto [sym, coef] = *it;
        if (coef != 1 && coef != -1) continue;
        // coef*sym + rest = 0  =>  sym = -rest/coef = -coef*rest
        Dim rest = diff - Dim::symbol(sym).scaled(coef);
        Dim value = rest.scaled(-coef);
        for (auto& [s, v] : d_subst) v = v.substitute(sym, value);
        d_subst[sym] = value;
        return true;
    }
    return false;  // e.g. 2*a = 3*b: not expressible without fractions; refuse
}

Dim LinearUnifier::resolve(const Dim& d) const {
    Dim r = d;
    for (const auto& [sym, coef] : d.terms()) {
        (void)coef;
        auto it = d_subst.find(sym);
        if (it != d_subst.end()) r = r.substitute(sym, it->second);
    }
    return r;
}

TensorType LinearUnifier::resolve(const TensorType& t) const {
    TensorType r;
    for (const Dim& d : t.dims) r.dims.push_back(resolve(d));
    r.degrees = t.degrees;
    r.replicas = t.replicas;
    return r;
}

}  // namespace rf
