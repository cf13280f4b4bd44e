// Checker::divisors_can_be_zero (prover/checker.h): whether a proved rule with division must
// state the nonzero_divisors precondition. Asked of the pointwise encoding with the goal "some
// divisor is zero": unsat means none can be (exp is positive, so a sum of exps is not).
#include "prover/checker.h"

#include "prover/pointwise.h"

namespace rf::prover {

bool Checker::divisors_can_be_zero(const Rule& rule) {
    bool divides = false;
    for (const Graph* side : {&rule.lhs, &rule.rhs})
        for (const Node& n : side->nodes()) divides = divides || op_info(n.op).has(kDivides);
    if (!divides) return false;
    std::string why;
    std::optional<PointwiseQuery> q = encode_pointwise(rule, why, d_options.pointwise_fault, DivisorMode::AskZero);
    if (!q || q->divisors == 0) return true;  // outside the fragment: nothing shows them non-zero
    q->query.name = "divisors";
    return !d_backends.front()->prove(q->query, d_options.timeout_ms).proved();
}

}  // namespace rf::prover
