// The minimisation pass over a database: proved rules, smallest first, are kept unless the rules
// kept before them derive them (ruledb/derivability.h); a derivable rule is pruned with reason
// `derivable`, the rules of its derivation as subsumers, and the derivation in words. Each
// decision is its own transaction, so an interrupted pass leaves every decision it made whole,
// and running it again gives the same set.
#pragma once

#include <cstddef>

#include "ruledb/database.h"
#include "ruledb/derivability.h"

namespace rf::ruledb {

struct MinimizeReport {
    size_t considered = 0, kept = 0, pruned = 0;
};

/// Decides every proved rule that is not pruned for another reason. Rules whose canonical text
/// no longer parses are left undecided and not counted.
MinimizeReport prune_derivable(Database& db, const DeriveBudget& budget = {});

}  // namespace rf::ruledb
