// The discovery pipeline behind `ruleforge discover`: enumerate -> store candidates -> prove ->
// prune to a minimal rule set (derivability), every stage recorded in one database and resumable.
//
// Each stage works in fixed batches over a deterministic order (the enumerator sorts candidates by
// canonical text), and a batch's records and its "done" mark are written in one transaction; so a
// run killed at any moment resumes with `resume = true` doing no finished batch again, and ends
// with the same database content as an uninterrupted run. Units are index spans, so the resume
// may use another batch size (pipeline/resume_spans.h). Proofs run on OpenMP threads, one
// prover::Checker per thread; only the calling thread writes to the database.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "enumerator/preset.h"
#include "pipeline/rank_work.h"
#include "prover/backend.h"

namespace rf::pipeline {

struct DiscoverOptions {
    std::string db_path;
    std::string command_line;  ///< recorded as the run's provenance
    std::string preset = "taso";
    std::string ops;  ///< comma-separated template names ("" = the preset's)
    int max_ops = 2;
    int threads = 0;  ///< 0: OpenMP's default
    std::vector<prover::BackendKind> backends{prover::BackendKind::Z3};
    int timeout_ms = 4000;
    bool resume = false;
    bool progress = true;  ///< progress lines on stderr
    int batch = 128;       ///< candidates per transaction
    /// Under mpirun: the ranks share the work (pipeline/distributed_discover.h); rank 0 alone
    /// opens the database. Without mpirun it runs as a single rank.
    bool distributed = false;
};

struct StageTime {
    std::string stage;
    double seconds = 0;
};

struct DiscoverSummary {
    int64_t run = 0;
    bool resumed = false;
    bool already_finished = false;  ///< --resume found the run finished: nothing was done
    uint64_t graphs = 0, classes = 0, candidates = 0;
    uint64_t dropped_before_solver = 0;
    uint64_t proved = 0, refuted = 0, unknown = 0,
             errors = 0;  ///< candidates in the database, all runs
    /// What this run's (or, resumed, this session's) proofs decided, apart from the totals above.
    uint64_t run_proved = 0, run_refuted = 0, run_unknown = 0;
    std::map<std::string, uint64_t> unknown_reasons;  ///< this run's unknowns by reason (as `check` has them)
    uint64_t rules = 0, kept = 0;                     ///< database totals
    std::map<std::string, uint64_t> pruned;           ///< by reason (duplicates of another rule included)
    std::vector<StageTime> stages;
    // --distributed only:
    int rank = 0;  ///< this process's rank; only rank 0's summary has figures
    int ranks = 1;
    std::vector<RankWork> per_rank;  ///< proving work by rank (on rank 0)
    std::vector<Traffic> traffic;    ///< bytes exchanged, by phase (on rank 0)
    std::string to_json() const;
};

/// Runs (or resumes) a discovery. Throws support::UserError for bad options (unknown preset
/// or operator, resume with no run to resume) and ruledb::DbError for database problems. On a
/// stop request (support/stop.h) it rolls back the batch in flight, marks the run interrupted
/// and throws support::Interrupted saying what is stored.
DiscoverSummary discover(const DiscoverOptions& options);

}  // namespace rf::pipeline
