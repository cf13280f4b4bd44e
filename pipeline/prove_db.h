// `ruleforge prove --db F`: proves what a database holds unproved -- candidates no proof has
// settled (from an `enumerate` run, or a discover run that stopped) and rules that arrived
// unproved (`import`) -- records every proof, and prunes the rule set to a minimal one again.
//
// Work goes in fixed batches, each proved on OpenMP threads (one prover::Checker per thread)
// and stored in one transaction by the calling thread; a killed run loses at most the batch in
// flight, and running the command again continues with what is still open.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "prover/backend.h"

namespace rf::pipeline {

struct ProveDbOptions {
    std::string db_path;
    std::string command_line;  ///< recorded as the run's provenance
    std::vector<prover::BackendKind> backends{prover::BackendKind::Z3};
    int timeout_ms = 4000;
    int threads = 0;             ///< 0: OpenMP's default
    bool retry_unknown = false;  ///< also candidates and rules an earlier proof left unknown
    bool prune = true;           ///< minimise the kept rule set afterwards (derivability)
    bool progress = true;
    int batch = 64;
};

struct ProveDbSummary {
    int64_t run = 0;
    uint64_t candidates = 0, rules = 0;  ///< open ones tried
    uint64_t proved = 0, refuted = 0, unknown = 0, errors = 0;
    uint64_t kept = 0;  ///< rules kept after pruning (whole database)
    double prove_seconds = 0, prune_seconds = 0;
    std::string to_json() const;
};

/// Throws ruledb::DbError for a missing or bad database, support::UserError for bad options.
ProveDbSummary prove_database(const ProveDbOptions& options);

}  // namespace rf::pipeline
