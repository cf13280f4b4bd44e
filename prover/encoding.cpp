#include "prover/encoding.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include "prover/op_symbols.h"

namespace rf::prover {

namespace {

std::string safe_name(const std::string& s) {
    std::string out;
    for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
    return out.empty() ? "_" : out;
}

int max_rank_of(const Rule& r) {
    int m = 0;
    for (const Graph* g : {&r.lhs, &r.rhs})
        for (const Node& n : g->nodes())
            for (const TensorType& t : n.outputs) m = std::max(m, static_cast<int>(t.rank()));
    return m;
}

TermId linear(Terms& t, const Dim& d, const std::function<TermId(SymbolId)>& sym) {
    std::vector<TermId> parts;
    for (const auto& [s, coef] : d.terms()) parts.push_back(t.mul_const(coef, sym(s)));
    if (d.constant() != 0 || parts.empty()) parts.push_back(t.int_lit(d.constant()));
    return t.add(parts);
}

// The dimensions of `type` and, in a distributed query, its degrees and replicas.
TermId shape_is(Terms& t, const DimFuncs& dims, TermId x, const TensorType& type,
                const std::function<TermId(SymbolId)>& sym) {
    std::vector<TermId> c;
    for (int k = 0; k < dims.max_rank(); ++k)
        c.push_back(
            t.eq(dims.dim(t, k, x), k < static_cast<int>(type.rank()) ? linear(t, type.dims[k], sym) : t.int_lit(0)));
    if (dims.distributed()) {
        for (int k = 0; k < dims.max_rank(); ++k)
            c.push_back(t.eq(dims.degree(t, k, x), t.int_lit(k < static_cast<int>(type.rank()) ? type.degree(k) : 1)));
        c.push_back(t.eq(dims.replicas(t, x), t.int_lit(type.replicas)));
    }
    return t.and_(c);
}

// Whether the rule speaks of distributed tensors: then the query has the degree functions.
bool is_distributed(const Rule& r) {
    for (const Graph* g : {&r.lhs, &r.rhs})
        for (const Node& n : g->nodes()) {
            if (is_parallel_op(n.op)) return true;
            for (const TensorType& ty : n.outputs)
                if (ty.is_distributed()) return true;
        }
    return false;
}

// Degrees the repartition shape rules are stated for: the rule's own and small powers of two.
std::vector<int32_t> degree_values(const Rule& r) {
    std::set<int32_t> v{1, 2, 4};
    for (const Graph* g : {&r.lhs, &r.rhs})
        for (const Node& n : g->nodes())
            for (const TensorType& ty : n.outputs)
                for (int32_t x : ty.degrees) v.insert(x);
    return {v.begin(), v.end()};
}

// Encodes the values of one graph, node by node; operators become applications of their
// function symbols, a split also takes its cut position (from its operand's type).
class GraphEncoder {
public:
    GraphEncoder(Terms& t, const Graph& g, std::function<TermId(int32_t)> variable,
                 std::function<TermId(const Dim&)> position)
        : d_t(t), d_g(g), d_variable(std::move(variable)), d_position(std::move(position)) {}

    TermId value(ValueRef v) {
        auto it = d_memo.find(v);
        if (it != d_memo.end()) return it->second;
        const Node& n = d_g.node(v.node);
        TermId result;
        if (n.op == OpKind::Input) {
            result = d_variable(param::variable(n.params));
        } else {
            OpSig sig{n.op, n.params, static_cast<int>(n.inputs.size()), static_cast<int>(v.output)};
            std::vector<TermId> args;
            for (const ValueRef& in : n.inputs) args.push_back(value(in));
            if (n.op == OpKind::Split) {
                const SplitInfo& s = d_g.type(n.inputs[0]).split(static_cast<size_t>(param::axis(n.params)));
                if (!s) throw std::logic_error("prover: split without a concat boundary in its operand's type");
                args.push_back(d_position(s->left_size));
            }
            d_sigs.insert(sig);
            result = d_t.app(declare_op(d_t, sig), args);
        }
        d_memo.emplace(v, result);
        return result;
    }

    std::vector<TermId> outputs() {
        std::vector<TermId> out;
        for (const ValueRef& v : d_g.outputs()) out.push_back(value(v));
        return out;
    }

