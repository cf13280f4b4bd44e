#include "enumerator/enumerator.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <span>

#include <omp.h>
#include <xxhash.h>

#include "enumerator/class_table.h"
#include "enumerator/parallel_scan.h"
#include "enumerator/parallel_sort.h"
#include "support/progress.h"
#include "enumerator/work_exchange.h"
#include "fingerprint/graph_fingerprint.h"

namespace rf {

using namespace enumeration;

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
size_t EnumResult::class_size(size_t i) const { return d_classes->classes[i].members.size(); }

Fingerprint EnumResult::class_fingerprint(size_t i) const { return d_store->full_values(d_classes->classes[i].rep).fp; }

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
    std::array<uint32_t, kMaxInsts> typing;
};

/// A slice of generate()'s work: template `tmpl` over first operands as[lo, hi) and, for a
/// binary template, second operands from `bs` (disjoint operands) or found through the node
/// index (operands sharing nodes, `shared`, second operand of size s2).
struct GenTask {
    int tmpl;
    const std::vector<ValueId>* as;
    size_t lo, hi;
    const std::vector<ValueId>* bs = nullptr;
    bool shared = false;
    int s2 = 0;
};

class Enumerator {
public:
    Enumerator(TermStore& s, ClassTable& t) : d_s(s), d_t(t), d_progress(s.config().progress) {}
    void run(std::vector<LevelStats>& levels);

private:
    bool operands_ok(const OpTemplate& t, ValueId a, ValueId b) const;
    /// Appends the node tmpl(a, b) when it is new, well typed at the base shape and of size n.
    /// With `create` false (parallel phase) a typing not cached yet is not computed: the call
    /// returns false and the caller proposes the pair again, serially, with `create` true.
    bool propose(int tmpl, ValueId a, ValueId b, int n, std::vector<Proposal>& out, bool create);
    void run_task(const GenTask& t, int n, std::vector<Proposal>& out, std::vector<std::array<ValueId, 3>>& deferred);
    /// The proposals of size n (in lists that must outlive `order`), and `order`, the order in
    /// which they become nodes.
    std::vector<std::vector<Proposal>> generate(int n, BigVector<const Proposal*>& order);
    /// Computes the typings of (template, operand, operand) triples at every instantiation.
    void prepare_typings_of(const std::vector<std::array<ValueId, 3>>& pairs);
    /// Gives every cooperating process the nodes each proposed: thread t appends the others'
    /// to local[first_extra + t].
    void share_proposals(WorkExchange& ex, int n, std::vector<std::vector<Proposal>>& local, size_t first_extra);
    void add_nodes(const BigVector<const Proposal*>& order);
    void classify(int n, ValueId first, LevelStats& st);

    TermStore& d_s;
    ClassTable& d_t;
    support::Progress d_progress;
    std::vector<std::vector<ValueId>> d_reps_by_size;
    std::vector<std::vector<ValueId>> d_containing;  ///< node id -> representatives containing it
    /// The representatives of size `size` that contain node `id`. Representatives are added
    /// level by level, so each d_containing list is sorted by size.
    std::span<const ValueId> containing(NodeId id, int size) const {
        if (id >= d_containing.size()) return {};
        const std::vector<ValueId>& all = d_containing[id];
        auto by_size = [&](ValueId v, int sz) { return d_s.size(v) < sz; };
        auto lo = std::lower_bound(all.begin(), all.end(), size, by_size);
        auto hi = std::lower_bound(lo, all.end(), size + 1, by_size);
        return {lo, hi};
    }
};

uint64_t mix_key(uint64_t a, uint64_t b) {
    const uint64_t w[2] = {a, b};
    return XXH3_64bits(w, sizeof w);
}

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

