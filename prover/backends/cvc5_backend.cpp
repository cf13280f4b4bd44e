// The cvc5 back-end (cvc5 1.0.3: the Solver owns its terms; there is no TermManager yet).
// Translates a neutral Query, checks it under a per-query time limit (`tlimit-per`) and reads
// the unsat core, mapping each core formula back to its named assertion. A fresh Solver per
// query keeps queries independent; the Backend object is still one per thread. cvc5 1.0.3 has
// no way to interrupt a running check from outside: after a stop request (support/stop.h) the
// query in flight ends within its time limit, no new one starts, and its answer is marked.
#include <cvc5/cvc5.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "prover/backend.h"
#include "support/stop.h"

namespace rf::prover {

namespace {

class Translator {
public:
    Translator(cvc5::Solver& s, const Terms& terms) : d_s(s), d_terms(terms), d_tensor(s.mkUninterpretedSort("T")) {
        d_has_var = terms.open_terms();
        d_memo.resize(terms.size());
        for (const FuncDecl& f : terms.funcs()) {
            std::vector<cvc5::Sort> dom;
            for (Sort a : f.args) dom.push_back(sort(a));
            d_funcs.push_back(s.declareFun(f.name, dom, sort(f.result)));
        }
    }

    cvc5::Sort sort(Sort s) {
        switch (s) {
            case Sort::Bool: return d_s.getBooleanSort();
            case Sort::Int: return d_s.getIntegerSort();
            case Sort::Tensor: return d_tensor;
            case Sort::Real: return d_s.getRealSort();
        }
        return d_tensor;
    }

    cvc5::Term tr(TermId id) {
        if (!d_has_var[id] && d_memo[id]) return *d_memo[id];
        cvc5::Term t = build(id);
        if (!d_has_var[id]) d_memo[id] = t;
        return t;
    }

private:
    cvc5::Term mk(cvc5::Kind k, const std::vector<cvc5::Term>& kids) { return d_s.mkTerm(k, kids); }

    cvc5::Term build(TermId id) {
        const TermNode& n = d_terms.node(id);
        std::vector<cvc5::Term> kids;
        if (n.op != TermOp::Forall)
            for (TermId k : n.kids) kids.push_back(tr(k));
        switch (n.op) {
            case TermOp::App: {
                if (kids.empty()) return d_funcs[n.func];
                kids.insert(kids.begin(), d_funcs[n.func]);
                return mk(cvc5::Kind::APPLY_UF, kids);
            }
            case TermOp::Var: return d_bound.at(id);
            case TermOp::IntLit: return d_s.mkInteger(static_cast<int64_t>(n.value));
            case TermOp::True: return d_s.mkTrue();
            case TermOp::False: return d_s.mkFalse();
            case TermOp::Eq: return mk(cvc5::Kind::EQUAL, kids);
            case TermOp::Distinct: return mk(cvc5::Kind::DISTINCT, kids);
            case TermOp::Not: return mk(cvc5::Kind::NOT, kids);
            case TermOp::And: return mk(cvc5::Kind::AND, kids);
            case TermOp::Or: return mk(cvc5::Kind::OR, kids);
            case TermOp::Implies: return mk(cvc5::Kind::IMPLIES, kids);
            case TermOp::Le: return mk(cvc5::Kind::LEQ, kids);
            case TermOp::Add: return mk(cvc5::Kind::ADD, kids);
            case TermOp::Sub: return mk(cvc5::Kind::SUB, kids);
            case TermOp::RealLit: return d_s.mkReal(static_cast<int64_t>(n.value));
            case TermOp::Mul: return mk(cvc5::Kind::MULT, kids);
            case TermOp::MulConst: return mk(cvc5::Kind::MULT, {d_s.mkInteger(static_cast<int64_t>(n.value)), kids[0]});
            case TermOp::DivConst:
                return mk(cvc5::Kind::INTS_DIVISION, {kids[0], d_s.mkInteger(static_cast<int64_t>(n.value))});
            case TermOp::ModConst:
                return mk(cvc5::Kind::INTS_MODULUS, {kids[0], d_s.mkInteger(static_cast<int64_t>(n.value))});
            case TermOp::Forall: return quantifier(id);
        }
        return d_s.mkTrue();
    }

