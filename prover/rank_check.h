// The bounded checker at the other ranks of a rank-generic rule (ir/rank_generic.h). A proof at
// the rule's representative rank covers every rank by the reshape argument stated there; this
// re-tests that claim at a rank below and one above, so that a mistake in the argument (or in
// which rules it admits) shows as an error rather than as a rule matched where it is false.
#pragma once

#include <cstddef>
#include <optional>

#include "prover/bounded_check.h"

namespace rf::prover {

struct RankRefutation {
    size_t rank = 0;
    Rule instance;       ///< the rule retyped at `rank`
    BoundedCheck check;  ///< Refuted, with its counterexample
};

/// The ranks tried for a rank-generic rule: its least rank when below the representative one,
/// and the representative rank plus one. Empty for a rule that is not rank-generic.
std::vector<size_t> other_ranks(const Rule& rule);

/// The first of other_ranks(rule) at which the bounded checker refutes the retyped rule.
std::optional<RankRefutation> refute_at_other_ranks(const Rule& rule, const BoundedCheckOptions& options = {});

}  // namespace rf::prover