bool Enumerator::propose(int tmpl, ValueId a, ValueId b, int n, std::vector<Proposal>& out, bool create) {
    const OpTemplate& t = d_s.config().templates[tmpl];
    if (t.arity >= 1 && !operands_ok(t, a, b)) return true;
    Proposal p{};
    p.tmpl = static_cast<uint16_t>(tmpl);
    p.arity = static_cast<uint8_t>(t.arity);
    p.a = a;
    p.b = b;
    if (t.arity == 2 && !merge_sets(d_s.node_set(a), d_s.node_set(b), p.below)) return true;
    if (t.arity == 1) p.below = d_s.node_set(a);
    if (p.below.n + 1 != n) return true;
    // The base shape decides what exists (as in TASO); other worlds only add evidence. It is
    // tried first, so an ill-typed pair costs one lookup.
    const int base = d_s.plan().base();
    for (int k = 0; k < d_s.num_insts(); ++k) {
        const int i = k == 0 ? base : (k <= base ? k - 1 : k);
        const TypeId ta = t.arity >= 1 ? d_s.values[a].type[i] : kNoOperand;
        const TypeId tb = t.arity >= 2 ? d_s.values[b].type[i] : kNoOperand;
        p.typing[i] = kNoTyping;
        if (ta == kIllTyped || tb == kIllTyped) {
            if (i == base) return true;
            p.out[i] = {kIllTyped, kIllTyped};
            continue;
        }
        const uint32_t ti = create ? d_s.typing_index(tmpl, i, ta, tb) : d_s.find_typing(tmpl, i, ta, tb);
        if (ti == kNoTyping) return false;
        const Typing& ty = d_s.typing_at(ti);
        p.out[i] = ty.ok ? ty.out : std::array<TypeId, 2>{kIllTyped, kIllTyped};
        if (ty.ok) {
            p.nout = static_cast<uint8_t>(ty.proto.outputs.size());
            p.typing[i] = ti;
        } else if (i == base) {
            return true;
        }
    }
    p.skey = d_s.node_key(tmpl, a, b, t.arity);
    out.push_back(p);
    return true;
}

void Enumerator::run_task(const GenTask& t, int n, std::vector<Proposal>& out,
                          std::vector<std::array<ValueId, 3>>& deferred) {
    const bool comm = op_info(d_s.config().templates[t.tmpl].op).commutative;
    auto try_pair = [&](ValueId a, ValueId b) {
        if (!propose(t.tmpl, a, b, n, out, false)) deferred.push_back({static_cast<ValueId>(t.tmpl), a, b});
    };
    for (size_t i = t.lo; i < t.hi; ++i) {
        const ValueId a = (*t.as)[i];
        if (d_s.config().templates[t.tmpl].arity == 1) {
            try_pair(a, 0);
        } else if (!t.shared) {
            for (ValueId b : *t.bs) {
                if (comm && a > b) continue;
                if (d_s.size(a) > 0 && d_s.size(b) > 0 && first_shared(d_s.node_set(a), d_s.node_set(b)) != kNoNode) continue;
                try_pair(a, b);
            }
        } else {
            // Operands sharing operator nodes. The new node has n - 1 nodes below it, so the two
            // operands share exactly `overlap` nodes; each pair is found once.
            const NodeSet& na = d_s.node_set(a);
            const int overlap = static_cast<int>(na.n) + t.s2 - (n - 1);
            if (overlap == t.s2) {
                // b lies inside a: b is an output of one of a's nodes.
                for (int k = 0; k < na.n; ++k) {
                    const NodeRec& nd = d_s.nodes[na.ids[k]];
                    for (int o = 0; o < nd.num_outputs; ++o) {
                        const ValueId b = nd.first_value + o;
                        if ((d_s.values[b].flags & kRep) && d_s.size(b) == t.s2 && !(comm && a > b)) try_pair(a, b);
                    }
                }
            } else if (overlap == na.n) {
                // a lies inside b: b contains a's root node.
                for (ValueId b : containing(d_s.values[a].node, t.s2))
                    if (!(comm && a > b)) try_pair(a, b);
            } else {
                // A partial overlap: through each shared node, counted at the smallest one.
                for (int k = 0; k < na.n; ++k)
                    for (ValueId b : containing(na.ids[k], t.s2)) {
                        if (comm && a > b) continue;
                        if (first_shared(na, d_s.node_set(b)) != na.ids[k]) continue;
                        try_pair(a, b);
                    }
            }
        }
    }
}

