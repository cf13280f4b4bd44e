// The bounded semantic checker: evaluates both sides of a rule on concrete shapes and random
// exact inputs with the reference evaluator, independently of the axioms.
//
// Why: the quantified SMT encoding answers `unsat` quickly on true rules but only `unknown` or a
// timeout on false ones, so refutation must come from somewhere else. Exact evaluation (rational
// arithmetic, real ReLU/max, a seeded random function for sigmoid/tanh) finds a difference with
// concrete input tensors when the rule is false at some small shape; that counterexample is a
// real refutation because the semantics are exact. When no difference is found the rule has
// only been *tested* (evidence, not a proof); proofs come from the SMT back-ends.
//
// Rules whose operators leave the rationals (exp, sqrt, gelu, softmax, the norms: kModular) are
// evaluated in float32 instead, on inputs that are exact multiples of 1/8 in [-2, 2] (so the
// counterexample's inputs are still exact rationals), and two values differ when they differ by
// more than kFloatTolerance times (1 + the largest magnitude of that output on either side); a
// draw where either side is not finite (a zero divisor, sqrt of a negative), or divides by a
// value of magnitude below kMinFloatDivisor (zero in exact arithmetic, left tiny by rounding: a
// sum of a layer norm's outputs), says nothing. The
// result says which domain decided it. A rule with division and no such operator stays exact:
// a zero divisor leaves that draw undefined (skipped), as the rule holds only where divisors
// are not zero.
//
// Shapes: a rule with symbolic shapes is instantiated at several assignments, smallest first
// (so counterexamples are small), always including "every symbol equal" (which satisfies the
// divisibility of grouped convolutions) and independent random sizes (which catch rules that
// hold only when shapes coincide, as TASO's test-shape artefacts do).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/eval.h"
#include "ir/rule.h"

namespace rf::prover {

struct BoundedCheckOptions {
    int max_instances = 8;   ///< shape assignments tried (all of them when the rule is concrete)
    int max_dim = 4;         ///< symbol values are drawn from [1, max_dim]
    int draws = 6;           ///< random input draws per shape assignment
    int function_seeds = 2;  ///< sigmoid/tanh random functions tried per draw
    /// Extra draws per shape assignment, alternately sparse (each variable all zero, one in
    /// three, or mostly zero) and sign-sliced (each leading slice of one random sign; every
    /// second of these in halves, for identities that fail only between two integers). A dense draw lets a sum of squares hide every other term (e.g.
    /// conv2d(concat(x*x, y), ...) looks non-negative); sparse ones show single terms. The
    /// checker uses them only to refute a rule that no strategy proved (cheap: few such rules).
    int sparse_draws = 0;
    /// Extra dense draws after those, of values in eighths up to 3/8: a square is then far
    /// below the value, so x + x*x looks like x (e.g. conv2d(x + x*x, x + x*x) takes both signs).
    /// Also for rules no strategy proved only.
    int small_draws = 0;
    uint64_t seed = 1;  ///< everything random derives from this (reproducible)
    /// When set, only shape assignments it accepts are tested: a rule proved under shape
    /// assumptions (e.g. "variables of one role share their shape") is tested under the same ones.
    std::function<bool(const std::map<SymbolId, int64_t>& assignment)> admissible;
};

/// The relative tolerance of the float domain (see the file comment).
inline constexpr double kFloatTolerance = 1e-3;
/// Float draws dividing by less than this in magnitude are skipped (see above).
inline constexpr float kMinFloatDivisor = 1e-4f;

/// Where the checker evaluated a rule: exact rationals, or float32 within kFloatTolerance.
enum class CheckDomain { Exact, Float };
const char* check_domain_name(CheckDomain d);

struct Counterexample {
    std::map<SymbolId, int64_t> symbols;       ///< the shape assignment
    std::vector<std::string> variable_shapes;  ///< "x: [2,3]" per variable
    std::vector<ExactTensor> inputs;           ///< one per variable of the rule
    uint64_t function_seed = 0;
    size_t output = 0;                        ///< which rule output differs
    size_t element = 0;                       ///< flat index of the first differing element
    std::string lhs_value, rhs_value;         ///< that element on each side, "num/den" (or a float)
    CheckDomain domain = CheckDomain::Exact;  ///< which evaluation found the difference
    /// A readable report: shapes, the differing element, and the inputs when they are small.
    std::string to_string(const Rule& rule) const;
};

struct BoundedCheck {
    enum class Outcome { Refuted, Passed, Inconclusive };
    Outcome outcome = Outcome::Inconclusive;
    std::optional<Counterexample> counterexample;  ///< set when Refuted
    int instances = 0;                             ///< shape assignments that type-checked and were evaluated
    int evaluations = 0;                           ///< (draw, function seed) pairs compared
    int overflows = 0;                        ///< draws skipped because a value left the int64 range or was undefined
    CheckDomain domain = CheckDomain::Exact;  ///< exact unless an operator leaves the rationals
    std::string note;                         ///< why Inconclusive
};

const char* outcome_name(BoundedCheck::Outcome o);

/// Tests the rule; never throws for a false or ill-typed rule (an instance that does not
/// type-check is skipped; none at all gives Inconclusive with the reason).
BoundedCheck bounded_check(const Rule& rule, const BoundedCheckOptions& options = {});

}  // namespace rf::prover
