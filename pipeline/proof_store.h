// Recording what the prover said in the database, the same way for every command that proves
// (discover, prove, apply --prove): one proof row per back-end, plus the bounded checker's row
// when it decided (a counterexample, or a refuted "proof" that exposes an unsound axiom). A
// proof the bounded checker contradicted is stored as an error, never as proved.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/rule.h"
#include "prover/checker.h"
#include "ruledb/database.h"

namespace rf::pipeline {

/// The proof rows for one check, in back-end order, the bounded checker's last.
std::vector<ruledb::ProofRecord> proof_records(const prover::RuleCheck& c, ruledb::Id run);

/// Verdicts counted as they are stored.
struct ProofTally {
    uint64_t proved = 0, refuted = 0, unknown = 0, errors = 0;
    /// The unknowns by RuleCheck::unknown_reason(), for the summaries (docs/prover.md).
    std::map<std::string, uint64_t> unknown_reasons;
    void count(prover::Verdict v);
    void count(const prover::RuleCheck& c);
};

/// A checked candidate: its proofs, and when proved, its rule (deduplicated, kept until pruning
/// decides otherwise). Adds the candidate when it is not stored yet. Call inside atomically().
void store_candidate_check(ruledb::Database& db, ruledb::Id run, const Rule& rule, const prover::RuleCheck& c,
                           ProofTally& tally);

/// A checked rule already in the database (imported, or still unproved): its proofs, which
/// settle its status. Call inside atomically().
void store_rule_check(ruledb::Database& db, ruledb::Id run, ruledb::Id rule, const prover::RuleCheck& c,
                      ProofTally& tally);

}  // namespace rf::pipeline
