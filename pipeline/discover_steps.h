// The steps of `discover` that the single-process flow (discover.cpp) and the distributed one
// (distributed_discover.cpp) share, so both record runs, candidates, stage marks and totals in
// exactly the same way. Internal to rf_pipeline.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "enumerator/enumerator.h"
#include "pipeline/discover.h"
#include "pipeline/proof_store.h"
#include "prover/checker.h"
#include "ruledb/database.h"

namespace rf::pipeline::steps {

using Clock = std::chrono::steady_clock;
inline double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// The enumeration configuration of the options; throws std::invalid_argument for bad ones.
EnumConfig config_of(const DiscoverOptions& o);
/// Begins a run, or with o.resume continues the last unfinished one (same parameters required).
ruledb::Id open_run(ruledb::Database& db, const DiscoverOptions& o, DiscoverSummary& s);
/// How discover proves a candidate (both flows must prove alike).
prover::CheckOptions check_options(const DiscoverOptions& o);
/// Graph, class, candidate and drop counts of the enumeration, into the summary.
void count_enumeration(const EnumResult& er, DiscoverSummary& s);
/// The batches (of `batch` candidates out of n) whose `stage` unit is not marked done yet.
std::vector<size_t> open_batches(ruledb::Database& db, ruledb::Id run, const std::string& stage, size_t n, size_t batch);
/// Stores the candidates batch by batch ("store" units), skipping stored batches.
void store_candidates(ruledb::Database& db, ruledb::Id run, const std::vector<Candidate>& candidates, size_t batch);
/// Prunes to a minimal rule set, reads the totals back from the database (so a resumed run
/// reports the whole run) and marks the run finished.
void finish(ruledb::Database& db, ruledb::Id run, const ProofTally& tally, DiscoverSummary& s);

}  // namespace rf::pipeline::steps
