// Rank-generic rules: which variables of a typed rule may take any rank, and the rule retyped
// at another rank. Rule text written without `where` is typed at a representative rank (2, or
// the rank an axis needs); this says when that typing stands for every rank, so that the prover
// can claim the rule at every rank and the applier can match it on tensors of any rank.
//
// A rule is rank-generic when every operator is element-wise (relu, ewadd, ...), smul, concat,
// split or a constant, the operators leave the rank of its variables open (no transpose, matmul,
// conv2d or constant of that rank pins it), and each free variable's dimensions are symbolic with
// every symbol at one axis position only. Why such a rule proved at its representative rank R
// holds at every rank r >= min_rank: at r < R, append R - r unit dimensions; at r > R, merge
// axes R-1..r-1 into one (row-major, so concat and split along axis R-1 and element-wise maps
// see the same elements in the same order). Either way the rank-r instance is the rank-R rule at
// other (positive) sizes, which the proof covers. prover/rank_check.h re-tests it at other ranks.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "ir/rule.h"

namespace rf {

struct RankGenerality {
    /// One flag per rule variable: its rank may be any rank >= min_rank (all free variables
    /// take one rank together). All false when the rule is not rank-generic.
    std::vector<bool> free;
    size_t rank = 0;      ///< the representative rank the free variables are typed at
    size_t min_rank = 0;  ///< the least rank the rule types at (an axis needs axis + 1)
    bool generic() const;
};

RankGenerality rank_generality(const Rule& rule);

/// The rule with its free variables retyped at `rank` (fresh symbols; the typing unifies them),
/// the others unchanged. nullopt when the rule is not rank-generic or `rank` is below min_rank.
std::optional<Rule> at_rank(const Rule& rule, size_t rank);

}  // namespace rf
