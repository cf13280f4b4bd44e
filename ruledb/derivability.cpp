#include "ruledb/derivability.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "ir/native_text.h"

namespace rf::ruledb {

namespace {

std::set<int32_t> used_variables(const Graph& g) {
    std::set<int32_t> vars;
    for (const Node& n : g.nodes())
        if (n.op == OpKind::Input) vars.insert(param::variable(n.params));
    return vars;
}

// One usable direction of a rule: `from` rewrites to `to`.
struct Rewrite {
    const Graph* from;
    const Graph* to;
    size_t rule;
};

struct Binding {
    std::vector<std::optional<ValueRef>> var;  ///< rule variable -> target value
    std::map<SymbolId, Dim> sym;               ///< rule shape symbol -> target dimension
};

// A rule variable's shape against a target value's: plain symbols bind (consistently), other
// dimensions must evaluate to the target's. Anything undecidable here fails: "no match" only
// loses a rewrite, a wrong match would make a derivation unsound.
bool bind_type(const TensorType& pattern, const TensorType& target, Binding& b) {
    if (pattern.rank() != target.rank()) return false;
    for (size_t k = 0; k < pattern.rank(); ++k) {
        const Dim& pd = pattern.dims[k];
        const Dim& td = target.dims[k];
        const auto& terms = pd.terms();
        if (terms.size() == 1 && terms[0].second == 1 && pd.constant() == 0) {
            auto [it, inserted] = b.sym.try_emplace(terms[0].first, td);
            if (!inserted && it->second != td) return false;
            continue;
        }
        Dim value(pd.constant());
        for (const auto& [s, coef] : terms) {
            auto it = b.sym.find(s);
            if (it == b.sym.end()) return false;
            value = value + it->second.scaled(coef);
        }
        if (value != td) return false;
    }
    return true;
}

bool match(const Graph& p, const std::vector<Variable>& vars, ValueRef pv, const Graph& t, ValueRef tv, Binding& b) {
    const Node& pn = p.node(pv.node);
    if (pn.op == OpKind::Input) {
        int32_t v = param::variable(pn.params);
        if (b.var[v]) return *b.var[v] == tv;
        if (!bind_type(vars[v].type, t.type(tv), b)) return false;
        b.var[v] = tv;
        return true;
    }
    const Node& tn = t.node(tv.node);
    if (tn.op != pn.op || tn.params != pn.params || pv.output != tv.output || tn.inputs.size() != pn.inputs.size())
        return false;
    // Commutative operands match in either order (ewadd and ewmul commute, an axiom): the
    // enumerator keeps one spelling of each rule up to commuting, so derivations must see the
    // others.
    if (op_info(pn.op).commutative && pn.inputs.size() == 2) {
        const Binding saved = b;
        if (match(p, vars, pn.inputs[0], t, tn.inputs[0], b) && match(p, vars, pn.inputs[1], t, tn.inputs[1], b))
            return true;
        b = saved;
        return match(p, vars, pn.inputs[0], t, tn.inputs[1], b) && match(p, vars, pn.inputs[1], t, tn.inputs[0], b);
    }
    for (size_t i = 0; i < pn.inputs.size(); ++i)
        if (!match(p, vars, pn.inputs[i], t, tn.inputs[i], b)) return false;
    return true;
}

struct Cycle {};

// Rebuilds `t` with each root replaced by the matching output of `to` (its variables read
// through the binding). Throws TypeError for an ill-typed result and Cycle when a root would
// feed itself; returns nullopt when a replacement's type differs from the value it replaces.
class Rebuild {
public:
    Rebuild(const Graph& t, const std::vector<ValueRef>& roots, const Graph& to, const Binding& b)
        : d_t(t),
          d_roots(roots),
          d_to(to),
          d_b(b),
          d_builder(t.variables()),
          d_done(t.nodes().size()),
          d_busy(t.nodes().size(), 0),
          d_to_done(to.nodes().size()) {}

