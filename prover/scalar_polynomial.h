// Polynomials and fractions of polynomials with exact rational coefficients over numbered atoms:
// the arithmetic of the scalar algebra's normal form (prover/scalar_algebra.h). Internal to
// rf_prover.
//
// A monomial may hold a negative power only of an atom that is never 0 (exp's bases), so that
// the Laurent polynomials stay a ring in which equal forms are equal values. Every operation
// that would overflow a coefficient or an exponent, or grow a form past its limits, throws
// AlgebraLimit: the decision then falls back to the solver instead of computing a wrong number.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "prover/exact_rational.h"

namespace rf::prover::algebra {

/// The algebra cannot go on (overflow, size, a term it does not read): undecided, not false.
struct AlgebraLimit : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Product of atom^exponent, sorted by atom, no zero exponent.
using Monomial = std::vector<std::pair<int, int>>;
/// Sum of coefficient * monomial, no zero coefficient.
using Poly = std::map<Monomial, ExactRational>;

/// num / den, den never the zero polynomial; normalised (normalise()) so that equal fractions
/// built alike print alike: the common monomial factor cancelled and den's first coefficient 1.
struct Frac {
    Poly num;
    Poly den;
};

inline constexpr size_t kMaxTerms = 512;  ///< terms of one polynomial
inline constexpr int kMaxExponent = 64;   ///< |exponent| of one atom in a monomial

Poly poly_const(const ExactRational& c);
Poly poly_atom(int atom, int power = 1);
Poly poly_add(const Poly& a, const Poly& b);
Poly poly_mul(const Poly& a, const Poly& b);
Poly poly_scale(const Poly& a, const ExactRational& c);
Monomial monomial_mul(const Monomial& a, const Monomial& b);
bool is_one(const Poly& p);

Frac frac_const(const ExactRational& c);
Frac frac_of(Poly p);
Frac frac_add(const Frac& a, const Frac& b);
Frac frac_mul(const Frac& a, const Frac& b);
/// 1 / a; AlgebraLimit when a's numerator is the zero polynomial (no value makes it non-zero).
Frac frac_reciprocal(const Frac& a);
/// a = b as rational functions: a.num * b.den = b.num * a.den.
bool frac_equal(const Frac& a, const Frac& b);
/// The common monomial factor of num and den cancelled (den != 0, so that factor is not 0), then
/// both scaled so that den's first coefficient is 1.
Frac normalise(Frac f);

/// Canonical text, atoms as `a<N>` (the keys of atoms built over a form).
std::string monomial_key(const Monomial& m);
std::string poly_key(const Poly& p);
std::string frac_key(const Frac& f);

}  // namespace rf::prover::algebra