void Enumerator::prepare_typings_of(const std::vector<std::array<ValueId, 3>>& pairs) {
    // Keys pair by pair, instantiation by instantiation, listed on all threads.
    const size_t insts = static_cast<size_t>(d_s.num_insts());
    auto key = [&](size_t j) {
        const auto& [tmpl, a, b] = pairs[j / insts];
        const int i = static_cast<int>(j % insts), arity = d_s.config().templates[tmpl].arity;
        return TermStore::TypingKey{static_cast<int>(tmpl), i, arity >= 1 ? d_s.values[a].type[i] : kNoOperand,
                                    arity >= 2 ? d_s.values[b].type[i] : kNoOperand};
    };
    const BigVector<uint32_t> typed = select_indices<uint32_t>(pairs.size() * insts, [&](size_t j) {
        const TermStore::TypingKey k = key(j);
        return k.a != kIllTyped && k.b != kIllTyped;
    });
    std::vector<TermStore::TypingKey> need(typed.size());
#pragma omp parallel for schedule(static)
    for (size_t k = 0; k < typed.size(); ++k) need[k] = key(typed[k]);
    d_s.prepare_typings(need);
}

void Enumerator::share_proposals(WorkExchange& ex, int n, std::vector<std::vector<Proposal>>& local,
                                 size_t first_extra) {
    // 10 bytes a node: the receivers propose the triple again, every typing being cached.
    ByteWriter w;
    for (const auto& l : local)
        for (const Proposal& p : l) {
            w.put<uint16_t>(p.tmpl);
            w.put<ValueId>(p.a);
            w.put<ValueId>(p.b);
        }
    const auto all = ex.allgather(w.bytes(), "enumerate size " + std::to_string(n) + " generate");
    const int threads = static_cast<int>(local.size() - first_extra);
    std::vector<std::vector<std::array<ValueId, 3>>> deferred(threads);
    bool lost = false;
    for (size_t r = 0; r < all.size(); ++r) {
        if (static_cast<int>(r) == ex.rank()) continue;
        const size_t count = all[r].size() / 10;
        if (count * 10 != all[r].size()) throw std::logic_error("enumerator: a generate message is not a list of triples");
#pragma omp parallel for schedule(static) reduction(|| : lost)
        for (size_t i = 0; i < count; ++i) {
            uint16_t tmpl;
            ValueId a, b;
            std::memcpy(&tmpl, all[r].data() + 10 * i, 2);
            std::memcpy(&a, all[r].data() + 10 * i + 2, 4);
            std::memcpy(&b, all[r].data() + 10 * i + 6, 4);
            const int me = omp_get_thread_num();
            std::vector<Proposal>& out = local[first_extra + me];
            const size_t before = out.size();
            if (!propose(tmpl, a, b, n, out, false))
                deferred[me].push_back({tmpl, a, b});
            else
                lost = lost || out.size() != before + 1;
        }
    }
    // A node whose typing the sender computed late (its deferred pairs) is typed here now.
    std::vector<std::array<ValueId, 3>> again;
    for (const auto& d : deferred) again.insert(again.end(), d.begin(), d.end());
    if (!again.empty()) {
        prepare_typings_of(again);
        for (const auto& [tmpl, a, b] : again) {
            std::vector<Proposal>& out = local[first_extra];
            const size_t before = out.size();
            lost = lost || !propose(static_cast<int>(tmpl), a, b, n, out, false) || out.size() != before + 1;
        }
    }
    // Every rank runs the same binary on the same store: a node another proposed must exist here.
    if (lost) throw std::logic_error("enumerator: another rank's node was not proposed again here");
}

