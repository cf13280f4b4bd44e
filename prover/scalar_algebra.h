// The exact algebraic decision of a pointwise query's scalar identity (prover/pointwise.h), tried
// before the solver: both sides are put in a canonical form of rational functions over the
// query's reals, and equal forms prove the identity without nlsat.
//
// Why: a size-2 transformer discovery spent 87 % of its CPU in z3's nlsat on identities such as
// exp(x - y) * exp(y) = exp(x) or x / y * y = x, which are identities of rational functions once
// exp is read as a homomorphism; deciding them by a normal form costs microseconds.
//
// The form (exact; no solver API here):
//  - a polynomial with rational coefficients (prover/exact_rational.h) over atoms, as a fraction
//    num / den; a division is the reciprocal of its divisor's fraction, which the query assumes
//    non-zero (only definitions of kind Reciprocal say so: the caller gives them only then);
//  - exp(a + b) is exp(a) * exp(b) and exp(k * m) is exp(m)^k for an integer k (negative powers
//    allowed: exp is never 0), exp(0) = 1; exp of a fraction that is no polynomial is one atom;
//  - any other definition (sigmoid, tanh, sqrt, gelu, relu, a reduction, ...) is an atom keyed by
//    its function and the normal form of its argument: applications with equal arguments are equal,
//    which the query's Ackermann facts (relu: its definition) state too;
//  - a concat is read per region of the positions: every bound of the query's concats on
//    one index symbol splits its range, and in each region every concat is the piece that
//    covers it; the identity must hold in every region (at most 64 of them);
//  - any other real of the query is an independent atom.
// Equal forms => the identity holds for all values of the atoms, so the query's goal is unsat.
// Different forms decide nothing (sign facts, relu as max(x, 0), relations between atoms may
// still make it hold): the caller asks the solver, never refutes from this. Overflow of a
// coefficient or exponent, a form grown past its limits, a term outside these operations, or a
// divisor that is 0 as a polynomial leave the identity undecided.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "prover/term.h"

namespace rf::prover {

/// What a fresh real of a pointwise query stands for, when the algebra may use it.
struct ScalarDefinition {
    /// Concat: the value is piece i's term where piece i's bounds hold for the integer
    /// `position` (an index symbol of the query), as the query's case-split facts say.
    enum class Kind { Exp, Reciprocal, Function, Concat };
    struct Piece {
        int64_t from;  ///< the position is >= from (INT64_MIN: no bound)
        int64_t to;    ///< the position is < to (INT64_MAX: no bound)
        TermId term;
    };
    Kind kind = Kind::Function;
    std::string function;  ///< Function: its name (equal arguments give equal values)
    TermId argument = -1;  ///< a Real term
    TermId value = -1;     ///< the fresh real (a 0-ary Real application)
    int position = -1;     ///< Concat
    std::vector<Piece> pieces;
};

/// A wrong step planted on purpose (tests only): ExpIsAdditive reads exp(a + b) as exp(a) + exp(b).
enum class AlgebraFault { None, ExpIsAdditive };

struct AlgebraDecision {
    enum class Answer { Equal, Different, Undecided };
    Answer answer = Answer::Undecided;
    std::string why;  ///< Different: the first pair whose forms differ; Undecided: what stopped it
    /// Equal: the facts of the real exp the decision used, as formulas over `terms` (each exp
    /// application equals its product of powers of base reals exp(m), declared fresh and
    /// positive): added to the query, they make its SMT-LIB2 file re-check the decision with a
    /// solver, since the query's own exp facts cover only sums of its applications' arguments.
    std::vector<TermId> facts;
};

/// Whether every pair (l, r) of `sides` is an identity of the canonical form, reading the reals
/// of `definitions` as they say. Never throws for an identity it cannot decide (Undecided).
AlgebraDecision decide_by_algebra(Terms& terms, const std::vector<std::pair<TermId, TermId>>& sides,
                                  const std::vector<ScalarDefinition>& definitions,
                                  AlgebraFault fault = AlgebraFault::None);

}  // namespace rf::prover