    const std::set<OpSig>& sigs() const { return d_sigs; }

private:
    Terms& d_t;
    const Graph& d_g;
    std::function<TermId(int32_t)> d_variable;
    std::function<TermId(const Dim&)> d_position;
    std::map<ValueRef, TermId> d_memo;
    std::set<OpSig> d_sigs;
};

std::set<std::string> symbol_names(const Graph& g) {
    std::set<std::string> out;
    for (const Node& n : g.nodes()) {
        if (n.op == OpKind::Input) continue;
        for (int o = 0; o < static_cast<int>(n.outputs.size()); ++o)
            out.insert(op_symbol_name(OpSig{n.op, n.params, static_cast<int>(n.inputs.size()), o}));
    }
    return out;
}

// An axiom's function symbols per side, and whether its right side may make instances.
struct AxiomSymbols {
    std::set<std::string> lhs, rhs;
    bool rhs_pattern = false;
};

// Whether the term at `t` of graph g is an instance of the pattern at `p` of graph pg, with
// variables of g opaque and bindings not checked for consistency (an over-approximation).
bool instance_of(const Graph& pg, uint32_t p, const Graph& g, uint32_t t) {
    const Node& pn = pg.node(p);
    const Node& tn = g.node(t);
    if (pn.op == OpKind::Input) return true;
    if (tn.op != pn.op || tn.params != pn.params || tn.inputs.size() != pn.inputs.size()) return false;
    for (size_t i = 0; i < pn.inputs.size(); ++i) {
        if (pn.inputs[i].output != tn.inputs[i].output) return false;
        if (!instance_of(pg, pn.inputs[i].node, g, tn.inputs[i].node)) return false;
    }
    return true;
}

// When an instance may be made from the right side too. A right side at least as big as the
// left is safe. A smaller one is safe unless a sub-term of the left side is itself an instance
// of the right side, which would feed the pattern forever (relu(x) => relu(relu(x)) => ...).
bool rhs_is_pattern(const Rule& r) {
    for (const ValueRef& v : r.rhs.outputs())
        if (r.rhs.node(v.node).op == OpKind::Input) return false;
    if (r.rhs.num_ops() >= r.lhs.num_ops()) return true;
    for (const ValueRef& v : r.rhs.outputs())
        for (uint32_t i = 0; i < r.lhs.nodes().size(); ++i)
            if (instance_of(r.rhs, v.node, r.lhs, i)) return false;
    return true;
}

// Each axiom's symbols, computed once per set and thread rather than per query and pass of the
// relevance closure (a profile of a transformer discovery put 6 % of its CPU in recomputing
// them). The last set seen is kept per thread, keyed by its address, version (a hash of its
// text) and size; a set without a version (built by hand) is never cached.
const std::vector<AxiomSymbols>& symbols_of(const AxiomSet& axioms) {
    thread_local std::string cached_key;
    thread_local std::vector<AxiomSymbols> cached;
    const std::string key = axioms.version + "/" + std::to_string(axioms.axioms.size()) + "/" +
                            std::to_string(reinterpret_cast<uintptr_t>(&axioms));
    if (axioms.version.empty() || key != cached_key) {
        cached.clear();
        for (const Axiom& a : axioms.axioms)
            cached.push_back({symbol_names(a.rule.lhs), symbol_names(a.rule.rhs), rhs_is_pattern(a.rule)});
        cached_key = axioms.version.empty() ? "" : key;
    }
    return cached;
}

// The axiom's declared shapes as a guard over d_k of its variables: each shape symbol is bound
// at its first plain occurrence (or solved from a linear one), later occurrences are equalities.
class GuardBuilder {
public:
    GuardBuilder(Terms& t, const DimFuncs& dims, const Axiom& a) : d_t(t), d_dims(dims), d_axiom(a) {}

    void declare(TermId var, const TensorType& type) {
        if (static_cast<int>(type.rank()) > d_dims.max_rank()) fail("rank above the encoding's maximum");
        for (int k = 0; k < d_dims.max_rank(); ++k) {
            TermId dk = d_dims.dim(d_t, k, var);
            if (k < static_cast<int>(type.rank())) {
                d_guard.push_back(d_t.le(d_t.int_lit(1), dk));
                d_pending.emplace_back(dk, type.dims[k]);
            } else {
                d_guard.push_back(d_t.eq(dk, d_t.int_lit(0)));
            }
        }
        if (d_dims.distributed()) {
            for (int k = 0; k < d_dims.max_rank(); ++k)
                d_guard.push_back(d_t.eq(d_dims.degree(d_t, k, var),
                                         d_t.int_lit(k < static_cast<int>(type.rank()) ? type.degree(k) : 1)));
            d_guard.push_back(d_t.eq(d_dims.replicas(d_t, var), d_t.int_lit(type.replicas)));
        }
    }

