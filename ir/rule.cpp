#include "ir/rule.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <functional>
#include <unordered_map>

#include "ir/canonical.h"
#include "ir/linear_unifier.h"
#include "ir/shape_rules.h"

namespace rf {

namespace {

// A type while inferring: known dimensions, or a shape variable whose rank is not known yet.
struct SType {
    int shape_var = -1;  // >= 0: unknown shape, see Solver::d_shape_vars
    TensorType type;
};

class Solver {
public:
    explicit Solver(const RuleAst& ast, bool join_boundaries = false) : d_ast(ast) {
        d_unifier.set_joins_boundaries(join_boundaries);
    }

    Rule run() {
        declare_variables();
        infer_ranks();
        std::vector<SType> lhs_out, rhs_out;
        for (TermId t : d_ast.lhs) lhs_out.push_back(infer_root(t, true));
        snapshot_lhs_symbols();
        for (TermId t : d_ast.rhs) rhs_out.push_back(infer_root(t, false));
        for (size_t i = 0; i < lhs_out.size(); ++i) unify_sides(lhs_out[i], rhs_out[i], i);
        Rule rule = build();
        rule.conditions = conditions();
        rule.preconditions = d_ast.preconditions;
        return rule;
    }

private:
    [[noreturn]] void error(const SourceLoc& loc, const std::string& msg) const { throw ParseError(loc, msg); }

    int variable_index(const std::string& name) const {
        auto it = d_var_index.find(name);
        return it == d_var_index.end() ? -1 : it->second;
    }

    void declare_variables() {
        std::map<std::string, SymbolId> named;
        for (const VarDecl& d : d_ast.decls) {
            if (d_declared.count(d.name)) error(d.loc, "variable '" + d.name + "' declared twice");
            VarState v;
            v.name = d.name;
            v.role = d.role;
            v.role_declared = true;
            v.decl_loc = d.loc;
            if (d.has_shape) {
                for (const std::string& s : d.dims) {
                    Dim dim = parse_dim(s, named, d);
                    if (dim.is_concrete() && dim.value() < 1)
                        error(d.loc, "dimension " + s + " of '" + d.name + "' must be positive");
                    v.type.type.dims.push_back(dim);
                }
                for (size_t k = 0; k < d.degrees.size(); ++k) {
                    const Dim& size = v.type.type.dims[k];
                    if (size.is_concrete() && size.value() % d.degrees[k] != 0)
                        error(d.loc, "dimension " + d.dims[k] + " of '" + d.name + "' does not divide into " +
                                         std::to_string(d.degrees[k]) + " equal parts");
                    v.type.type.set_degree(k, d.degrees[k]);
                }
                v.type.type.replicas = d.replicas;
            } else {
                v.type.shape_var = new_shape_var();
            }
            d_declared.emplace(d.name, std::move(v));
        }
    }

    // "n", "3", "d0+2*d1-1": integers and symbols joined by + and -, a symbol optionally scaled.
    Dim parse_dim(const std::string& s, std::map<std::string, SymbolId>& named, const VarDecl& d) {
        Dim out;
        size_t i = 0;
        while (i < s.size()) {
            int64_t sign = 1;
            if (s[i] == '+' || s[i] == '-') sign = s[i++] == '-' ? -1 : 1;
            size_t j = i;
            while (j < s.size() && s[j] != '+' && s[j] != '-') ++j;
            std::string term = s.substr(i, j - i);
            i = j;
            int64_t coef = sign;
            size_t star = term.find('*');
            if (star != std::string::npos) {
                coef *= std::stoll(term.substr(0, star));
                term = term.substr(star + 1);
            }
            if (term.empty()) error(d.loc, "malformed dimension '" + s + "' of '" + d.name + "'");
            if (std::isdigit(static_cast<unsigned char>(term[0])) != 0) {
                out = out + Dim(coef * std::stoll(term));
            } else {
                auto [it, fresh] = named.try_emplace(term, 0);
                if (fresh) it->second = d_unifier.fresh();
                out = out + Dim::symbol(it->second).scaled(coef);
            }
        }
        return out;
    }

