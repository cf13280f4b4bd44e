// Candidate extraction: (member, representative) pairs of every class, single- and two-output,
// with the trivial and redundant ones dropped before any solver sees them:
//  - common outermost operator: the same root operator over operands of equal classes is
//    derivable from the operands' rules (with representative-only growth this cannot happen
//    for single outputs; it is checked, and counted, as a guard);
//  - common sub-graph: both sides contain the same leaf node (an operator on inputs only, or a
//    constant) and the rule still holds with that node replaced by a fresh random tensor: it is
//    an instance of a smaller rule. TASO drops every such pair; that also loses rules such as
//    relu(relu(x)) => relu(x), which do not generalise, so the check here evaluates;
//  - common output: a two-output pair whose sides share an output is a single-output rule;
//  - unbound variable: neither side binds all of the other side's variables;
//  - single rules: a two-output pair with inputs only on one side (split(concat(a, b)) =>
//    (a, b)) says no more than its two single-output rules;
//  - renaming: the same rule up to renaming variables of one role and shape, reordering
//    independent nodes, commuting commutative operands and, for sides of equal size that both
//    bind every variable, exchanging the sides (equation_key).
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>

#include <omp.h>
#include <parallel/algorithm>

#include "enumerator/class_table.h"
#include "enumerator/parallel_scan.h"
#include "enumerator/parallel_sort.h"
#include "enumerator/work_exchange.h"
#include "ir/canonical.h"
#include "ir/graph_rebuild.h"
#include "ir/native_text.h"
#include "support/progress.h"