    /// Names by its own dimension each plain symbol of an undeclared variable's typing that
    /// occurs in no other dimension of any variable, with no condition: a split's position may
    /// be one. A shared symbol stays unnamed, since undeclared sizes need not be equal.
    void name_symbols(TermId var, const TensorType& type, const std::map<SymbolId, int>& uses) {
        for (int k = 0; k < static_cast<int>(type.rank()) && k < d_dims.max_rank(); ++k) {
            const Dim& d = type.dims[k];
            if (d.terms().size() != 1 || d.terms()[0].second != 1 || d.constant() != 0) continue;
            const SymbolId sym = d.terms()[0].first;
            if (uses.at(sym) == 1) d_sym.emplace(sym, d_dims.dim(d_t, k, var));
        }
    }

    void solve() {
        bool progress = true;
        while (!d_pending.empty() && progress) {
            progress = false;
            for (size_t i = 0; i < d_pending.size();) {
                auto [term, dim] = d_pending[i];
                std::vector<std::pair<SymbolId, int64_t>> unbound;
                for (const auto& st : dim.terms())
                    if (!d_sym.count(st.first)) unbound.push_back(st);
                if (unbound.size() > 1) {
                    ++i;
                    continue;
                }
                if (unbound.empty()) {
                    d_guard.push_back(d_t.eq(term, symbol_expr(dim)));
                } else {
                    auto [s, coef] = unbound[0];
                    Dim rest = dim - Dim::symbol(s).scaled(coef);
                    TermId value = coef > 0 ? d_t.sub(term, symbol_expr(rest)) : d_t.sub(symbol_expr(rest), term);
                    int64_t k = coef > 0 ? coef : -coef;
                    if (k != 1) d_guard.push_back(d_t.eq(d_t.mod_const(value, k), d_t.int_lit(0)));
                    TermId bound = d_t.div_const(value, k);
                    d_guard.push_back(d_t.le(d_t.int_lit(1), bound));
                    d_sym.emplace(s, bound);
                }
                d_pending.erase(d_pending.begin() + static_cast<long>(i));
                progress = true;
            }
        }
        if (!d_pending.empty()) fail("its shape condition has a dimension with two unknown symbols");
    }

    /// A dimension over the declared symbols; nullopt-like failure when a symbol is undeclared.
    TermId symbol_expr(const Dim& d) {
        return linear(d_t, d, [&](SymbolId s) {
            auto it = d_sym.find(s);
            if (it == d_sym.end()) fail("a split's position depends on a shape that is not declared in 'where'");
            return it->second;
        });
    }

    void add(TermId c) { d_guard.push_back(c); }
    TermId guard() { return d_t.and_(d_guard); }

