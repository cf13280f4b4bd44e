#include "pipeline/discover.h"

#include <chrono>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <omp.h>

#include "enumerator/enumerator.h"
#include "enumerator/progress.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"
#include "ruledb/database.h"
#include "ruledb/minimize.h"

namespace rf::pipeline {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

nlohmann::json params_of(const DiscoverOptions& o) {
    nlohmann::json backends = nlohmann::json::array();
    for (prover::BackendKind k : o.backends) backends.push_back(prover::backend_name(k));
    // Everything that changes the result; threads, batch size and progress do not.
    return {{"preset", o.preset}, {"ops", o.ops}, {"max_ops", o.max_ops}, {"backends", backends},
            {"timeout_ms", o.timeout_ms}};
}

ruledb::Id open_run(ruledb::Database& db, const DiscoverOptions& o, DiscoverSummary& s) {
    const nlohmann::json params = params_of(o);
    if (!o.resume) {
        ruledb::RunSpec spec;
        spec.command = o.command_line.empty() ? "discover" : o.command_line;
        spec.params_json = params.dump();
        spec.axiom_version = prover::builtin_axioms().version;
        return db.begin_run(spec);
    }
    auto last = db.last_unfinished_run("discover");
    if (!last) throw std::invalid_argument("--resume: " + o.db_path + " has no unfinished discover run");
    if (nlohmann::json::parse(last->spec.params_json) != params)
        throw std::invalid_argument("--resume: run " + std::to_string(last->id) + " used other options (" +
                                    last->spec.params_json + "); resume it with the same ones");
    db.resume_run(last->id);
    s.resumed = true;
    return last->id;
}

std::string condition_text(const prover::RuleCheck& c) {
    std::string s;
    for (const auto* list : {&c.conditions, &c.assumed})
        for (const std::string& x : *list) s += (s.empty() ? "" : ", ") + x;
    return s;
}

ruledb::ProofRecord record_of(const prover::ProofResult& r, const prover::RuleCheck& c, ruledb::Id run) {
    ruledb::ProofRecord p;
    p.backend = r.backend;
    p.time_ms = r.seconds * 1000;
    p.run = run;
    if (const auto* proved = std::get_if<prover::Proved>(&r.outcome)) {
        p.status = ruledb::ProofStatus::Proved;
        p.axioms = proved->axioms_used;
        p.condition = condition_text(c);
    } else if (const auto* ref = std::get_if<prover::Refuted>(&r.outcome)) {
        p.status = ruledb::ProofStatus::Refuted;
        p.counterexample = ref->counterexample;
    } else if (const auto* unk = std::get_if<prover::Unknown>(&r.outcome)) {
        p.status = ruledb::ProofStatus::Unknown;
        p.reason = unk->reason;
    } else {
        p.status = ruledb::ProofStatus::Timeout;
        p.reason = "timeout";
    }
    return p;
}

// Stores one proved/refuted/unknown candidate and, for a proved one, its rule (deduplicated).
void store_check(ruledb::Database& db, ruledb::Id run, const Rule& rule, const prover::RuleCheck& c,
                 DiscoverSummary& s) {
    ruledb::RuleEntry entry = ruledb::describe_rule(rule);
    ruledb::Id cand = db.add_candidate(entry, {}, run).id;
    for (const prover::ProofResult& r : c.results) {
        ruledb::ProofRecord p = record_of(r, c, run);
        // A proof the bounded checker refuted is an unsound axiom: never stored as proved.
        if (c.verdict == prover::Verdict::Error && p.status == ruledb::ProofStatus::Proved) {
            p.status = ruledb::ProofStatus::Error;
            p.reason = c.error;
        }
        db.record_candidate_proof(cand, p);
    }
    if (c.verdict == prover::Verdict::Refuted || c.verdict == prover::Verdict::Error) {
        ruledb::ProofRecord b;
        b.backend = "bounded";
        b.status = c.verdict == prover::Verdict::Refuted ? ruledb::ProofStatus::Refuted : ruledb::ProofStatus::Error;
        b.counterexample = c.counterexample;
        b.reason = c.error;
        b.run = run;
        db.record_candidate_proof(cand, b);
    }
    switch (c.verdict) {
        case prover::Verdict::Proved: {
            ++s.proved;
            ruledb::RuleOrigin origin;
            origin.run = run;
            origin.candidate = cand;
            origin.status = ruledb::RuleStatus::Proved;
            ruledb::AddedRule added = db.add_rule(entry, origin);
            if (added.inserted) db.keep_rule(added.id);
            break;
        }
        case prover::Verdict::Refuted: ++s.refuted; break;
        case prover::Verdict::Unknown: ++s.unknown; break;
        case prover::Verdict::Error: ++s.errors; break;
    }
}

}  // namespace