    std::optional<Graph> run() {
        std::vector<ValueRef> outs;
        for (const ValueRef& v : d_t.outputs()) outs.push_back(target(v));
        if (d_type_changed) return std::nullopt;
        return std::move(d_builder).finish(outs);
    }

private:
    ValueRef target(ValueRef v) {
        for (size_t k = 0; k < d_roots.size(); ++k)
            if (d_roots[k] == v) {
                if (d_busy[v.node]) throw Cycle{};
                d_busy[v.node] = 1;
                ValueRef r = rhs(d_to.outputs()[k]);
                d_busy[v.node] = 0;
                if (!(d_builder.type(r) == d_t.type(v))) d_type_changed = true;
                return r;
            }
        if (!d_done[v.node].empty()) return d_done[v.node][v.output];
        if (d_busy[v.node]) throw Cycle{};
        d_busy[v.node] = 1;
        const Node& n = d_t.node(v.node);
        if (n.op == OpKind::Input) {
            d_done[v.node] = {d_builder.input(param::variable(n.params))};
        } else {
            std::vector<ValueRef> ins;
            for (const ValueRef& in : n.inputs) ins.push_back(target(in));
            d_done[v.node] = d_builder.add(n.op, n.params, ins);
        }
        d_busy[v.node] = 0;
        return d_done[v.node][v.output];
    }

    ValueRef rhs(ValueRef q) {
        const Node& n = d_to.node(q.node);
        if (n.op == OpKind::Input) return target(*d_b.var[param::variable(n.params)]);
        if (d_to_done[q.node].empty()) {
            std::vector<ValueRef> ins;
            for (const ValueRef& in : n.inputs) ins.push_back(rhs(in));
            d_to_done[q.node] = d_builder.add(n.op, n.params, ins);
        }
        return d_to_done[q.node][q.output];
    }

