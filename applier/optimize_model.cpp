#include "applier/optimize_model.h"

#include <algorithm>
#include <sstream>

namespace rf::applier {

bool measurably_faster(const PairedTiming& t) {
    return t.b.median_ms < t.a.median_ms && sign_test_p(t.b_faster, t.a.runs) < 0.01;
}

ModelOptimizeResult optimize_model(const Model& model, const std::vector<SearchRule>& rules, Executor& ex,
                                   const ModelOptimizeOptions& o) {
    ModelOptimizeResult res;
    const std::vector<FloatTensor> values = model_variables(model, o.seed);

    CostModel cost(ex, o.operator_timing, o.seed);
    if (!o.cost_cache.empty()) cost.load(o.cost_cache);
    res.search = optimize(model.graph, rules, cost, o.search);
    res.operators_known = cost.known();
    res.operators_measured = cost.measured();
    if (!o.cost_cache.empty() && cost.measured() > 0) {
        try {
            cost.save(o.cost_cache);
        } catch (const std::runtime_error& e) {
            // The result does not depend on the cache; the next search just times again.
            res.warnings.push_back(std::string("the cost table was not kept: ") + e.what());
        }
    }

    // The rewritten graph has the original's variable table (rules add no variables), so the
    // same values bind to both.
    res.before = fold_weights(model.graph, values, ex);
    const std::vector<FloatTensor> expected = run_graph(ex, res.before.graph, res.before.variables);
    const bool rewritten = !res.search.steps.empty();
    FoldedGraph best = rewritten ? fold_weights(res.search.best, values, ex) : res.before;
    res.check = compare_outputs(expected, run_graph(ex, best.graph, best.variables),
                                comparison_tolerance(model.graph, res.search.best));

    auto run_before = ex.prepare(res.before.graph, res.before.variables);
    auto run_best = ex.prepare(best.graph, best.variables);
    const PairedTiming paired = time_interleaved(*run_before, *run_best, o.timing);
    const Timing &tb = paired.a, &ta = paired.b;
    res.time_before = tb;
    res.candidate_wins = paired.b_faster;
    std::ostringstream why;
    if (!rewritten) {
        why << "no rewrite lowers the predicted cost; the original is returned";
        res.kept_original = true;
    } else if (!res.check.ok) {
        why << "the rewritten graph's outputs differ from the original's (" << res.check.detail
            << "); the original is returned";
        res.kept_original = true;
    } else if (!measurably_faster(paired)) {
        why << "the rewritten graph is not measurably faster (median " << tb.median_ms << " -> " << ta.median_ms
            << " ms, faster in " << paired.b_faster << " of " << tb.runs << " paired runs); the original is returned";
        res.kept_original = true;
    } else {
        why << "faster by " << tb.median_ms / ta.median_ms << "x end to end (in " << paired.b_faster << " of "
            << tb.runs << " paired runs)";
    }
    res.verdict = why.str();
    res.time_candidate = ta;
    res.time_after = ta;
    if (res.kept_original && rewritten) {
        // What is handed back is the original: time it against a second run of itself, so that
        // before and after are the same graph measured together (equal within the spread).
        auto again = ex.prepare(res.before.graph, res.before.variables);
        const PairedTiming same = time_interleaved(*run_before, *again, o.timing);
        res.time_before = same.a;
        res.time_after = same.b;
    }
    res.chosen = res.kept_original ? res.before : std::move(best);
    return res;
}

}  // namespace rf::applier