std::vector<std::vector<Proposal>> Enumerator::generate(int n, BigVector<const Proposal*>& order) {
    const auto& tmpls = d_s.config().templates;
    const int base = d_s.plan().base();
    // Representatives of each size grouped by base type, so a binary template visits only the
    // type pairs it accepts.
    // The groups are in the order of their types' content, not of the type ids: ids depend on
    // the order typings were computed, which differs between cooperating processes, and the task
    // list below must be the same on every one (each takes every P-th task).
    struct TypeGroup {
        TypeId type;
        std::vector<ValueId> values;
    };
    std::vector<std::vector<TypeGroup>> by_type(n);
    for (int s = 0; s < n; ++s) {
        std::map<TypeId, std::vector<ValueId>> groups;
        for (ValueId v : d_reps_by_size[s]) groups[d_s.values[v].type[base]].push_back(v);
        for (auto& [t, vs] : groups) by_type[s].push_back({t, std::move(vs)});
        std::sort(by_type[s].begin(), by_type[s].end(), [&](const TypeGroup& x, const TypeGroup& y) {
            return d_s.type_key_of(x.type) < d_s.type_key_of(y.type);
        });
    }
    // Serial: the work split into tasks (the base typing of each type pair decided here, which
    // fills the typing cache); parallel: the tasks; serial again: pairs whose typing at another
    // instantiation was not cached yet. The final sort makes the order independent of threads.
    std::vector<Proposal> props;
    {
        // Every typing the parallel pass can ask for, computed up front (in parallel): first at
        // the base shape for each pair of base types, then at the other instantiations for each
        // pair of distinct type tuples whose base typing holds. Tuples are few (hundreds), so
        // this is cheap, and the parallel pass then never meets an uncached typing.
        using Tuple = std::array<TypeId, kMaxInsts>;
        std::set<Tuple> tuple_set;
        for (int s = 0; s < n; ++s)
            for (ValueId v : d_reps_by_size[s]) {
                tuple_set.insert(d_s.values[v].type);
            }
        const std::vector<Tuple> tuples(tuple_set.begin(), tuple_set.end());
        std::vector<TermStore::TypingKey> need;
        for (int ti = 0; ti < static_cast<int>(tmpls.size()); ++ti) {
            if (tmpls[ti].arity != 2) continue;
            for (int s1 = 0; s1 < n; ++s1)
                for (const auto& ta : by_type[s1])
                    for (const auto& tb : by_type[n - 1 - s1]) need.push_back({ti, base, ta.type, tb.type});
        }
        d_s.prepare_typings(need);
        need.clear();
        for (int ti = 0; ti < static_cast<int>(tmpls.size()); ++ti) {
            const int arity = tmpls[ti].arity;
            if (arity == 0) continue;
            for (const Tuple& ta : tuples)
                for (size_t j = 0; j < (arity == 2 ? tuples.size() : 1); ++j) {
                    const Tuple* tb = arity == 2 ? &tuples[j] : nullptr;
                    if (ta[base] == kIllTyped || (tb && (*tb)[base] == kIllTyped)) continue;
                    if (tb) {
                        const uint32_t bt = d_s.find_typing(ti, base, ta[base], (*tb)[base]);
                        if (bt == kNoTyping || !d_s.typing_at(bt).ok) continue;
                    }
                    for (int i = 0; i < d_s.num_insts(); ++i) {
                        const TypeId b = tb ? (*tb)[i] : kNoOperand;
                        if (ta[i] != kIllTyped && b != kIllTyped) need.push_back({ti, i, ta[i], b});
                    }
                }
        }
        d_s.prepare_typings(need);
    }
    std::vector<GenTask> tasks;
    constexpr size_t kChunk = 64;
    auto split = [&](GenTask t) {
        const size_t total = t.as->size();
        for (size_t lo = 0; lo < total; lo += kChunk) {
            t.lo = lo;
            t.hi = std::min(total, lo + kChunk);
            tasks.push_back(t);
        }
    };
    for (int ti = 0; ti < static_cast<int>(tmpls.size()); ++ti) {
        const OpTemplate& t = tmpls[ti];
        if (t.arity == 0) {
            if (n == 1) propose(ti, 0, 0, n, props, true);
            continue;
        }
        if (t.arity == 1) {
            split(GenTask{ti, &d_reps_by_size[n - 1], 0, 0});
            continue;
        }
        for (int s1 = 0; s1 < n; ++s1)
            for (int s2 = 0; s2 < n; ++s2) {
                if (s1 + s2 < n - 1) continue;
                if (s1 + s2 == n - 1) {
                    for (const auto& [ta, as] : by_type[s1])
                        for (const auto& [tb, bs] : by_type[s2])
                            if (d_s.typing(ti, base, ta, tb).ok) split(GenTask{ti, &as, 0, 0, &bs});
                    continue;
                }
                if (s1 == 0 || s2 == 0) continue;
                split(GenTask{ti, &d_reps_by_size[s1], 0, 0, nullptr, true, s2});
            }
    }
    const int threads = omp_get_max_threads();
    // One list per task (each grown by one thread, and small: no reallocation of a large list
    // while the other threads wait at the end of the pass), then one per thread for the
    // deferred pairs and for the nodes of cooperating processes.
    std::vector<std::vector<Proposal>> local(tasks.size() + threads);
    const size_t first_extra = tasks.size();
    std::vector<std::vector<std::array<ValueId, 3>>> deferred(threads);
    uint64_t operands = 0;
    for (const GenTask& t : tasks) operands += t.hi - t.lo;
    d_progress.start(n, "generate", operands, "operands extended");
    // With cooperating processes each runs every P-th task (tasks are small and many).
    WorkExchange* const ex = d_s.config().exchange;
    const size_t ranks = ex ? static_cast<size_t>(ex->size()) : 1, me_rank = ex ? static_cast<size_t>(ex->rank()) : 0;
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t i = 0; i < tasks.size(); ++i) {
        if (i % ranks != me_rank) continue;
        const int me = omp_get_thread_num();
        run_task(tasks[i], n, local[i], deferred[me]);
        d_progress.tick(tasks[i].hi - tasks[i].lo);
    }
    // The pairs whose typing at some instantiation was new: those typings computed in parallel,
    // then the pairs proposed again (in parallel: now every typing is cached).
    std::vector<std::array<ValueId, 3>> again;
    for (const auto& d : deferred) again.insert(again.end(), d.begin(), d.end());
    if (!again.empty()) {
        prepare_typings_of(again);
        bool missing = false;
#pragma omp parallel for schedule(dynamic, 256) reduction(|| : missing)
        for (size_t i = 0; i < again.size(); ++i) {
            const auto& [tmpl, a, b] = again[i];
            missing = missing || !propose(static_cast<int>(tmpl), a, b, n, local[first_extra + omp_get_thread_num()], false);
        }
        if (missing) throw std::logic_error("enumerator: a typing was not prepared before the parallel pass");
    }
    if (ex && ranks > 1) share_proposals(*ex, n, local, first_extra);
    // Sorted through small keys pointing into the per-thread lists: a Proposal is ~100 bytes,
    // and moving those (merging, then sorting) was most of the serial time here.
    local.push_back(std::move(props));
    struct Key {
        uint64_t skey;
        uint16_t tmpl;
        ValueId a, b;
        const Proposal* p;
    };
    std::vector<size_t> at(local.size() + 1, 0);
    for (size_t li = 0; li < local.size(); ++li) at[li + 1] = at[li] + local[li].size();
    BigVector<Key> keys(at.back());
