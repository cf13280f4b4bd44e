// ruleforge's own JSON rule-set format ("format": "ruleforge-rules", "version": 1), documented
// in docs/json-schema.md with a JSON Schema (exporters/ruleforge-rules.schema.json). Unlike the
// TASO and FlexFlow formats it loses nothing: each rule carries its native text (which parses
// back), canonical text and hash, TENSAT text where TENSAT can say it, variables with roles and
// shapes, shape conditions and, when exported from a database, proof status per back-end, the
// axioms used and provenance. Scripts and dashboards read it without a rule parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exporters/report.h"
#include "ir/rule.h"

namespace rf::exporters {

/// One prover answer, as the database recorded it.
struct ProofEntry {
    std::string backend;  ///< "z3", "cvc5", "bounded", ...
    std::string status;   ///< proved | refuted | unknown | timeout | error
    double time_ms = 0;
    std::vector<std::string> axioms;           ///< the unsat core, by name
    std::string condition;                     ///< shape condition the proof needs, in words ("" = none)
    std::string reason;                        ///< for unknown / timeout / error
    std::vector<std::string> preconditions{};  ///< what it was proved under, by name (ir/precondition.h)
};

/// What a database knows about a rule beyond its text. Plain values, so that exporters do not
/// depend on ruledb: the CLI fills this from ruledb's records.
struct RuleRecordMeta {
    std::string database;  ///< the file it was exported from
    std::optional<int64_t> rule_id, run, candidate;
    std::string status;    ///< proved | refuted | unknown | unproved
    std::string decision;  ///< kept | pruned | undecided
    std::string prune_reason, prune_detail;
    std::vector<int64_t> subsumed_by;
    std::vector<ProofEntry> proofs;
    std::string run_command, tool_version, axiom_version;
};

/// The document for `rules`; `meta`, when given, has one entry per rule. Every rule is written.
ExportResult write_json_rules(const std::vector<Rule>& rules, const std::vector<RuleRecordMeta>* meta = nullptr);

}  // namespace rf::exporters
