#include "applier/cost.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "applier/precompute.h"
#include "ir/native_text.h"

namespace rf::applier {

namespace {

double cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double elapsed_ms(PreparedRun& run, bool cpu_clock) {
    if (cpu_clock) {
        const double t0 = cpu_ms();
        run.execute();
        return cpu_ms() - t0;
    }
    auto t0 = std::chrono::steady_clock::now();
    run.execute();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

/// The value at fraction q of sorted samples, interpolated between neighbours.
double quantile(const std::vector<double>& sorted, double q) {
    const double pos = q * static_cast<double>(sorted.size() - 1);
    const size_t lo = static_cast<size_t>(pos), hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

// Operators cheaper than this are timed over more runs: one run of a microsecond operator is
// mostly timer and scheduler noise.
constexpr double kMinTotalMs = 5.0;
constexpr int kMaxOperatorRuns = 200;
// Weight operands of at least kColdMinBytes are timed from up to kMaxCopies copies that together
// exceed kColdBytes: twice a 32 MiB last-level cache (the machine these figures come from has
// one) and well above a core's L2.
constexpr size_t kColdBytes = size_t{64} << 20, kColdMinBytes = size_t{1} << 20, kMaxCopies = 64;

/// The same operator without its fused activation, and that activation as an operator of its
/// own; nothing for an operator without one.
std::optional<std::pair<Params, OpKind>> unfused(const Node& n) {
    const Activation act = param::activation(n.params, n.op);
    if (act == Activation::None) return std::nullopt;
    const OpKind alone = act == Activation::Relu      ? OpKind::Relu
                         : act == Activation::Sigmoid ? OpKind::Sigmoid
                                                      : OpKind::Tanh;
    switch (n.op) {
        case OpKind::Conv2d: {
            const auto s = param::stride(n.params, n.op);
            return std::pair{param::conv2d(s[0], s[1], param::padding(n.params, n.op), Activation::None), alone};
        }
        case OpKind::Matmul: return std::pair{param::matmul(Activation::None), alone};
        case OpKind::PoolAvg:
        case OpKind::PoolMax: {
            const auto k = param::kernel(n.params);
            const auto s = param::stride(n.params, n.op);
            return std::pair{param::pool(k[0], k[1], s[0], s[1], param::padding(n.params, n.op), Activation::None),
                             alone};
        }
        default: return std::nullopt;
    }
}

}  // namespace

Timing summarize(std::vector<double> ms) {
    if (ms.empty()) throw std::invalid_argument("summarize: no run times");
    std::sort(ms.begin(), ms.end());
    Timing t;
    t.runs = static_cast<int>(ms.size());
    t.min_ms = ms.front();
    t.max_ms = ms.back();
    t.median_ms = quantile(ms, 0.5);
    t.q1_ms = quantile(ms, 0.25);
    t.q3_ms = quantile(ms, 0.75);
    return t;
}

Timing time_run(PreparedRun& run, const TimingOptions& o) {
    for (int i = 0; i < o.warmup; ++i) run.execute();
    std::vector<double> ms;
    for (int i = 0; i < std::max(1, o.reps); ++i) ms.push_back(elapsed_ms(run, o.cpu_clock));
    return summarize(std::move(ms));
}

Timing time_graph(Executor& ex, const Graph& g, const std::vector<FloatTensor>& variables, const TimingOptions& o) {
    auto run = ex.prepare(g, variables);
    return time_run(*run, o);
}

PairedTiming time_interleaved(PreparedRun& a, PreparedRun& b, const TimingOptions& o) {
    for (int i = 0; i < o.warmup; ++i) {
        a.execute();
        b.execute();
    }
    std::vector<double> ta, tb;
    PairedTiming res;
    for (int i = 0; i < std::max(1, o.reps); ++i) {
        if (i % 2 == 0) {
            ta.push_back(elapsed_ms(a, o.cpu_clock));
            tb.push_back(elapsed_ms(b, o.cpu_clock));
        } else {
            tb.push_back(elapsed_ms(b, o.cpu_clock));
            ta.push_back(elapsed_ms(a, o.cpu_clock));
        }
        res.b_faster += tb.back() < ta.back();
    }
    res.a = summarize(std::move(ta));
    res.b = summarize(std::move(tb));
    return res;
}

double sign_test_p(int wins, int n) {
    // sum_{k >= wins} C(n, k) / 2^n, in logs so that large n does not overflow.
    double p = 0;
    for (int k = std::max(0, wins); k <= n; ++k)
        p += std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) - n * std::log(2.0));
    return std::min(1.0, p);
}

CostModel::CostModel(Executor& ex, TimingOptions options, uint64_t seed) : d_ex(ex), d_options(options), d_seed(seed) {}

double CostModel::node_cost(const Graph& g, uint32_t node) { return node_cost(g, node, weight_only_nodes(g)); }

double CostModel::node_cost(const Graph& g, uint32_t node, const std::vector<char>& weight_only) {
    const Node& n = g.node(node);
    if (n.op == OpKind::Input) return 0;
    // A weight operand is marked in the key ("w[512,512]"): it is timed cold (below), so the same
    // shapes with an activation there are another instance.
    std::string key = std::string(op_name(n.op)) + print_native_params(n.op, n.params);
    for (const ValueRef& v : n.inputs) key += std::string(weight_only[v.node] ? " w" : " ") + g.type(v).to_string();
    for (const TensorType& t : n.outputs) key += " -> " + t.to_string();
    auto it = d_cache.find(key);
    if (it != d_cache.end()) return it->second;
    // The operator alone, over fresh variables of its operands' types (split boundaries
    // included, so a split cuts where it does in the model).
    GraphBuilder b;
    std::vector<ValueRef> in;
    std::vector<FloatTensor> values;
    std::mt19937_64 rng(d_seed);
    size_t weight_bytes = 0;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
        const TensorType& t = g.type(n.inputs[i]);
        in.push_back(b.add_variable(Variable{"x" + std::to_string(i), Role::Activation, t}));
        values.push_back(random_float(t, rng));
        if (weight_only[n.inputs[i].node]) weight_bytes += values.back().data.size() * sizeof(float);
    }
    auto outs = b.add(n.op, n.params, in);
    Graph one = std::move(b).finish(outs);
    // In a model every weight is read once per run, so it comes from memory, not from a cache
    // that the operator's previous run filled: timed hot, merging NasRNN's [1,512]x[512,512]
    // products looked 20% cheaper (4.9 -> 3.9 ms predicted) and measured slower (6.7 -> 7.2 ms).
    // So the runs rotate over copies of the operands that together exceed the caches. Weights
    // smaller than a core's L2 are fetched in microseconds and are timed as they are.
    const size_t copies =
        weight_bytes < kColdMinBytes ? 1 : std::min(kMaxCopies, (kColdBytes + weight_bytes - 1) / weight_bytes);
    std::vector<std::vector<FloatTensor>> sets(copies, values);  // each its own storage
    std::vector<std::unique_ptr<PreparedRun>> runs;
    for (const auto& set : sets) runs.push_back(d_ex.prepare(one, set));
    for (int i = 0; i < std::max(1, d_options.warmup); ++i) runs[0]->execute();
    for (size_t k = 1; k < copies; ++k)
        runs[k]->execute();  // whatever a first run sets up, not the weights' cache lines
    std::vector<double> ms;
    double total = 0;
    while (static_cast<int>(ms.size()) < std::max(1, d_options.reps) ||
           (total < kMinTotalMs && static_cast<int>(ms.size()) < kMaxOperatorRuns)) {
        ms.push_back(elapsed_ms(*runs[(ms.size() + 1) % copies], d_options.cpu_clock));
        total += ms.back();
    }
    double cost = summarize(std::move(ms)).median_ms;
    if (auto u = unfused(n)) {
        // A fused activation never costs more than the operator and the activation apart: each
        // instance is timed once, and on a loaded machine one figure can come out high. Taken
        // as measured, the search split ReLUs off VGG's convolutions (taso_64 rev x11), predicted
        // 5% cheaper and measured 9% slower.
        GraphBuilder ub;
        std::vector<ValueRef> uin;
        for (size_t i = 0; i < n.inputs.size(); ++i)
            uin.push_back(ub.add_variable(Variable{"x" + std::to_string(i),
                                                   weight_only[n.inputs[i].node] ? Role::Weight : Role::Activation,
                                                   g.type(n.inputs[i])}));
        const ValueRef y = ub.add1(n.op, u->first, uin);
        const ValueRef z = ub.add1(u->second, Params{}, {y});
        const Graph two = std::move(ub).finish({z});
        const std::vector<char> two_weights = weight_only_nodes(two);
        cost = std::min(cost, node_cost(two, y.node, two_weights) + node_cost(two, z.node, two_weights));
    }
    d_cache.emplace(std::move(key), cost);
    ++d_measured;
    return cost;
}

