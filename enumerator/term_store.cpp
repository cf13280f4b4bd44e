#include "enumerator/term_store.h"

#include <algorithm>
#include <cassert>
#include <random>

#include <xxhash.h>

#include "enumerator/parallel_scan.h"
#include "enumerator/parallel_sort.h"
#include "fingerprint/graph_fingerprint.h"
#include "ir/mix64.h"
#include "ir/shape_rules.h"

namespace rf::enumerator {

namespace {

void split_key(std::string& k, const SplitInfo& s) {
    if (!s) {
        k += '.';
        return;
    }
    k += '(' + std::to_string(s->left_size.value());
    split_key(k, s->left);
    split_key(k, s->right);
    k += ')';
}

std::string type_key(const TensorType& t) {
    std::string k;
    for (size_t i = 0; i < t.rank(); ++i) {
        k += std::to_string(t.dims[i].value()) + ':';
        split_key(k, t.split(i));
        k += ',';
    }
    // A distributed type differs from the whole one with the same values (keys of whole types
    // are as before).
    if (t.is_distributed()) {
        k += '|';
        for (size_t i = 0; i < t.rank(); ++i) k += std::to_string(t.degree(i)) + ',';
        k += '*' + std::to_string(t.replicas);
    }
    return k;
}

}  // namespace

bool NodeSet::contains(NodeId x) const {
    for (int i = 0; i < n; ++i)
        if (ids[i] == x) return true;
    return false;
}

bool merge_sets(const NodeSet& a, const NodeSet& b, NodeSet& out) {
    int i = 0, j = 0, k = 0;
    NodeSet r;
    while (i < a.n || j < b.n) {
        NodeId x;
        if (j >= b.n || (i < a.n && a.ids[i] < b.ids[j]))
            x = a.ids[i++];
        else if (i >= a.n || b.ids[j] < a.ids[i])
            x = b.ids[j++];
        else {
            x = a.ids[i++];
            ++j;
        }
        if (k >= kMaxOps) return false;
        r.ids[k++] = x;
    }
    r.n = static_cast<uint8_t>(k);
    out = r;
    return true;
}

NodeId first_shared(const NodeSet& a, const NodeSet& b) {
    int i = 0, j = 0;
    while (i < a.n && j < b.n) {
        if (a.ids[i] == b.ids[j]) return a.ids[i];
        if (a.ids[i] < b.ids[j])
            ++i;
        else
            ++j;
    }
    return kNoNode;
}

TermStore::TermStore(const EnumConfig& cfg) : d_cfg(cfg) {
    const fingerprint::ShapePlan& plan = d_cfg.plan;
    for (const OpTemplate& t : d_cfg.templates) {
        std::vector<Params> per;
        for (int i = 0; i < plan.num_insts(); ++i)
            per.push_back(is_constant_op(t.op) ? param::shape_list(plan.constant_shape(param::list(t.params), i))
                                               : t.params);
        d_params.push_back(std::move(per));
    }
    for (size_t v = 0; v < plan.symbolic_variables().size(); ++v) {
        ValueRec r;
        r.var = static_cast<int32_t>(v);
        r.flags = kRep;
        r.skey = mix64(0x1a9u + v);
        for (int i = 0; i < plan.num_insts(); ++i) r.type[i] = intern(plan.variables_at(i)[v].type);
        values.push_back(r);
    }
}

TypeId TermStore::intern(const TensorType& t) {
    auto [it, fresh] = d_type_index.try_emplace(type_key(t), static_cast<TypeId>(d_types.size()));
    if (fresh) {
        d_types.push_back(t);
        d_type_hash.push_back(rf::fingerprint::type_hash(t));
        d_type_keys.push_back(it->first);
    }
    return it->second;
}

static uint64_t typing_key(int tmpl, int inst, TypeId a, TypeId b) {
    return (static_cast<uint64_t>(tmpl) << 48) | (static_cast<uint64_t>(inst) << 44) |
           (static_cast<uint64_t>(a & 0x3fffff) << 22) | (b & 0x3fffff);
}

uint32_t TermStore::find_typing(int tmpl, int inst, TypeId a, TypeId b) const {
    auto it = d_typing_index.find(typing_key(tmpl, inst, a, b));
    return it == d_typing_index.end() ? kNoTyping : it->second;
}

Typing TermStore::infer_typing(int tmpl, int inst, TypeId a, TypeId b) const {
    const OpTemplate& t = d_cfg.templates[tmpl];
    Typing ty;
    ty.proto.op = t.op;
    ty.proto.params = d_params[tmpl][inst];
    if (t.arity >= 1) ty.in_types.push_back(d_types[a]);
    if (t.arity >= 2) ty.in_types.push_back(d_types[b]);
    for (int k = 0; k < t.arity; ++k) ty.proto.inputs.push_back(ValueRef{0, 0});
    StrictUnifier u;
    auto outs = try_infer_output_types(t.op, ty.proto.params, ty.in_types, u);
    ty.ok = outs.has_value();
    if (outs) ty.proto.outputs = std::move(*outs);
    return ty;
}

uint32_t TermStore::store_typing(uint64_t key, Typing& ty) {
    if (ty.ok)
        for (size_t k = 0; k < ty.proto.outputs.size() && k < 2; ++k) ty.out[k] = intern(ty.proto.outputs[k]);
    d_typings.push_back(&ty);
    const uint32_t index = static_cast<uint32_t>(d_typings.size() - 1);
    d_typing_index.emplace(key, index);
    return index;
}

uint32_t TermStore::typing_index(int tmpl, int inst, TypeId a, TypeId b) {
    const uint64_t key = typing_key(tmpl, inst, a, b);
    auto it = d_typing_index.find(key);
    if (it != d_typing_index.end()) return it->second;
    Typing& ty = d_typing_blocks.emplace_back(1)[0];
    ty = infer_typing(tmpl, inst, a, b);
    return store_typing(key, ty);
}

void TermStore::prepare_typings(std::span<const TypingKey> keys) {
    // The lookups only read the index, so they run on all threads.
    std::vector<uint64_t> code(keys.size());
    std::vector<uint8_t> known(keys.size());
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < keys.size(); ++i) {
        const TypingKey& k = keys[i];
        code[i] = typing_key(k.tmpl, k.inst, k.a, k.b);
        known[i] = d_typing_index.count(code[i]) > 0;
    }
    BigVector<uint32_t> todo = select_indices<uint32_t>(keys.size(), [&](size_t i) { return !known[i]; });
    // Equal codes are equal keys, so which of them stays does not matter.
    parallel_sort(todo.begin(), todo.end(),
                  [&](uint32_t x, uint32_t y) { return code[x] != code[y] ? code[x] < code[y] : x < y; });
    todo.erase(std::unique(todo.begin(), todo.end(), [&](uint32_t x, uint32_t y) { return code[x] == code[y]; }),
               todo.end());
    if (todo.empty()) return;
    ParallelArray<Typing>& done = d_typing_blocks.emplace_back(todo.size());
#pragma omp parallel for schedule(dynamic, 16)
    for (size_t i = 0; i < todo.size(); ++i) {
        const TypingKey& k = keys[todo[i]];
        done[i] = infer_typing(k.tmpl, k.inst, k.a, k.b);
    }
    // Stored in key order, so type ids do not depend on the threads.
    for (size_t i = 0; i < todo.size(); ++i) store_typing(code[todo[i]], done[i]);
}

