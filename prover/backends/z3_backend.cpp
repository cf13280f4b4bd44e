// The Z3 back-end: translates a neutral Query into Z3 terms (patterns through the C API, which
// the C++ API does not expose for quantifiers), checks it with a per-query timeout, and reads
// the unsat core through named (tracked) assertions. One Z3 context per Backend instance.
// A stop request (support/stop.h) interrupts a running check through Z3_interrupt; Z3's own
// Ctrl-C handler is switched off, since it would swallow SIGINT and turn it into an answer.
#include <z3++.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "prover/backend.h"
#include "support/stop.h"

namespace rf::prover {

namespace {

class Translator {
public:
    Translator(z3::context& ctx, const Terms& terms)
        : d_ctx(ctx), d_terms(terms), d_tensor(ctx.uninterpreted_sort("T")) {
        d_has_var = terms.open_terms();
        d_memo.resize(terms.size());
        for (const FuncDecl& f : terms.funcs()) {
            z3::sort_vector dom(ctx);
            for (Sort s : f.args) dom.push_back(sort(s));
            d_funcs.push_back(ctx.function(f.name.c_str(), dom, sort(f.result)));
        }
    }

    z3::sort sort(Sort s) {
        switch (s) {
            case Sort::Bool: return d_ctx.bool_sort();
            case Sort::Int: return d_ctx.int_sort();
            case Sort::Tensor: return d_tensor;
            case Sort::Real: return d_ctx.real_sort();
        }
        return d_tensor;
    }

    z3::expr tr(TermId id) {
        if (!d_has_var[id] && d_memo[id]) return *d_memo[id];
        z3::expr e = build(id);
        if (!d_has_var[id]) d_memo[id] = e;
        return e;
    }

private:
    z3::expr build(TermId id) {
        const TermNode& n = d_terms.node(id);
        auto kid = [&](size_t i) { return tr(n.kids[i]); };
        auto all = [&] {
            z3::expr_vector v(d_ctx);
            for (TermId k : n.kids) v.push_back(tr(k));
            return v;
        };
        switch (n.op) {
            case TermOp::App: {
                z3::expr_vector args = all();
                return d_funcs[n.func](args);
            }
            case TermOp::Var: return d_bound.at(id);
            case TermOp::IntLit: return d_ctx.int_val(static_cast<int64_t>(n.value));
            case TermOp::True: return d_ctx.bool_val(true);
            case TermOp::False: return d_ctx.bool_val(false);
            case TermOp::Eq: return kid(0) == kid(1);
            case TermOp::Distinct: return kid(0) != kid(1);
            case TermOp::Not: return !kid(0);
            case TermOp::And: return z3::mk_and(all());
            case TermOp::Or: return z3::mk_or(all());
            case TermOp::Implies: return z3::implies(kid(0), kid(1));
            case TermOp::Le: return kid(0) <= kid(1);
            case TermOp::Add: {
                z3::expr s = kid(0);
                for (size_t i = 1; i < n.kids.size(); ++i) s = s + kid(i);
                return s;
            }
            case TermOp::Sub: return kid(0) - kid(1);
            case TermOp::RealLit: return d_ctx.real_val(static_cast<int64_t>(n.value));
            case TermOp::Mul: {
                z3::expr s = kid(0);
                for (size_t i = 1; i < n.kids.size(); ++i) s = s * kid(i);
                return s;
            }
            case TermOp::MulConst: return d_ctx.int_val(static_cast<int64_t>(n.value)) * kid(0);
            case TermOp::DivConst: return kid(0) / d_ctx.int_val(static_cast<int64_t>(n.value));
            case TermOp::ModConst: return z3::mod(kid(0), d_ctx.int_val(static_cast<int64_t>(n.value)));
            case TermOp::Forall: return quantifier(id);
        }
        return d_ctx.bool_val(true);
    }

