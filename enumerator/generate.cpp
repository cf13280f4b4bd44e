// Generation of one size level's nodes (the Enumerator's first phase, before classify.cpp):
// every template over the representatives of smaller sizes, proposed on all threads in small
// tasks, then put in a thread-independent order. Typings are prepared up front so the parallel
// pass never computes one.
#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>

#include <omp.h>

#include "enumerator/level_builder.h"
#include "enumerator/parallel_scan.h"
#include "enumerator/parallel_sort.h"

namespace rf::enumerator {

bool Enumerator::operands_ok(const OpTemplate& t, ValueId a, ValueId b) const {
    const int base = d_s.plan().base();
    const ValueRec& va = d_s.values[a];
    const TensorType& ta = d_s.type(va.type[base]);
    const ValueRec* vb = t.arity < 2 ? nullptr : &d_s.values[b];
    const TensorType* tb = vb ? &d_s.type(vb->type[base]) : nullptr;
    // The rank and kernel a template asks of its operands, as compare.cpp reads them (preset.h).
    if (!operand_shapes_fit(t, ta, tb)) return false;
    if (t.data_not_weight_var && va.var >= 0 && d_s.plan().symbolic_variables()[va.var].role == Role::Weight)
        return false;
    if (!vb) return true;
    if (t.operands_are_variables && (va.var < 0 || vb->var < 0)) return false;
    if (t.distinct_operands && a == b) return false;
    if (t.resize_only && ta.rank() == 4 && tb->rank() == 4 && ta.dims[2] == tb->dims[2] && ta.dims[3] == tb->dims[3])
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
    NodeSet below;  // recomputed by add_nodes, not kept (level_builder.h)
    if (t.arity == 2 && !merge_sets(d_s.node_set(a), d_s.node_set(b), below)) return true;
    if (t.arity == 1) below = d_s.node_set(a);
    if (below.n + 1 != n) return true;
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
            continue;
        }
        const uint32_t ti = create ? d_s.typing_index(tmpl, i, ta, tb) : d_s.find_typing(tmpl, i, ta, tb);
        if (ti == kNoTyping) return false;
        const Typing& ty = d_s.typing_at(ti);
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
                if (d_s.size(a) > 0 && d_s.size(b) > 0 && first_shared(d_s.node_set(a), d_s.node_set(b)) != kNoNode)
                    continue;
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
        if (count * 10 != all[r].size())
            throw std::logic_error("enumerator: a generate message is not a list of triples");
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

std::vector<std::vector<Enumerator::TypeGroup>> Enumerator::group_by_type(int n) const {
    const int base = d_s.plan().base();
    // Representatives of each size grouped by base type, so a binary template visits only the
    // type pairs it accepts.
    // The groups are in the order of their types' content, not of the type ids: ids depend on
    // the order typings were computed, which differs between cooperating processes, and the task
    // list must be the same on every one (each takes every P-th task).
    std::vector<std::vector<TypeGroup>> by_type(n);
    for (int s = 0; s < n; ++s) {
        std::map<TypeId, std::vector<ValueId>> groups;
        for (ValueId v : d_reps_by_size[s]) groups[d_s.values[v].type[base]].push_back(v);
        for (auto& [t, vs] : groups) by_type[s].push_back({t, std::move(vs)});
        std::sort(by_type[s].begin(), by_type[s].end(), [&](const TypeGroup& x, const TypeGroup& y) {
            return d_s.type_key_of(x.type) < d_s.type_key_of(y.type);
        });
    }
    return by_type;
}

void Enumerator::prepare_level_typings(int n, const std::vector<std::vector<TypeGroup>>& by_type) {
    // Every typing the parallel pass can ask for, computed up front (in parallel): first at
    // the base shape for each pair of base types, then at the other instantiations for each
    // pair of distinct type tuples whose base typing holds. Tuples are few (hundreds), so
    // this is cheap, and the parallel pass then never meets an uncached typing.
    const auto& tmpls = d_s.config().templates;
    const int base = d_s.plan().base();
    using Tuple = std::array<TypeId, kMaxInsts>;
    std::set<Tuple> tuple_set;
    for (int s = 0; s < n; ++s)
        for (ValueId v : d_reps_by_size[s]) tuple_set.insert(d_s.values[v].type);
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

std::vector<GenTask> Enumerator::make_tasks(int n, const std::vector<std::vector<TypeGroup>>& by_type,
                                            std::vector<Proposal>& props) {
    const auto& tmpls = d_s.config().templates;
    const int base = d_s.plan().base();
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
    return tasks;
}

std::vector<std::vector<Proposal>> Enumerator::run_tasks(int n, const std::vector<GenTask>& tasks) {
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
            missing =
                missing || !propose(static_cast<int>(tmpl), a, b, n, local[first_extra + omp_get_thread_num()], false);
        }
        if (missing) throw std::logic_error("enumerator: a typing was not prepared before the parallel pass");
    }
    if (ex && ranks > 1) share_proposals(*ex, n, local, first_extra);
    return local;
}

void Enumerator::order_proposals(const std::vector<std::vector<Proposal>>& local, BigVector<const Proposal*>& order) {
    // Sorted through small keys pointing into the per-thread lists: a Proposal is 40 bytes,
    // and moving those (merging, then sorting) was most of the serial time here.
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
}

std::vector<std::vector<Proposal>> Enumerator::generate(int n, BigVector<const Proposal*>& order) {
    // Serial: the work split into tasks (the base typing of each type pair decided here, which
    // fills the typing cache); parallel: the tasks; serial again: pairs whose typing at another
    // instantiation was not cached yet. The final sort makes the order independent of threads.
    const std::vector<std::vector<TypeGroup>> by_type = group_by_type(n);
    prepare_level_typings(n, by_type);
    std::vector<Proposal> props;
    const std::vector<GenTask> tasks = make_tasks(n, by_type, props);
    std::vector<std::vector<Proposal>> local = run_tasks(n, tasks);
    local.push_back(std::move(props));
    order_proposals(local, order);
    return local;
}

}  // namespace rf::enumerator
