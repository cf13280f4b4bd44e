#include "cli/thread_placement.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <vector>

#include <omp.h>

namespace rf::cli {

namespace {

void spread() {
    for (const char* var : {"OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY"})
        if (std::getenv(var)) return;
    cpu_set_t all;
    if (sched_getaffinity(0, sizeof all, &all) != 0) return;
    std::vector<int> cpus;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &all)) cpus.push_back(c);
    const int n = std::min(omp_get_max_threads(), static_cast<int>(cpus.size()));
    if (n < 2) return;
#pragma omp parallel num_threads(n)
    {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpus[omp_get_thread_num()], &one);
        sched_setaffinity(0, sizeof one, &one);  // 0: the calling thread; it moves there now
#pragma omp barrier
        sched_setaffinity(0, sizeof all, &all);
    }
}

}  // namespace

void spread_openmp_threads() {
    static std::once_flag once;  // the pool is created once per process
    std::call_once(once, spread);
}

}  // namespace rf::cli
