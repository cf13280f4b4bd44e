#include "applier/match.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "ir/rank_generic.h"

namespace rf::applier {

std::string Match::site() const {
    std::string s;
    for (const ValueRef& r : roots) {
        if (!s.empty()) s += "+";
        s += "n" + std::to_string(r.node);
        if (r.output != 0) s += "." + std::to_string(r.output);
    }
    return s;
}

namespace {

constexpr uint32_t kUnset = UINT32_MAX;

/// A partial match: pattern (left-side) node -> model node, variable -> model value.
struct State {
    std::vector<uint32_t> node;     ///< per pattern node; kUnset when not matched yet
    std::vector<ValueRef> binding;  ///< per variable; node == kUnset when unbound
};

class Matcher {
public:
    Matcher(const Graph& g, const Rule& rule) : d_g(g), d_lhs(rule.lhs) {
        for (uint32_t i = 0; i < g.nodes().size(); ++i) d_by_op[static_cast<size_t>(g.node(i).op)].push_back(i);
    }

    /// Every way to make pattern value `pv` denote model value `mv`, extending `s`.
    std::vector<State> unify(const State& s, ValueRef pv, ValueRef mv) const {
        const Node& pn = d_lhs.node(pv.node);
        if (pn.op == OpKind::Input) {
            const int32_t var = param::variable(pn.params);
            const ValueRef bound = s.binding[var];
            if (bound.node != kUnset) return bound == mv ? std::vector<State>{s} : std::vector<State>{};
            if (d_g.type(mv).rank() != d_lhs.variables()[var].type.rank()) return {};
            State t = s;
            t.binding[var] = mv;
            return {t};
        }
        if (pv.output != mv.output) return {};
        if (s.node[pv.node] != kUnset) return s.node[pv.node] == mv.node ? std::vector<State>{s} : std::vector<State>{};
        const Node& mn = d_g.node(mv.node);
        if (mn.op != pn.op || mn.params != pn.params || mn.inputs.size() != pn.inputs.size()) return {};
        State t = s;
        t.node[pv.node] = mv.node;
        std::vector<State> out = unify_operands(t, pn.inputs, mn.inputs);
        if (op_info(pn.op).commutative && pn.inputs.size() == 2 && pn.inputs[0] != pn.inputs[1]) {
            std::vector<ValueRef> swapped{mn.inputs[1], mn.inputs[0]};
            for (State& x : unify_operands(t, pn.inputs, swapped)) out.push_back(std::move(x));
        }
        return out;
    }

    const std::vector<uint32_t>& nodes_with(OpKind op) const { return d_by_op[static_cast<size_t>(op)]; }

private:
    std::vector<State> unify_operands(const State& s, const std::vector<ValueRef>& p,
                                      const std::vector<ValueRef>& m) const {
        std::vector<State> states{s};
        for (size_t i = 0; i < p.size() && !states.empty(); ++i) {
            std::vector<State> next;
            for (const State& st : states)
                for (State& x : unify(st, p[i], m[i])) next.push_back(std::move(x));
            states = std::move(next);
        }
        return states;
    }