std::string DiscoverSummary::to_json() const {
    nlohmann::json stage_times = nlohmann::json::object();
    for (const StageTime& t : stages) stage_times[t.stage] = t.seconds;
    return nlohmann::json{{"run", run},
                          {"resumed", resumed},
                          {"graphs", graphs},
                          {"classes", classes},
                          {"candidates", candidates},
                          {"dropped_before_solver", dropped_before_solver},
                          {"proved", proved},
                          {"refuted", refuted},
                          {"unknown", unknown},
                          {"errors", errors},
                          {"rules", rules},
                          {"kept", kept},
                          {"pruned", pruned},
                          {"seconds", stage_times}}
        .dump(2);
}

DiscoverSummary discover(const DiscoverOptions& o) {
    if (o.max_ops < 1) throw std::invalid_argument("--max-ops must be at least 1");
    if (o.batch < 1) throw std::invalid_argument("batch size must be positive");
    EnumConfig cfg = preset_config(o.preset, o.max_ops);
    if (!o.ops.empty()) cfg.templates = select_templates(cfg.templates, o.ops);
    cfg.threads = o.threads;
    cfg.progress = o.progress;

    DiscoverSummary s;
    ruledb::Database db(o.db_path);
    const ruledb::Id run = open_run(db, o, s);
    s.run = run;

    // Enumeration is deterministic and cheap next to proving: a resumed run enumerates again
    // and skips the batches already stored.
    auto t0 = Clock::now();
    EnumResult er = enumerate(cfg);
    for (const LevelStats& l : er.levels) {
        s.graphs += l.graphs + l.pair_graphs;
        s.dropped_before_solver += l.drops.total();
    }
    s.classes = er.num_classes();
    s.candidates = er.candidates.size();
    s.stages.push_back({"enumerate", since(t0)});

    const size_t n = er.candidates.size();
    const size_t batches = (n + o.batch - 1) / o.batch;
    auto t1 = Clock::now();
    {
        std::vector<std::string> done_list = db.done_units(run, "store");
        std::set<std::string> done(done_list.begin(), done_list.end());
        for (size_t b = 0; b < batches; ++b) {
            const std::string unit = "b" + std::to_string(b);
            if (done.count(unit)) continue;
            db.atomically([&] {
                for (size_t i = b * o.batch; i < std::min(n, (b + 1) * o.batch); ++i)
                    db.add_candidate(ruledb::describe_rule(er.candidates[i].rule), {}, run);
                db.mark_stage_done(run, "store", unit);
            });
        }
    }
    s.stages.push_back({"store", since(t1)});

    auto t2 = Clock::now();
    prover::CheckOptions copts;
    copts.backends = o.backends;
    copts.timeout_ms = o.timeout_ms;
    const prover::AxiomSet& axioms = prover::builtin_axioms();
    Progress progress(o.progress, "discover", "candidates");
    progress.start(o.max_ops, "prove", n);
    {
        std::vector<std::string> done_list = db.done_units(run, "prove");
        std::set<std::string> done(done_list.begin(), done_list.end());
        const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
        for (size_t b = 0; b < batches; ++b) {
            const std::string unit = "b" + std::to_string(b);
            const size_t lo = b * o.batch, hi = std::min(n, (b + 1) * o.batch);
            if (done.count(unit)) {
                progress.tick(hi - lo);
                continue;
            }
            std::vector<prover::RuleCheck> checks(hi - lo);
#pragma omp parallel num_threads(threads)
            {
                prover::Checker checker(axioms, copts);  // solver contexts are per thread
#pragma omp for schedule(dynamic, 1)
                for (size_t i = lo; i < hi; ++i) {
                    checks[i - lo] = checker.check(er.candidates[i].rule, "candidate_" + std::to_string(i));
                    progress.tick();
                }
            }
            db.atomically([&] {
                for (size_t i = lo; i < hi; ++i) store_check(db, run, er.candidates[i].rule, checks[i - lo], s);
                db.mark_stage_done(run, "prove", unit);
            });
        }
    }
    progress.finish();
    s.stages.push_back({"prove", since(t2)});

    // Keep a minimal set: a proved rule that smaller kept rules already derive is pruned (with
    // its derivation recorded). Deterministic and idempotent, so a resumed run simply redoes it.
    auto t3 = Clock::now();
    ruledb::prune_derivable(db);
    s.stages.push_back({"prune", since(t3)});

    // Totals from the database, so a resumed run reports the whole run, not only this process.
    ruledb::DbStats st = db.stats();
    auto count = [](const std::map<std::string, int64_t>& m, const char* k) {
        auto it = m.find(k);
        return it == m.end() ? uint64_t{0} : static_cast<uint64_t>(it->second);
    };
    s.proved = count(st.candidates_by_status, "proved");
    s.refuted = count(st.candidates_by_status, "refuted");
    s.unknown = count(st.candidates_by_status, "unknown");
    s.rules = static_cast<uint64_t>(st.rules);
    s.kept = count(st.rules_by_decision, "kept");
    for (const auto& [reason, k] : st.pruned_by_reason) s.pruned[reason] = static_cast<uint64_t>(k);
    db.finish_run(run, ruledb::RunStatus::Finished);
    return s;
}

}  // namespace rf::pipeline