    // Ranks first: a union-find over terms (and variables by name) with the ranks operators fix,
    // so that an operand whose shape is still unknown when an operator needs it gets the rank a
    // later use requires (smul(x, s) before conv2d(x, w)) instead of a guess.
    int rank_find(int t) {
        while (d_rank_parent[t] != t) t = d_rank_parent[t] = d_rank_parent[d_rank_parent[t]];
        return t;
    }
    // Two uses that need different ranks: reported at the term whose constraint came last.
    [[noreturn]] void rank_conflict(int at, int a, int b) {
        const Term& t = d_ast.terms[at];
        std::string what = t.kind == Term::Kind::Var ? "variable '" + t.var + "'" : std::string(op_name(t.op));
        error(t.loc, what + " needs rank " + std::to_string(b) + " here but rank " + std::to_string(a) +
                         " elsewhere in the rule");
    }
    void rank_union(int a, int b, int at) {
        int ra = rank_find(a), rb = rank_find(b);
        if (ra == rb) return;
        int va = d_rank_value[ra], vb = d_rank_value[rb];
        if (va >= 0 && vb >= 0 && va != vb) rank_conflict(at, vb, va);
        d_rank_parent[ra] = rb;
        if (vb < 0) d_rank_value[rb] = va;
    }
    void rank_fix(int t, int rank, int at) {
        int r = rank_find(t);
        if (d_rank_value[r] >= 0 && d_rank_value[r] != rank) rank_conflict(at, d_rank_value[r], rank);
        d_rank_value[r] = rank;
    }
    int rank_of(TermId t) {
        int v = d_rank_value[rank_find(t)];
        return v;
    }

    void infer_ranks() {
        const int n = static_cast<int>(d_ast.terms.size());
        d_rank_parent.resize(n);
        d_rank_value.assign(n, -1);
        for (int i = 0; i < n; ++i) d_rank_parent[i] = i;
        std::map<std::string, int> first_use;
        for (int i = 0; i < n; ++i) {
            const Term& t = d_ast.terms[i];
            switch (t.kind) {
                case Term::Kind::Var: {
                    auto [it, fresh] = first_use.try_emplace(t.var, i);
                    if (!fresh) rank_union(i, it->second, i);
                    auto decl = d_declared.find(t.var);
                    if (decl != d_declared.end() && decl->second.type.shape_var < 0)
                        rank_fix(i, static_cast<int>(decl->second.type.type.rank()), i);
                    break;
                }
                case Term::Kind::Proj: rank_union(i, t.args[0], i); break;
                case Term::Kind::App: constrain_ranks(i, t); break;
            }
        }
        for (size_t k = 0; k < d_ast.lhs.size() && k < d_ast.rhs.size(); ++k)
            rank_union(d_ast.lhs[k], d_ast.rhs[k], d_ast.rhs[k]);
    }

    // The ranks the operator's shape rule fixes (ir/shape_rules.h's rank_rule), and the rank
    // the syntax states (TENSAT's concat NDIM, FlexFlow's file rank).
    void constrain_ranks(int i, const Term& t) {
        const RankRule rule = rank_rule(t.op, t.params);
        if (rule.result >= 0) rank_fix(i, rule.result, i);
        for (size_t k = 0; k < t.args.size(); ++k) {
            const int r = rule.operand_rank(k);
            if (r == RankRule::kAsResult)
                rank_union(t.args[k], i, i);
            else if (r >= 0)
                rank_fix(t.args[k], r, i);
        }
        if (t.rank_hint >= 0) rank_fix(i, t.rank_hint, i);
    }

    int new_shape_var() {
        d_shape_vars.push_back(Binding{});
        return static_cast<int>(d_shape_vars.size() - 1);
    }

    // Union-find over shape variables; a root may be bound to a known type.
    struct Binding {
        int parent = -1;
        bool bound = false;
        TensorType type;
    };

