// Cost-guided rewriting of a whole model, TASO's backtracking search: keep a queue of graphs
// ordered by measured cost (applier/cost.h), expand the cheapest by every rule at every site,
// and keep a new graph when it costs less than alpha times the best so far (alpha > 1 lets the
// search pass through slightly worse graphs to reach better ones; alpha = 1 is greedy
// best-first). It stops when the queue empties, after `budget` expansions or past the time
// limit, and says which; a long search reports progress through a callback.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "applier/cost.h"
#include "applier/match.h"
#include "ir/graph.h"
#include "ir/rule.h"

namespace rf::applier {

/// One rule in one direction, with the assumptions its proof holds under.
struct SearchRule {
    std::string label;  ///< "12 taso_64 fwd": how steps name it
    Rule rule;          ///< with the preconditions its proof holds under (checked at every site)
};

struct OptimizeOptions {
    double alpha = 1.0;
    int budget = 50;             ///< graphs expanded at most
    size_t queue_limit = 256;    ///< the most expensive entries are dropped beyond this
    size_t sites_per_rule = 64;  ///< matches tried per rule and graph
    double time_limit_s = 0;     ///< stop expanding after this many seconds (0: no limit)
    /// A graph becomes the best only when it costs this fraction less than the best so far.
    /// Operator timings on a loaded machine differ by a few percent between runs, and below
    /// that the search only collected noise: on the 8 built-in models (CPU, TASO's rules) the
    /// best candidates were ReLUs split off their convolutions (taso_64 rev), predicted 0-1%
    /// cheaper and measured 1-17% slower end to end (docs/optimize.md). The queue still admits
    /// graphs within alpha of the best, so a path through such steps is still explored.
    double min_gain = 0.005;
    /// Called after an expansion when progress_every_s seconds passed since the last call.
    std::function<void(int expanded, size_t candidates, double best_cost_ms, double elapsed_s)> progress;
    double progress_every_s = 5;
};

struct OptimizeStep {
    std::string rule, site;
    double cost_after = 0;  ///< model cost (ms, by the cost model) after this step
};

struct OptimizeResult {
    Graph best;
    double cost_before = 0, cost_after = 0;  ///< by the cost model, ms
    std::vector<OptimizeStep> steps;         ///< from the input graph to `best`
    int expanded = 0;
    size_t candidates = 0;  ///< rewritten graphs costed
    std::string stopped;    ///< "queue empty", "budget" or "time limit"
};

OptimizeResult optimize(const Graph& g, const std::vector<SearchRule>& rules, CostModel& cost,
                        const OptimizeOptions& options);

}  // namespace rf::applier
