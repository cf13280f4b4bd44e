// The proving stage of `discover --distributed`: every rank proves, rank 0 alone writes.
//
// Every rank holds the same candidate list (the enumeration is deterministic; a digest exchanged
// with each request proves it), so work travels as indices into it and results as compact
// messages (pipeline/distributed_codec.h). Rank 0 hands out chunks on request -- dynamic load
// balancing, since one proof takes a millisecond and the next a whole timeout -- with guided
// sizes (large while much is left, down to one per thread at the end). Rank 0 also proves, on a
// thread of its own, because on a cluster its node has as many cores as any other and a pure
// coordinator would leave them idle; the coordination itself (answering requests, one SQLite
// transaction per batch) costs little next to the proofs.
//
// Rank 0 stores results span by span in candidate order, each span with its "prove" unit
// mark in one transaction -- the units and the order a single-process run uses -- so the database
// ends the same as a single-process run's whatever the number of ranks, and a run killed at any
// moment (any rank: mpirun then ends them all) resumes with `--resume`, distributed or not.
#pragma once

#include <cstdint>
#include <vector>

#include "enumerator/enumerator.h"
#include "pipeline/mpi_comm.h"
#include "pipeline/proof_store.h"
#include "pipeline/rank_work.h"
#include "pipeline/resume_spans.h"
#include "prover/checker.h"
#include "ruledb/database.h"
#include "support/progress.h"

namespace rf::pipeline {

/// A digest of the candidate list (texts in order), to check that all ranks agree on it.
uint64_t candidate_digest(const std::vector<enumerator::Candidate>& candidates);

/// Proves the candidates at `indices` with `threads` OpenMP threads, one prover::Checker each
/// (query names as a single-process run gives them). The checks come back in `indices` order.
std::vector<prover::RuleCheck> prove_indices(const std::vector<enumerator::Candidate>& candidates,
                                             const std::vector<uint64_t>& indices, const prover::CheckOptions& options,
                                             int threads);

struct CoordinatorSetup {
    ruledb::Id run = 0;
    std::vector<Span> spans;  ///< the spans still to prove, ascending (each one transaction)
    size_t batch = 128;       ///< candidates per span at most
    prover::CheckOptions check;
    int threads = 1;        ///< rank 0's own prover threads
    bool progress = false;  ///< a per-rank line on stderr every 10 s
};

/// Rank 0: proves and stores the spans with every rank's help, until all are stored and every
/// other rank has been told to stop. Returns each rank's work, rank 0 first. Throws
/// std::runtime_error when a rank's candidate list differs or a message does not decode,
/// ruledb::DbError for the database, and support::Interrupted on a stop request (the span in
/// flight is not stored).
std::vector<RankWork> coordinate_proving(Mpi& mpi, ruledb::Database& db,
                                         const std::vector<enumerator::Candidate>& candidates,
                                         const CoordinatorSetup& setup, ProofTally& tally, support::Progress& progress);

/// Every other rank: asks rank 0 for work, proves it, sends the results back, until told to stop.
/// On a stop request it sends nothing more (its answers may be an interrupted solver's) and
/// waits for rank 0 to end the job.
void serve_proving(Mpi& mpi, const std::vector<enumerator::Candidate>& candidates, const prover::CheckOptions& options,
                   int threads);

}  // namespace rf::pipeline