namespace rf::enumerator {

namespace {

void vars_of(const TermStore& s, ValueId v, std::set<int32_t>& out) {
    const ValueRec& r = s.values[v];
    if (r.var >= 0) {
        out.insert(r.var);
        return;
    }
    const NodeRec& nd = s.nodes[r.node];
    for (int k = 0; k < nd.arity; ++k) vars_of(s, nd.in[k], out);
}

bool is_leaf(const TermStore& s, NodeId n) {
    const NodeRec& nd = s.nodes[n];
    for (int k = 0; k < nd.arity; ++k)
        if (s.values[nd.in[k]].var < 0) return false;
    return true;
}

bool consumes(const TermStore& s, ValueId u1, ValueId u2) {
    const NodeSet& ns = s.node_set(u1);
    for (int k = 0; k < ns.n; ++k) {
        const NodeRec& nd = s.nodes[ns.ids[k]];
        for (int i = 0; i < nd.arity; ++i)
            if (nd.in[i] == u2) return true;
    }
    return false;
}

int union_size(const TermStore& s, std::span<const ValueId> vs) {
    NodeSet acc;
    for (ValueId v : vs)
        if (!merge_sets(acc, s.node_set(v), acc)) return kMaxOps + 1;
    return acc.n;
}

// A renaming-invariant spelling of a value with commutative operands sorted, used to order the
// operands of commutative nodes before canonical printing.
std::string tree_key(const Graph& g, ValueRef v, std::map<std::pair<uint32_t, uint32_t>, std::string>& memo) {
    auto it = memo.find({v.node, v.output});
    if (it != memo.end()) return it->second;
    const Node& n = g.node(v.node);
    std::string k;
    if (n.op == OpKind::Input) {
        const Variable& var = g.variables()[param::variable(n.params)];
        k = std::string(role_name(var.role)) + var.type.to_string();
    } else {
        std::vector<std::string> kids;
        for (const ValueRef& in : n.inputs) kids.push_back(tree_key(g, in, memo));
        if (op_info(n.op).commutative) std::sort(kids.begin(), kids.end());
        k = std::string(op_name(n.op)) + "#" + std::to_string(v.output);
        for (int i = 0; i < kParamSlots; ++i) k += "," + std::to_string(n.params.v[i]);
        k += "(";
        for (const std::string& c : kids) k += c + ";";
        k += ")";
    }
    memo[{v.node, v.output}] = k;
    return k;
}

// Every way to write g with its commutative operands in canonical order: sorted by tree_key,
// and both orders at a node whose two operand keys tie (ewadd(x1, x2) over two inputs of one
// role and shape), since only the renaming decides such an order. The set is the same for every
// commuted or renamed spelling of g, so a minimum over it is a canonical choice.
std::vector<Graph> commute_variants(const Graph& g, bool& unchanged) {
    unchanged = false;
    constexpr size_t kMaxTies = 6;  // 64 variants; enumerated rules have at most kMaxOps nodes
    std::map<std::pair<uint32_t, uint32_t>, std::string> memo;
    std::vector<uint32_t> tied;
    for (uint32_t i = 0; i < g.nodes().size(); ++i) {
        const Node& n = g.node(i);
        if (op_info(n.op).commutative && n.inputs.size() == 2 &&
            tree_key(g, n.inputs[0], memo) == tree_key(g, n.inputs[1], memo))
            tied.push_back(i);
    }
    if (tied.size() > kMaxTies) tied.resize(kMaxTies);
    // Most graphs are already in that order (or have no commutative node): no rebuild then.
    if (tied.empty()) {
        bool sorted = true;
        for (uint32_t i = 0; i < g.nodes().size() && sorted; ++i) {
            const Node& n = g.node(i);
            if (op_info(n.op).commutative && n.inputs.size() == 2)
                sorted = tree_key(g, n.inputs[0], memo) < tree_key(g, n.inputs[1], memo);
        }
        if (sorted) {
            unchanged = true;
            return {g};
        }
    }
    std::vector<Graph> out;
    for (uint32_t mask = 0; mask < (1u << tied.size()); ++mask) {
        RebuildOptions o;
        o.edit = [&](uint32_t old_node, NodeEdit& e) {
            if (!op_info(e.op).commutative) return;
            // Order the operands by the old graph's structure, then take their new references.
            const std::vector<ValueRef>& old_ins = g.node(old_node).inputs;
            std::vector<size_t> idx(old_ins.size());
            for (size_t k = 0; k < idx.size(); ++k) idx[k] = k;
            std::stable_sort(idx.begin(), idx.end(), [&](size_t x, size_t y) {
                return tree_key(g, old_ins[x], memo) < tree_key(g, old_ins[y], memo);
            });
            const auto t = std::find(tied.begin(), tied.end(), old_node);
            if (t != tied.end() && (mask >> (t - tied.begin()) & 1)) std::swap(idx[0], idx[1]);
            std::vector<ValueRef> sorted;
            for (size_t k : idx) sorted.push_back(e.inputs[k]);
            e.inputs = std::move(sorted);
        };
        out.push_back(rebuild(g, g.variables(), o));
    }
    return out;
}

// The key two candidates share exactly when they are one equation up to renaming variables,
// reordering independent nodes, commuting commutative operands, and (where both directions are
// candidates: each side binds the other's variables and they have equal sizes) exchanging the
// sides: the smallest canonical text over all those spellings.
// canonical_text of a rule that is canonical already (canonicalize is idempotent): printing
// only, without the two rebuilds canonicalize costs.
std::string text_of_canonical(const Rule& canonical) {
    Rule c;
    c.lhs = canonical.lhs;
    c.rhs = canonical.rhs;
    c.conditions = canonical.conditions;
    return print_native(c);
}

/// `r` is canonical (canonicalize(r)): where neither side needs commuting, the first spelling
/// is r itself and is printed without canonicalizing again.
std::string equation_key(const Rule& r, bool both_orientations) {
    bool lsame = false, rsame = false;
    const std::vector<Graph> ls = commute_variants(r.lhs, lsame), rs = commute_variants(r.rhs, rsame);
    std::string best;
    for (const Graph& l : ls)
        for (const Graph& rh : rs)
            for (int o = 0; o < (both_orientations ? 2 : 1); ++o) {
                std::string t;
                if (o == 0 && lsame && rsame) {
                    t = text_of_canonical(r);
                } else {
                    Rule v;
                    v.lhs = o ? rh : l;
                    v.rhs = o ? l : rh;
                    t = canonical_text(v);
                }
                if (best.empty() || t < best) best = std::move(t);
            }
    return best;
}

// The outputs of one side: one or two values, inline (a pending pair is built for every class
// member and two-output graph, ~0.8 M at size 3: no allocation per pair).
struct Outputs {
    ValueId v[2] = {0, 0};
    uint8_t n = 0;
    Outputs() = default;
    explicit Outputs(ValueId a) : v{a, 0}, n(1) {}
    Outputs(ValueId a, ValueId b) : v{a, b}, n(2) {}
    const ValueId* begin() const { return v; }
    const ValueId* end() const { return v + n; }
    size_t size() const { return n; }
    ValueId operator[](size_t i) const { return v[i]; }
    std::span<const ValueId> span() const { return {v, n}; }
    std::vector<ValueId> vec() const { return {begin(), end()}; }
};

struct Pending {
    Outputs member, rep;  ///< in corresponding order
    int level = 0;
    // filled by the check
    uint8_t verdict = 0;  ///< a Verdict
    bool swap = false;
    bool both_bind = false;  ///< each side binds every variable of the other
    int64_t cls = -1;        ///< the class of a single-output pair
    /// Only for a pair that passed the checks (a few percent of them): its equation key, and its
    /// rule once built. Kept out of line so that the ~0.8 M pending pairs at size 3 stay small.
    struct Kept {
        std::string key;
        std::optional<Candidate> cand;
    };
    std::unique_ptr<Kept> kept;
};
static_assert(sizeof(Pending) <= 48, "a pending pair is one of ~0.8 M at size 3");

enum Verdict { kKeep, kOuter, kSubgraph, kOutput, kUnbound, kSingles };

void build_candidate(const TermStore& s, Pending& p, bool with_key);

void check(const TermStore& s, Pending& p) {
    // Common output (two-output pairs).
    for (ValueId a : p.member)
        for (ValueId b : p.rep)
            if (a == b) {
                p.verdict = kOutput;
                return;
            }
    if (p.member.size() > 1 && (union_size(s, p.rep.span()) == 0 || union_size(s, p.member.span()) == 0)) {
        p.verdict = kSingles;
        return;
    }
    // Common outermost operator.
    if (p.member.size() == 1) {
        const ValueRec &a = s.values[p.member[0]], &b = s.values[p.rep[0]];
        if (a.node != kNoNode && b.node != kNoNode) {
            const NodeRec &na = s.nodes[a.node], &nb = s.nodes[b.node];
            bool same = na.tmpl == nb.tmpl && a.out == b.out;
            for (int k = 0; same && k < na.arity; ++k) same = s.values[na.in[k]].cls == s.values[nb.in[k]].cls;
            if (same) {
                p.verdict = kOuter;
                return;
            }
        }
    }
    // Common leaf sub-graph that the rule generalises over.
    NodeSet ma, ra;
    for (ValueId v : p.member) merge_sets(ma, s.node_set(v), ma);
    for (ValueId v : p.rep) merge_sets(ra, s.node_set(v), ra);
    for (int i = 0; i < ma.n; ++i) {
        const NodeId n = ma.ids[i];
        if (!ra.contains(n) || !is_leaf(s, n)) continue;
        const ValueId leaf = s.nodes[n].first_value;
        if (s.agree_replacing(p.member.span(), p.rep.span(), leaf)) {
            p.verdict = kSubgraph;
            return;
        }
    }
    std::set<int32_t> mv, rv;
    for (ValueId v : p.member) vars_of(s, v, mv);
    for (ValueId v : p.rep) vars_of(s, v, rv);
    const bool fwd = std::includes(mv.begin(), mv.end(), rv.begin(), rv.end());
    const bool bwd = std::includes(rv.begin(), rv.end(), mv.begin(), mv.end());
    if (!fwd && !bwd) {
        p.verdict = kUnbound;
        return;
    }
    p.swap = !fwd;
    p.both_bind = fwd && bwd;
    build_candidate(s, p, true);
    // Only the key is needed until the renamings are dropped: the rule is built again for the
    // pairs that stay (a third at size 3), instead of every kept pair's rule held meanwhile.
    p.kept->cand.reset();
}

// The rule of a kept pair, canonical and oriented, with (`with_key`) its equation key.
void build_candidate(const TermStore& s, Pending& p, bool with_key) {
    const std::vector<ValueId> lhs = (p.swap ? p.rep : p.member).vec(), rhs = (p.swap ? p.member : p.rep).vec();
    Rule r;
    r.lhs = s.to_graph(lhs);
    r.rhs = s.to_graph(rhs);
    if (!p.kept) p.kept = std::make_unique<Pending::Kept>();
    Candidate& c = p.kept->cand.emplace();
    c.num_outputs = static_cast<int>(p.member.size());
    c.lhs_size = union_size(s, lhs);
    c.rhs_size = union_size(s, rhs);
    const bool both = p.both_bind && c.lhs_size == c.rhs_size;
    c.rule = canonicalize(r);
    if (with_key) p.kept->key = equation_key(c.rule, both);  // the same for any renaming of r
    if (both) {
        // Either side may be the left one: take the smaller canonical text, as ruledb does, so
        // that which duplicate came first does not decide the direction printed.
        Rule flipped;
        flipped.lhs = std::move(r.rhs);
        flipped.rhs = std::move(r.lhs);
        Rule f = canonicalize(flipped);
        if (text_of_canonical(f) < text_of_canonical(c.rule)) {
            c.rule = std::move(f);
            std::swap(c.lhs_size, c.rhs_size);
        }
    }
}

struct PairRec {
    uint32_t c1, c2;
    ValueId u1, u2;
    int size;
    uint64_t skey;
};

// One thread's two-output graphs, in blocks of 64 Ki: a vector that doubled as it grew held up
// to twice its ~17 M records a thread at size 4 (about 1 GB more at the peak of the phase).
struct PairBlocks {
    static constexpr size_t kBlock = size_t{1} << 16;
    std::vector<std::vector<PairRec>> blocks;
    void push_back(const PairRec& p) {
        if (blocks.empty() || blocks.back().size() == kBlock) blocks.emplace_back().reserve(kBlock);
        blocks.back().push_back(p);
    }
};

// The two-output graphs of one pair of classes: pairs[begin, end), with their representative.
struct PairGroup {
    size_t begin, end;
    Outputs rep;
    int rep_size = 0;  ///< independent: the representatives' sizes summed
    bool independent = false;
    size_t first = 0;  ///< where its pending pairs start in the pending list
    size_t count() const { return end - begin - (independent ? 0 : 1); }
};

struct PairPlan {
    BigVector<PairRec> pairs;
    BigVector<PairGroup> groups;
    size_t total = 0;  ///< pending pairs
};

// Two-output graphs: both outputs of a split, or two graphs sharing an operator node with
// neither output consumed; grouped by their pair of classes. Each group also gets the pair of
// the two classes' representatives when those share no operator node (the "independent" form a
// shared computation replaces); the group's representative is that pair if present, else its
// smallest member. Counts pair graphs per level.
PairPlan plan_pairs(const TermStore& s, const ClassTable& t, std::vector<LevelStats>& levels) {
    const int max_ops = s.config().max_ops;
    auto add = [&](PairBlocks& pairs, ValueId u1, ValueId u2) {
        const ValueRec &a = s.values[u1], &b = s.values[u2];
        if ((a.flags | b.flags) & kOverflow || a.cls == b.cls) return;
        if (consumes(s, u1, u2) || consumes(s, u2, u1)) return;
        const int size = union_size(s, Outputs(u1, u2).span());
        if (size > max_ops) return;
        if (a.cls > b.cls) std::swap(u1, u2);
        pairs.push_back({s.values[u1].cls, s.values[u2].cls, u1, u2, size,
                         s.values[u1].skey * 0x9e3779b97f4a7c15ULL ^ s.values[u2].skey});
    };
    // Node id -> the graphs below the bound that contain it. Node ids grow level by level, so
    // these graphs' nodes are a prefix of the ids: the list stops there (one empty vector per
    // node of the last level was 0.6 GB at size 4).
    std::vector<std::vector<ValueId>> containing;
    for (ValueId v = 0; v < s.values.size(); ++v) {
        const int sz = s.size(v);
        if (sz == 0 || sz >= max_ops || (s.values[v].flags & kOverflow)) continue;
        const NodeSet& ns = s.node_set(v);
        if (ns.ids[ns.n - 1] >= containing.size()) containing.resize(ns.ids[ns.n - 1] + size_t{1});
        for (int k = 0; k < ns.n; ++k) containing[ns.ids[k]].push_back(v);
    }
    // Per-thread lists, merged and sorted below: the order does not depend on the threads.
    std::vector<PairBlocks> local(omp_get_max_threads());
#pragma omp parallel for schedule(dynamic, 1024)
    for (ValueId u1 = 0; u1 < s.values.size(); ++u1) {
        const int sz = s.size(u1);
        if (sz == 0) continue;
        PairBlocks& mine = local[omp_get_thread_num()];
        const NodeSet& ns = s.node_set(u1);
        if (sz == max_ops) {
            // A graph at the bound can only pair with an unconsumed sibling output inside it.
            for (int k = 0; k < ns.n; ++k) {
                const NodeRec& nd = s.nodes[ns.ids[k]];
                for (int o = 0; o < nd.num_outputs; ++o) {
                    const ValueId w = nd.first_value + o;
                    if (w != u1 && (ns.ids[k] != s.values[u1].node || w > u1)) add(mine, u1, w);
                }
            }
            continue;
        }
        for (int k = 0; k < ns.n; ++k) {
            if (ns.ids[k] >= containing.size()) continue;  // past the prefix (an overflowed graph's)
            for (ValueId u2 : containing[ns.ids[k]])
                if (u2 > u1 && first_shared(ns, s.node_set(u2)) == ns.ids[k]) add(mine, u1, u2);
        }
    }
    std::vector<std::vector<ValueId>>().swap(containing);
    PairPlan plan;
    BigVector<PairRec>& pairs = plan.pairs;
    // Merged block by block, counted and split into groups on all threads (the offsets of the
    // few blocks need no parallel scan).
    std::vector<std::vector<PairRec>*> blocks;
    for (PairBlocks& l : local)
        for (std::vector<PairRec>& b : l.blocks) blocks.push_back(&b);
    std::vector<size_t> at(blocks.size() + 1, 0);
    for (size_t b = 0; b < blocks.size(); ++b) at[b + 1] = at[b] + blocks[b]->size();
    resize_exact(pairs, at.back());
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t b = 0; b < blocks.size(); ++b) {
        std::copy(blocks[b]->begin(), blocks[b]->end(), pairs.begin() + static_cast<ptrdiff_t>(at[b]));
        std::vector<PairRec>().swap(*blocks[b]);
    }
    for (const PairRec& p : pairs) ++levels[p.size - 1].pair_graphs;
    parallel_sort(pairs.begin(), pairs.end(), [](const PairRec& x, const PairRec& y) {
        return std::tie(x.c1, x.c2, x.size, x.skey, x.u1, x.u2) < std::tie(y.c1, y.c2, y.size, y.skey, y.u1, y.u2);
    });
    const BigVector<size_t> starts = select_indices<size_t>(pairs.size(), [&](size_t k) {
        return k == 0 || pairs[k].c1 != pairs[k - 1].c1 || pairs[k].c2 != pairs[k - 1].c2;
    });
    auto end_of = [&](size_t gi) { return gi + 1 < starts.size() ? starts[gi + 1] : pairs.size(); };
    auto independent = [&](const PairRec& head) {
        const ValueId r1 = t.classes[head.c1].rep, r2 = t.classes[head.c2].rep;
        return first_shared(s.node_set(r1), s.node_set(r2)) == kNoNode && s.size(r1) + s.size(r2) <= max_ops;
    };
    // Only the groups with a pending pair are kept: a single two-output graph whose classes'
    // representatives share a node is its own representative (at size 4 most of the 30 M groups;
    // 48 bytes each, 1.4 GB, at the candidate phase's peak). The order is unchanged.
    const BigVector<size_t> useful = select_indices<size_t>(
        starts.size(), [&](size_t gi) { return end_of(gi) - starts[gi] > 1 || independent(pairs[starts[gi]]); });
    resize_exact(plan.groups, useful.size());
#pragma omp parallel for schedule(dynamic, 1024)
    for (size_t j = 0; j < plan.groups.size(); ++j) {
        PairGroup& g = plan.groups[j];
        const size_t gi = useful[j];
        g.begin = starts[gi];
        g.end = end_of(gi);
        const PairRec& head = pairs[g.begin];
        const ValueId r1 = t.classes[head.c1].rep, r2 = t.classes[head.c2].rep;
        g.independent = independent(head);
        g.rep = g.independent ? Outputs(r1, r2) : Outputs(head.u1, head.u2);
        g.rep_size = g.independent ? s.size(r1) + s.size(r2) : head.size;
    }
    const BigVector<size_t> first =
        exclusive_scan(plan.groups.size(), size_t{0}, [&](size_t gi) { return plan.groups[gi].count(); });
#pragma omp parallel for schedule(static)
    for (size_t gi = 0; gi < plan.groups.size(); ++gi) plan.groups[gi].first = first[gi];
    plan.total = first.back();
    return plan;
}

// The pending pairs of the plan's groups, into out[0, plan.total).
void fill_pairs(const PairPlan& plan, Pending* out) {
#pragma omp parallel for schedule(dynamic, 1024)
    for (size_t gi = 0; gi < plan.groups.size(); ++gi) {
        const PairGroup& g = plan.groups[gi];
        Pending* p = out + g.first;
        for (size_t k = g.begin + (g.independent ? 0 : 1); k < g.end; ++k, ++p) {
            const PairRec& r = plan.pairs[k];
            p->member = Outputs(r.u1, r.u2);
            p->rep = g.rep;
            p->level = std::max(r.size, g.rep_size);
        }
    }
}

// The candidates of the pairs that stay, in their order, named r0, r1, ...
std::vector<Candidate> build_kept(const TermStore& s, std::vector<Pending>& stay, std::vector<LevelStats>& levels) {
#pragma omp parallel for schedule(dynamic, 16)
    for (size_t j = 0; j < stay.size(); ++j)
        if (!stay[j].kept->cand) build_candidate(s, stay[j], false);
    std::vector<Candidate> out;
    out.reserve(stay.size());
    for (Pending& p : stay) {
        ++levels[std::max(p.level, 1) - 1].candidates;
        Candidate& c = *p.kept->cand;
        c.rule.name = "r" + std::to_string(out.size());
        c.class_index = p.cls;
        out.push_back(std::move(c));
        p.kept.reset();
    }
    return out;
}

}  // namespace

