// JSON pieces that several commands print, so a concept has one key everywhere: a checked
// rule (check, audit) and a list of left-out or skipped rules (import, export, convert).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "exporters/report.h"
#include "prover/checker.h"

namespace rf::cli {

/// [{"index", "name", "message"}, ...]
nlohmann::json issues_json(const std::vector<exporters::Issue>& issues);

/// One back-end's answer: verdict, seconds, and the axioms, strategy and detail of a proof
/// (the pointwise identity) or the reason of an unknown.
nlohmann::json proof_result_json(const prover::ProofResult& r);

/// One checked rule with the keys of `check --json`: verdict, seconds, backends (each with
/// proof_result_json), conditions, assumed, disagreement, and when present
/// smt2, error, bounded_check, counterexample.
nlohmann::json rule_check_json(const prover::RuleCheck& c);

}  // namespace rf::cli
