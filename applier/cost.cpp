#include "applier/cost.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "ir/native_text.h"

namespace rf {

Timing time_run(PreparedRun& run, const TimingOptions& o) {
    for (int i = 0; i < o.warmup; ++i) run.execute();
    std::vector<double> ms;
    for (int i = 0; i < std::max(1, o.reps); ++i) {
        auto t0 = std::chrono::steady_clock::now();
        run.execute();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    Timing t;
    t.runs = static_cast<int>(ms.size());
    t.min_ms = ms.front();
    t.max_ms = ms.back();
    t.median_ms = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    return t;
}

Timing time_graph(Executor& ex, const Graph& g, const std::vector<FloatTensor>& variables, const TimingOptions& o) {
    auto run = ex.prepare(g, variables);
    return time_run(*run, o);
}

CostModel::CostModel(Executor& ex, TimingOptions options, uint64_t seed) : d_ex(ex), d_options(options), d_seed(seed) {}

double CostModel::node_cost(const Graph& g, uint32_t node) {
    const Node& n = g.node(node);
    if (n.op == OpKind::Input) return 0;
    std::string key = std::string(op_name(n.op)) + print_native_params(n.op, n.params);
    for (const ValueRef& v : n.inputs) key += " " + g.type(v).to_string();
    for (const TensorType& t : n.outputs) key += " -> " + t.to_string();
    auto it = d_cache.find(key);
    if (it != d_cache.end()) return it->second;
    // The operator alone, over fresh variables of its operands' types (split boundaries
    // included, so a split cuts where it does in the model).
    GraphBuilder b;
    std::vector<ValueRef> in;
    std::vector<FloatTensor> values;
    std::mt19937_64 rng(d_seed);
    for (size_t i = 0; i < n.inputs.size(); ++i) {
        const TensorType& t = g.type(n.inputs[i]);
        in.push_back(b.add_variable(Variable{"x" + std::to_string(i), Role::Activation, t}));
        values.push_back(random_float(t, rng));
    }
    auto outs = b.add(n.op, n.params, in);
    Graph one = std::move(b).finish(outs);
    const double ms = time_graph(d_ex, one, values, d_options).median_ms;
    d_cache.emplace(std::move(key), ms);
    return ms;
}

double CostModel::graph_cost(const Graph& g) {
    std::vector<char> live(g.nodes().size(), 0);
    for (const ValueRef& v : g.outputs()) live[v.node] = 1;
    double total = 0;
    for (size_t i = g.nodes().size(); i-- > 0;) {
        if (!live[i]) continue;
        for (const ValueRef& v : g.node(static_cast<uint32_t>(i)).inputs) live[v.node] = 1;
        total += node_cost(g, static_cast<uint32_t>(i));
    }
    return total;
}

}  // namespace rf
