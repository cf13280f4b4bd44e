// Measured costs: the time of a whole graph (median and quartiles of repeated runs after
// warm-up; two graphs timed interleaved so that load on a shared machine hits both alike) and a
// per-operator cost model in TASO's manner -- each distinct operator instance (operator,
// parameters, operand shapes) is timed once on the executor and kept (in memory, and in a cache
// file per device when one is named, so the same search gives the same answer next time), and a
// graph costs the sum of its live operators that depend on a model input (weight-only values
// are pre-computed, applier/precompute.h). The model makes a search over many candidate graphs
// affordable; the end-to-end time of the graph it picks is then measured for real.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "applier/executor.h"
#include "ir/graph.h"

namespace rf::applier {

struct TimingOptions {
    int warmup = 1;  ///< runs discarded first (caches, lazy allocation, cuDNN plans)
    int reps = 5;    ///< timed runs; the median is reported
    /// Time by the CPU time this process used (CLOCK_PROCESS_CPUTIME_ID) instead of the wall
    /// clock: on a machine shared with other work, time spent waiting for a core is not the
    /// graph's. It sums over threads, so it measures work rather than latency; run with one
    /// thread (OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1) for a latency figure. Not for CUDA
    /// (the GPU's time is not this process's CPU time).
    bool cpu_clock = false;
};

struct Timing {
    double median_ms = 0, min_ms = 0, max_ms = 0;
    double q1_ms = 0, q3_ms = 0;  ///< first and third quartile
    int runs = 0;
    /// The interquartile range: how far apart the middle half of the runs lie.
    double spread_ms() const { return q3_ms - q1_ms; }
};

/// Median, quartiles, min and max of run times (at least one).
Timing summarize(std::vector<double> ms);

/// Times execute() of a prepared run.
Timing time_run(PreparedRun& run, const TimingOptions& options);
/// Prepares `g` once and times it.
Timing time_graph(Executor& ex, const Graph& g, const std::vector<FloatTensor>& variables,
                  const TimingOptions& options);
/// Two graphs timed in pairs of adjacent runs.
struct PairedTiming {
    Timing a, b;
    int b_faster = 0;  ///< pairs in which b's run took less time than a's
};
/// Times two prepared runs alternately (a b, b a, a b, ...), so that a change of machine load
/// during the measurement falls on both and each pair compares like with like.
PairedTiming time_interleaved(PreparedRun& a, PreparedRun& b, const TimingOptions& options);
/// One-sided sign test: the probability that a fair coin gives at least `wins` heads in `n` flips.
double sign_test_p(int wins, int n);

class CostModel {
public:
    CostModel(Executor& ex, TimingOptions options, uint64_t seed = 1);

    /// Milliseconds of node `node` of `g` alone (0 for inputs), measured once per distinct
    /// instance: the median of at least options.reps runs and of enough runs to fill a few
    /// milliseconds, so that a microsecond operator is not one timer tick. Operands that are
    /// weights in `g` (weight-only values included) are read cold, as in a run of the model:
    /// the runs rotate over copies of them that together exceed the caches.
    double node_cost(const Graph& g, uint32_t node);
    /// Sum over the operators the outputs depend on, less those that depend on no model input
    /// (pre-computed once, applier/precompute.h).
    double graph_cost(const Graph& g);
    /// Distinct operator instances known (measured now or loaded).
    size_t known() const { return d_cache.size(); }
    /// Distinct operator instances timed by this object.
    size_t measured() const { return d_measured; }

    /// Reads the instances a cache file holds for this executor; a missing file is no error.
    /// Throws std::runtime_error naming the file and line of a malformed entry.
    void load(const std::string& path);
    /// Writes every known instance (this executor's and those of other devices the file held).
    void save(const std::string& path) const;

private:
    double node_cost(const Graph& g, uint32_t node, const std::vector<char>& weight_only);

    Executor& d_ex;
    TimingOptions d_options;
    uint64_t d_seed;
    std::string device() const;                     ///< the executor's name, and the clock when it is the CPU time
    std::map<std::string, double> d_cache;          ///< key without the device
    std::map<std::string, double> d_other_devices;  ///< full lines of other devices, kept on save
    size_t d_measured = 0;
};

}  // namespace rf::applier
