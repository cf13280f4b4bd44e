#include "pipeline/prove_db.h"

#include <chrono>
#include <stdexcept>

#include <nlohmann/json.hpp>

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

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// One unit of work: a candidate (not yet a rule) or a stored rule.
struct Open {
    bool is_rule = false;
    ruledb::Id id = 0;
    Rule rule;
};

std::vector<Open> open_work(ruledb::Database& db, bool retry_unknown) {
    std::vector<Open> out;
    std::vector<ruledb::CandidateStatus> cs{ruledb::CandidateStatus::Pending};
    if (retry_unknown) cs.push_back(ruledb::CandidateStatus::Unknown);
    for (ruledb::Id id : db.candidates_with_status(cs)) out.push_back({false, id, db.load_candidate(id)});
    for (ruledb::RuleStatus st : {ruledb::RuleStatus::Unproved, ruledb::RuleStatus::Unknown}) {
        if (st == ruledb::RuleStatus::Unknown && !retry_unknown) continue;
        ruledb::RuleFilter f;
        f.status = st;
        for (const ruledb::RuleSummary& r : db.list_rules(f)) out.push_back({true, r.id, db.load_rule(r.id)});
    }
    return out;
}

}  // namespace

std::string ProveDbSummary::to_json() const {
    return nlohmann::json{{"run", run},
                          {"candidates", candidates},
                          {"rules", rules},
                          {"proved", proved},
                          {"refuted", refuted},
                          {"unknown", unknown},
                          {"errors", errors},
                          {"kept", kept},
                          {"prove_seconds", prove_seconds},
                          {"prune_seconds", prune_seconds}}
        .dump(2);
}

ProveDbSummary prove_database(const ProveDbOptions& o) {
    if (o.backends.empty()) throw support::UserError("prove: no back-end chosen");
    if (o.timeout_ms < 1) throw support::UserError("--timeout-ms must be positive");
    if (o.batch < 1) throw support::UserError("batch size must be positive");
    ruledb::Database::Options dbo;
    dbo.create = false;  // proving an empty new file would only hide a typo in the path
    ruledb::Database db(o.db_path, dbo);

    ProveDbSummary s;
    nlohmann::json backends = nlohmann::json::array();
    for (prover::BackendKind k : o.backends) backends.push_back(prover::backend_name(k));
    ruledb::RunSpec spec;
    spec.command = o.command_line.empty() ? "prove" : o.command_line;
    spec.params_json =
        nlohmann::json{{"backends", backends}, {"timeout_ms", o.timeout_ms}, {"retry_unknown", o.retry_unknown}}.dump();
    spec.axiom_version = prover::builtin_axioms().version;
    const bool earlier_unfinished = db.last_unfinished_run("prove").has_value();
    s.run = db.begin_run(spec);

    auto t0 = Clock::now();
    const std::vector<Open> work = open_work(db, o.retry_unknown);
    for (const Open& w : work) (w.is_rule ? s.rules : s.candidates)++;
    prover::CheckOptions copts;
    copts.backends = o.backends;
    copts.timeout_ms = o.timeout_ms;
    copts.generalize = true;  // a candidate's rule is stored at the most general shapes it holds at
    support::Progress progress(o.progress, "prove", "rules");
    progress.start(0, "prove", work.size());
    ProofTally tally;
    ProveJob job;
    job.rule = [&](size_t i) -> const Rule& { return work[i].rule; };
    job.name = [&](size_t i) { return (work[i].is_rule ? "rule_" : "candidate_") + std::to_string(work[i].id); };
    job.store = [&](size_t i, const prover::RuleCheck& c) {
        if (work[i].is_rule)
            store_rule_check(db, s.run, work[i].id, c, tally);
        else
            store_candidate_check(db, s.run, work[i].rule, c, tally);
    };
    // An interrupted solver's answer is never stored: the batch stays open for the next run.
    job.stopped = [&](size_t stored, int sig) {
        throw support::Interrupted(sig, "stopped by " + support::signal_name(sig) + " while proving (" +
                                            std::to_string(stored) + " of " + std::to_string(work.size()) +
                                            " proved and stored, nothing in flight was)");
    };
    job.check = copts;
    job.threads = o.threads;
    job.progress = &progress;
    try {
        prove_and_store(db, batches(work.size(), static_cast<size_t>(o.batch)), job);
    } catch (const support::Interrupted& e) {
        db.finish_run(s.run, ruledb::RunStatus::Interrupted);
        throw support::Interrupted(e.signal(), e.what() + "; run " + std::to_string(s.run) + " is marked interrupted");
    } catch (...) {
        db.finish_run(s.run, ruledb::RunStatus::Failed);
        throw;
    }
    progress.finish();
    s.prove_seconds = since(t0);
    s.proved = tally.proved;
    s.refuted = tally.refuted;
    s.unknown = tally.unknown;
    s.errors = tally.errors;

    // Also when an earlier prove run stopped (its pass may not have run to the end).
    if (o.prune && (tally.proved > 0 || earlier_unfinished)) {
        auto t1 = Clock::now();
        try {
            ruledb::prune_derivable(db, {}, &progress);
        } catch (const support::Interrupted& e) {
            // Every proof is stored; the pass runs again when the command does (rules left undecided).
            db.finish_run(s.run, ruledb::RunStatus::Interrupted);
            throw support::Interrupted(e.signal(), "stopped by " + support::signal_name(e.signal()) +
                                                       ": every proof is stored, " + e.what() + "; run " +
                                                       std::to_string(s.run) + " is marked interrupted");
        }
        s.prune_seconds = since(t1);
    }
    const ruledb::DbStats st = db.stats();
    auto kept = st.rules_by_decision.find("kept");
    s.kept = kept == st.rules_by_decision.end() ? 0 : static_cast<uint64_t>(kept->second);
    db.finish_run(s.run, ruledb::RunStatus::Finished);
    return s;
}

}  // namespace rf::pipeline
