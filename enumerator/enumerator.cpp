#include "enumerator/enumerator.h"

#include <algorithm>
#include <chrono>
#include <map>

#include <omp.h>
#include <xxhash.h>

#include "enumerator/class_table.h"
#include "enumerator/progress.h"
#include "fingerprint/graph_fingerprint.h"

namespace rf {

using namespace enumeration;

EnumResult::EnumResult() = default;
EnumResult::~EnumResult() = default;
EnumResult::EnumResult(EnumResult&&) noexcept = default;
EnumResult& EnumResult::operator=(EnumResult&&) noexcept = default;

size_t EnumResult::num_classes() const { return d_classes ? d_classes->classes.size() : 0; }
size_t EnumResult::class_size(size_t i) const { return d_classes->classes[i].members.size(); }

EnumClass EnumResult::get_class(size_t i) const {
    const ClassRec& c = d_classes->classes[i];
    EnumClass out;
    out.fingerprint = d_store->full_values(c.rep).fp;
    out.representative = d_store->to_graph({c.rep});
    for (ValueId m : c.members) out.members.push_back(d_store->to_graph({m}));
    return out;
}

namespace {

struct Proposal {
    uint16_t tmpl;
    uint8_t arity;
    uint8_t nout;
    ValueId a, b;
    NodeSet below;
    uint64_t skey;
    std::array<std::array<TypeId, 2>, kMaxInsts> out;
};

class Enumerator {
public:
    Enumerator(TermStore& s, ClassTable& t) : d_s(s), d_t(t), d_progress(s.config().progress) {}
    void run(std::vector<LevelStats>& levels);

private:
    bool operands_ok(const OpTemplate& t, ValueId a, ValueId b) const;
    void propose(int tmpl, ValueId a, ValueId b, int n, std::vector<Proposal>& out);
    std::vector<Proposal> generate(int n);
    void classify(int n, ValueId first, LevelStats& st);