    int find(int v) const {
        while (d_shape_vars[v].parent >= 0) v = d_shape_vars[v].parent;
        return v;
    }

    SType resolve(const SType& t) const {
        if (t.shape_var < 0) return SType{-1, t.type};
        int root = find(t.shape_var);
        if (d_shape_vars[root].bound) return SType{-1, d_shape_vars[root].type};
        return SType{root, {}};
    }

    TensorType fresh_type(int rank) {
        TensorType t;
        for (int i = 0; i < rank; ++i) t.dims.push_back(Dim::symbol(d_unifier.fresh()));
        return t;
    }

    void bind(int shape_var, const TensorType& t) {
        int root = find(shape_var);
        assert(!d_shape_vars[root].bound);
        d_shape_vars[root].bound = true;
        d_shape_vars[root].type = t;
    }

    // Makes two types equal (dims unified; an unknown shape takes the other's).
    bool unify_types(SType a, SType b) {
        a = resolve(a);
        b = resolve(b);
        if (a.shape_var >= 0 && b.shape_var >= 0) {
            if (a.shape_var != b.shape_var) d_shape_vars[a.shape_var].parent = b.shape_var;
            return true;
        }
        if (a.shape_var >= 0) {
            bind(a.shape_var, b.type);
            return true;
        }
        if (b.shape_var >= 0) {
            bind(b.shape_var, a.type);
            return true;
        }
        if (a.type.rank() != b.type.rank() || !a.type.same_distribution(b.type)) return false;
        for (size_t i = 0; i < a.type.rank(); ++i)
            if (!d_unifier.unify(a.type.dims[i], b.type.dims[i])) return false;
        return true;
    }

    std::string type_str(const SType& t) const {
        SType r = resolve(t);
        if (r.shape_var >= 0) return "[?]";
        return d_unifier.resolve(r.type).to_string();
    }

    SType var_type(const Term& term, bool on_lhs) {
        int idx = variable_index(term.var);
        if (idx < 0) {
            if (!on_lhs) error(term.loc, "variable '" + term.var + "' on the right-hand side is not bound on the left");
            // Variables are numbered by first appearance; a declaration only describes one.
            VarState v;
            auto decl = d_declared.find(term.var);
            if (decl != d_declared.end()) {
                v = decl->second;
                decl->second.used = true;
            } else {
                v.name = term.var;
                v.type.shape_var = new_shape_var();
            }
            idx = static_cast<int>(d_vars.size());
            d_var_index[term.var] = idx;
            d_vars.push_back(std::move(v));
        }
        VarState& v = d_vars[idx];
        if (on_lhs) v.on_lhs = true;
        if (!on_lhs && !v.on_lhs)
            error(term.loc, "variable '" + term.var + "' on the right-hand side is not bound on the left");
        return v.type;
    }

    // Gives operands of unknown rank the rank the operator needs (or its other operands have).
    void settle_ranks(const Term& term, std::vector<SType>& args) {
        const RankRule rule = rank_rule(term.op, term.params);
        // Ranks the pre-pass knows come first.
        for (size_t i = 0; i < args.size(); ++i) {
            args[i] = resolve(args[i]);
            int pre = rank_of(term.args[i]);
            if (args[i].shape_var >= 0 && pre >= 0) bind(args[i].shape_var, fresh_type(pre));
        }
        // The rank operands that share the result's rank already have.
        int known = -1;
        for (size_t i = 0; i < args.size(); ++i) {
            args[i] = resolve(args[i]);
            if (args[i].shape_var < 0 && known < 0 && rule.operand_rank(i) == RankRule::kAsResult)
                known = static_cast<int>(args[i].type.rank());
        }
        for (size_t i = 0; i < args.size(); ++i) {
            args[i] = resolve(args[i]);  // an earlier operand may have been the same variable
            if (args[i].shape_var < 0) continue;
            const int need = rule.operand_rank(i);
            int r = need >= 0 ? need : need == RankRule::kAsResult ? rule.result : -1;
            // Otherwise: the rank of a sibling operand, the syntax's hint, or 2 (any rank would do;
            // an axis or a cut dimension needs the rank to reach it).
            if (r < 0 && need == RankRule::kAsResult) r = known;
            if (r < 0) r = term.rank_hint >= 0 ? term.rank_hint : std::max(2, rule.reach);
            bind(args[i].shape_var, fresh_type(r));
            args[i] = resolve(args[i]);
            if (known < 0 && need == RankRule::kAsResult) known = r;
        }
    }

