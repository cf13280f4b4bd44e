#include "pipeline/discover.h"

#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "enumerator/enumerator.h"
#include "pipeline/discover_steps.h"
#include "pipeline/distributed_discover.h"
#include "pipeline/enumerate_db.h"
#include "pipeline/proof_store.h"
#include "pipeline/prove_loop.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"
#include "ruledb/database.h"
#include "ruledb/minimize.h"
#include "support/progress.h"
#include "support/stop.h"
#include "support/user_error.h"

namespace rf::pipeline {

namespace steps {

namespace {

nlohmann::json params_of(const DiscoverOptions& o) {
    nlohmann::json backends = nlohmann::json::array();
    for (prover::BackendKind k : o.backends) backends.push_back(prover::backend_name(k));
    // Everything that changes the result; threads, batch size, progress and the number of
    // ranks (--distributed) do not.
    return {{"preset", o.preset},
            {"ops", o.ops},
            {"max_ops", o.max_ops},
            {"backends", backends},
            {"timeout_ms", o.timeout_ms}};
}

}  // namespace

enumerator::EnumConfig config_of(const DiscoverOptions& o) {
    if (o.max_ops < 1) throw support::UserError("--max-ops must be at least 1");
    if (o.batch < 1) throw support::UserError("batch size must be positive");
    enumerator::EnumConfig cfg = enumeration_config(o.preset, o.max_ops, o.ops);
    cfg.threads = o.threads;
    cfg.progress = o.progress;
    return cfg;
}

ruledb::Id open_run(ruledb::Database& db, const DiscoverOptions& o, DiscoverSummary& s) {
    const nlohmann::json params = params_of(o);
    if (!o.resume) {
        ruledb::RunSpec spec;
        spec.command = o.command_line.empty() ? "discover" : o.command_line;
        spec.params_json = params.dump();
        spec.axiom_version = prover::builtin_axioms().version;
        return s.run = db.begin_run(spec);
    }
    auto last = db.last_unfinished_run("discover");
    if (!last) {
        // A finished job resubmitted or requeued (Slurm, scripts/discover-node.sh) resumes a run
        // that has nothing left: that is success, not a usage error.
        std::optional<ruledb::RunInfo> latest;
        for (ruledb::RunInfo& r : db.runs())
            if (r.spec.command.rfind("discover", 0) == 0 && (!latest || r.id > latest->id)) latest = r;
        if (!latest) throw support::UserError("--resume: " + o.db_path + " has no unfinished discover run");
        if (nlohmann::json::parse(latest->spec.params_json) != params)
            throw support::UserError("--resume: " + o.db_path + " has no unfinished discover run; the last one (run " +
                                     std::to_string(latest->id) + ") finished, with other options (" +
                                     latest->spec.params_json + ")");
        s.already_finished = true;
        s.resumed = true;
        return s.run = latest->id;
    }
    if (nlohmann::json::parse(last->spec.params_json) != params)
        throw support::UserError("--resume: run " + std::to_string(last->id) + " used other options (" +
                                 last->spec.params_json + "); resume it with the same ones");
    db.resume_run(last->id);
    s.resumed = true;
    return s.run = last->id;
}

prover::CheckOptions check_options(const DiscoverOptions& o) {
    prover::CheckOptions copts;
    copts.backends = o.backends;
    copts.timeout_ms = o.timeout_ms;
    copts.generalize = true;  // store each rule at the most general shapes it holds at
    return copts;
}

void count_enumeration(const enumerator::EnumResult& er, DiscoverSummary& s) {
    for (const enumerator::LevelStats& l : er.levels) {
        s.graphs += l.graphs + l.pair_graphs;
        s.dropped_before_solver += l.drops.total();
    }
    s.classes = er.num_classes();
    s.candidates = er.candidates.size();
}

std::vector<Span> open_spans(ruledb::Database& db, ruledb::Id run, const std::string& stage, size_t n, size_t batch) {
    try {
        return pipeline::open_spans(db.done_units(run, stage), n, batch);
    } catch (const std::invalid_argument& e) {
        throw support::UserError("--resume: run " + std::to_string(run) + ", stage " + stage + ": " + e.what());
    }
}

void store_candidates(ruledb::Database& db, ruledb::Id run, const std::vector<enumerator::Candidate>& candidates,
                      size_t batch) {
    for (const Span& span : open_spans(db, run, "store", candidates.size(), batch)) {
        if (support::stop_requested()) interrupted(db, run, support::stop_signal(), "while storing the candidates");
        db.atomically([&] {
            for (size_t i = span.lo; i < span.hi; ++i)
                db.add_candidate(ruledb::describe_rule(candidates[i].rule), {}, run);
            db.mark_stage_done(run, "store", span_unit(span));
        });
    }
}

void read_totals(ruledb::Database& db, DiscoverSummary& s) {
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
    // A finished run resumed again enumerates nothing: its candidates are the ones stored.
    if (s.already_finished) {
        s.candidates = 0;
        for (const auto& [status, k] : st.candidates_by_status) s.candidates += static_cast<uint64_t>(k);
    }
}

void interrupted(ruledb::Database& db, ruledb::Id run, int sig, const std::string& where) {
    // Whatever was in flight was never committed (a transaction that throws rolls back), so
    // the database holds whole units only; the mark makes the state visible to `list`/`show`.
    db.finish_run(run, ruledb::RunStatus::Interrupted);
    const std::string pending = std::to_string(db.candidates_with_status({ruledb::CandidateStatus::Pending}).size());
    throw support::Interrupted(sig, "stopped by " + support::signal_name(sig) + " " + where + "; run " +
                                        std::to_string(run) + " is marked interrupted (" + pending +
                                        " candidates still pending, nothing in flight was stored)");
}

void finish(ruledb::Database& db, ruledb::Id run, const ProofTally& tally, DiscoverSummary& s, bool progress) {
    // Keep a minimal set: a proved rule that smaller kept rules already derive is pruned (with
    // its derivation recorded). Deterministic and idempotent, so a resumed run simply redoes it.
    auto t3 = Clock::now();
    try {
        support::Progress lines(progress, "discover", "rules");
        ruledb::prune_derivable(db, {}, &lines);
    } catch (const support::Interrupted& e) {
        interrupted(db, run, e.signal(), "while pruning (" + e.what() + ")");
    }
    s.stages.push_back({"prune", since(t3)});

    read_totals(db, s);
    s.errors = tally.errors;  // the database has no candidate status for errors
    s.run_proved = tally.proved;
    s.run_refuted = tally.refuted;
    s.run_unknown = tally.unknown;
    s.unknown_reasons = tally.unknown_reasons;
    db.finish_run(run, ruledb::RunStatus::Finished);
}

}  // namespace steps

std::string DiscoverSummary::to_json() const {
    nlohmann::json stage_times = nlohmann::json::object();
    for (const StageTime& t : stages) stage_times[t.stage] = t.seconds;
    nlohmann::json j{{"run", run},
                     {"resumed", resumed},
                     {"already_finished", already_finished},
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
                     {"seconds", stage_times}};
    // The same figures split by scope: this run's work, and what the database holds in all.
    j["this_run"] = {{"graphs", graphs},         {"classes", classes},
                     {"candidates", candidates}, {"proved", run_proved},
                     {"refuted", run_refuted},   {"unknown", run_unknown},
                     {"errors", errors},         {"unknown_reasons", unknown_reasons}};
    j["database"] = {{"proved", proved}, {"refuted", refuted}, {"unknown", unknown},
                     {"rules", rules},   {"kept", kept},       {"pruned", pruned}};
    if (!per_rank.empty()) {
        nlohmann::json ranks_json = nlohmann::json::array();
        for (const RankWork& w : per_rank)
            ranks_json.push_back({{"rank", w.rank},
                                  {"threads", w.threads},
                                  {"candidates", w.candidates},
                                  {"chunks", w.chunks},
                                  {"busy_seconds", w.busy_seconds},
                                  {"wait_seconds", w.wait_seconds},
                                  {"solver_seconds", w.solver_seconds},
                                  {"enumerate_seconds", w.enumerate_seconds},
                                  {"exchange_seconds", w.exchange_seconds},
                                  {"bytes_sent", w.bytes_sent},
                                  {"bytes_received", w.bytes_received}});
        nlohmann::json traffic_json = nlohmann::json::object();
        for (const Traffic& t : traffic) traffic_json[t.phase] = t.bytes;
        j["distributed"] = {{"ranks", ranks},
                            {"per_rank", ranks_json},
                            {"imbalance", load_imbalance(per_rank)},
                            {"enumeration_imbalance", enumeration_imbalance(per_rank)},
                            {"bytes", traffic_json}};
    }
    return j.dump(2);
}

DiscoverSummary discover(const DiscoverOptions& o) {
    if (o.distributed) return discover_distributed(o);
    using steps::Clock;
    using steps::since;
    enumerator::EnumConfig cfg = steps::config_of(o);
    DiscoverSummary s;
    ruledb::Database db(o.db_path);
    const ruledb::Id run = steps::open_run(db, o, s);
    if (s.already_finished) {
        steps::read_totals(db, s);
        return s;
    }

    // Enumeration is deterministic and cheap next to proving: a resumed run enumerates again
    // and skips the spans already stored.
    auto t0 = Clock::now();
    enumerator::EnumResult er = enumerator::enumerate(cfg);
    if (support::stop_requested()) steps::interrupted(db, run, support::stop_signal(), "while enumerating");
    steps::count_enumeration(er, s);
    s.stages.push_back({"enumerate", since(t0)});

    auto t1 = Clock::now();
    steps::store_candidates(db, run, er.candidates, o.batch);
    s.stages.push_back({"store", since(t1)});

    auto t2 = Clock::now();
    const size_t n = er.candidates.size();
    const prover::CheckOptions copts = steps::check_options(o);
    support::Progress progress(o.progress, "discover", "candidates");
    ProofTally tally;
    progress.start(o.max_ops, "prove", n);
    {
        const std::vector<Span> open = steps::open_spans(db, run, "prove", n, o.batch);
        const size_t earlier = n - span_items(open);
        progress.tick(earlier);  // what earlier runs proved
        ProveJob job;
        job.rule = [&](size_t i) -> const Rule& { return er.candidates[i].rule; };
        job.name = [](size_t i) { return "candidate_" + std::to_string(i); };
        job.store = [&](size_t i, const prover::RuleCheck& c) {
            store_candidate_check(db, run, er.candidates[i].rule, c, tally);
        };
        job.mark_done = [&](const Span& span) { db.mark_stage_done(run, "prove", span_unit(span)); };
        // A stop during the span may have cut proofs short (an interrupted solver answers
        // "unknown"): none of the span is stored, the resume proves all of it again.
        job.stopped = [&](size_t stored, int sig) {
            steps::interrupted(db, run, sig,
                               "while proving (" + std::to_string(earlier + stored) + " of " + std::to_string(n) +
                                   " candidates proved and stored)");
        };
        job.check = copts;
        job.threads = o.threads;
        job.progress = &progress;
        prove_and_store(db, open, job);
    }
    progress.finish();
    s.stages.push_back({"prove", since(t2)});
    steps::finish(db, run, tally, s, o.progress);
    return s;
}

}  // namespace rf::pipeline
