// How `list` and `show` present stored rules: a table row per rule, a multi-line record for one
// rule, and their JSON forms (documented in docs/ruledb-schema.md, "JSON output"). Kept next to
// the queries rather than in cli/ so other tools (audit, reports) print rules the same way.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ruledb/queries.h"

namespace rf::ruledb {

/// The header line of the rule table.
std::string rule_table_header();
/// One row: id, hash prefix, status, decision, sizes, text.
std::string rule_table_row(const RuleSummary& rule);
/// Everything `show` prints: text, sizes, conditions, status, decision with reason and
/// subsuming rules, proofs per back-end, duplicate sources, validations, provenance.
std::string rule_report(const RuleDetails& rule);

nlohmann::json to_json(const RuleSummary& rule);
nlohmann::json to_json(const RuleDetails& rule);
nlohmann::json to_json(const DbStats& stats);

}  // namespace rf::ruledb
