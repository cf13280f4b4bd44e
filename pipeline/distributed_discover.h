// `ruleforge discover --distributed`: the discover pipeline on every rank of an MPI job.
//
//   rank 0          open (or resume) the run -> enumerate* -> store candidates -> coordinate and
//                   prove -> prune -> summary
//   ranks 1..P-1    enumerate* -> prove what rank 0 hands out
//   (* the ranks share each size level's work: enumerator/work_exchange.h, pipeline/mpi_work_exchange.h)
//
// Rank 0 is the only process that opens the database, and it writes through the same steps and
// stage marks as a single-process run, so the rules stored are those of a single-process run
// whatever P, and `--resume` (with or without mpirun, with any P) continues a run that any
// failure stopped. A user error found before the ranks split up (bad options, nothing to
// resume) ends every rank with that error; one found afterwards on any rank aborts the job
// (MPI_Abort), which loses at most the batches in flight.
#pragma once

#include "pipeline/discover.h"

namespace rf::pipeline {

/// discover() with o.distributed set. Throws like discover() (on every rank) for errors found
/// before the work starts; aborts the MPI job for later ones.
DiscoverSummary discover_distributed(const DiscoverOptions& o);

}  // namespace rf::pipeline
