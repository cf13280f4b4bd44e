#include "prover/checker.h"

#include "prover/bounded_check.h"
#include "prover/rank_check.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "ir/native_text.h"
#include "ir/output_file.h"
#include "ir/precondition.h"
#include "ir/rank_generic.h"
#include "ir/shape_groups.h"
#include "ir/symbol_places.h"
#include "prover/smt2_file.h"
#include "prover/smtlib.h"
#include "support/stop.h"

namespace rf::prover {

const char* verdict_name(Verdict v) {
    switch (v) {
        case Verdict::Proved: return "proved";
        case Verdict::Refuted: return "refuted";
        case Verdict::Unknown: return "unknown";
        case Verdict::Error: return "error";
    }
    return "?";
}

namespace {

struct Level {
    std::vector<Assumption> assumptions;
    std::vector<std::string> texts;
    std::vector<Precondition> kinds;  ///< what the assumptions are, as data (ir/precondition.h)
};

std::string dim_text(const Dim& d, const std::map<SymbolId, std::string>& places) {
    return d.to_string([&](SymbolId s) {
        auto it = places.find(s);
        return it == places.end() ? "d" + std::to_string(s) : it->second;
    });
}

// Level 1: the left side's convolutions are dense.
Level dense_convolutions(const Rule& r, const std::map<SymbolId, std::string>& places) {
    Level l;
    for (const Node& n : r.lhs.nodes()) {
        if (n.op != OpKind::Conv2d) continue;
        const Dim& c = r.lhs.type(n.inputs[0]).dims[1];
        const Dim& cg = r.lhs.type(n.inputs[1]).dims[1];
        if (c == cg) continue;
        std::string text = dim_text(c, places) + " = " + dim_text(cg, places);
        if (std::any_of(l.assumptions.begin(), l.assumptions.end(),
                        [&](const Assumption& a) { return a.text == text; }))
            continue;
        l.assumptions.push_back({text, c, cg});
        l.texts.push_back(text + " (groups = 1)");
    }
    if (!l.assumptions.empty()) l.kinds.push_back(Precondition::DenseConvolutions);
    return l;
}

// Level 2: variables of one role and rank have one shape.
Level shared_shapes(const Rule& r) {
    Level l;
    const auto& vars = r.variables();
    for (const std::vector<size_t>& group : shape_groups(r)) {
        const size_t i = group[0];
        bool differ = false;
        std::string text = vars[i].name;
        for (size_t g = 1; g < group.size(); ++g) {
            const Variable& v = vars[group[g]];
            text += " = " + v.name;
            for (size_t k = 0; k < v.type.rank(); ++k)
                if (v.type.dims[k] != vars[i].type.dims[k]) {
                    differ = true;
                    l.assumptions.push_back(
                        {vars[i].name + "[" + std::to_string(k) + "] = " + v.name + "[" + std::to_string(k) + "]",
                         vars[i].type.dims[k], v.type.dims[k]});
                }
        }
        if (differ) l.texts.push_back(text + " (same shape)");
    }
    if (!l.assumptions.empty()) l.kinds.push_back(Precondition::SameShapes);
    return l;
}

// The general form's symbols at the values the rule it generalises has there (a variable's
// dimension that is one symbol in `general` and a number in `found`), when they are one
// assignment: a witness that makes the general form `found` again.
std::optional<std::map<SymbolId, int64_t>> instance_values(const Rule& general, const Rule& found) {
    std::map<SymbolId, int64_t> values;
    for (const Variable& g : general.variables()) {
        auto f = std::find_if(found.variables().begin(), found.variables().end(),
                              [&](const Variable& v) { return v.name == g.name; });
        if (f == found.variables().end() || f->type.rank() != g.type.rank()) return std::nullopt;
        for (size_t k = 0; k < g.type.rank(); ++k) {
            const Dim& d = g.type.dims[k];
            if (!f->type.dims[k].is_concrete()) return std::nullopt;
            const int64_t v = f->type.dims[k].value();
            if (d.is_concrete()) {
                if (d.value() != v) return std::nullopt;
                continue;
            }
            if (d.terms().size() != 1 || d.terms()[0].second != 1 || d.constant() != 0) return std::nullopt;
            if (!values.emplace(d.terms()[0].first, v).second && values[d.terms()[0].first] != v) return std::nullopt;
        }
    }
    return values;
}

// Whether the assumptions (and every symbol >= 1, as encode_assumptions states them) hold at
// `values`: then they are satisfiable, and no solver call is needed to know it.
bool holds_at(const Rule& rule, const std::vector<Assumption>& assumptions, const std::map<SymbolId, int64_t>& values) {
    for (SymbolId s : rule.symbols()) {
        auto it = values.find(s);
        if (it == values.end() || it->second < 1) return false;
    }
    for (const Assumption& a : assumptions) {
        auto l = a.lhs.evaluate(values), r = a.rhs.evaluate(values);
        if (!l || !r || *l != *r) return false;
    }
    return true;
}

// The level whose assumptions a proved rule was proved under.
const Level* proved_level(const std::vector<const Level*>& usable, const RuleCheck& out) {
    if (out.verdict != Verdict::Proved) return nullptr;
    for (const Level* l : usable)
        if (l->texts == out.assumed) return l;
    return nullptr;
}

void second_opinion(const Rule& rule, const Level* level, RuleCheck& out, const char* unsound_what) {
    BoundedCheckOptions bo;
    // A rule no strategy proved gets sparse draws too: refuting it is worth the few evaluations.
    if (out.verdict != Verdict::Proved) {
        bo.sparse_draws = 8;
        bo.small_draws = 4;
    }
    if (level && !level->assumptions.empty()) {
        std::vector<Assumption> as = level->assumptions;
        bo.admissible = [as](const std::map<SymbolId, int64_t>& a) {
            for (const Assumption& x : as)
                if (x.lhs.evaluate(a) != x.rhs.evaluate(a)) return false;
            return true;
        };
    }
    BoundedCheck b = bounded_check(rule, bo);
    out.bounded = outcome_name(b.outcome);
    // A proof of a rank-generic rule stands for every rank (ir/rank_generic.h): tested there too.
    if (b.outcome != BoundedCheck::Outcome::Refuted && out.verdict == Verdict::Proved && !bo.admissible)
        if (auto at = refute_at_other_ranks(rule, bo)) {
            out.verdict = Verdict::Error;
            out.counterexample = at->check.counterexample->to_string(at->instance);
            out.error = "proved at rank " + std::to_string(rank_generality(rule).rank) + " but refuted at rank " +
                        std::to_string(at->rank) +
                        " (the rank-generic argument does not hold for it): " + out.counterexample;
            return;
        }
    if (b.outcome != BoundedCheck::Outcome::Refuted) return;
    out.counterexample = b.counterexample->to_string(rule);
    if (out.verdict == Verdict::Proved) {
        // The solvers proved something false: an axiom is unsound. Never report it as proved.
        out.verdict = Verdict::Error;
        out.error =
            std::string("proved but refuted by the bounded checker (") + unsound_what + "): " + out.counterexample;
        return;
    }
    out.verdict = Verdict::Refuted;
}

}  // namespace

Checker::Checker(const AxiomSet& axioms, CheckOptions options) : d_axioms(axioms), d_options(std::move(options)) {
    for (BackendKind k : d_options.backends) d_backends.push_back(make_backend(k));
}

Checker::~Checker() = default;

std::optional<GeneralProof> Checker::prove_without_assumptions(const Rule& rule, const std::string& query_name,
                                                               bool pointwise_first) {
    // Candidates that differ only in their shapes have one general form: proved (or not) once.
    Rule unnamed = rule;
    unnamed.name.clear();
    const std::string key = print_native(unnamed);
    auto it = d_general_proofs.find(key);
    if (it == d_general_proofs.end())
        it = d_general_proofs.emplace(key, prove_without_assumptions_uncached(rule, query_name, pointwise_first)).first;
    if (!it->second) return std::nullopt;
    GeneralProof g = *it->second;
    g.rule.name = rule.name;
    return g;
}

std::optional<GeneralProof> Checker::prove_without_assumptions_uncached(const Rule& rule, const std::string& query_name,
                                                                        bool pointwise_first) {
    GeneralProof g;
    g.rule = rule;
    try {
        // The bounded checker first: it refutes a false generalisation in milliseconds, where a
        // solver would spend its whole limit failing to prove it.
        if (bounded_check(rule).outcome == BoundedCheck::Outcome::Refuted) return std::nullopt;
        // A rule proved pointwise has general forms E-matching seldom proves: the cheap
        // strategy first, and E-matching (up to the probe limit) only when it fails.
        if (pointwise_first && d_options.pointwise) {
            std::string why;
            Query pq;
            if (auto pw = prove_pointwise(rule, query_name, pq, why)) {
                g.results = std::move(*pw);
                return g;
            }
        }
        Query q = encode_rule(rule, d_axioms, {});
        q.name = query_name;
        for (auto& b : d_backends) {
            g.results.push_back(b->prove(q, std::min(d_options.timeout_ms, d_options.probe_timeout_ms)));
            if (g.results.back().proved()) continue;
            // The general form may be in the pointwise fragment where the axioms stop.
            std::string why;
            Query pq;
            std::optional<std::vector<ProofResult>> pw;
            if (d_options.pointwise && !pointwise_first) pw = prove_pointwise(rule, query_name, pq, why);
            if (!pw) return std::nullopt;
            g.results = std::move(*pw);
            break;
        }
    } catch (const std::exception&) {
        return std::nullopt;  // the general form failing says nothing against the proved rule
    }
    return g;
}

std::optional<GeneralProof> Checker::prove_general(const Rule& rule, const std::string& query_name,
                                                   bool pointwise_first) {
    // Variables first: a rule found with few inputs of a shape (TASO's generator has three)
    // often repeats one where any two would do; each repeated variable is told apart while a
    // proof still holds (a few rounds: at most one new variable each).
    std::optional<GeneralProof> best;
    Rule current = rule;
    for (int round = 0; round < 4; ++round) {
        std::vector<Rule> wider;
        try {
            wider = generalize_variables(current);
        } catch (const std::exception&) {
            break;
        }
        std::optional<GeneralProof> found;
        for (size_t i = 0; i < wider.size() && !found; ++i)
            found = prove_without_assumptions(wider[i], query_name + "_vars" + std::to_string(round), pointwise_first);
        if (!found) break;
        current = found->rule;
        best = std::move(found);
    }
    // Then shapes: every concrete dimension a fresh symbol.
    Rule general;
    try {
        general = generalize_shapes(current);
    } catch (const std::exception&) {
        return best;  // no more general typing: the rule stays as it is
    }
    if (general.is_concrete()) return best;
    if (auto g = prove_without_assumptions(general, query_name + "_general", pointwise_first)) return g;
    if (d_options.strengthen)
        if (auto g = prove_general_assuming(general, current, query_name + "_general")) return g;
    // Then every number a symbol, equal numbers one symbol: the rule may need some of its sizes
    // equal (a concat's parts reordered with its kernel's parts), not TASO's values of them.
    // Then the same with the 1s kept (a depthwise kernel); without a 1 it is the form before,
    // whose outcome the cache already holds.
    for (bool keep_ones : {false, true}) {
        try {
            Rule tied = generalize_shapes_tied(current, keep_ones);
            if (!tied.is_concrete())
                if (auto g = prove_without_assumptions(tied, query_name + "_tied", pointwise_first)) return g;
        } catch (const std::exception&) {
        }
    }
    // Then every dimension but the channels: a grouped convolution's blocks need those numbers.
    try {
        Rule but_channels = generalize_shapes_but_channels(current);
        if (!(but_channels.is_concrete()))
            if (auto g = prove_without_assumptions(but_channels, query_name + "_channels", pointwise_first)) return g;
    } catch (const std::exception&) {
    }
    return best;
}

std::optional<GeneralProof> Checker::prove_general_assuming(const Rule& general, const Rule& found,
                                                            const std::string& query_name) {
    // The general shapes under the check's standard assumptions (dense convolutions, then shared
    // shapes per role), as `check` proves a symbolic rule: stored with them as preconditions, it
    // still says more than the rule at TASO's test dimensions -- provided that rule is an
    // instance, i.e. satisfies them (a depthwise convolution is not dense).
    std::map<SymbolId, std::string> places = symbol_places(general);
    std::vector<Level> levels;
    Level dense = dense_convolutions(general, places);
    if (!dense.assumptions.empty()) levels.push_back(dense);
    Level shared = shared_shapes(general);
    if (!shared.assumptions.empty()) {
        Level both = levels.empty() ? Level{} : levels.back();
        both.assumptions.insert(both.assumptions.end(), shared.assumptions.begin(), shared.assumptions.end());
        both.texts.insert(both.texts.end(), shared.texts.begin(), shared.texts.end());
        both.kinds.insert(both.kinds.end(), shared.kinds.begin(), shared.kinds.end());
        levels.push_back(both);
    }
    const std::optional<std::map<SymbolId, int64_t>> witness = instance_values(general, found);
    try {
        for (const Level& level : levels) {
            Rule instance = found;
            instance.preconditions = level.kinds;
            if (!preconditions_hold(instance)) continue;
            // Satisfiable assumptions: the rule found is a witness (no solver call), else ask.
            if (!(witness && holds_at(general, level.assumptions, *witness)) &&
                d_backends.front()->check_sat(encode_assumptions(general, level.assumptions), d_options.timeout_ms) !=
                    SatAnswer::Sat)
                continue;
            // The bounded checker first, under the same assumptions (a false form costs ms); a
            // proved form is re-checked the same way, so this is also its second opinion.
            RuleCheck probe;
            probe.verdict = Verdict::Proved;  // the plain draws only: refuting harder does not pay here
            second_opinion(general, &level, probe, "");
            if (probe.verdict != Verdict::Proved) continue;
            Query q = encode_rule(general, d_axioms, level.assumptions);
            q.name = query_name;
            GeneralProof g;
            g.rule = general;
            g.rule.preconditions = level.kinds;
            g.assumed = level.texts;
            for (auto& b : d_backends) {
                // A short limit: these proofs take milliseconds when they exist, and most general
                // forms that need more do not follow (measured: the 1 s probe limit cost a
                // size-3 discovery about a quarter more CPU).
                g.results.push_back(b->prove(q, std::min({d_options.timeout_ms, d_options.probe_timeout_ms, 200})));
                if (!g.results.back().proved()) break;
            }
            if (std::all_of(g.results.begin(), g.results.end(), [](const ProofResult& r) { return r.proved(); }) &&
                g.results.size() == d_backends.size())
                return g;
        }
    } catch (const std::exception&) {
        return std::nullopt;  // the general form failing says nothing against the proved rule
    }
    return std::nullopt;
}

std::optional<std::vector<ProofResult>> Checker::prove_pointwise(const Rule& rule, const std::string& query_name,
                                                                 Query& query, std::string& why) {
    std::optional<PointwiseQuery> pq =
        encode_pointwise(rule, why, d_options.pointwise_fault, DivisorMode::AssumeNonZero);
    if (!pq) return std::nullopt;
    pq->query.name = query_name;
    if (auto decided = prove_by_algebra(*pq)) {
        query = std::move(pq->query);
        return decided;
    }
    std::vector<ProofResult> results;
    for (auto& b : d_backends) {
        ProofResult r = b->prove(pq->query, d_options.timeout_ms);
        if (auto* p = std::get_if<Proved>(&r.outcome)) {
            p->strategy = "pointwise";
            p->detail = pq->identity;
            p->axioms_used.clear();
        } else {
            why = std::string(r.timed_out() ? "the scalar identity timed out" : "the scalar identity is not valid");
            if (!pq->opaque.empty()) {
                why += " with";
                for (const std::string& o : pq->opaque) why += " " + o;
                why += " opaque";
            }
            if (const auto* u = std::get_if<Unknown>(&r.outcome); u && u->reason.find("model") == std::string::npos)
                why += " (" + u->reason + ")";
            return std::nullopt;
        }
        results.push_back(std::move(r));
    }
    query = std::move(pq->query);
    return results;
}

RuleCheck Checker::check(const Rule& rule, const std::string& query_name) {
    auto start = std::chrono::steady_clock::now();
    RuleCheck out;
    out.conditions = rule.conditions;
    if (support::stop_requested()) {
        out.interrupted = true;
        return out;
    }
    try {
        std::map<SymbolId, std::string> places = symbol_places(rule);
        std::vector<Level> levels{Level{}};
        if (d_options.strengthen) {
            Level dense = dense_convolutions(rule, places);
            if (!dense.assumptions.empty()) levels.push_back(dense);
            Level shared = shared_shapes(rule);
            if (!shared.assumptions.empty()) {
                Level both = levels.back();
                both.assumptions.insert(both.assumptions.end(), shared.assumptions.begin(), shared.assumptions.end());
                both.texts.insert(both.texts.end(), shared.texts.begin(), shared.texts.end());
                both.kinds.insert(both.kinds.end(), shared.kinds.begin(), shared.kinds.end());
                levels.push_back(both);
            }
        }
        // Levels whose assumptions are inconsistent (or undecided) would prove anything: dropped.
        // A rule without symbols needs no solver for that: its assumptions are numbers.
        std::vector<const Level*> usable;
        const bool concrete = rule.symbols().empty();
        for (const Level& level : levels)
            if (level.assumptions.empty() ||
                (concrete ? holds_at(rule, level.assumptions, {})
                          : d_backends.front()->check_sat(encode_assumptions(rule, level.assumptions),
                                                          d_options.timeout_ms) == SatAnswer::Sat))
                usable.push_back(&level);
        Query reported;
        const int n = static_cast<int>(d_backends.size());
        bool by_pointwise = false;
        std::string pointwise_why;
        for (size_t li = 0; li < usable.size(); ++li) {
            const bool last = li + 1 == usable.size();
            Query q = encode_rule(rule, d_axioms, usable[li]->assumptions);
            q.name = query_name;
            std::vector<ProofResult> results;
            int proved = 0;
            for (auto& b : d_backends) {
                results.push_back(b->prove(
                    q, last ? d_options.timeout_ms : std::min(d_options.timeout_ms, d_options.probe_timeout_ms)));
                if (results.back().proved())
                    ++proved;
                else if (!last)
                    break;  // not provable by all at this level: the next level decides
            }
            if (li == 0 && proved != n && d_options.pointwise) {
                // E-matching did not prove the rule as stated: decide it pointwise before
                // trying shape assumptions (a pointwise proof needs none).
                Query pq;
                if (auto pw = prove_pointwise(rule, query_name, pq, pointwise_why)) {
                    out.verdict = Verdict::Proved;
                    out.results = std::move(*pw);
                    reported = std::move(pq);
                    by_pointwise = true;
                    break;
                }
            }
            if (proved == n || last) {
                out.verdict = proved == n ? Verdict::Proved : Verdict::Unknown;
                out.disagreement = proved > 0 && proved < n;
                out.results = std::move(results);
                if (proved == n) {
                    out.assumed = usable[li]->texts;
                    out.preconditions = usable[li]->kinds;
                }
                reported = std::move(q);
                break;
            }
        }
        // A rule with division holds where its divisors are non-zero: stated unless none can be.
        if (out.verdict == Verdict::Proved && divisors_can_be_zero(rule)) {
            out.assumed.push_back(precondition_meaning(Precondition::NonZeroDivisors));
            out.preconditions.push_back(Precondition::NonZeroDivisors);
        }
        if (out.verdict == Verdict::Unknown && !pointwise_why.empty())
            for (ProofResult& r : out.results)
                if (auto* u = std::get_if<Unknown>(&r.outcome)) u->reason += "; pointwise: " + pointwise_why;
        // A proof by a strategy other than the axioms is always re-checked.
        if (by_pointwise)
            second_opinion(rule, nullptr, out, "the pointwise strategy is unsound");
        else if (d_options.bounded)
            second_opinion(rule, usable.empty() ? nullptr : proved_level(usable, out), out, "an axiom is unsound");
        // Written after the bounded check: the file's header states the final verdict.
        if (!d_options.smt2_dir.empty()) {
            std::filesystem::create_directories(d_options.smt2_dir);
            out.smt2_path = (std::filesystem::path(d_options.smt2_dir) / (query_name + ".smt2")).string();
            write_file_atomically(out.smt2_path, smt2_file_text(reported, out.verdict));
        }
        // (A rule under nonzero_divisors keeps its form: the general search does not state it.)
        if (d_options.generalize && out.verdict == Verdict::Proved &&
            std::find(out.preconditions.begin(), out.preconditions.end(), Precondition::NonZeroDivisors) ==
                out.preconditions.end())
            out.general = prove_general(rule, query_name, by_pointwise);
    } catch (const std::exception& e) {
        out.verdict = Verdict::Error;
        out.error = e.what();
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // A stop at any moment of the check may have cut a solver call (or the generalisation)
    // short; the flag is never cleared in a run, so reading it last covers them all.
    out.interrupted = support::stop_requested();
    return out;
}

std::string RuleCheck::unknown_reason() const {
    if (verdict != Verdict::Unknown) return "";
    for (const ProofResult& r : results) {
        if (r.timed_out()) return "timeout";
        const auto* u = std::get_if<Unknown>(&r.outcome);
        if (!u) continue;
        const std::string& why = u->reason;
        auto at = why.find("; pointwise: ");
        if (at == std::string::npos) return why;
        std::string pw = why.substr(at + 2);
        if (pw.find("is not valid") != std::string::npos && pw.find("opaque") == std::string::npos)
            return "pointwise: identity not valid (element-wise)";
        auto paren = pw.find(" (");
        return pw.substr(0, paren);
    }
    return "no result";
}

std::string RuleCheck::condition_text() const {
    std::string s;
    for (const auto* list : {&conditions, &assumed})
        for (const std::string& x : *list) s += (s.empty() ? "" : ", ") + x;
    return s;
}

std::vector<Assumption> precondition_assumptions(const Rule& rule) {
    // check() tries dense convolutions, then those and shared shapes: a proof's preconditions
    // name the level it held at (a kind the rule already satisfies adds no assumption).
    const std::vector<Precondition>& pre = rule.preconditions;
    if (pre.empty()) return {};
    std::vector<Assumption> out = dense_convolutions(rule, symbol_places(rule)).assumptions;
    if (std::find(pre.begin(), pre.end(), Precondition::SameShapes) != pre.end()) {
        const Level shared = shared_shapes(rule);
        out.insert(out.end(), shared.assumptions.begin(), shared.assumptions.end());
    }
    return out;
}

}  // namespace rf::prover