    TermStore& d_s;
    ClassTable& d_t;
    Progress d_progress;
    std::vector<std::vector<ValueId>> d_reps_by_size;
    std::unordered_map<NodeId, std::vector<ValueId>> d_containing;  ///< node -> reps containing it
};

bool Enumerator::operands_ok(const OpTemplate& t, ValueId a, ValueId b) const {
    const int base = d_s.plan().base();
    const ValueRec& va = d_s.values[a];
    const TensorType& ta = d_s.type(va.type[base]);
    if (t.rank >= 0 && static_cast<int>(ta.rank()) != t.rank) return false;
    if (t.data_not_weight_var && va.var >= 0 && d_s.plan().symbolic_variables()[va.var].role == Role::Weight)
        return false;
    if (t.arity < 2) return true;
    const ValueRec& vb = d_s.values[b];
    const TensorType& tb = d_s.type(vb.type[base]);
    if (t.kernel[0] && (tb.rank() != 4 || tb.dims[2].value() != t.kernel[0] || tb.dims[3].value() != t.kernel[1]))
        return false;
    if (t.operands_are_variables && (va.var < 0 || vb.var < 0)) return false;
    if (t.distinct_operands && a == b) return false;
    if (t.resize_only && ta.rank() == 4 && tb.rank() == 4 && ta.dims[2] == tb.dims[2] && ta.dims[3] == tb.dims[3])
        return false;
    return true;
}

void Enumerator::propose(int tmpl, ValueId a, ValueId b, int n, std::vector<Proposal>& out) {
    const OpTemplate& t = d_s.config().templates[tmpl];
    if (t.arity >= 1 && !operands_ok(t, a, b)) return;
    Proposal p{};
    p.tmpl = static_cast<uint16_t>(tmpl);
    p.arity = static_cast<uint8_t>(t.arity);
    p.a = a;
    p.b = b;
    for (int i = 0; i < d_s.num_insts(); ++i) {
        const TypeId ta = t.arity >= 1 ? d_s.values[a].type[i] : kNoOperand;
        const TypeId tb = t.arity >= 2 ? d_s.values[b].type[i] : kNoOperand;
        if (ta == kIllTyped || tb == kIllTyped) {
            p.out[i] = {kIllTyped, kIllTyped};
            continue;
        }
        const Typing& ty = d_s.typing(tmpl, i, ta, tb);
        p.out[i] = ty.ok ? ty.out : std::array<TypeId, 2>{kIllTyped, kIllTyped};
        if (ty.ok) p.nout = static_cast<uint8_t>(ty.proto.outputs.size());
    }
    // The base shape decides what exists (as in TASO); other worlds only add evidence.
    if (p.out[d_s.plan().base()][0] == kIllTyped) return;
    if (t.arity == 2 && !merge_sets(d_s.node_set(a), d_s.node_set(b), p.below)) return;
    if (t.arity == 1) p.below = d_s.node_set(a);
    if (p.below.n + 1 != n) return;
    p.skey = d_s.node_key(tmpl, a, b, t.arity);
    out.push_back(p);
}

std::vector<Proposal> Enumerator::generate(int n) {
    std::vector<Proposal> props;
    const auto& tmpls = d_s.config().templates;
    const int base = d_s.plan().base();
    // Representatives of each size grouped by base type, so a binary template visits only the
    // type pairs it accepts.
    std::vector<std::map<TypeId, std::vector<ValueId>>> by_type(n);
    for (int s = 0; s < n; ++s)
        for (ValueId v : d_reps_by_size[s]) by_type[s][d_s.values[v].type[base]].push_back(v);
    for (int ti = 0; ti < static_cast<int>(tmpls.size()); ++ti) {
        const OpTemplate& t = tmpls[ti];
        const bool comm = op_info(t.op).commutative;
        if (t.arity == 0) {
            if (n == 1) propose(ti, 0, 0, n, props);
            continue;
        }
        if (t.arity == 1) {
            for (ValueId a : d_reps_by_size[n - 1]) propose(ti, a, 0, n, props);
            continue;
        }
        for (int s1 = 0; s1 < n; ++s1)
            for (int s2 = 0; s2 < n; ++s2) {
                if (s1 + s2 < n - 1) continue;
                if (s1 + s2 == n - 1) {
                    // Disjoint operands.
                    for (const auto& [ta, as] : by_type[s1])
                        for (const auto& [tb, bs] : by_type[s2]) {
                            if (!d_s.typing(ti, base, ta, tb).ok) continue;
                            for (ValueId a : as)
                                for (ValueId b : bs) {
                                    if (comm && a > b) continue;
                                    if (s1 > 0 && s2 > 0 && first_shared(d_s.node_set(a), d_s.node_set(b)) != kNoNode) continue;
                                    propose(ti, a, b, n, props);
                                }
                        }
                    continue;
                }
                if (s1 == 0 || s2 == 0) continue;
                // Operands sharing operator nodes: found through the node index, each pair once
                // (at its smallest shared node).
                for (ValueId a : d_reps_by_size[s1]) {
                    const NodeSet& na = d_s.node_set(a);
                    for (int k = 0; k < na.n; ++k) {
                        auto it = d_containing.find(na.ids[k]);
                        if (it == d_containing.end()) continue;
                        for (ValueId b : it->second) {
                            if (d_s.size(b) != s2 || (comm && a > b)) continue;
                            if (first_shared(na, d_s.node_set(b)) != na.ids[k]) continue;
                            propose(ti, a, b, n, props);
                        }
                    }
                }
            }
    }
    std::sort(props.begin(), props.end(), [](const Proposal& x, const Proposal& y) {
        if (x.skey != y.skey) return x.skey < y.skey;
        return std::tie(x.tmpl, x.a, x.b) < std::tie(y.tmpl, y.a, y.b);
    });
    return props;
}

uint64_t mix_key(uint64_t a, uint64_t b) {
    const uint64_t w[2] = {a, b};
    return XXH3_64bits(w, sizeof w);
}

void Enumerator::classify(int n, ValueId first, LevelStats& st) {
    const ValueId last = static_cast<ValueId>(d_s.values.size());
    const size_t count = last - first;
    const auto& pts = d_s.plan().points();
    const int bits = std::min(d_s.config().hash_bits, 64);
    const bool keep = n < d_s.config().max_ops;
    std::vector<uint64_t> pkey(count);
    std::vector<uint8_t> overflow(count, 0);
    std::vector<ExactTensor> p0(keep ? count : 0);

    d_progress.start(n, "fingerprint", count);
#pragma omp parallel for schedule(dynamic, 256)
    for (size_t i = 0; i < count; ++i) {
        const ValueId v = first + static_cast<ValueId>(i);
        const ValueRec& r = d_s.values[v];
        uint64_t mask = 0;
        int firstp = -1;
        for (size_t p = 0; p < pts.size(); ++p)
            if (r.type[pts[p].inst] != kIllTyped) {
                mask |= uint64_t{1} << pts[p].inst;
                if (firstp < 0) firstp = static_cast<int>(p);
            }
        try {
            ExactTensor t = d_s.evaluate(v, firstp);
            pkey[i] = truncate64(mix_key(mask, value_hash(t, d_s.type_hash_of(r.type[pts[firstp].inst]))), bits);
            if (keep && firstp == 0) p0[i] = std::move(t);
        } catch (const EvalOverflow&) {
            overflow[i] = 1;
        }
        d_progress.tick();
    }

    // Buckets of equal primary hash, in (hash, structural key) order.
    std::vector<uint32_t> order;
    for (size_t i = 0; i < count; ++i)
        if (!overflow[i]) order.push_back(static_cast<uint32_t>(i));
    std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
        if (pkey[x] != pkey[y]) return pkey[x] < pkey[y];
        return d_s.values[first + x].skey < d_s.values[first + y].skey;
    });
    struct Bucket {
        size_t begin, end;
        bool hard;
    };
    std::vector<Bucket> buckets;
    for (size_t i = 0; i < order.size();) {
        size_t j = i + 1;
        while (j < order.size() && pkey[order[j]] == pkey[order[i]]) ++j;
        buckets.push_back({i, j, j - i > 1 || d_t.by_pkey.count(pkey[order[i]]) > 0});
        i = j;
    }
    // Resolution of hard buckets: every value evaluated at every point and compared in full
    // with the bucket's classes. Result per value: an existing class, or -(1 + new local index).
    std::vector<int64_t> verdict(count, 0);
    std::vector<uint64_t> collisions(buckets.size(), 0), full_evals(buckets.size(), 0);
    std::vector<uint8_t> late_overflow(count, 0);
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t bi = 0; bi < buckets.size(); ++bi) {
        const Bucket& bk = buckets[bi];
        if (!bk.hard) {
            verdict[order[bk.begin]] = -1;
            continue;
        }
        struct Local {
            int64_t id;
            FullValues fv;
        };
        std::vector<Local> locals;
        auto found = d_t.by_pkey.find(pkey[order[bk.begin]]);
        if (found != d_t.by_pkey.end())
            for (uint32_t c : found->second) locals.push_back({c, d_s.full_values(d_t.classes[c].rep)});
        int64_t fresh = 0;
        for (size_t k = bk.begin; k < bk.end; ++k) {
            const uint32_t i = order[k];
            FullValues fv = d_s.full_values(first + i);
            ++full_evals[bi];
            if (fv.overflow) {
                late_overflow[i] = 1;
                continue;
            }
            int64_t match = 0;
            bool matched = false;
            for (const Local& l : locals) {
                if (l.fv.fp != fv.fp) continue;
                if (TermStore::same(l.fv, fv)) {
                    match = l.id;
                    matched = true;
                    break;
                }
                ++collisions[bi];
            }
            if (!matched) {
                match = -(++fresh);
                locals.push_back({match, std::move(fv)});
            }
            verdict[i] = match;
        }
    }

    // Sequential, deterministic class assignment in bucket order.
    auto new_class = [&](ValueId v, uint64_t pk, bool indexed) {
        const uint32_t c = static_cast<uint32_t>(d_t.classes.size());
        d_t.classes.push_back(ClassRec{v, {}, pk});
        d_s.values[v].cls = c;
        if (indexed) d_t.by_pkey[pk].push_back(c);
        ++st.new_classes;
        return c;
    };
    auto make_rep = [&](ValueId v, size_t i) {
        d_s.values[v].flags |= kRep;
        d_reps_by_size[n].push_back(v);
        const NodeSet& ns = d_s.node_set(v);
        for (int k = 0; k < ns.n; ++k) d_containing[ns.ids[k]].push_back(v);
        if (keep && !p0[i].num.empty()) d_s.cache_point0(v, std::move(p0[i]));
    };
    for (size_t bi = 0; bi < buckets.size(); ++bi) {
        const Bucket& bk = buckets[bi];
        st.hash_collisions += collisions[bi];
        st.full_evaluations += full_evals[bi];
        std::vector<uint32_t> local_class;
        for (size_t k = bk.begin; k < bk.end; ++k) {
            const uint32_t i = order[k];
            const ValueId v = first + i;
            if (late_overflow[i]) continue;
            const int64_t vd = verdict[i];
            if (vd >= 0) {
                d_t.classes[vd].members.push_back(v);
                d_s.values[v].cls = static_cast<uint32_t>(vd);
                ++st.joined;
                continue;
            }
            const size_t li = static_cast<size_t>(-vd - 1);
            if (li < local_class.size()) {
                d_t.classes[local_class[li]].members.push_back(v);
                d_s.values[v].cls = local_class[li];
                ++st.joined;
                continue;
            }
            local_class.push_back(new_class(v, pkey[i], true));
            make_rep(v, i);
        }
    }
    // Overflowed graphs: a class of their own each, never extended, never merged.
    for (size_t i = 0; i < count; ++i)
        if (overflow[i] || late_overflow[i]) {
            const ValueId v = first + static_cast<ValueId>(i);
            d_s.values[v].flags |= kOverflow;
            new_class(v, 0, false);
            ++st.overflows;
        }
    d_progress.finish(d_t.classes.size());
}

