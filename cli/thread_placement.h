// Where the OpenMP worker threads start.
#pragma once

namespace rf::cli {

/// Creates OpenMP's thread pool with one thread per CPU of the process's affinity mask, each
/// placed on its own CPU, then releases them (every thread may run anywhere again). Does nothing
/// when the user placed the threads (OMP_PROC_BIND, OMP_PLACES or GOMP_CPU_AFFINITY set) or
/// when there are fewer than two CPUs or threads. Only the first call in a process does anything.
///
/// Why: a new worker starts on its creator's CPU, and on a 2-vCPU machine it often stayed there
/// while libgomp's spin-waiting shared that CPU with the main thread, which nearly tripled a small
/// enumeration in half the runs (docs/PERFORMANCE.md). Placing the workers once removes it, and
/// releasing them keeps the hazard of pinning away (two processes, or MPI ranks, pinned to the
/// same CPUs).
void spread_openmp_threads();

}  // namespace rf::cli