    void note_roles(const Term& term) {
        // Operand positions that hold weights: a weight is known ahead of time, so rewrites may
        // precompute on it. Only for variables without a declared role.
        auto mark = [&](size_t i) {
            const Term& a = d_ast.terms[term.args[i]];
            if (a.kind != Term::Kind::Var) return;
            int idx = variable_index(a.var);
            if (idx >= 0 && !d_vars[idx].role_declared) d_vars[idx].role = Role::Weight;
        };
        if (term.op == OpKind::Conv2d || term.op == OpKind::Smul) mark(1);
        if (term.op == OpKind::Enlarge) {
            mark(0);
            mark(1);
        }
    }

    SType infer_root(TermId id, bool on_lhs) {
        const Term& t = d_ast.terms[id];
        if (t.kind == Term::Kind::App && op_info(t.op).num_outputs > 1)
            error(t.loc, std::string(op_name(t.op)) + " has " + std::to_string(op_info(t.op).num_outputs) +
                             " outputs: select one (.0 / .1, or TENSAT's split_0 / split_1)");
        return infer(id, on_lhs);
    }

    SType infer(TermId id, bool on_lhs) {
        auto memo = d_memo.find(id);
        if (memo != d_memo.end()) return memo->second;
        const Term& term = d_ast.terms[id];
        SType result;
        switch (term.kind) {
            case Term::Kind::Var: result = var_type(term, on_lhs); break;
            case Term::Kind::Proj: {
                const Term& inner = d_ast.terms[term.args[0]];
                if (inner.kind != Term::Kind::App || op_info(inner.op).num_outputs <= term.output)
                    error(term.loc, "output " + std::to_string(term.output) + " does not exist");
                infer(term.args[0], on_lhs);
                result = d_multi.at(term.args[0]).at(term.output);
                break;
            }
            case Term::Kind::App: {
                const OpInfo& info = op_info(term.op);
                int n = static_cast<int>(term.args.size());
                if (n < info.min_arity || n > info.max_arity)
                    error(term.loc,
                          std::string(info.name) + " expects " + std::to_string(info.min_arity) +
                              (info.min_arity == info.max_arity ? "" : " to " + std::to_string(info.max_arity)) +
                              " operands, got " + std::to_string(n));
                std::vector<SType> args;
                for (TermId a : term.args) {
                    const Term& at = d_ast.terms[a];
                    if (at.kind == Term::Kind::App && op_info(at.op).num_outputs > 1)
                        error(at.loc, std::string(op_name(at.op)) + " has " +
                                          std::to_string(op_info(at.op).num_outputs) +
                                          " outputs: select one (.0 / .1, or TENSAT's split_0 / split_1)");
                    args.push_back(infer(a, on_lhs));
                }
                note_roles(term);
                // Element-wise operators on operands of unknown shape keep the shape unknown.
                bool shape_preserving = op_info(term.op).has(kElementwise) && term.rank_hint < 0;
                if (shape_preserving) {
                    bool all_unknown = true;
                    for (SType& a : args) {
                        a = resolve(a);
                        if (a.shape_var < 0) all_unknown = false;
                    }
                    if (all_unknown) {
                        for (size_t i = 1; i < args.size(); ++i) unify_types(args[0], args[i]);
                        result = resolve(args[0]);
                        break;
                    }
                }
                settle_ranks(term, args);
                // A rank the syntax states (TENSAT's concat NDIM) must be the operands' rank, or
                // printing the rule back would silently change it.
                if (term.rank_hint >= 0 && args[0].type.rank() != static_cast<size_t>(term.rank_hint))
                    error(term.loc, std::string(op_name(term.op)) + ": NDIM " + std::to_string(term.rank_hint) +
                                        " but the operands have rank " + std::to_string(args[0].type.rank()));
                std::vector<TensorType> in;
                for (const SType& a : args) in.push_back(a.type);
                std::string why;
                auto outs = try_infer_output_types(term.op, term.params, in, d_unifier, &why);
                if (!outs) error(term.loc, why);
                std::vector<SType> souts;
                for (auto& o : *outs) souts.push_back(SType{-1, std::move(o)});
                d_multi[id] = souts;
                result = souts[0];
                break;
            }
        }
        d_memo[id] = result;
        return result;
    }