    [[noreturn]] void fail(const std::string& why) const {
        throw std::invalid_argument(d_axiom.loc.to_string() + ": axiom '" + d_axiom.name + "': " + why);
    }

private:
    Terms& d_t;
    const DimFuncs& d_dims;
    const Axiom& d_axiom;
    std::vector<TermId> d_guard;
    std::vector<std::pair<TermId, Dim>> d_pending;
    std::map<SymbolId, TermId> d_sym;
};

TermId encode_axiom(Terms& t, const DimFuncs& dims, const Axiom& a, std::set<OpSig>& sigs) {
    const Rule& r = a.rule;
    std::vector<TermId> vars;
    for (const Variable& v : r.variables()) vars.push_back(t.var(safe_name(v.name), Sort::Tensor));
    GuardBuilder guard(t, dims, a);
    for (size_t i = 0; i < r.variables().size(); ++i)
        if (std::find(a.declared.begin(), a.declared.end(), r.variables()[i].name) != a.declared.end())
            guard.declare(vars[i], r.variables()[i].type);
    guard.solve();
    std::map<SymbolId, int> uses;  // dimensions of the variables that mention the symbol
    for (const Variable& v : r.variables())
        for (const Dim& d : v.type.dims)
            for (const auto& term : d.terms()) ++uses[term.first];
    for (size_t i = 0; i < r.variables().size(); ++i)
        if (std::find(a.declared.begin(), a.declared.end(), r.variables()[i].name) == a.declared.end())
            guard.name_symbols(vars[i], r.variables()[i].type, uses);
    // An axiom about whole tensors says nothing about distributed ones (docs/parallel.md).
    if (a.scope == AxiomScope::Whole && dims.distributed())
        for (TermId v : vars) guard.add(dims.whole(t, v));
    std::vector<TermId> bound = vars;
    int positions = 0;
    auto position = [&](const Dim& d) {
        TermId e = guard.symbol_expr(d);
        if (t.node(e).op == TermOp::App) return e;  // a plain d_k(var): fine inside a pattern
        TermId p = t.var("p" + std::to_string(positions++), Sort::Int);
        guard.add(t.eq(p, e));
        bound.push_back(p);
        return p;
    };
    auto variable = [&](int32_t i) { return vars.at(i); };
    GraphEncoder lhs(t, r.lhs, variable, position), rhs(t, r.rhs, variable, position);
    std::vector<TermId> l = lhs.outputs(), rr = rhs.outputs();
    std::vector<TermId> eqs;
    for (size_t i = 0; i < l.size(); ++i) eqs.push_back(t.eq(l[i], rr[i]));
    sigs.insert(lhs.sigs().begin(), lhs.sigs().end());
    sigs.insert(rhs.sigs().begin(), rhs.sigs().end());
    // "Whenever the left side is a tensor" (0 <= d0: not the ill-typed value); then only the
    // left side may trigger it, since the guard speaks of it.
    if (a.scope == AxiomScope::Defined)
        for (TermId x : l) guard.add(t.le(t.int_lit(0), dims.dim(t, 0, x)));
    std::vector<std::vector<TermId>> patterns;
    if (t.covers(l, bound)) patterns.push_back(l);
    if (a.scope != AxiomScope::Defined && rhs_is_pattern(r) && t.covers(rr, bound)) patterns.push_back(rr);
    return t.forall(bound, t.implies(guard.guard(), t.and_(eqs)), patterns);
}

struct RuleTerms {
    std::vector<TermId> lhs, rhs;
    TermId facts_vars, facts_lhs, facts_rhs;
    std::vector<TermId> symbol_bounds;
};

class RuleEncoder {
public:
    RuleEncoder(Query& q, const Rule& rule, const DimFuncs& dims) : d_q(q), d_rule(rule), d_dims(dims) {}

    TermId symbol(SymbolId s) { return d_q.terms.app(d_q.terms.declare("s" + std::to_string(s), {}, Sort::Int)); }

