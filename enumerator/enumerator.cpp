// enumerate() and its result: the size levels run in turn (generate.cpp, then classify.cpp),
// each level's nodes recorded in the term store, and the candidates extracted at the end
// (candidates.cpp); every phase's time and peak memory go into the result's profile.
#include "enumerator/enumerator.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include <omp.h>

#include "enumerator/level_builder.h"
#include "enumerator/parallel_scan.h"
#include "fingerprint/graph_fingerprint.h"

namespace rf::enumerator {

EnumResult::EnumResult() = default;
EnumResult::~EnumResult() {
    // Tens of thousands of rules, each a few hundred small allocations: released on every
    // thread, where one thread took a tenth of a second at size 3.
#pragma omp parallel for schedule(static, 256)
    for (size_t i = 0; i < candidates.size(); ++i) Rule released = std::move(candidates[i].rule);
}
EnumResult::EnumResult(EnumResult&&) noexcept = default;
EnumResult& EnumResult::operator=(EnumResult&&) noexcept = default;

size_t EnumResult::num_classes() const { return d_classes ? d_classes->classes.size() : 0; }
size_t EnumResult::class_size(size_t i) const { return d_classes->classes[i].num_members; }

fingerprint::Fingerprint EnumResult::class_fingerprint(size_t i) const {
    if (const fingerprint::Fingerprint* f = d_classes->fingerprint_of(static_cast<uint32_t>(i))) return *f;
    return d_store->full_values(d_classes->classes[i].rep).fp;
}

EnumClass EnumResult::get_class(size_t i) const {
    const ClassRec& c = d_classes->classes[i];
    EnumClass out;
    out.fingerprint = class_fingerprint(i);
    out.representative = d_store->to_graph({c.rep});
    c.for_each_member(d_store->values, [&](ValueId m) { out.members.push_back(d_store->to_graph({m})); });
    return out;
}

PhaseStart PhaseStart::now() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return {std::chrono::steady_clock::now(), secs(ru.ru_utime) + secs(ru.ru_stime)};
}

PhaseProfile phase_profile(std::string phase, int size, const PhaseStart& start) {
    const PhaseStart end = PhaseStart::now();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return {std::move(phase), size, std::chrono::duration<double>(end.wall - start.wall).count(), end.cpu - start.cpu,
            static_cast<uint64_t>(ru.ru_maxrss) * 1024};  // Linux reports KiB
}

void Enumerator::add_nodes(const BigVector<const Proposal*>& order) {
    // Node and value ids follow the proposals' (sorted) order; the records are filled in parallel.
    const NodeId first_node = static_cast<NodeId>(d_s.nodes.size());
    const BigVector<ValueId> first_value =
        exclusive_scan(order.size(), static_cast<ValueId>(d_s.values.size()),
                       [&](size_t i) { return static_cast<ValueId>(order[i]->nout); });
    resize_exact(d_s.nodes, d_s.nodes.size() + order.size());
    resize_exact(d_s.values, first_value.back());
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < order.size(); ++i) {
        const Proposal& p = *order[i];
        const NodeId id = first_node + static_cast<NodeId>(i);
        NodeRec& nd = d_s.nodes[id];
        nd.tmpl = p.tmpl;
        nd.arity = p.arity;
        nd.num_outputs = p.nout;
        nd.in = {p.a, p.b};
        // The nodes below: the operands' sets merged (propose checked that they fit).
        if (p.arity == 2)
            merge_sets(d_s.node_set(p.a), d_s.node_set(p.b), nd.nodes);
        else if (p.arity == 1)
            nd.nodes = d_s.node_set(p.a);
        nd.nodes.ids[nd.nodes.n++] = id;  // ids grow, so the set stays sorted
        nd.first_value = first_value[i];
        nd.typing = p.typing;
        for (int k = 0; k < p.nout; ++k) {
            ValueRec& r = d_s.values[first_value[i] + k];
            r.node = id;
            r.out = static_cast<uint8_t>(k);
            for (int j = 0; j < d_s.num_insts(); ++j)
                r.type[j] = p.typing[j] == kNoTyping ? kIllTyped : d_s.typing_at(p.typing[j]).out[k];
            r.skey = k == 0 ? p.skey : mix_key(p.skey, k);
        }
    }
}

