// Measured costs: the time of a whole graph (median of repeated runs after warm-up) and a
// per-operator cost model in TASO's manner -- each distinct operator instance (operator,
// parameters, operand shapes) is timed once on the executor and cached, and a graph costs the
// sum of its live operators. The model makes a search over many candidate graphs affordable;
// the end-to-end time of the graph it picks is then measured for real.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "applier/executor.h"
#include "ir/graph.h"

namespace rf {

struct TimingOptions {
    int warmup = 1;  ///< runs discarded first (caches, lazy allocation, cuDNN plans)
    int reps = 5;    ///< timed runs; the median is reported
};

struct Timing {
    double median_ms = 0, min_ms = 0, max_ms = 0;
    int runs = 0;
};

/// Times execute() of a prepared run.
Timing time_run(PreparedRun& run, const TimingOptions& options);
/// Prepares `g` once and times it.
Timing time_graph(Executor& ex, const Graph& g, const std::vector<FloatTensor>& variables, const TimingOptions& options);

class CostModel {
public:
    CostModel(Executor& ex, TimingOptions options, uint64_t seed = 1);

    /// Milliseconds of node `node` of `g` alone (0 for inputs), measured once per distinct instance.
    double node_cost(const Graph& g, uint32_t node);
    /// Sum over the operators the outputs depend on.
    double graph_cost(const Graph& g);
    /// Distinct operator instances timed so far.
    size_t measured() const { return d_cache.size(); }

private:
    Executor& d_ex;
    TimingOptions d_options;
    uint64_t d_seed;
    std::map<std::string, double> d_cache;
};

}  // namespace rf