    RuleTerms encode(std::set<OpSig>& sigs) {
        Terms& t = d_q.terms;
        std::vector<TermId> vars;
        for (const Variable& v : d_rule.variables())
            vars.push_back(t.app(t.declare("v_" + safe_name(v.name), {}, Sort::Tensor)));
        auto sym = [&](SymbolId s) { return symbol(s); };
        auto position = [&](const Dim& d) { return linear(t, d, sym); };
        auto variable = [&](int32_t i) { return vars.at(i); };
        RuleTerms out;
        std::vector<TermId> fv;
        for (size_t i = 0; i < vars.size(); ++i)
            fv.push_back(shape_is(t, d_dims, vars[i], d_rule.variables()[i].type, sym));
        out.facts_vars = t.and_(fv);
        for (int side = 0; side < 2; ++side) {
            const Graph& g = side == 0 ? d_rule.lhs : d_rule.rhs;
            GraphEncoder enc(t, g, variable, position);
            std::vector<TermId> facts;
            for (uint32_t i = 0; i < g.nodes().size(); ++i) {
                if (g.node(i).op == OpKind::Input) continue;
                for (uint32_t o = 0; o < g.node(i).outputs.size(); ++o)
                    facts.push_back(shape_is(t, d_dims, enc.value({i, o}), g.node(i).outputs[o], sym));
            }
            (side == 0 ? out.lhs : out.rhs) = enc.outputs();
            (side == 0 ? out.facts_lhs : out.facts_rhs) = t.and_(facts);
            sigs.insert(enc.sigs().begin(), enc.sigs().end());
        }
        for (SymbolId s : d_rule.symbols()) out.symbol_bounds.push_back(t.le(t.int_lit(1), symbol(s)));
        return out;
    }

private:
    Query& d_q;
    const Rule& d_rule;
    const DimFuncs& d_dims;
};

}  // namespace

Query encode_rule(const Rule& rule, const AxiomSet& axioms, const std::vector<Assumption>& assumptions,
                  const EncodeOptions& options) {
    Query q;
    q.name = rule.name.empty() ? "rule" : rule.name;
    q.axiom_version = axioms.version;
    Terms& t = q.terms;
    DimFuncs dims = DimFuncs::declare(t, std::max(4, max_rank_of(rule)), is_distributed(rule));
    if (dims.distributed()) dims.degree_values = degree_values(rule);
    std::set<OpSig> sigs;
    RuleEncoder re(q, rule, dims);
    RuleTerms rt = re.encode(sigs);
    q.assertions.push_back({"shapes_of_variables", "shapes of the variables", AssertionKind::Fact, rt.facts_vars});
    q.assertions.push_back({"shapes_of_lhs", "shapes of the left side", AssertionKind::Fact, rt.facts_lhs});
    q.assertions.push_back({"shapes_of_rhs", "shapes of the right side", AssertionKind::Fact, rt.facts_rhs});
    q.assertions.push_back(
        {"positive_dimensions", "shape symbols are positive", AssertionKind::Fact, t.and_(rt.symbol_bounds)});
    for (size_t i = 0; i < assumptions.size(); ++i) {
        auto sym = [&](SymbolId s) { return re.symbol(s); };
        q.assertions.push_back({"assume_" + std::to_string(i), assumptions[i].text, AssertionKind::Assumption,
                                t.eq(linear(t, assumptions[i].lhs, sym), linear(t, assumptions[i].rhs, sym))});
    }

    std::set<std::string> known = symbol_names(rule.lhs);
    for (const std::string& s : symbol_names(rule.rhs)) known.insert(s);
    std::vector<bool> included(axioms.axioms.size(), !options.relevant_axioms_only);
    static const std::vector<AxiomSymbols> no_symbols;
    const std::vector<AxiomSymbols>& axiom_symbols = options.relevant_axioms_only ? symbols_of(axioms) : no_symbols;
    for (bool progress = options.relevant_axioms_only; progress;) {
        progress = false;
        for (size_t i = 0; i < axioms.axioms.size(); ++i) {
            if (included[i]) continue;
            const std::set<std::string>& l = axiom_symbols[i].lhs;
            const std::set<std::string>& rr = axiom_symbols[i].rhs;
            auto subset = [&](const std::set<std::string>& s) {
                return std::includes(known.begin(), known.end(), s.begin(), s.end());
            };
            if (!subset(l) && !(axiom_symbols[i].rhs_pattern && subset(rr))) continue;
            included[i] = true;
            known.insert(l.begin(), l.end());
            known.insert(rr.begin(), rr.end());
            progress = true;
        }
    }
    for (size_t i = 0; i < axioms.axioms.size(); ++i) {
        if (!included[i]) continue;
        const Axiom& a = axioms.axioms[i];
        q.assertions.push_back(
            {"ax_" + safe_name(a.name), a.name, AssertionKind::Axiom, encode_axiom(t, dims, a, sigs)});
    }
    std::set<std::string> emitted;
    for (const OpSig& sig : sigs) {
        std::string name = op_symbol_name(sig);
        // Signatures that differ only in what the symbol ignores (transpose's shuffle flag)
        // are one function with one shape rule.
        if (!emitted.insert(name).second) continue;
        std::vector<TermId> fs = shape_rule_formulas(t, dims, sig);
        for (size_t k = 0; k < fs.size(); ++k)
            q.assertions.push_back({"shape_" + name + (fs.size() > 1 ? "_" + std::to_string(k) : ""),
                                    "shape rule of " + name, AssertionKind::ShapeRule, fs[k]});
    }
    std::vector<TermId> differ;
    for (size_t i = 0; i < rt.lhs.size(); ++i) differ.push_back(t.distinct(rt.lhs[i], rt.rhs[i]));
    q.assertions.push_back({"goal", "the two sides differ", AssertionKind::Goal, t.or_(differ)});
    return q;
}

Query encode_assumptions(const Rule& rule, const std::vector<Assumption>& assumptions) {
    Query q;
    q.name = (rule.name.empty() ? std::string("rule") : rule.name) + "_assumptions";
    Terms& t = q.terms;
    auto sym = [&](SymbolId s) { return t.app(t.declare("s" + std::to_string(s), {}, Sort::Int)); };
    std::vector<TermId> c;
    for (SymbolId s : rule.symbols()) c.push_back(t.le(t.int_lit(1), sym(s)));
    for (const Assumption& a : assumptions) c.push_back(t.eq(linear(t, a.lhs, sym), linear(t, a.rhs, sym)));
    q.assertions.push_back({"assumptions", "the assumptions", AssertionKind::Assumption, t.and_(c)});
    return q;
}

}  // namespace rf::prover