    cvc5::Term quantifier(TermId id) {
        const Quantifier& q = d_terms.quantifier(id);
        std::vector<cvc5::Term> vars;
        for (TermId v : q.vars) {
            const TermNode& vn = d_terms.node(v);
            cvc5::Term var = d_s.mkVar(sort(vn.sort), vn.name);
            d_bound.insert_or_assign(v, var);
            vars.push_back(var);
        }
        std::vector<cvc5::Term> parts{mk(cvc5::Kind::VARIABLE_LIST, vars), tr(q.body)};
        if (!q.patterns.empty()) {
            std::vector<cvc5::Term> pats;
            for (const auto& p : q.patterns) {
                std::vector<cvc5::Term> ts;
                for (TermId t : p) ts.push_back(tr(t));
                pats.push_back(mk(cvc5::Kind::INST_PATTERN, ts));
            }
            parts.push_back(mk(cvc5::Kind::INST_PATTERN_LIST, pats));
        }
        for (TermId v : q.vars) d_bound.erase(v);
        return mk(cvc5::Kind::FORALL, parts);
    }

    cvc5::Solver& d_s;
    const Terms& d_terms;
    cvc5::Sort d_tensor;
    std::vector<cvc5::Term> d_funcs;
    std::vector<bool> d_has_var;
    std::vector<std::optional<cvc5::Term>> d_memo;
    std::map<TermId, cvc5::Term> d_bound;
};

void configure(cvc5::Solver& s, int timeout_ms, bool cores, const std::string& logic) {
    s.setOption("tlimit-per", std::to_string(std::max(1, timeout_ms)));
    if (cores) s.setOption("produce-unsat-cores", "true");
    s.setLogic(logic);
}

class Cvc5Backend final : public Backend {
public:
    BackendKind kind() const override { return BackendKind::Cvc5; }

    ProofResult prove(const Query& q, int timeout_ms) override {
        ProofResult r;
        r.backend = "cvc5";
        auto start = std::chrono::steady_clock::now();
        if (support::stop_requested()) {
            r.outcome = Unknown{"cvc5: not run, a stop was requested"};
            return r;
        }
        try {
            cvc5::Solver s;
            configure(s, timeout_ms, true, q.logic);
            Translator tr(s, q.terms);
            std::unordered_map<cvc5::Term, const Assertion*> by_term;
            for (const Assertion& a : q.assertions) {
                if (q.terms.sort(a.formula) != Sort::Bool)
                    throw std::invalid_argument("assertion '" + a.name + "' is not a formula");
                cvc5::Term f = tr.tr(a.formula);
                by_term.emplace(f, &a);
                s.assertFormula(f);
            }
            cvc5::Result res = s.checkSat();
            if (support::stop_requested() && !res.isUnsat()) {
                r.outcome = Unknown{"cvc5: stopped by " + support::signal_name(support::stop_signal())};
            } else if (res.isUnsat()) {
                Proved p;
                for (const cvc5::Term& t : s.getUnsatCore()) {
                    auto it = by_term.find(t);
                    if (it != by_term.end() && it->second->kind == AssertionKind::Axiom)
                        p.axioms_used.push_back(it->second->label);
                }
                std::sort(p.axioms_used.begin(), p.axioms_used.end());
                r.outcome = p;
            } else if (res.isSat()) {
                r.outcome = Unknown{
                    "cvc5 found a model of the axioms in which the sides differ (not a "
                    "refutation)"};
            } else {
                cvc5::UnknownExplanation why = res.getUnknownExplanation();
                if (why == cvc5::UnknownExplanation::TIMEOUT || why == cvc5::UnknownExplanation::RESOURCEOUT)
                    r.outcome = Timeout{};
                else
                    r.outcome = Unknown{"cvc5: " + res.toString()};
            }
        } catch (const cvc5::CVC5ApiException& e) {
            r.outcome = Unknown{std::string("cvc5 error: ") + e.what()};
        } catch (const std::exception& e) {
            r.outcome = Unknown{std::string("cvc5 back-end error: ") + e.what()};
        } catch (...) {
            // cvc5's internal exceptions (Minisat::OutOfMemoryException when memory runs out) do
            // not derive from std::exception; uncaught they would abort the whole run.
            r.outcome = Unknown{"cvc5 back-end error: an internal cvc5 exception (out of memory?)"};
        }
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return r;
    }

    SatAnswer check_sat(const Query& q, int timeout_ms) override {
        if (support::stop_requested()) return SatAnswer::Unknown;
        try {
            cvc5::Solver s;
            configure(s, timeout_ms, false, q.logic);
            Translator tr(s, q.terms);
            for (const Assertion& a : q.assertions) s.assertFormula(tr.tr(a.formula));
            cvc5::Result res = s.checkSat();
            if (res.isUnsat()) return SatAnswer::Unsat;
            if (res.isSat()) return SatAnswer::Sat;
        } catch (...) {  // std::exception or cvc5's internal ones: no answer, not a crash
        }
        return SatAnswer::Unknown;
    }
};

}  // namespace

std::unique_ptr<Backend> make_cvc5_backend() { return std::make_unique<Cvc5Backend>(); }

}  // namespace rf::prover