    z3::expr quantifier(TermId id) {
        const Quantifier& q = d_terms.quantifier(id);
        std::vector<Z3_app> bound;
        z3::expr_vector keep(d_ctx);
        for (TermId v : q.vars) {
            const TermNode& vn = d_terms.node(v);
            z3::expr c = d_ctx.constant(("?" + vn.name).c_str(), sort(vn.sort));
            keep.push_back(c);
            d_bound.insert_or_assign(v, c);
            bound.push_back(Z3_to_app(d_ctx, c));
        }
        z3::expr body = tr(q.body);
        // The C API's fresh objects have no reference until wrapped: keep every pattern in a
        // z3::ast so the next call cannot recycle it.
        std::vector<z3::ast> keep_patterns;
        std::vector<Z3_pattern> pats;
        for (const auto& p : q.patterns) {
            z3::expr_vector ts(d_ctx);
            for (TermId t : p) ts.push_back(tr(t));
            std::vector<Z3_ast> raw;
            for (unsigned i = 0; i < ts.size(); ++i) raw.push_back(ts[i]);
            Z3_pattern pat = Z3_mk_pattern(d_ctx, static_cast<unsigned>(raw.size()), raw.data());
            d_ctx.check_error();
            keep_patterns.emplace_back(d_ctx, Z3_pattern_to_ast(d_ctx, pat));
            pats.push_back(pat);
        }
        z3::expr r(d_ctx, Z3_mk_forall_const(d_ctx, 0, static_cast<unsigned>(bound.size()), bound.data(),
                                             static_cast<unsigned>(pats.size()), pats.data(), body));
        d_ctx.check_error();
        for (TermId v : q.vars) d_bound.erase(v);
        return r;
    }

    z3::context& d_ctx;
    const Terms& d_terms;
    z3::sort d_tensor;
    std::vector<z3::func_decl> d_funcs;
    std::vector<bool> d_has_var;
    std::vector<std::optional<z3::expr>> d_memo;
    std::map<TermId, z3::expr> d_bound;
};

class Z3Backend final : public Backend {
public:
    BackendKind kind() const override { return BackendKind::Z3; }

    ProofResult prove(const Query& q, int timeout_ms) override {
        ProofResult r;
        r.backend = "z3";
        auto start = std::chrono::steady_clock::now();
        if (support::stop_requested()) {
            r.outcome = Unknown{"z3: not run, a stop was requested"};
            return r;
        }
        try {
            // A scalar (QF_NRA) query gets a solver of its own, without push/pop or tracked
            // assertions (it has no axioms to name), so z3 runs its nlsat tactic, a decision
            // procedure, on it alone. In a kept solver's scope z3 used its incremental core: the
            // answer then depended on the queries run before in that thread (the same division
            // identity proved, timed out or "incomplete" run to run) and a query could hang past
            // its time limit after certain others (a size-3 transformer discovery stalled).
            const bool scalar = q.logic == "QF_NRA";
            std::optional<z3::solver> own;
            if (scalar) own.emplace(make_solver(timeout_ms, q.logic));
            z3::solver& s = scalar ? *own : solver(timeout_ms, q.logic);
            std::optional<Scope> scope;
            if (!scalar) scope.emplace(s);
            Translator tr(d_ctx, q.terms);
            support::StopHook hook([this] { d_ctx.interrupt(); });
            std::map<std::string, const Assertion*> by_name;
            for (const Assertion& a : q.assertions) {
                if (q.terms.sort(a.formula) != Sort::Bool)
                    throw std::invalid_argument("assertion '" + a.name + "' is not a formula");
                if (scalar) {
                    s.add(tr.tr(a.formula));
                    continue;
                }
                s.add(tr.tr(a.formula), a.name.c_str());
                by_name[a.name] = &a;
            }
            switch (s.check()) {
                case z3::unsat: {
                    Proved p;
                    z3::expr_vector core = s.unsat_core();
                    for (unsigned i = 0; i < core.size(); ++i) {
                        auto it = by_name.find(core[i].decl().name().str());
                        if (it != by_name.end() && it->second->kind == AssertionKind::Axiom)
                            p.axioms_used.push_back(it->second->label);
                    }
                    std::sort(p.axioms_used.begin(), p.axioms_used.end());
                    r.outcome = p;
                    break;
                }
                case z3::sat:
                    r.outcome = Unknown{
                        "z3 found a model of the axioms in which the sides differ (not a "
                        "refutation)"};
                    break;
                case z3::unknown: {
                    std::string why = s.reason_unknown();
                    if (support::stop_requested())
                        r.outcome = Unknown{"z3: interrupted by " + support::signal_name(support::stop_signal())};
                    else if (why.find("timeout") != std::string::npos || why.find("canceled") != std::string::npos)
                        r.outcome = Timeout{};
                    else
                        r.outcome = Unknown{"z3: " + why};
                    break;
                }
            }
        } catch (const z3::exception& e) {
            r.outcome = Unknown{std::string("z3 error: ") + e.msg()};
        } catch (const std::exception& e) {
            r.outcome = Unknown{std::string("z3 back-end error: ") + e.what()};
        }
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return r;
    }