#pragma omp parallel for schedule(dynamic, 64)
    for (size_t li = 0; li < local.size(); ++li)
        for (size_t k = 0; k < local[li].size(); ++k) {
            const Proposal& p = local[li][k];
            keys[at[li] + k] = {p.skey, p.tmpl, p.a, p.b, &p};
        }
    parallel_sort(keys.begin(), keys.end(), [](const Key& x, const Key& y) {
        if (x.skey != y.skey) return x.skey < y.skey;
        return std::tie(x.tmpl, x.a, x.b) < std::tie(y.tmpl, y.a, y.b);
    });
    resize_exact(order, keys.size());
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].p;
    return local;
}

void Enumerator::add_nodes(const BigVector<const Proposal*>& order) {
    // Node and value ids follow the proposals' (sorted) order; the records are filled in parallel.
    const NodeId first_node = static_cast<NodeId>(d_s.nodes.size());
    const BigVector<ValueId> first_value = exclusive_scan(order.size(), static_cast<ValueId>(d_s.values.size()),
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
        nd.nodes = p.below;
        nd.nodes.ids[nd.nodes.n++] = id;  // ids grow, so the set stays sorted
        nd.first_value = first_value[i];
        nd.typing = p.typing;
        for (int k = 0; k < p.nout; ++k) {
            ValueRec& r = d_s.values[first_value[i] + k];
            r.node = id;
            r.out = static_cast<uint8_t>(k);
            for (int j = 0; j < d_s.num_insts(); ++j) r.type[j] = p.out[j][k];
            r.skey = k == 0 ? p.skey : mix_key(p.skey, k);
        }
    }
}