uint64_t TermStore::node_key(int tmpl, ValueId a, ValueId b, int arity) const {
    const uint64_t words[3] = {static_cast<uint64_t>(tmpl) + 0x7e3, arity >= 1 ? values[a].skey : 0,
                               arity >= 2 ? values[b].skey : 0};
    return XXH3_64bits(words, sizeof words);
}

void TermStore::cache_point0(ValueId v, ExactTensor t) {
    if (d_cache_slot.size() < values.size()) d_cache_slot.resize(values.size(), UINT32_MAX);
    d_cache_slot[v] = static_cast<uint32_t>(d_cache.size());
    d_cache.push_back(std::move(t));
}

const ExactTensor* TermStore::cached_point0(ValueId v) const {
    if (v >= d_cache_slot.size() || d_cache_slot[v] == UINT32_MAX) return nullptr;
    return &d_cache[d_cache_slot[v]];
}

const ExactTensor* TermStore::eval_rec(ValueId v, int point, Memo& memo, bool use_cache) const {
    if (const ExactTensor* m = memo.find(v)) return m;
    const ValueRec& r = values[v];
    if (r.var >= 0) return &d_cfg.plan.input(r.var, point);
    // A replaced sub-graph may lie below a cached value, so replacement bypasses the cache.
    if (point == 0 && use_cache)
        if (const ExactTensor* c = cached_point0(v)) return c;
    const NodeRec& nd = nodes[r.node];
    const int inst = d_cfg.plan.points()[point].inst;
    std::vector<const ExactTensor*> ptrs(nd.arity);
    for (int k = 0; k < nd.arity; ++k) ptrs[k] = eval_rec(nd.in[k], point, memo, use_cache);
    // The typing was fixed when the node was enumerated (the value is typed at this point).
    const Typing& ty = *d_typings[nd.typing[inst]];
    std::vector<ExactTensor> outs = eval_node_exact(ty.proto, ptrs, ty.in_types, d_cfg.function_seed);
    // Every output goes into the memo: a graph may use both outputs of a split.
    const ExactTensor* mine = nullptr;
    for (size_t k = 0; k < outs.size(); ++k) {
        const ExactTensor* p = memo.put(nd.first_value + static_cast<ValueId>(k), std::move(outs[k]));
        if (k == r.out) mine = p;
    }
    return mine;
}

ExactTensor TermStore::evaluate(ValueId v, int point) const {
    Memo memo;
    return memo.take(eval_rec(v, point, memo, true));
}