    // Where each symbol of the left side's most general typing first appears ("x[1]").
    void snapshot_lhs_symbols() {
        for (const VarState& v : d_vars) {
            SType t = resolve(v.type);
            if (t.shape_var >= 0) continue;
            for (size_t k = 0; k < t.type.rank(); ++k) {
                Dim d = d_unifier.resolve(t.type.dims[k]);
                if (d.terms().size() == 1 && d.terms()[0].second == 1 && d.constant() == 0)
                    d_lhs_places.try_emplace(d.terms()[0].first, v.name + "[" + std::to_string(k) + "]");
            }
        }
    }

    // Left-side symbols that the whole rule ties together (or fixes) are its conditions.
    std::vector<std::string> conditions() const {
        std::map<Dim, std::vector<std::string>> groups;
        for (const auto& [sym, place] : d_lhs_places) groups[d_unifier.resolve(Dim::symbol(sym))].push_back(place);
        std::vector<std::string> out;
        for (const auto& [value, places] : groups) {
            std::string s = places[0];
            for (size_t i = 1; i < places.size(); ++i) s += " = " + places[i];
            bool plain_symbol = value.terms().size() == 1 && value.terms()[0].second == 1 && value.constant() == 0;
            if (!plain_symbol)
                s += " = " + value.to_string();
            else if (places.size() < 2)
                continue;
            out.push_back(s);
        }
        return out;
    }

    void unify_sides(const SType& l, const SType& r, size_t output) {
        if (!unify_types(l, r))
            error(d_ast.terms[d_ast.rhs[output]].loc,
                  "the two sides have different shapes" +
                      (d_ast.lhs.size() > 1 ? " at output " + std::to_string(output) : std::string()) + ": " +
                      type_str(l) + " vs " + type_str(r));
    }

    Rule build() {
        // Variables nobody constrained get a rank-2 shape, the representative rank: where the
        // operators allow, the rule stands for every rank (ir/rank_generic.h).
        for (const auto& [name, v] : d_declared)
            if (!v.used) error(v.decl_loc, "declared variable '" + name + "' does not occur on the left-hand side");
        std::vector<Variable> vars;
        for (VarState& v : d_vars) {
            SType t = resolve(v.type);
            if (t.shape_var >= 0) {
                auto first = std::find_if(d_ast.terms.begin(), d_ast.terms.end(), [&](const Term& term) {
                    return term.kind == Term::Kind::Var && term.var == v.name;
                });
                int pre = first == d_ast.terms.end() ? -1 : rank_of(static_cast<TermId>(first - d_ast.terms.begin()));
                bind(t.shape_var, fresh_type(pre >= 0 ? pre : 2));
                t = resolve(t);
            }
            vars.push_back(Variable{v.name, v.role, d_unifier.resolve(t.type)});
            check_sizes_can_be_positive(vars.back(), v.role_declared, v.decl_loc);
        }
        renumber_symbols(vars);  // printed shapes then read d0, d1, ...
        Rule rule;
        rule.name = d_ast.name;
        rule.lhs = build_side(vars, d_ast.lhs);
        rule.rhs = build_side(vars, d_ast.rhs);
        return rule;
    }