void Enumerator::classify(int n, ValueId first, LevelStats& st) {
    const ValueId last = static_cast<ValueId>(d_s.values.size());
    const size_t count = last - first;
    const auto& pts = d_s.plan().points();
    const int bits = std::min(d_s.config().hash_bits, 64);
    const bool keep = n < d_s.config().max_ops;
    BigVector<uint64_t> pkey(count);
    std::vector<uint8_t> overflow(count, 0);
    std::vector<ExactTensor> p0(keep ? count : 0);

    // Cooperating processes (work_exchange.h): value i is evaluated by rank i mod P, and the
    // buckets of a primary hash are resolved by its owner, rank hash mod P.
    WorkExchange* const ex = d_s.config().exchange;
    const size_t ranks = ex ? static_cast<size_t>(ex->size()) : 1, me = ex ? static_cast<size_t>(ex->rank()) : 0;
    const bool shared = ranks > 1;
    auto phase = [&](const char* what) { return "enumerate size " + std::to_string(n) + " " + what; };

    d_progress.start(n, "fingerprint", count);
#pragma omp parallel for schedule(dynamic, 256)
    for (size_t i = 0; i < count; ++i) {
        if (i % ranks != me) continue;
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

    if (shared) {
        ByteWriter w;
        for (size_t i = me; i < count; i += ranks) {
            w.put<uint64_t>(pkey[i]);
            w.put<uint8_t>(overflow[i]);
        }
        const auto all = ex->allgather(w.bytes(), phase("fingerprint"));
        for (size_t r = 0; r < ranks; ++r) {
            if (r == me) continue;
            ByteReader rd(all[r]);
            for (size_t i = r; i < count; i += ranks) {
                pkey[i] = rd.get<uint64_t>();
                overflow[i] = rd.get<uint8_t>();
            }
        }
    }

    // Buckets of equal primary hash, in (hash, structural key) order.
    BigVector<uint32_t> order = select_indices<uint32_t>(count, [&](size_t i) { return !overflow[i]; });
    parallel_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
        if (pkey[x] != pkey[y]) return pkey[x] < pkey[y];
        const uint64_t sx = d_s.values[first + x].skey, sy = d_s.values[first + y].skey;
        return sx != sy ? sx < sy : x < y;  // a total order: equal results for any split of the sort
    });
    struct Bucket {
        uint32_t begin, end;
        bool hard;
    };
    const BigVector<uint32_t> starts = select_indices<uint32_t>(
        order.size(), [&](size_t k) { return k == 0 || pkey[order[k]] != pkey[order[k - 1]]; });
    BigVector<Bucket> buckets;
    resize_exact(buckets, starts.size());