FullValues TermStore::full_values(ValueId v) const {
    const auto& pts = d_cfg.plan.points();
    FullValues fv;
    std::vector<uint64_t> hashes;
    for (size_t p = 0; p < pts.size(); ++p) {
        const TypeId t = values[v].type[pts[p].inst];
        fv.types.push_back(t);
        if (t == kIllTyped) {
            fv.status.push_back(static_cast<uint8_t>(fingerprint::PointStatus::IllTyped));
            fv.values.emplace_back();
            hashes.push_back(fingerprint::point_hash(fingerprint::PointStatus::IllTyped));
            continue;
        }
        Memo memo;
        try {
            fv.values.push_back(memo.take(eval_rec(v, static_cast<int>(p), memo, true)));
            fv.status.push_back(static_cast<uint8_t>(fingerprint::PointStatus::Ok));
            hashes.push_back(fingerprint::point_hash(fingerprint::PointStatus::Ok, &fv.values.back(), d_type_hash[t]));
        } catch (const EvalOverflow&) {
            fv.overflow = true;
            fv.values.emplace_back();
            fv.status.push_back(static_cast<uint8_t>(fingerprint::PointStatus::Overflow));
            hashes.push_back(fingerprint::point_hash(fingerprint::PointStatus::Overflow));
        }
    }
    fv.fp = fingerprint::combine_points(hashes, d_cfg.hash_bits);
    return fv;
}

bool TermStore::agree_replacing(std::span<const ValueId> as, std::span<const ValueId> bs, ValueId replaced) const {
    assert(as.size() == bs.size());
    const auto& pts = d_cfg.plan.points();
    for (size_t p = 0; p < pts.size(); ++p) {
        const int inst = pts[p].inst;
        bool typed = false;
        for (size_t k = 0; k < as.size(); ++k) {
            if (values[as[k]].type[inst] != values[bs[k]].type[inst]) return false;
            typed = typed || values[as[k]].type[inst] != kIllTyped;
        }
        if (!typed) continue;
        // One memo per side: each holds at most one side's nodes plus the stand-in.
        Memo ma, mb;
        if (values[replaced].type[inst] != kIllTyped) {
            const size_t slot = static_cast<size_t>(replaced) * pts.size() + p;
            ExactTensor t = slot < d_stand_ins.size() ? d_stand_ins[slot] : stand_in(replaced, static_cast<int>(p));
            mb.put(replaced, t);
            ma.put(replaced, std::move(t));
        }
        try {
            for (size_t k = 0; k < as.size(); ++k) {
                if (values[as[k]].type[inst] == kIllTyped) continue;
                if (*eval_rec(as[k], static_cast<int>(p), ma, false) !=
                    *eval_rec(bs[k], static_cast<int>(p), mb, false))
                    return false;
            }
        } catch (const EvalOverflow&) {
            return false;
        }
    }
    return true;
}

ExactTensor TermStore::stand_in(ValueId v, int point) const {
    std::mt19937_64 rng(mix64(values[v].skey ^ mix64(static_cast<uint64_t>(point) + 0x51)));
    return random_exact(d_types[values[v].type[d_cfg.plan.points()[point].inst]], rng);
}

void TermStore::prepare_stand_ins() {
    // Leaves are size-1 nodes, whose values come right after the inputs.
    ValueId end = 0;
    while (end < values.size() && size(end) <= 1) ++end;
    const size_t npts = d_cfg.plan.points().size();
    d_stand_ins.assign(static_cast<size_t>(end) * npts, ExactTensor{});
#pragma omp parallel for schedule(dynamic, 16)
    for (ValueId v = 0; v < end; ++v)
        for (size_t p = 0; p < npts; ++p)
            if (values[v].type[d_cfg.plan.points()[p].inst] != kIllTyped)
                d_stand_ins[v * npts + p] = stand_in(v, static_cast<int>(p));
}

bool TermStore::same(const FullValues& a, const FullValues& b) {
    if (a.overflow || b.overflow) return false;
    return a.status == b.status && a.types == b.types && a.values == b.values;
}

Graph TermStore::to_graph(const std::vector<ValueId>& outputs) const {
    const int base = d_cfg.plan.base();
    GraphBuilder b(d_cfg.plan.base_variables());
    std::unordered_map<ValueId, ValueRef> built;
    auto build = [&](auto&& self, ValueId v) -> ValueRef {
        auto it = built.find(v);
        if (it != built.end()) return it->second;
        const ValueRec& r = values[v];
        ValueRef ref;
        if (r.var >= 0) {
            ref = b.input(r.var);
        } else {
            const NodeRec& nd = nodes[r.node];
            std::vector<ValueRef> ins;
            for (int k = 0; k < nd.arity; ++k) ins.push_back(self(self, nd.in[k]));
            ref = b.add(d_cfg.templates[nd.tmpl].op, d_params[nd.tmpl][base], ins)[r.out];
        }
        built.emplace(v, ref);
        return ref;
    };
    std::vector<ValueRef> outs;
    for (ValueId v : outputs) outs.push_back(build(build, v));
    return std::move(b).finish(outs);
}

}  // namespace rf::enumerator