void Enumerator::index_inputs() {
    // Inputs: size 0, each its own class.
    for (ValueId v = 0; v < d_s.values.size(); ++v) {
        d_reps_by_size[0].push_back(v);
        d_s.values[v].cls = static_cast<uint32_t>(d_t.classes.size());
        d_t.classes.push_back(ClassRec(v, 0));
    }
    // Inputs join the primary-hash index so that a graph equal to an input finds it.
    for (ValueId v = 0; v < d_s.values.size(); ++v) {
        const ExactTensor& t = d_s.plan().input(d_s.values[v].var, 0);
        uint64_t mask = 0;
        for (int i = 0; i < d_s.num_insts(); ++i) mask |= uint64_t{1} << i;
        const uint64_t pk =
            fingerprint::truncate64(mix_key(mask, fingerprint::value_hash(t, d_s.type_hash_of(d_s.values[v].type[0]))),
                                    std::min(d_s.config().hash_bits, 64));
        d_t.classes[v].pkey = pk;
        d_t.index(v);
    }
}

void Enumerator::run(std::vector<LevelStats>& levels) {
    const int max_ops = d_s.config().max_ops;
    d_reps_by_size.assign(max_ops + 1, {});
    index_inputs();
    for (int n = 1; n <= max_ops; ++n) {
        const auto t0 = std::chrono::steady_clock::now();
        const PhaseStart gen = PhaseStart::now();
        LevelStats st;
        st.size = n;
        BigVector<const Proposal*> order;
        std::vector<std::vector<Proposal>> props = generate(n, order);
        const ValueId first = static_cast<ValueId>(d_s.values.size());
        add_nodes(order);
        // Released on all threads: one list per generation task, ~80 MB in all at size 3.
#pragma omp parallel for schedule(dynamic, 64)
        for (size_t i = 0; i < props.size(); ++i) std::vector<Proposal>().swap(props[i]);
        std::vector<std::vector<Proposal>>().swap(props);
        d_profile.push_back(phase_profile("generate", n, gen));
        st.graphs = d_s.values.size() - first;
        classify(n, first, st);
        st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        levels.push_back(st);
    }
}

namespace {

// Sets OpenMP's thread count to the configuration's for a scope (0: leaves the default).
class ThreadCount {
public:
    explicit ThreadCount(int threads) : d_saved(omp_get_max_threads()), d_set(threads > 0) {
        if (d_set) omp_set_num_threads(threads);
    }
    ~ThreadCount() {
        if (d_set) omp_set_num_threads(d_saved);
    }
    ThreadCount(const ThreadCount&) = delete;
    ThreadCount& operator=(const ThreadCount&) = delete;

private:
    int d_saved;
    bool d_set;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

EnumResult enumerate_classes(const EnumConfig& config) {
    const auto t0 = std::chrono::steady_clock::now();
    if (config.max_ops < 1 || config.max_ops > kMaxOps)
        throw std::invalid_argument("max_ops must be between 1 and " + std::to_string(kMaxOps));
    if (config.plan.num_insts() > kMaxInsts)
        throw std::invalid_argument("a shape plan may have at most " + std::to_string(kMaxInsts) + " instantiations");
    const ThreadCount threads(config.threads);
    EnumResult res;
    res.d_store = std::make_unique<TermStore>(config);
    res.d_classes = std::make_unique<ClassTable>();
    Enumerator e(*res.d_store, *res.d_classes, res.profile);
    e.run(res.levels);
    res.seconds = seconds_since(t0);
    return res;
}

void enumerate_candidates(EnumResult& res) {
    const auto t0 = std::chrono::steady_clock::now();
    const EnumConfig& config = res.d_store->config();
    const ThreadCount threads(config.threads);
    const PhaseStart ct = PhaseStart::now();
    res.d_store->prepare_stand_ins();
    res.candidates = extract_candidates(*res.d_store, *res.d_classes, res.levels, config.threads);
    res.profile.push_back(phase_profile("candidates", 0, ct));
    if (!res.levels.empty()) res.levels.back().seconds += res.profile.back().seconds;
    res.seconds += seconds_since(t0);
}

EnumResult enumerate(const EnumConfig& config) {
    EnumResult res = enumerate_classes(config);
    enumerate_candidates(res);
    return res;
}

}  // namespace rf::enumerator