#pragma omp parallel for schedule(static)
    for (size_t bi = 0; bi < buckets.size(); ++bi) {
        Bucket& bk = buckets[bi];
        bk.begin = starts[bi];
        bk.end = bi + 1 < starts.size() ? starts[bi + 1] : static_cast<uint32_t>(order.size());
        bk.hard = bk.end - bk.begin > 1 || d_t.first_with(pkey[order[bk.begin]]) != kNoClass;
    }
    // Resolution of hard buckets: every value evaluated at every point and compared in full
    // with the bucket's classes. Result per value: an existing class, or -(1 + new local index).
    BigVector<int64_t> verdict(count, 0);
    uint64_t collisions = 0, full_evals = 0;  // of the buckets this process resolves
    std::vector<uint8_t> late_overflow(count, 0);
    auto owner = [&](const Bucket& bk) { return static_cast<size_t>(pkey[order[bk.begin]] % ranks); };
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : collisions, full_evals)
    for (size_t bi = 0; bi < buckets.size(); ++bi) {
        const Bucket& bk = buckets[bi];
        if (!bk.hard) {
            verdict[order[bk.begin]] = -1;
            continue;
        }
        if (owner(bk) != me) continue;
        struct Local {
            int64_t id;
            FullValues fv;
        };
        std::vector<Local> locals;
        for (uint32_t c = d_t.first_with(pkey[order[bk.begin]]); c != kNoClass; c = d_t.classes[c].next_same)
            locals.push_back({c, d_s.full_values(d_t.classes[c].rep)});
        int64_t fresh = 0;
        for (size_t k = bk.begin; k < bk.end; ++k) {
            const uint32_t i = order[k];
            FullValues fv = d_s.full_values(first + i);
            ++full_evals;
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
                ++collisions;
            }
            if (!matched) {
                match = -(++fresh);
                locals.push_back({match, std::move(fv)});
            }
            verdict[i] = match;
        }
    }

    if (shared) {
        ByteWriter w;
        w.put<uint64_t>(collisions);
        w.put<uint64_t>(full_evals);
        for (size_t bi = 0; bi < buckets.size(); ++bi) {
            const Bucket& bk = buckets[bi];
            if (!bk.hard || owner(bk) != me) continue;
            for (size_t k = bk.begin; k < bk.end; ++k) {
                w.put<int64_t>(verdict[order[k]]);
                w.put<uint8_t>(late_overflow[order[k]]);
            }
        }
        const auto all = ex->allgather(w.bytes(), phase("classes"));
        for (size_t r = 0; r < ranks; ++r) {
            if (r == me) continue;
            ByteReader rd(all[r]);
            collisions += rd.get<uint64_t>();
            full_evals += rd.get<uint64_t>();
            for (size_t bi = 0; bi < buckets.size(); ++bi) {
                const Bucket& bk = buckets[bi];
                if (!bk.hard || owner(bk) != r) continue;
                for (size_t k = bk.begin; k < bk.end; ++k) {
                    verdict[order[k]] = rd.get<int64_t>();
                    late_overflow[order[k]] = rd.get<uint8_t>();
                }
            }
        }
    }

    // Class assignment, deterministic: new classes are numbered in bucket order and, within a
    // bucket, in order of first appearance (a prefix sum over the buckets' counts of new
    // classes). A class belongs to the bucket of its primary hash only, so the buckets are
    // assigned on all threads without sharing a class; only the extension indexes are serial.
    const uint32_t first_class = static_cast<uint32_t>(d_t.classes.size());
    const BigVector<uint32_t> first_new = exclusive_scan(buckets.size(), first_class, [&](size_t bi) {
        int64_t most = 0;
        for (size_t k = buckets[bi].begin; k < buckets[bi].end; ++k)
            if (!late_overflow[order[k]]) most = std::max(most, -verdict[order[k]]);
        return static_cast<uint32_t>(most);
    });
    resize_exact(d_t.classes, first_new.back());
    uint64_t joined = 0;
