// `ruleforge axioms --validate`: every axiom checked against the operators' meaning (the
// reference evaluator, independently of the SMT encoding) at every shape up to a bound, and the
// redundancy report (which axiom the others already prove).
//
// Why this is fast where TASO's validation takes ~10 h on 8 cores: TASO builds symbolic Z3
// expressions for every element at every shape. Here an axiom instance at concrete shapes is an
// identity of polynomials in the input elements (relu, max pooling, sigmoid, tanh being
// uninterpreted functions), and one evaluation over GF(2^61 - 1) at a random point decides it
// with error below 2^-55 (Schwartz-Zippel; ir/eval.h's evaluate_field). An instance the field
// cannot decide -- its truth needs what relu or max *are* (relu idempotent, relu commuting with
// max pooling) -- is tested instead with exact rationals at random points (prover/bounded_check),
// and reported as tested, not proved. A difference in the field is a real one (the field is a
// homomorphic image of the exact semantics); the exact evaluator then gives the counterexample.
//
// Shapes: every assignment of the axiom's dimension symbols to 1..max_dim that type-checks, for
// each rank variant: variables whose rank no operator fixes (element-wise and scalar axioms are
// rank-generic) are tried at every rank 0..max_rank.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "prover/axiom_set.h"

namespace rf::prover {

struct AxiomValidationOptions {
    int max_dim = 4;      ///< symbols range over 1..max_dim (TASO: tensors up to 4x4x4x4)
    int max_rank = 4;     ///< rank-generic variables are tried at ranks 0..max_rank
    int exact_draws = 6;  ///< exact random draws for an instance the field cannot decide
    uint64_t seed = 1;
    int threads = 0;  ///< 0: OpenMP's default
    /// Called now and then from the calling thread with (instances done, instances in all).
    std::function<void(uint64_t, uint64_t)> progress;
};

struct AxiomValidation {
    enum class Status {
        Proved,   ///< every instance is a field identity
        Tested,   ///< some instances needed relu/max semantics and passed exact random tests
        Refuted,  ///< some instance is false: `counterexample`
        Error     ///< no instance type-checks (`note` says why)
    };
    std::string name;
    Status status = Status::Error;
    int variants = 0;            ///< rank variants that type-check
    uint64_t assignments = 0;    ///< shape assignments tried
    uint64_t instances = 0;      ///< of those, the ones that type-check
    uint64_t field_proved = 0;   ///< instances decided in the field
    uint64_t tested = 0;         ///< instances decided by exact random tests only
    std::string counterexample;  ///< for Refuted: shapes, differing element, inputs
    std::string note;
    double seconds = 0;  ///< thread time spent on this axiom's instances
};

const char* validation_status_name(AxiomValidation::Status s);

/// Validates every axiom of the set; the result is in set order and does not depend on the
/// thread count.
std::vector<AxiomValidation> validate_axioms(const AxiomSet& set, const AxiomValidationOptions& options);

struct AxiomRedundancy {
    std::string name;
    bool redundant = false;
    std::vector<std::string> derived_from;  ///< the unsat core of the proof from the others
    std::string verdict;                    ///< the prover's verdict without the axiom
    double seconds = 0;
};

/// For each axiom: is it proved (by Z3) from the other axioms alone, within timeout_ms?
/// A proved one is redundant; the others are needed as far as the solver can tell.
std::vector<AxiomRedundancy> find_redundant_axioms(const AxiomSet& set, int timeout_ms, int threads,
                                                   const std::function<void(uint64_t, uint64_t)>& progress = {});

}  // namespace rf::prover