void Enumerator::run(std::vector<LevelStats>& levels) {
    const int max_ops = d_s.config().max_ops;
    d_reps_by_size.assign(max_ops + 1, {});
    // Inputs: size 0, each its own class.
    for (ValueId v = 0; v < d_s.values.size(); ++v) {
        d_reps_by_size[0].push_back(v);
        d_s.values[v].cls = static_cast<uint32_t>(d_t.classes.size());
        d_t.classes.push_back(ClassRec{v, {}, 0});
    }
    // Inputs join the primary-hash index so that a graph equal to an input finds it.
    for (ValueId v = 0; v < d_s.values.size(); ++v) {
        const ExactTensor& t = d_s.plan().input(d_s.values[v].var, 0);
        uint64_t mask = 0;
        for (int i = 0; i < d_s.num_insts(); ++i) mask |= uint64_t{1} << i;
        const uint64_t pk = truncate64(mix_key(mask, value_hash(t, d_s.type_hash_of(d_s.values[v].type[0]))),
                                       std::min(d_s.config().hash_bits, 64));
        d_t.classes[v].pkey = pk;
        d_t.by_pkey[pk].push_back(v);
    }
    for (int n = 1; n <= max_ops; ++n) {
        const auto t0 = std::chrono::steady_clock::now();
        LevelStats st;
        st.size = n;
        d_progress.start(n, "generate", 0);
        std::vector<Proposal> props = generate(n);
        const ValueId first = static_cast<ValueId>(d_s.values.size());
        for (const Proposal& p : props) {
            const NodeId id = static_cast<NodeId>(d_s.nodes.size());
            NodeRec nd;
            nd.tmpl = p.tmpl;
            nd.arity = p.arity;
            nd.num_outputs = p.nout;
            nd.in = {p.a, p.b};
            nd.nodes = p.below;
            nd.nodes.ids[nd.nodes.n++] = id;  // ids grow, so the set stays sorted
            nd.first_value = static_cast<ValueId>(d_s.values.size());
            d_s.nodes.push_back(nd);
            for (int k = 0; k < p.nout; ++k) {
                ValueRec r;
                r.node = id;
                r.out = static_cast<uint8_t>(k);
                for (int i = 0; i < d_s.num_insts(); ++i) r.type[i] = p.out[i][k];
                r.skey = k == 0 ? p.skey : mix_key(p.skey, k);
                d_s.values.push_back(r);
            }
        }
        st.graphs = d_s.values.size() - first;
        classify(n, first, st);
        st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        levels.push_back(st);
    }
}

}  // namespace

EnumResult enumerate(const EnumConfig& config) {
    const auto t0 = std::chrono::steady_clock::now();
    if (config.max_ops < 1 || config.max_ops > kMaxOps)
        throw std::invalid_argument("max_ops must be between 1 and " + std::to_string(kMaxOps));
    if (config.plan.num_insts() > kMaxInsts)
        throw std::invalid_argument("a shape plan may have at most " + std::to_string(kMaxInsts) + " instantiations");
    const int saved = omp_get_max_threads();
    if (config.threads > 0) omp_set_num_threads(config.threads);
    EnumResult res;
    res.d_store = std::make_unique<TermStore>(config);
    res.d_classes = std::make_unique<ClassTable>();
    Enumerator e(*res.d_store, *res.d_classes);
    e.run(res.levels);
    const auto ct = std::chrono::steady_clock::now();
    res.candidates = extract_candidates(*res.d_store, *res.d_classes, res.levels, config.threads);
    if (!res.levels.empty())
        res.levels.back().seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - ct).count();
    if (config.threads > 0) omp_set_num_threads(saved);
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
}

}  // namespace rf
