// other_ranks and refute_at_other_ranks (prover/rank_check.h).
#include "prover/rank_check.h"

#include "ir/rank_generic.h"

namespace rf::prover {

std::vector<size_t> other_ranks(const Rule& rule) {
    const RankGenerality g = rank_generality(rule);
    if (!g.generic()) return {};
    std::vector<size_t> out;
    if (g.min_rank < g.rank) out.push_back(g.min_rank);
    out.push_back(g.rank + 1);
    return out;
}

std::optional<RankRefutation> refute_at_other_ranks(const Rule& rule, const BoundedCheckOptions& options) {
    for (size_t r : other_ranks(rule)) {
        std::optional<Rule> retyped = at_rank(rule, r);
        if (!retyped) continue;  // does not type there (min_rank is only what the axes need)
        BoundedCheck b = bounded_check(*retyped, options);
        if (b.outcome == BoundedCheck::Outcome::Refuted) return RankRefutation{r, std::move(*retyped), std::move(b)};
    }
    return std::nullopt;
}

}  // namespace rf::prover
