// Checker::prove_by_algebra (prover/checker.h): a pointwise identity decided exactly by its
// algebraic normal form (prover/scalar_algebra.h) before any solver is asked.
//
// Only with one back-end: `--backend both` asks for the agreement of two independent solvers,
// so there each solver still answers the query itself (docs/prover.md says why). With one, the
// normal form stands in for it: equal forms are a polynomial identity (a proof), and like every
// pointwise proof it is re-checked by the bounded checker. Different forms, or a form the
// algebra cannot build, decide nothing: the solver answers as before.
#include "prover/checker.h"

#include <chrono>

namespace rf::prover {

std::optional<std::vector<ProofResult>> Checker::prove_by_algebra(PointwiseQuery& pq) {
    if (d_backends.size() != 1) return std::nullopt;
    const auto start = std::chrono::steady_clock::now();
    const AlgebraFault fault = d_options.pointwise_fault == PointwiseFault::AlgebraExpIsAdditive
                                   ? AlgebraFault::ExpIsAdditive
                                   : AlgebraFault::None;
    // The query gets the facts of the real exp the decision used, so that it alone is unsat.
    if (decide_pointwise_by_algebra(pq, fault).answer != AlgebraDecision::Answer::Equal) return std::nullopt;
    ProofResult r;
    r.backend = backend_name(d_backends.front()->kind());
    r.outcome = Proved{{}, "pointwise", "algebraic normal form: " + pq.identity};
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::vector<ProofResult>{std::move(r)};
}

}  // namespace rf::prover
