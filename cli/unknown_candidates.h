// The candidates no proof has settled either way (status unknown), for the commands that select
// by `--status unknown`: discover leaves such a candidate a candidate (it never becomes a rule),
// so a rule filter alone would show nothing of it, though `prove --retry-unknown` retries it.
#pragma once

#include <string>
#include <vector>

#include "ir/rule.h"
#include "ruledb/database.h"

namespace rf::cli {

struct UnknownCandidate {
    ruledb::Id id;
    Rule rule;  ///< named "candidate_<id>", its one name in list, export and .smt2 file names
};

std::vector<UnknownCandidate> unknown_candidates(ruledb::Database& db);

}  // namespace rf::cli
