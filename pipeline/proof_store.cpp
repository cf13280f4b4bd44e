#include "pipeline/proof_store.h"

namespace rf::pipeline {

namespace {

ruledb::ProofRecord record_of(const prover::ProofResult& r, const prover::RuleCheck& c, ruledb::Id run) {
    ruledb::ProofRecord p;
    p.backend = r.backend;
    p.time_ms = r.seconds * 1000;
    p.run = run;
    if (const auto* proved = std::get_if<prover::Proved>(&r.outcome)) {
        p.axioms = proved->axioms_used;
        p.condition = c.condition_text();
        p.preconditions = c.preconditions;
        if (c.verdict == prover::Verdict::Error) {
            p.status = ruledb::ProofStatus::Error;
            p.reason = c.error;
        } else {
            p.status = ruledb::ProofStatus::Proved;
            // How it was proved, for a strategy other than the axioms (docs/prover.md).
            if (proved->strategy != "e-matching") p.reason = "strategy " + proved->strategy + ": " + proved->detail;
        }
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

}  // namespace

void ProofTally::count(prover::Verdict v) {
    switch (v) {
        case prover::Verdict::Proved: ++proved; break;
        case prover::Verdict::Refuted: ++refuted; break;
        case prover::Verdict::Unknown: ++unknown; break;
        case prover::Verdict::Error: ++errors; break;
    }
}

void ProofTally::count(const prover::RuleCheck& c) {
    count(c.verdict);
    if (c.verdict == prover::Verdict::Unknown) ++unknown_reasons[c.unknown_reason()];
}

std::vector<ruledb::ProofRecord> proof_records(const prover::RuleCheck& c, ruledb::Id run) {
    std::vector<ruledb::ProofRecord> out;
    for (const prover::ProofResult& r : c.results) out.push_back(record_of(r, c, run));
    if (c.verdict == prover::Verdict::Refuted || c.verdict == prover::Verdict::Error) {
        ruledb::ProofRecord b;
        b.backend = "bounded";
        b.status = c.verdict == prover::Verdict::Refuted ? ruledb::ProofStatus::Refuted : ruledb::ProofStatus::Error;
        b.counterexample = c.counterexample;
        b.reason = c.error;
        b.run = run;
        out.push_back(b);
    }
    return out;
}

void store_candidate_check(ruledb::Database& db, ruledb::Id run, const Rule& rule, const prover::RuleCheck& c,
                           ProofTally& tally) {
    ruledb::RuleEntry entry = ruledb::describe_rule(rule);
    const ruledb::Id cand = db.add_candidate(entry, {}, run).id;
    for (const ruledb::ProofRecord& p : proof_records(c, run)) db.record_candidate_proof(cand, p);
    tally.count(c);
    if (c.verdict != prover::Verdict::Proved) return;
    ruledb::RuleOrigin origin;
    origin.run = run;
    origin.candidate = cand;
    origin.status = ruledb::RuleStatus::Proved;
    if (!c.general) {
        ruledb::AddedRule added = db.add_rule(entry, origin);
        if (added.inserted) db.keep_rule(added.id);
        return;
    }
    // The rule holds at every shape: stored once at its general shapes (the candidates found at
    // other test shapes fold into it), with the text it was found as among its sources.
    ruledb::RuleEntry general = ruledb::describe_rule(c.general->rule);
    general.source_text = entry.source_text;
    ruledb::AddedRule added = db.add_rule(general, origin);
    if (added.inserted) {
        db.keep_rule(added.id);
        for (const prover::ProofResult& r : c.general->results) {
            ruledb::ProofRecord p;
            p.backend = r.backend;
            p.time_ms = r.seconds * 1000;
            p.run = run;
            p.status = ruledb::ProofStatus::Proved;
            const auto& proved = std::get<prover::Proved>(r.outcome);
            p.axioms = proved.axioms_used;
            if (proved.strategy != "e-matching") p.reason = "strategy " + proved.strategy + ": " + proved.detail;
            for (const std::string& x : c.general->rule.conditions)
                p.condition += (p.condition.empty() ? "" : ", ") + x;
            for (const std::string& x : c.general->assumed) p.condition += (p.condition.empty() ? "" : ", ") + x;
            p.preconditions = c.general->rule.preconditions;
            db.record_rule_proof(added.id, p);
        }
    }
}

void store_rule_check(ruledb::Database& db, ruledb::Id run, ruledb::Id rule, const prover::RuleCheck& c,
                      ProofTally& tally) {
    for (const ruledb::ProofRecord& p : proof_records(c, run)) db.record_rule_proof(rule, p);
    tally.count(c);
}

}  // namespace rf::pipeline
