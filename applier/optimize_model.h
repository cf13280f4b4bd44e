// `ruleforge optimize` end to end, on one model and one executor: search for a cheaper graph
// with the cost model (applier/optimize.h), pre-compute the weight-only values of the original
// and of the result (applier/precompute.h), check the result's outputs against the original's,
// and time both end to end, in interleaved pairs of runs. The result is handed back only when it
// is valid and measurably faster (measurably_faster); otherwise the original is, and the result
// says why. So optimize never
// returns a slower graph, and a zero budget measures the original against itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "applier/cost.h"
#include "applier/model.h"
#include "applier/optimize.h"
#include "applier/precompute.h"
#include "applier/validate.h"

namespace rf::applier {

struct ModelOptimizeOptions {
    OptimizeOptions search;
    TimingOptions timing{2, 21};          ///< end-to-end timing of the original and the result
    TimingOptions operator_timing{1, 5};  ///< per operator instance, for the cost model
    uint64_t seed = 1;                    ///< random weights (where the model has none) and inputs
    std::string cost_cache;               ///< file the cost model is read from and saved to ("": none)
};

struct ModelOptimizeResult {
    OptimizeResult search;           ///< the search's best graph, its steps, its predicted costs
    FoldedGraph before;              ///< the original, weight-only values pre-computed
    FoldedGraph chosen;              ///< what optimize hands back: the search's best, or the original
    Timing time_before, time_after;  ///< end to end, interleaved: the original, then `chosen`
    Timing time_candidate;           ///< the search's best, timed interleaved with the original
    int candidate_wins = 0;          ///< pairs of runs in which the search's best was faster
    Comparison check;                ///< outputs of the search's best against the original's
    bool kept_original = false;
    std::string verdict;  ///< why the result is what it is, one line
    size_t operators_known = 0,
           operators_measured = 0;      ///< cost model: instances known, newly timed
    std::vector<std::string> warnings;  ///< what went wrong without changing the result
};

/// Optimizes `model` with `rules` on `ex`. Throws std::runtime_error when the cost cache file
/// is malformed (one that cannot be written is a warning), EvalError when the model cannot run.
ModelOptimizeResult optimize_model(const Model& model, const std::vector<SearchRule>& rules, Executor& ex,
                                   const ModelOptimizeOptions& options);

/// True when, of two graphs timed in pairs (a: the original, b: the rewrite), b is measurably
/// faster: its median is lower and it won so many of the pairs that a tie would give as many
/// with probability below 1% (a one-sided sign test). Pairs, not the spread of each graph's runs
/// alone, because load on a shared machine moves both graphs' times together.
bool measurably_faster(const PairedTiming& t);

}  // namespace rf::applier