    // Unification can force a size to zero or below (`w1: weight[-n,...]` meeting `[n,...]`):
    // no tensor has such a shape, and printed back the rule would not parse. A dimension with a
    // non-positive constant and no positive coefficient is below 1 for every positive symbol.
    void check_sizes_can_be_positive(const Variable& var, bool declared, const SourceLoc& decl_loc) const {
        const TensorType& type = var.type;
        for (size_t k = 0; k < type.dims.size(); ++k) {
            const Dim& d = type.dims[k];
            bool positive_term =
                std::any_of(d.terms().begin(), d.terms().end(), [](const auto& t) { return t.second > 0; });
            if (positive_term || d.constant() >= 1) continue;
            SourceLoc at = decl_loc;
            if (!declared)
                for (const Term& term : d_ast.terms)
                    if (term.kind == Term::Kind::Var && term.var == var.name) {
                        at = term.loc;
                        break;
                    }
            error(at,
                  "the shapes force dimension " + std::to_string(k) + " of '" + var.name + "' to be zero or negative");
        }
    }

    Graph build_side(const std::vector<Variable>& vars, const std::vector<TermId>& roots) {
        GraphBuilder b(vars);
        std::unordered_map<TermId, std::vector<ValueRef>> built;
        std::function<std::vector<ValueRef>(TermId)> go = [&](TermId id) -> std::vector<ValueRef> {
            auto it = built.find(id);
            if (it != built.end()) return it->second;
            const Term& t = d_ast.terms[id];
            std::vector<ValueRef> out;
            switch (t.kind) {
                case Term::Kind::Var: out = {b.input(variable_index(t.var))}; break;
                case Term::Kind::Proj: out = {go(t.args[0]).at(t.output)}; break;
                case Term::Kind::App: {
                    std::vector<ValueRef> ins;
                    for (TermId a : t.args) ins.push_back(go(a).at(0));
                    try {
                        out = b.add(t.op, t.params, ins);
                    } catch (const TypeError& e) {
                        error(t.loc, e.what());
                    }
                    break;
                }
            }
            built[id] = out;
            return out;
        };
        std::vector<ValueRef> outs;
        for (TermId r : roots) outs.push_back(go(r).at(0));
        return std::move(b).finish(outs);
    }

    struct VarState {
        std::string name;
        Role role = Role::Activation;
        bool role_declared = false;
        bool on_lhs = false;
        bool used = false;  // declarations: seen in the rule
        SType type;
        SourceLoc decl_loc;
    };

    const RuleAst& d_ast;
    LinearUnifier d_unifier;
    std::vector<Binding> d_shape_vars;
    std::vector<VarState> d_vars;
    std::map<std::string, int> d_var_index;
    std::map<std::string, VarState> d_declared;
    std::vector<int> d_rank_parent, d_rank_value;  // the rank pre-pass, per term
    std::unordered_map<TermId, SType> d_memo;
    std::unordered_map<TermId, std::vector<SType>> d_multi;
    std::map<SymbolId, std::string> d_lhs_places;
};

}  // namespace

Rule build_rule(const RuleAst& ast) {
    if (ast.lhs.empty() || ast.lhs.size() != ast.rhs.size())
        throw ParseError(ast.loc, "the two sides must have the same number of outputs (" +
                                      std::to_string(ast.lhs.size()) + " vs " + std::to_string(ast.rhs.size()) + ")");
    check_rule_limits(ast);  // before anything below recurses over the terms
    try {
        return Solver(ast).run();
    } catch (const ParseError& e) {
        // A split of an element-wise result whose operands were joined at boundaries the text
        // cannot say coincide: typed again with the boundaries made one (a shape condition).
        if (e.message().find("no concat boundary") == std::string::npos) throw;
        return Solver(ast, true).run();
    }
}

}  // namespace rf
