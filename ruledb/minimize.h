// The minimisation pass over a database: proved rules, smallest first, are kept unless the rules
// kept before them derive them (ruledb/derivability.h); a derivable rule is pruned with reason
// `derivable`, the rules of its derivation as subsumers, and the derivation in words. One derived
// in one step by one rule under an outer operator both sides share (one operand the same term)
// is pruned with reason `common_subgraph` instead: it is that smaller rule in context. (Common
// sub-graphs at the inputs are dropped by the enumerator before any solver, counted by reason;
// an imported rule of that kind is an instance of a smaller one, and derivability prunes it.) Each
// decision is its own transaction, so an interrupted pass leaves every decision it made whole,
// and running it again gives the same set.
#pragma once

#include <cstddef>

#include "ruledb/database.h"
#include "ruledb/derivability.h"
#include "support/progress.h"

namespace rf::ruledb {

struct MinimizeReport {
    size_t considered = 0, kept = 0, pruned = 0;
    size_t in_context = 0;  ///< of the pruned: reason common_subgraph (one smaller rule in context)
};

/// Decides every proved rule that is not pruned for another reason. Rules whose canonical text
/// no longer parses are left undecided and not counted. Throws support::Interrupted between two
/// decisions when a stop was requested (support/stop.h).
/// `progress`, when given, counts the rules decided (a pass over tens of thousands of rules takes
/// minutes).
MinimizeReport prune_derivable(Database& db, const DeriveBudget& budget = {}, support::Progress* progress = nullptr);

}  // namespace rf::ruledb