    const Graph& d_t;
    const std::vector<ValueRef>& d_roots;
    const Graph& d_to;
    const Binding& d_b;
    GraphBuilder d_builder;
    std::vector<std::vector<ValueRef>> d_done;
    std::vector<char> d_busy;
    std::vector<std::vector<ValueRef>> d_to_done;
    bool d_type_changed = false;
};

// Every graph one application of `rw` to `t` gives (rule variables come from `vars`).
void apply(const Rewrite& rw, const std::vector<Variable>& vars, const Graph& t, std::vector<Graph>& out) {
    std::vector<ValueRef> values;
    for (uint32_t i = 0; i < t.nodes().size(); ++i)
        if (t.node(i).op != OpKind::Input)
            for (uint32_t o = 0; o < t.node(i).outputs.size(); ++o) values.push_back({i, o});
    const auto& pouts = rw.from->outputs();
    std::vector<ValueRef> roots(pouts.size());
    // Depth-first over the choice of a target value per pattern output.
    auto search = [&](auto&& self, size_t k, const Binding& b) -> void {
        if (k == pouts.size()) {
            try {
                if (auto g = Rebuild(t, roots, *rw.to, b).run()) out.push_back(std::move(*g));
            } catch (const TypeError&) {
            } catch (const Cycle&) {
            }
            return;
        }
        for (const ValueRef& v : values) {
            Binding nb = b;
            if (!match(*rw.from, vars, pouts[k], t, v, nb)) continue;
            roots[k] = v;
            self(self, k + 1, nb);
        }
    };
    Binding b;
    b.var.resize(vars.size());
    search(search, 0, b);
}

}  // namespace

namespace {

// The term a value computes, written out as a tree (variables by identity, commutative operands
// sorted): what orders commutative operands in term_key.
const std::string& subterm(const Graph& g, ValueRef v, std::map<std::pair<uint32_t, uint32_t>, std::string>& memo) {
    auto it = memo.find({v.node, v.output});
    if (it != memo.end()) return it->second;
    const Node& n = g.node(v.node);
    std::string s;
    if (n.op == OpKind::Input) {
        s = "v" + std::to_string(param::variable(n.params));
    } else {
        std::vector<std::string> kids;
        for (const ValueRef& in : n.inputs) kids.push_back(subterm(g, in, memo));
        if (op_info(n.op).commutative) std::sort(kids.begin(), kids.end());
        s = std::string(op_name(n.op)) + print_native_params(n.op, n.params) + "." + std::to_string(v.output) + "(";
        for (const std::string& k : kids) s += k + ",";
        s += ")";
    }
    return memo.emplace(std::make_pair(v.node, v.output), std::move(s)).first->second;
}

}  // namespace

std::string context_kind(const Rule& r) {
    std::map<std::pair<uint32_t, uint32_t>, std::string> lm, rm;
    const auto& lo = r.lhs.outputs();
    const auto& ro = r.rhs.outputs();
    bool outer = !lo.empty() && lo.size() == ro.size();
    for (size_t k = 0; outer && k < lo.size(); ++k) {
        const Node &a = r.lhs.node(lo[k].node), &b = r.rhs.node(ro[k].node);
        outer = a.op != OpKind::Input && a.op == b.op && a.params == b.params && lo[k].output == ro[k].output &&
                a.inputs.size() == b.inputs.size();
        bool shared = false;
        for (size_t i = 0; outer && i < a.inputs.size(); ++i)
            shared |= subterm(r.lhs, a.inputs[i], lm) == subterm(r.rhs, b.inputs[i], rm);
        outer = outer && shared;
    }
    return outer ? "common outer operator" : "";
}

std::string term_key(const Graph& g) {
    std::map<std::pair<uint32_t, uint32_t>, std::string> memo;
    // Operands in visiting order: commutative ones sorted by the term they compute, so graphs
    // equal up to commuting get one key.
    auto operands = [&](const Node& n) {
        std::vector<ValueRef> ins = n.inputs;
        if (op_info(n.op).commutative)
            std::stable_sort(ins.begin(), ins.end(),
                             [&](ValueRef a, ValueRef b) { return subterm(g, a, memo) < subterm(g, b, memo); });
        return ins;
    };
    std::vector<int> number(g.nodes().size(), -1);
    std::string key;
    int next = 0;
    auto ref = [&](ValueRef v) {
        const Node& n = g.node(v.node);
        if (n.op == OpKind::Input) return "v" + std::to_string(param::variable(n.params));
        return "%" + std::to_string(number[v.node]) + (n.outputs.size() > 1 ? "." + std::to_string(v.output) : "");
    };
    // Post-order from the outputs, operands left to right: independent of the node vector's order.
    auto visit = [&](auto&& self, uint32_t i) -> void {
        if (number[i] >= 0 || g.node(i).op == OpKind::Input) return;
        const std::vector<ValueRef> ins = operands(g.node(i));
        for (const ValueRef& in : ins) self(self, in.node);
        number[i] = next++;
        const Node& n = g.node(i);
        key += "%" + std::to_string(number[i]) + "=" + op_name(n.op) + print_native_params(n.op, n.params) + "(";
        for (size_t k = 0; k < ins.size(); ++k) key += (k ? "," : "") + ref(ins[k]);
        key += ");";
    };
    for (const ValueRef& v : g.outputs()) visit(visit, v.node);
    key += "out";
    for (const ValueRef& v : g.outputs()) key += " " + ref(v);
    return key;
}

namespace {

std::bitset<kNumOpKinds> operators_of(const Graph& g) {
    std::bitset<kNumOpKinds> ops;
    for (const Node& n : g.nodes())
        if (n.op != OpKind::Input) ops.set(static_cast<size_t>(n.op));
    return ops;
}

}  // namespace

void DerivationRules::add(const Rule& rule, size_t index) {
    for (bool forward : {true, false}) {
        const Graph& from = forward ? rule.lhs : rule.rhs;
        const Graph& to = forward ? rule.rhs : rule.lhs;
        auto fv = used_variables(from), tv = used_variables(to);
        if (!std::includes(fv.begin(), fv.end(), tv.begin(), tv.end())) continue;
        // A bare variable as pattern matches everything and only grows graphs.
        bool bare = false;
        for (const ValueRef& o : from.outputs()) bare = bare || from.node(o.node).op == OpKind::Input;
        if (!bare) d_directions.push_back({index, forward, operators_of(from)});
    }
}

Derivation derive(const Rule& target, const std::vector<Rule>& rules, const DeriveBudget& budget) {
    DerivationRules prepared;
    for (size_t i = 0; i < rules.size(); ++i) prepared.add(rules[i], i);
    return derive(target, rules, prepared, budget);
}

Derivation derive(const Rule& target, const std::vector<Rule>& rules, const DerivationRules& prepared,
                  const DeriveBudget& budget) {
    std::vector<Rewrite> rewrites;
    std::vector<const std::bitset<kNumOpKinds>*> needs;
    for (const DerivationRules::Direction& dir : prepared.directions()) {
        const Rule& r = rules[dir.rule];
        rewrites.push_back({dir.forward ? &r.lhs : &r.rhs, dir.forward ? &r.rhs : &r.lhs, dir.rule});
        needs.push_back(&dir.ops);
    }
    // Meet in the middle: breadth-first from both sides, always growing the smaller frontier, so
    // a derivation of n steps costs two searches of about n/2 steps. A step taken from the right
    // side is an equality like any other (a rule read backwards), so a chain that meets in the
    // middle is a sound derivation left = ... = middle = ... = right.
    Derivation d;
    const int max_ops = std::max(target.lhs.num_ops(), target.rhs.num_ops()) + budget.max_extra_ops;
    struct State {
        Graph g;
        std::vector<size_t> path;  ///< rules applied from this side's start
    };
    struct Side {
        std::vector<State> frontier;
        std::unordered_map<std::string, std::vector<size_t>> seen;  ///< key -> path from the start
        int depth = 0;
        bool exhausted = false;  ///< no rewrite applies to the frontier any more
        bool capped = false;     ///< this side used its half of the state budget
    };
    Side sides[2];
    sides[0].frontier = {{target.lhs, {}}};
    sides[0].seen[term_key(target.lhs)] = {};
    sides[1].frontier = {{target.rhs, {}}};
    sides[1].seen[term_key(target.rhs)] = {};
    d.states = sides[0].seen.size() + sides[1].seen.size() - 1;
    auto meet = [&](const std::vector<size_t>& from_left, const std::vector<size_t>& from_right) {
        d.derivable = true;
        d.rules_used = from_left;
        d.rules_used.insert(d.rules_used.end(), from_right.rbegin(), from_right.rend());
        d.steps = static_cast<int>(d.rules_used.size());
        d.stopped_by = "found";
    };
    if (sides[1].seen.count(term_key(target.lhs))) {
        meet({}, {});
        return d;
    }
    while (sides[0].depth + sides[1].depth < budget.max_steps) {
        // The other side can still reach an exhausted side's states, so only both stop the search.
        // Each side has half of the state budget, so a side with many rewrites (the bigger
        // graph, often) cannot starve the other: a one-step derivation from the right side is
        // found even when the left side's first level alone exceeds the budget.
        auto stopped = [](const Side& s) { return s.exhausted || s.capped; };
        if (stopped(sides[0]) && stopped(sides[1])) break;
        // Equal frontiers: the shallower side, so neither side runs alone to the step budget
        // (a side with one state per level would otherwise take every step, and a one-step
        // derivation from the other side would never be tried).
        const size_t f0 = sides[0].frontier.size(), f1 = sides[1].frontier.size();
        const int k = stopped(sides[0])   ? 1
                      : stopped(sides[1]) ? 0
                      : f0 != f1          ? (f0 < f1 ? 0 : 1)
                                          : (sides[0].depth <= sides[1].depth ? 0 : 1);
        Side& side = sides[k];
        const Side& other = sides[1 - k];
        std::vector<State> next;
        for (const State& s : side.frontier) {
            const std::bitset<kNumOpKinds> present = operators_of(s.g);
            for (size_t r = 0; r < rewrites.size(); ++r) {
                // A pattern matches node for node, so it needs every one of its operators.
                if ((*needs[r] & ~present).any()) continue;
                const Rewrite& rw = rewrites[r];
                std::vector<Graph> produced;
                apply(rw, rules[rw.rule].variables(), s.g, produced);
                for (Graph& g : produced) {
                    if (g.num_ops() > max_ops) continue;
                    std::string key = term_key(g);
                    if (side.seen.count(key)) continue;
                    std::vector<size_t> path = s.path;
                    path.push_back(rw.rule);
                    if (auto hit = other.seen.find(key); hit != other.seen.end()) {
                        if (k == 0)
                            meet(path, hit->second);
                        else
                            meet(hit->second, path);
                        return d;
                    }
                    side.seen.emplace(key, path);
                    d.states = sides[0].seen.size() + sides[1].seen.size();
                    next.push_back({std::move(g), std::move(path)});
                    if (side.seen.size() >= std::max<size_t>(1, budget.max_states / 2)) side.capped = true;
                    if (side.capped) break;
                }
                if (side.capped) break;
            }
            if (side.capped) break;
        }
        ++side.depth;
        side.frontier = std::move(next);
        if (side.frontier.empty()) {
            side.exhausted = true;
            if (other.exhausted) {
                d.stopped_by = "exhausted";
                return d;
            }
        }
    }
    d.stopped_by = sides[0].capped || sides[1].capped ? "states" : "steps";
    return d;
}

}  // namespace rf::ruledb