#pragma omp parallel for schedule(dynamic, 1024) reduction(+ : joined)
    for (size_t bi = 0; bi < buckets.size(); ++bi) {
        const Bucket& bk = buckets[bi];
        int64_t seen = 0;  // new classes of this bucket so far
        for (size_t k = bk.begin; k < bk.end; ++k) {
            const uint32_t i = order[k];
            const ValueId v = first + i;
            if (late_overflow[i]) continue;
            const int64_t vd = verdict[i];
            uint32_t c;
            if (vd >= 0) {
                c = static_cast<uint32_t>(vd);
            } else if (-vd - 1 < seen) {
                c = first_new[bi] + static_cast<uint32_t>(-vd - 1);
            } else {
                c = first_new[bi] + static_cast<uint32_t>(seen++);
                d_t.classes[c] = ClassRec{v, {}, pkey[i]};
                d_s.values[v].cls = c;
                d_s.values[v].flags |= kRep;
                continue;
            }
            d_t.classes[c].members.push_back(v);
            d_s.values[v].cls = c;
            ++joined;
        }
    }
    st.joined += joined;
    st.hash_collisions += collisions;
    st.full_evaluations += full_evals;
    st.new_classes += first_new.back() - first_class;
    std::vector<uint32_t> new_reps;  // with cooperating processes: whose first-point value to share
    // At the last level nothing is extended and no later level looks classes up, so the
    // extension indexes (representatives by size, node -> containing representatives, primary
    // hash -> classes) are not kept up: a third of the serial assignment time at size 3.
    for (uint32_t c = first_class; keep && c < first_new.back(); ++c) {
        const ValueId v = d_t.classes[c].rep;
        const size_t i = v - first;
        d_t.index(c);
        d_reps_by_size[n].push_back(v);
        const NodeSet& ns = d_s.node_set(v);
        if (d_containing.size() < d_s.nodes.size()) d_containing.resize(d_s.nodes.size());
        for (int k = 0; k < ns.n; ++k) d_containing[ns.ids[k]].push_back(v);
        if (!p0[i].num.empty()) d_s.cache_point0(v, std::move(p0[i]));
        if (shared) new_reps.push_back(static_cast<uint32_t>(i));
    }
    // The next level extends the new representatives: every process gets their first-point
    // values from the rank that computed them (not at the last level: nothing is extended).
    if (shared && keep) {
        ByteWriter w;
        for (uint32_t i : new_reps) {
            if (i % ranks != me) continue;
            const ExactTensor* t = d_s.cached_point0(first + i);
            if (!t) continue;  // not typed at the first point
            w.put<uint32_t>(i);
            w.put_vector(t->dims);
            w.put_vector(t->num);
            w.put<int64_t>(t->den);
        }
        const auto all = ex->allgather(w.bytes(), phase("representatives"));
        for (size_t r = 0; r < ranks; ++r) {
            if (r == me) continue;
            ByteReader rd(all[r]);
            while (!rd.done()) {
                const uint32_t i = rd.get<uint32_t>();
                ExactTensor t;
                t.dims = rd.get_vector<int64_t>();
                t.num = rd.get_vector<int64_t>();
                t.den = rd.get<int64_t>();
                d_s.cache_point0(first + i, std::move(t));
            }
        }
    }
    // Overflowed graphs: a class of their own each, never extended, never merged.
    for (size_t i = 0; i < count; ++i)
        if (overflow[i] || late_overflow[i]) {
            const ValueId v = first + static_cast<ValueId>(i);
            d_s.values[v].flags |= kOverflow;
            d_s.values[v].cls = static_cast<uint32_t>(d_t.classes.size());
            d_t.classes.push_back(ClassRec{v, {}, 0});
            ++st.new_classes;
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
        d_t.index(v);
    }
    for (int n = 1; n <= max_ops; ++n) {
        const auto t0 = std::chrono::steady_clock::now();
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
