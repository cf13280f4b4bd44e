#include "applier/optimize.h"

#include <chrono>
#include <iterator>
#include <map>
#include <set>

#include "applier/rewrite.h"
#include "ir/canonical.h"

namespace rf::applier {

namespace {

struct Entry {
    double cost;
    Graph graph;
    std::vector<OptimizeStep> steps;
};

}  // namespace

OptimizeResult optimize(const Graph& g, const std::vector<SearchRule>& rules, CostModel& cost,
                        const OptimizeOptions& o) {
    OptimizeResult res;
    res.cost_before = cost.graph_cost(g);
    res.best = g;
    res.cost_after = res.cost_before;
    // Ordered by cost, then by insertion so that equal costs expand first come first.
    std::multimap<double, Entry> queue;
    std::set<uint64_t> seen{canonical_hash(g)};
    queue.emplace(res.cost_before, Entry{res.cost_before, g, {}});
    const auto start = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    double last_progress = 0;
    while (!queue.empty()) {
        if (res.expanded >= o.budget) {
            res.stopped = "budget";
            return res;
        }
        if (o.time_limit_s > 0 && seconds() >= o.time_limit_s) {
            res.stopped = "time limit";
            return res;
        }
        if (o.progress && seconds() - last_progress >= o.progress_every_s) {
            last_progress = seconds();
            o.progress(res.expanded, res.candidates, res.cost_after, last_progress);
        }
        Entry cur = std::move(queue.begin()->second);
        queue.erase(queue.begin());
        ++res.expanded;
        for (const SearchRule& r : rules) {
            if (o.time_limit_s > 0 && seconds() >= o.time_limit_s) break;  // an expansion of a big graph is long
            MatchOptions mo;
            mo.limit = o.sites_per_rule;
            for (const Match& m : find_matches(cur.graph, r.rule, mo)) {
                Graph next;
                try {
                    next = apply_match(cur.graph, m);
                } catch (const std::exception&) {
                    continue;  // a cycle: this site cannot be rewritten
                }
                if (!seen.insert(canonical_hash(next)).second) continue;
                ++res.candidates;
                const double c = cost.graph_cost(next);
                if (!(c < o.alpha * res.cost_after)) continue;
                Entry e{c, std::move(next), cur.steps};
                e.steps.push_back({r.label, m.site(), c});
                // Better only by more than the cost model can tell apart (min_gain): a
                // rewrite that reorders a sum of equal operator costs, or trades one operator
                // for another that timed a hair faster, is no improvement.
                if (c < res.cost_after * (1 - o.min_gain)) {
                    res.cost_after = c;
                    res.best = e.graph;
                    res.steps = e.steps;
                }
                queue.emplace(c, std::move(e));
                if (queue.size() > o.queue_limit) queue.erase(std::prev(queue.end()));
            }
        }
    }
    res.stopped = "queue empty";
    return res;
}

}  // namespace rf::applier
