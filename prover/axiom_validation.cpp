#include "prover/axiom_validation.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "ir/eval.h"
#include "ir/mix64.h"
#include "ir/native_text.h"
#include "prover/bounded_check.h"
#include "prover/checker.h"

namespace rf::prover {

namespace {

// What one (variant, shape assignment) turned out to be.
enum Outcome : uint8_t { kUntyped, kFieldProved, kTested, kRefuted, kUndecided };

Rule build_text(const std::string& text) { return build_rule(parse_native_rule(text, "<axiom variant>")); }

std::string declaration(const Variable& v, int rank) {
    std::string d = v.name + ": " + role_name(v.role) + "[";
    for (int i = 0; i < rank; ++i) d += (i ? "," : "") + std::string("rv_") + v.name + "_" + std::to_string(i);
    return d + "]";
}

std::string with_declarations(const Axiom& a, const std::vector<std::string>& decls) {
    std::string text = a.statement;
    for (size_t i = 0; i < decls.size(); ++i) text += (i == 0 && a.condition.empty() ? " where " : ", ") + decls[i];
    return text;
}

bool parses(const std::string& text) {
    try {
        build_text(text);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

// The axiom at every rank its rank-generic variables can take: a variable is rank-generic when
// the axiom builds with it declared at rank 1 and at rank 3 (no operator fixes its rank).
std::vector<Rule> rank_variants(const Axiom& a, int max_rank) {
    std::vector<const Variable*> free;
    for (const Variable& v : a.rule.variables()) {
        if (std::find(a.declared.begin(), a.declared.end(), v.name) != a.declared.end()) continue;
        if (parses(with_declarations(a, {declaration(v, 1)})) && parses(with_declarations(a, {declaration(v, 3)})))
            free.push_back(&v);
    }
    if (free.empty()) return {a.rule};
    std::vector<Rule> out;
    std::set<std::string> seen;
    for (int r = 0; r <= max_rank; ++r) {
        std::vector<std::string> decls;
        for (const Variable* v : free) decls.push_back(declaration(*v, r));
        try {
            Rule rule = build_text(with_declarations(a, decls));
            std::string key;
            for (const Variable& v : rule.variables()) key += v.type.to_string() + ";";
            if (seen.insert(key).second) out.push_back(std::move(rule));
        } catch (const std::exception&) {
            // This rank does not type for some variable: not a variant.
        }
    }
    return out;
}

// Operators whose meaning the field does not model (relu, max pooling, a fused relu: the
// catalogue's kUsesOrder): an identity that needs them is decided by exact tests instead.
bool uses_order(const Rule& r) {
    for (const Graph* g : {&r.lhs, &r.rhs})
        for (const Node& n : g->nodes())
            if (rf::uses_order(n.op, n.params)) return true;
    return false;
}

// The symbols that can change a value: those in some operator's result or in an operand it
// reads. The others (the batch and channel sizes of enlarge's reference kernel, of which only
// the spatial size is read) take the value 1 rather than multiply the shapes to try by 16.
std::vector<SymbolId> value_relevant_symbols(const Rule& r) {
    std::set<SymbolId> relevant;
    auto add = [&](const TensorType& t) {
        for (const Dim& d : t.dims)
            for (const auto& term : d.terms()) relevant.insert(term.first);
    };
    for (const Graph* g : {&r.lhs, &r.rhs})
        for (const Node& n : g->nodes()) {
            if (n.op == OpKind::Input) continue;
            for (const TensorType& t : n.outputs) add(t);
            for (size_t i = 0; i < n.inputs.size(); ++i) {
                const TensorType& t = g->type(n.inputs[i]);
                if (n.op == OpKind::Enlarge && i == 1) {
                    for (size_t k = 2; k < t.dims.size(); ++k)
                        for (const auto& term : t.dims[k].terms()) relevant.insert(term.first);
                } else {
                    add(t);
                }
            }
        }
    std::vector<SymbolId> out;
    for (SymbolId s : r.symbols())
        if (relevant.count(s)) out.push_back(s);
    return out;
}

struct Variant {
    size_t axiom = 0;
    Rule rule;
    std::vector<SymbolId> symbols;  ///< enumerated over 1..max_dim
    std::vector<SymbolId> fixed;    ///< value-irrelevant: always 1
    bool order = false;
    uint64_t first_task = 0, tasks = 0;
};

std::map<SymbolId, int64_t> assignment_of(const Variant& v, uint64_t k, int max_dim) {
    std::map<SymbolId, int64_t> a;
    for (SymbolId s : v.fixed) a[s] = 1;
    for (SymbolId s : v.symbols) {
        a[s] = 1 + static_cast<int64_t>(k % static_cast<uint64_t>(max_dim));
        k /= static_cast<uint64_t>(max_dim);
    }
    return a;
}

uint64_t power(int base, size_t exp) {
    uint64_t r = 1;
    for (size_t i = 0; i < exp; ++i) r *= static_cast<uint64_t>(base);
    return r;
}

BoundedCheckOptions exact_options(const AxiomValidationOptions& o, uint64_t seed) {
    BoundedCheckOptions b;
    b.max_instances = 1;
    b.draws = o.exact_draws;
    b.seed = seed;
    return b;
}

struct InstanceResult {
    Outcome outcome = kUntyped;
    std::string detail;  // the counterexample, filled only when asked for
};

// Whether an instance has an operator the field cannot evaluate as itself (kModular, kDivides).
bool needs_modular_domain(const Rule& r) {
    for (const Graph* g : {&r.lhs, &r.rhs})
        for (const Node& n : g->nodes())
            if (op_info(n.op).has(kModular) || op_info(n.op).has(kDivides)) return true;
    return false;
}

InstanceResult run_instance(const Variant& v, uint64_t k, const AxiomValidationOptions& o, bool explain) {
    InstanceResult res;
    Rule inst;
    try {
        inst = instantiate(v.rule, assignment_of(v, k, o.max_dim));
    } catch (const TypeError&) {
        return res;
    }
    const uint64_t seed = mix64(o.seed ^ mix64(v.first_task + k));
    std::mt19937_64 rng(seed);
    // exp, sqrt, division, softmax, the norms (issue 22): the field has no exp, so such an
    // instance is evaluated in the modular domain (ir/eval_modular.cpp: exp a homomorphism,
    // division an inverse, sqrt and gelu random functions); what that domain cannot tell apart
    // is not a polynomial identity, so a difference there refutes only with a counterexample.
    const bool modular = needs_modular_domain(inst);
    size_t differs = 0;
    if (modular) {
        std::vector<ExactTensor> inputs;
        for (const Variable& var : inst.variables()) inputs.push_back(random_modular(var.type, rng));
        const std::vector<ExactTensor> l = evaluate_exact(inst.lhs, inputs, seed),
                                       r = evaluate_exact(inst.rhs, inputs, seed);
        differs = l.size();
        for (size_t i = 0; i < l.size() && differs == l.size(); ++i)
            if (l[i] != r[i]) differs = i;
    } else {
        std::vector<FieldTensor> inputs;
        for (const Variable& var : inst.variables()) inputs.push_back(random_field(var.type, rng));
        const std::vector<FieldTensor> l = evaluate_field(inst.lhs, inputs, seed);
        const std::vector<FieldTensor> r = evaluate_field(inst.rhs, inputs, seed);
        differs = l.size();
        for (size_t i = 0; i < l.size() && differs == l.size(); ++i)
            if (l[i].dims != r[i].dims || l[i].data != r[i].data) differs = i;
    }
    const size_t outputs = inst.lhs.outputs().size();
    if (differs == outputs) {
        res.outcome = kFieldProved;
        return res;
    }
    const BoundedCheck exact = bounded_check(inst, exact_options(o, seed));
    if (exact.outcome == BoundedCheck::Outcome::Refuted) {
        res.outcome = kRefuted;
        if (explain) res.detail = exact.counterexample->to_string(inst);
    } else if (!v.order && !modular) {
        // Without relu or max the instance is a polynomial identity, which the field decides: the
        // difference is real even though the exact draws missed it.
        res.outcome = kRefuted;
        if (explain) {
            std::ostringstream s;
            s << "at shapes";
            for (const Variable& var : inst.variables()) s << " " << var.name << ": " << var.type.to_string() << ";";
            s << " output " << differs << " differs over GF(2^61-1) (the polynomials differ; exact draws found no "
              << "small counterexample)";
            res.detail = s.str();
        }
    } else {
        res.outcome = exact.outcome == BoundedCheck::Outcome::Passed ? kTested : kUndecided;
    }
    return res;
}

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

const char* validation_status_name(AxiomValidation::Status s) {
    switch (s) {
        case AxiomValidation::Status::Proved: return "proved";
        case AxiomValidation::Status::Tested: return "tested";
        case AxiomValidation::Status::Refuted: return "refuted";
        case AxiomValidation::Status::Error: return "error";
    }
    return "?";
}

std::vector<AxiomValidation> validate_axioms(const AxiomSet& set, const AxiomValidationOptions& o) {
    std::vector<AxiomValidation> out(set.axioms.size());
    std::vector<Variant> variants;
    uint64_t total = 0;
    for (size_t i = 0; i < set.axioms.size(); ++i) {
        out[i].name = set.axioms[i].name;
        for (Rule& r : rank_variants(set.axioms[i], o.max_rank)) {
            Variant v;
            v.axiom = i;
            v.symbols = value_relevant_symbols(r);
            for (SymbolId s : r.symbols())
                if (std::find(v.symbols.begin(), v.symbols.end(), s) == v.symbols.end()) v.fixed.push_back(s);
            v.order = uses_order(r);
            v.rule = std::move(r);
            v.first_task = total;
            v.tasks = power(o.max_dim, v.symbols.size());
            total += v.tasks;
            out[i].assignments += v.tasks;
            variants.push_back(std::move(v));
        }
    }
    // One outcome byte per task, so the summary (and which counterexample is reported: the
    // first refuted task of an axiom) does not depend on the thread count or schedule.
    std::vector<uint8_t> outcome(total, kUntyped);
    std::vector<double> thread_seconds(variants.size(), 0.0);
    std::atomic<uint64_t> done{0};
    const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
    for (uint64_t t = 0; t < total; ++t) {
        const auto it = std::upper_bound(variants.begin(), variants.end(), t,
                                         [](uint64_t x, const Variant& v) { return x < v.first_task; });
        const Variant& v = *(it - 1);
        outcome[t] = run_instance(v, t - v.first_task, o, false).outcome;
        const uint64_t n = done.fetch_add(1, std::memory_order_relaxed) + 1;
        if (o.progress && omp_get_thread_num() == 0 && n % 2048 == 0) o.progress(n, total);
    }
    if (o.progress) o.progress(total, total);

    for (const Variant& v : variants) {
        AxiomValidation& a = out[v.axiom];
        bool typed = false;
        uint64_t undecided = 0;
        for (uint64_t k = 0; k < v.tasks; ++k) {
            const uint8_t oc = outcome[v.first_task + k];
            if (oc == kUntyped) continue;
            typed = true;
            ++a.instances;
            if (oc == kFieldProved) ++a.field_proved;
            if (oc == kTested) ++a.tested;
            if (oc == kUndecided) ++undecided;
            if (oc == kRefuted && a.counterexample.empty()) {
                const double t0 = now_seconds();
                a.counterexample = run_instance(v, k, o, true).detail;
                a.seconds += now_seconds() - t0;
            }
        }
        if (typed) ++a.variants;
        if (undecided) a.note += std::to_string(undecided) + " instances left undecided (exact values overflowed); ";
    }
    for (AxiomValidation& a : out) {
        if (!a.counterexample.empty())
            a.status = AxiomValidation::Status::Refuted;
        else if (a.instances == 0) {
            a.status = AxiomValidation::Status::Error;
            a.note += "no shape assignment up to " + std::to_string(o.max_dim) + " type-checks";
        } else if (a.note.empty())
            a.status = a.tested ? AxiomValidation::Status::Tested : AxiomValidation::Status::Proved;
        else
            a.status = AxiomValidation::Status::Error;
    }
    return out;
}

std::vector<AxiomRedundancy> find_redundant_axioms(const AxiomSet& set, int timeout_ms, int threads,
                                                   const std::function<void(uint64_t, uint64_t)>& progress) {
    const size_t n = set.axioms.size();
    std::vector<AxiomRedundancy> out(n);
    std::atomic<uint64_t> done{0};
    const int nt = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (size_t i = 0; i < n; ++i) {
        AxiomSet others;
        others.version = set.version + "-without-" + set.axioms[i].name;
        others.source = set.source;
        for (size_t j = 0; j < n; ++j)
            if (j != i) others.axioms.push_back(set.axioms[j]);
        CheckOptions co;
        co.timeout_ms = timeout_ms;
        co.probe_timeout_ms = timeout_ms;
        co.strengthen = false;  // the axiom exactly as stated, under its own shape condition
        co.bounded = false;     // validity is validate_axioms' business
        co.pointwise = false;   // redundant means derivable from the other axioms, not true
        Checker checker(others, co);
        const RuleCheck rc = checker.check(set.axioms[i].rule, set.axioms[i].name);
        AxiomRedundancy& r = out[i];
        r.name = set.axioms[i].name;
        r.seconds = rc.seconds;
        r.verdict = verdict_name(rc.verdict);
        if (rc.verdict == Verdict::Proved) {
            r.redundant = true;
            for (const ProofResult& pr : rc.results)
                if (const auto* p = std::get_if<Proved>(&pr.outcome)) r.derived_from = p->axioms_used;
        } else if (!rc.results.empty()) {
            r.verdict = prover::verdict_name(rc.results.front());
        }
        const uint64_t k = done.fetch_add(1) + 1;
        if (progress && omp_get_thread_num() == 0) progress(k, n);
    }
    if (progress) progress(n, n);
    return out;
}

}  // namespace rf::prover