    const Graph& d_g;
    const Graph& d_lhs;
    std::vector<std::vector<uint32_t>> d_by_op = std::vector<std::vector<uint32_t>>(kNumOpKinds);
};

/// Solves the rule's shape symbols from the bound values' dimensions: repeatedly takes a
/// dimension with exactly one unknown symbol (coefficient +-1 or dividing evenly) and solves it,
/// then checks every dimension. nullopt when the dimensions contradict one another.
std::optional<std::map<SymbolId, int64_t>> solve_symbols(const Rule& rule, const Graph& g, const State& s) {
    struct Eq {
        const Dim* dim;
        int64_t value;
    };
    std::vector<Eq> eqs;
    const auto& vars = rule.variables();
    for (size_t v = 0; v < vars.size(); ++v) {
        const ValueRef b = s.binding[v];
        if (b.node == kUnset) continue;  // a variable only the right side uses: not possible here
        const TensorType& t = g.type(b);
        for (size_t k = 0; k < t.rank(); ++k) {
            if (!t.dims[k].is_concrete()) return std::nullopt;
            eqs.push_back({&vars[v].type.dims[k], t.dims[k].value()});
        }
    }
    std::map<SymbolId, int64_t> values;
    for (bool progress = true; progress;) {
        progress = false;
        for (const Eq& e : eqs) {
            std::optional<std::pair<SymbolId, int64_t>> unknown;
            int64_t rest = e.dim->constant();
            bool several = false;
            for (const auto& [sym, coef] : e.dim->terms()) {
                auto it = values.find(sym);
                if (it != values.end()) {
                    rest += coef * it->second;
                } else if (unknown) {
                    several = true;
                } else {
                    unknown = {sym, coef};
                }
            }
            if (!unknown || several) continue;
            const int64_t need = e.value - rest;
            if (need % unknown->second != 0) return std::nullopt;
            values[unknown->first] = need / unknown->second;
            progress = true;
        }
    }
    for (const Eq& e : eqs) {
        auto v = e.dim->evaluate(values);
        if (!v || *v != e.value) return std::nullopt;
    }
    for (SymbolId sym : rule.symbols())
        if (!values.count(sym)) return std::nullopt;  // a symbol no bound dimension determines
    return values;
}

/// Model values each model node depends on (transitively), for the cycle check of rules with
/// several outputs: computed lazily, only for the nodes asked about.
bool depends_on(const Graph& g, uint32_t from, const std::set<uint32_t>& targets) {
    if (targets.empty()) return false;
    const uint32_t lowest = *targets.begin();
    std::vector<uint32_t> stack{from};
    std::set<uint32_t> seen;
    while (!stack.empty()) {
        uint32_t n = stack.back();
        stack.pop_back();
        if (targets.count(n)) return true;
        if (n < lowest || !seen.insert(n).second) continue;  // operands precede users
        for (const ValueRef& v : g.node(n).inputs) stack.push_back(v.node);
    }
    return false;
}

/// Completes a structural match into a site, or nullopt when shapes or assumptions fail.
std::optional<Match> finish(const Graph& g, const Rule& rule, const State& s) {
    auto values = solve_symbols(rule, g, s);
    if (!values) return std::nullopt;
    Match m;
    try {
        m.instance = instantiate(rule, *values);
    } catch (const TypeError&) {
        return std::nullopt;
    }
    // The instance must type each matched node exactly as the model does (split boundaries
    // included): the symbols fix the variables' shapes, the operators do the rest.
    const Graph& L = m.instance.lhs;
    // rebuild() keeps node indices (the left side has no equal nodes to merge).
    assert(L.nodes().size() == rule.lhs.nodes().size());
    for (uint32_t i = 0; i < L.nodes().size(); ++i) {
        if (L.node(i).op == OpKind::Input) continue;
        const Node& mn = g.node(s.node[i]);
        for (size_t k = 0; k < mn.outputs.size(); ++k)
            if (!L.node(i).outputs[k].same_shape(mn.outputs[k])) return std::nullopt;
    }
    if (!preconditions_hold(m.instance)) return std::nullopt;  // instantiate() keeps them
    m.bindings = s.binding;
    for (const ValueRef& out : rule.lhs.outputs()) {
        const Node& pn = rule.lhs.node(out.node);
        m.roots.push_back(pn.op == OpKind::Input ? s.binding[param::variable(pn.params)]
                                                 : ValueRef{s.node[out.node], out.output});
    }
    // Two outputs computing one model value would need two replacements for it.
    for (size_t i = 0; i < m.roots.size(); ++i)
        for (size_t j = i + 1; j < m.roots.size(); ++j)
            if (m.roots[i] == m.roots[j]) return std::nullopt;
    for (uint32_t i = 0; i < L.nodes().size(); ++i)
        if (L.node(i).op != OpKind::Input) m.nodes.push_back(s.node[i]);
    std::sort(m.nodes.begin(), m.nodes.end());
    m.nodes.erase(std::unique(m.nodes.begin(), m.nodes.end()), m.nodes.end());
    // With several outputs, a variable may sit below another output's root: the right side
    // would then feed on the value it replaces.
    if (m.roots.size() > 1) {
        std::set<uint32_t> roots;
        for (const ValueRef& r : m.roots) roots.insert(r.node);
        for (const ValueRef& b : m.bindings)
            if (depends_on(g, b.node, roots)) return std::nullopt;
    }
    return m;
}

std::vector<Match> find_matches_at_rank(const Graph& g, const Rule& rule, const MatchOptions& options);

}  // namespace

std::vector<Match> find_matches(const Graph& g, const Rule& rule, const MatchOptions& options) {
    std::vector<Match> out = find_matches_at_rank(g, rule, options);
    // A rank-generic rule (ir/rank_generic.h) holds at every rank: retyped at the model's ranks.
    const RankGenerality generality = rank_generality(rule);
    if (!generality.generic()) return out;
    const size_t own = generality.rank;
    std::set<size_t> ranks;
    for (uint32_t i = 0; i < g.nodes().size(); ++i)
        for (const TensorType& t : g.node(i).outputs)
            if (!t.is_distributed() && t.rank() != own) ranks.insert(t.rank());
    for (size_t r : ranks) {
        if (out.size() >= options.limit) break;
        auto variant = at_rank(rule, r);
        if (!variant) continue;
        MatchOptions o = options;
        o.limit = options.limit - out.size();
        for (Match& m : find_matches_at_rank(g, *variant, o)) out.push_back(std::move(m));
    }
    std::stable_sort(out.begin(), out.end(), [](const Match& a, const Match& b) { return a.roots < b.roots; });
    return out;
}

namespace {

std::vector<Match> find_matches_at_rank(const Graph& g, const Rule& rule, const MatchOptions& options) {
    const Graph& L = rule.lhs;
    std::vector<Match> out;
    if (L.outputs().empty()) return out;
    for (const ValueRef& r : L.outputs())
        if (L.node(r.node).op == OpKind::Input) return out;
    Matcher matcher(g, rule);
    State start;
    start.node.assign(L.nodes().size(), kUnset);
    start.binding.assign(rule.variables().size(), ValueRef{kUnset, 0});

    // Roots one after another: a root not reached from the earlier ones tries every model node
    // with its operator.
    std::vector<State> states{start};
    for (const ValueRef& root : L.outputs()) {
        std::vector<State> next;
        for (const State& s : states) {
            if (s.node[root.node] != kUnset) {
                for (State& x : matcher.unify(s, root, ValueRef{s.node[root.node], root.output}))
                    next.push_back(std::move(x));
                continue;
            }
            for (uint32_t m : matcher.nodes_with(L.node(root.node).op))
                for (State& x : matcher.unify(s, root, ValueRef{m, root.output})) next.push_back(std::move(x));
        }
        states = std::move(next);
    }
    // The same assignment can be reached twice (ewadd(x, x) in both orders).
    std::set<std::pair<std::vector<uint32_t>, std::vector<std::pair<uint32_t, uint32_t>>>> seen;
    for (const State& s : states) {
        std::vector<std::pair<uint32_t, uint32_t>> b;
        for (const ValueRef& v : s.binding) b.emplace_back(v.node, v.output);
        if (!seen.insert({s.node, b}).second) continue;
        if (auto m = finish(g, rule, s)) {
            out.push_back(std::move(*m));
            if (out.size() >= options.limit) break;
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Match& a, const Match& b) { return a.roots < b.roots; });
    return out;
}

}  // namespace

Rule reversed(const Rule& rule) {
    std::vector<bool> used(rule.variables().size(), false);
    std::vector<bool> live(rule.rhs.nodes().size(), false);
    for (const ValueRef& v : rule.rhs.outputs()) live[v.node] = true;
    for (size_t i = rule.rhs.nodes().size(); i-- > 0;) {
        if (!live[i]) continue;
        const Node& n = rule.rhs.node(static_cast<uint32_t>(i));
        if (n.op == OpKind::Input) used[param::variable(n.params)] = true;
        for (const ValueRef& v : n.inputs) live[v.node] = true;
    }
    for (size_t v = 0; v < used.size(); ++v)
        if (!used[v])
            throw std::invalid_argument("rule '" + rule.name + "' cannot be reversed: its right side does not use '" +
                                        rule.variables()[v].name + "'");
    Rule r = rule;
    std::swap(r.lhs, r.rhs);
    return r;
}

}  // namespace rf::applier