std::vector<Candidate> extract_candidates(const TermStore& s, const ClassTable& t, std::vector<LevelStats>& levels,
                                          int /*threads*/) {
    // One pending pair per class member (against its representative) and per two-output graph,
    // in this order; the slots are filled on all threads.
    const BigVector<size_t> first_of =
        exclusive_scan(t.classes.size(), size_t{0}, [&](size_t ci) { return size_t{t.classes[ci].num_members}; });
    const size_t singles = first_of.back();
    PairPlan plan;
    if (s.config().max_outputs >= 2) plan = plan_pairs(s, t, levels);
    std::optional<ParallelArray<Pending>> pend_held(std::in_place, singles + plan.total);
    ParallelArray<Pending>& pend = *pend_held;
#pragma omp parallel for schedule(dynamic, 1024)
    for (size_t ci = 0; ci < t.classes.size(); ++ci) {
        const ClassRec& c = t.classes[ci];
        size_t j = 0;
        c.for_each_member(s.values, [&](ValueId m) {
            Pending& p = pend[first_of[ci] + j++];
            p.member = Outputs(m);
            p.rep = Outputs(c.rep);
            p.cls = static_cast<int64_t>(ci);
            p.level = std::max(s.size(m), s.size(c.rep));
        });
    }
    fill_pairs(plan, pend.data() + singles);
    plan = PairPlan();
    support::Progress progress(s.config().progress);
    // Cooperating processes (work_exchange.h) check every P-th pair, then exchange verdicts
    // and keys; each builds the rules of the kept candidates it did not check.
    WorkExchange* const ex = s.config().exchange;
    const size_t ranks = ex ? static_cast<size_t>(ex->size()) : 1, me = ex ? static_cast<size_t>(ex->rank()) : 0;
    progress.start(static_cast<int>(levels.size()), "candidates", pend.size(), "pairs checked");
#pragma omp parallel for schedule(dynamic, 16)
    for (size_t i = 0; i < pend.size(); ++i) {
        if (i % ranks != me) continue;
        check(s, pend[i]);
        progress.tick();
    }
    progress.finish();
    if (ranks > 1) {
        ByteWriter w;
        for (size_t i = me; i < pend.size(); i += ranks) {
            const Pending& p = pend[i];
            w.put<uint8_t>(static_cast<uint8_t>(p.verdict));
            if (p.verdict != kKeep) continue;
            w.put<uint8_t>(p.swap);
            w.put<uint8_t>(p.both_bind);
            w.put_string(p.kept->key);
        }
        const auto all = ex->allgather(w.bytes(), "enumerate candidates");
        for (size_t r = 0; r < ranks; ++r) {
            if (r == me) continue;
            ByteReader rd(all[r]);
            for (size_t i = r; i < pend.size(); i += ranks) {
                Pending& p = pend[i];
                p.verdict = rd.get<uint8_t>();
                if (p.verdict != kKeep) continue;
                p.swap = rd.get<uint8_t>() != 0;
                p.both_bind = rd.get<uint8_t>() != 0;
                p.kept = std::make_unique<Pending::Kept>();
                p.kept->key = rd.get_string();
            }
        }
    }
    // Deterministic order: by canonical text, then the level-ordered position (for ties, the
    // first is kept and the others count as renamings).
    // The drops are counted per level and verdict, and the kept pairs listed, on all threads.
    constexpr size_t kVerdicts = kSingles + 1;
    const size_t slots = levels.size() * kVerdicts;
    std::vector<uint64_t> by_verdict(slots, 0);
    uint64_t* const counts = by_verdict.data();
#pragma omp parallel for schedule(static) reduction(+ : counts[:slots])
    for (size_t i = 0; i < pend.size(); ++i)
        ++counts[static_cast<size_t>(std::max(pend[i].level, 1) - 1) * kVerdicts + pend[i].verdict];
    for (size_t l = 0; l < levels.size(); ++l) {
        DropCounts& d = levels[l].drops;
        d.common_outermost_op += counts[l * kVerdicts + kOuter];
        d.common_subgraph += counts[l * kVerdicts + kSubgraph];
        d.common_output += counts[l * kVerdicts + kOutput];
        d.unbound_variable += counts[l * kVerdicts + kUnbound];
        d.single_rules += counts[l * kVerdicts + kSingles];
    }
    BigVector<size_t> order = select_indices<size_t>(pend.size(), [&](size_t i) { return pend[i].verdict == kKeep; });
    __gnu_parallel::stable_sort(order.begin(), order.end(),
                                [&](size_t a, size_t b) { return pend[a].kept->key < pend[b].kept->key; });
    std::vector<size_t> kept;  // positions in `order`
    for (size_t k = 0; k < order.size(); ++k) {
        if (k > 0 && pend[order[k - 1]].kept->key == pend[order[k]].kept->key)
            ++levels[std::max(pend[order[k]].level, 1) - 1].drops.renaming;
        else
            kept.push_back(k);
    }
    // The pairs that stay, moved out in order; the others (7.6 M at size 4, 0.36 GB) and their
    // keys released on every thread (serially, a tenth of a second at size 3) before the rules
    // are built, which would otherwise be held beside them.
    std::vector<Pending> stay(kept.size());
#pragma omp parallel for schedule(static, 256)
    for (size_t j = 0; j < kept.size(); ++j) stay[j] = std::move(pend[order[kept[j]]]);
    BigVector<size_t>().swap(order);
    pend_held.reset();  // destroyed on all threads (ParallelArray)
    return build_kept(s, stay, levels);
}

}  // namespace rf::enumerator