    SatAnswer check_sat(const Query& q, int timeout_ms) override {
        try {
            z3::solver& s = solver(timeout_ms, q.logic);
            Scope scope(s);
            Translator tr(d_ctx, q.terms);
            for (const Assertion& a : q.assertions) s.add(tr.tr(a.formula));
            if (support::stop_requested()) return SatAnswer::Unknown;
            support::StopHook hook([this] { d_ctx.interrupt(); });
            switch (s.check()) {
                case z3::unsat: return SatAnswer::Unsat;
                case z3::sat: return SatAnswer::Sat;
                case z3::unknown: return SatAnswer::Unknown;
            }
        } catch (const z3::exception&) {
        } catch (const std::exception&) {  // std::bad_alloc: no answer, not a crash
        }
        return SatAnswer::Unknown;
    }

private:
    // Solvers are kept per back-end (so per thread), one per timeout (the checker uses two: the
    // probe's and the full one), each query inside its own push/pop scope. A fresh solver per
    // query, or new parameters on a kept one, built z3's tactic and parameter tables again every
    // time, under z3's process-wide symbol-table and parameter locks: with two threads a third
    // of the time went to those locks.
    z3::solver& solver(int timeout_ms, const std::string& logic) {
        timeout_ms = std::max(1, timeout_ms);
        auto it = d_solvers.find({timeout_ms, logic});
        if (it != d_solvers.end()) return it->second;
        return d_solvers.emplace(std::make_pair(timeout_ms, logic), make_solver(timeout_ms, logic)).first->second;
    }
    z3::solver make_solver(int timeout_ms, const std::string& logic) {
        timeout_ms = std::max(1, timeout_ms);
        // QF_NRA (a pointwise scalar identity) selects z3's nlsat, a decision procedure.
        z3::solver s(d_ctx, logic.c_str());
        z3::params p(d_ctx);
        p.set("timeout", static_cast<unsigned>(timeout_ms));
        // E-matching only: model-based instantiation rarely helps a TASO-style goal and keeps
        // z3 busy until the timeout on goals that do not follow.
        p.set("mbqi", false);
        // Z3 would otherwise install its own SIGINT handler during each check, answer "unknown
        // (interrupted from keyboard)" and carry on: ruleforge's handler must see the signal.
        p.set("ctrl_c", false);
        s.set(p);
        return s;
    }
    // The query's push/pop. After a stop request the context may have been interrupted (the
    // stop hook, which is unregistered before this pops, calls Z3_interrupt), and a pop on an
    // interrupted context can stop half-way and leave the solver corrupt: z3 4.8 then crashed
    // inside Z3_solver_pop (one SIGINT in about 60 at a random moment of a size-2 discover).
    // The process is stopping, so the scope is left as it is.
    struct Scope {
        explicit Scope(z3::solver& s) : d_s(s) { d_s.push(); }
        ~Scope() {
            if (support::stop_requested()) return;
            try {
                d_s.pop();
            } catch (const z3::exception&) {
            }
        }
        z3::solver& d_s;
    };

    z3::context d_ctx;  // declared first: destroyed after the solvers
    std::map<std::pair<int, std::string>, z3::solver> d_solvers;
};

}  // namespace

std::unique_ptr<Backend> make_z3_backend() { return std::make_unique<Z3Backend>(); }

}  // namespace rf::prover