double CostModel::graph_cost(const Graph& g) {
    const std::vector<char> wonly = weight_only_nodes(g);
    std::vector<char> live(g.nodes().size(), 0);
    for (const ValueRef& v : g.outputs()) live[v.node] = 1;
    double total = 0;
    for (size_t i = g.nodes().size(); i-- > 0;) {
        if (!live[i] || wonly[i]) continue;
        for (const ValueRef& v : g.node(static_cast<uint32_t>(i)).inputs) live[v.node] = 1;
        total += node_cost(g, static_cast<uint32_t>(i), wonly);
    }
    return total;
}

std::string CostModel::device() const { return d_ex.name() + (d_options.cpu_clock ? "+cputime" : ""); }

// The cache file: one line per operator instance, "<device>\t<ms>\t<instance key>".
void CostModel::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) return;  // nothing measured yet
    std::string line;
    for (int lineno = 1; std::getline(in, line); ++lineno) {
        if (line.empty()) continue;
        const size_t t1 = line.find('\t'), t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
        double ms = 0;
        bool ok = t2 != std::string::npos;
        if (ok) {
            std::istringstream num(line.substr(t1 + 1, t2 - t1 - 1));
            ok = static_cast<bool>(num >> ms) && ms >= 0;
        }
        if (!ok) throw std::runtime_error(path + ":" + std::to_string(lineno) + ": not '<device>\\t<ms>\\t<operator>'");
        if (line.substr(0, t1) == device())
            d_cache[line.substr(t2 + 1)] = ms;
        else
            d_other_devices[line] = ms;
    }
}

void CostModel::save(const std::string& path) const {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) throw std::runtime_error(tmp + ": cannot write: " + std::strerror(errno));
        out.precision(9);
        for (const auto& [line, ms] : d_other_devices) out << line << "\n";
        for (const auto& [key, ms] : d_cache) out << device() << "\t" << ms << "\t" << key << "\n";
        if (!out) throw std::runtime_error(tmp + ": write failed");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        throw std::runtime_error(path + ": cannot replace: " + std::strerror(errno));
}

}  // namespace rf::applier
