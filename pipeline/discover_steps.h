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
#include "pipeline/resume_spans.h"
#include "prover/checker.h"
#include "ruledb/database.h"

namespace rf::pipeline::steps {

using Clock = std::chrono::steady_clock;
inline double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// The enumeration configuration of the options; throws support::UserError for bad ones.
enumerator::EnumConfig config_of(const DiscoverOptions& o);
/// Begins a run, or with o.resume continues the last unfinished one (same parameters required).
/// A resume whose last discover run with these parameters finished sets s.already_finished and
/// returns that run (nothing is left to do).
ruledb::Id open_run(ruledb::Database& db, const DiscoverOptions& o, DiscoverSummary& s);
/// How discover proves a candidate (both flows must prove alike).
prover::CheckOptions check_options(const DiscoverOptions& o);
/// Graph, class, candidate and drop counts of the enumeration, into the summary.
void count_enumeration(const enumerator::EnumResult& er, DiscoverSummary& s);
/// The spans (at most `batch` of the n candidates each) that `stage` has not marked done yet:
/// exact whatever batch size the earlier part of the run used (pipeline/resume_spans.h).
std::vector<Span> open_spans(ruledb::Database& db, ruledb::Id run, const std::string& stage, size_t n, size_t batch);
/// Stores the candidates span by span ("store" units), skipping stored ones. Throws
/// support::Interrupted between two transactions when a stop was requested.
void store_candidates(ruledb::Database& db, ruledb::Id run, const std::vector<enumerator::Candidate>& candidates,
                      size_t batch);
/// Prunes to a minimal rule set, reads the totals back from the database (so a resumed run
/// reports the whole run) and marks the run finished.
void finish(ruledb::Database& db, ruledb::Id run, const ProofTally& tally, DiscoverSummary& s, bool progress);
/// The candidate and rule totals of the database, into the summary.
void read_totals(ruledb::Database& db, DiscoverSummary& s);
/// Marks the run interrupted and says what is stored, for the Interrupted a stage threw.
[[noreturn]] void interrupted(ruledb::Database& db, ruledb::Id run, int sig, const std::string& where);

}  // namespace rf::pipeline::steps
