// The plain values ruledb stores and returns: statuses as enums (each with the spelling the
// schema's CHECK constraints and the CLI use), and one struct per kind of record a stage writes.
// They carry no SQLite types, so every stage can fill them without knowing the storage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/precondition.h"

namespace rf::ruledb {

using Id = int64_t;

enum class RunStatus { Running, Finished, Failed, Interrupted };
/// A candidate waits for a prover, then carries the verdict (the rule it became is in `rules`).
enum class CandidateStatus { Pending, Proved, Refuted, Unknown, Pruned };
/// One prover's answer for one query.
enum class ProofStatus { Proved, Refuted, Unknown, Timeout, Error };
/// What is known of a rule's truth, summed over its proofs.
enum class RuleStatus { Unproved, Proved, Refuted, Unknown };
/// Whether the minimal rule set keeps a rule.
enum class Decision { Undecided, Kept, Pruned };
/// Why a rule left the minimal set (renaming duplicates never become rows: see RuleSource).
enum class PruneReason { CommonSubgraph, Derivable };
/// How a source text relates to the rule row it was folded into.
enum class SourceKind { First, Renamed, Swapped };
enum class ValidationStatus { Valid, Invalid, Error, Skipped };

const char* to_string(RunStatus s);
const char* to_string(CandidateStatus s);
const char* to_string(ProofStatus s);
const char* to_string(RuleStatus s);
const char* to_string(Decision d);
const char* to_string(PruneReason r);
const char* to_string(SourceKind k);
const char* to_string(ValidationStatus s);
/// The inverse spellings; nullopt for an unknown word (the CLI reports it as a usage error).
std::optional<RunStatus> run_status_from(std::string_view s);
std::optional<CandidateStatus> candidate_status_from(std::string_view s);
std::optional<ProofStatus> proof_status_from(std::string_view s);
std::optional<RuleStatus> rule_status_from(std::string_view s);
std::optional<Decision> decision_from(std::string_view s);
std::optional<PruneReason> prune_reason_from(std::string_view s);
std::optional<SourceKind> source_kind_from(std::string_view s);
std::optional<ValidationStatus> validation_status_from(std::string_view s);

/// Preconditions as the database stores them: a JSON array of their names. Reading throws
/// DbError (Other) for a name this version does not know: a rule must never silently lose one.
std::string preconditions_json(const std::vector<Precondition>& ps);
std::vector<Precondition> preconditions_from_json(const std::string& json);

/// What a run was asked to do: enough to repeat it.
struct RunSpec {
    std::string command{};           ///< the command line as typed
    std::string params_json = "{}";  ///< the parsed options, a JSON object
    std::string tool_version{};      ///< empty: this build's version
    std::string axiom_version{};     ///< version or hash of the axiom set the prover used
    std::vector<uint64_t> seeds{};
};

struct RunInfo {
    Id id = 0;
    std::string uuid{};  ///< unique across databases: merge recognises a run it has copied
    RunSpec spec{};
    std::string started_at{}, finished_at{};  ///< ISO-8601 UTC; finished_at empty while running
    RunStatus status = RunStatus::Running;
    std::string merged_from{};  ///< "shard.db#id" for a run copied by merge, else empty
};

/// One prover answer, for a candidate or a rule.
struct ProofRecord {
    std::string backend{};  ///< "z3", "cvc5", "bounded", ...
    ProofStatus status = ProofStatus::Unknown;
    double time_ms = 0;
    std::vector<std::string> axioms{};  ///< the unsat core, by axiom name
    std::string condition{};            ///< shape condition the proof needs, in words ("" = none)
    std::string counterexample{};       ///< for refuted
    std::string reason{};               ///< for unknown / timeout / error
    std::string query{};                ///< SMT-LIB2 text, or "file:PATH"
    std::optional<Id> run{};
    /// The assumptions beyond the rule's typing it was proved under, as data (the words in
    /// `condition` are for people, in the names of the text that was proved). Last, so that
    /// positional initialisers written before it keep their meaning.
    std::vector<Precondition> preconditions{};
};

/// Where a rule came from.
struct RuleOrigin {
    std::optional<Id> run{};
    std::optional<Id> candidate{};
    RuleStatus status = RuleStatus::Unproved;
};

/// The applier's verdict for one rule at one site of one model.
struct ValidationRecord {
    Id rule = 0;
    std::string model, site, device = "cpu";
    double max_abs_error = 0, max_rel_error = 0;
    std::optional<double> time_before_ms{}, time_after_ms{};
    ValidationStatus status = ValidationStatus::Valid;
    std::string message{};
    std::optional<Id> run{};
};

/// Result of an idempotent add: the row's id, and whether this call created it.
struct Added {
    Id id = 0;
    bool inserted = false;
};

/// add_rule's result: also how the given text related to an existing row.
struct AddedRule {
    Id id = 0;
    bool inserted = false;
    /// Set when the rule was already stored under another text: Renamed (equal up to
    /// renaming / node order) or Swapped (the same equation with its sides exchanged).
    std::optional<SourceKind> duplicate{};
};

/// What merging one shard added (rows already present, by canonical text or run UUID, are not
/// counted: they were merged into the existing ones).
struct MergeCounts {
    int64_t runs = 0, graphs = 0, classes = 0, candidates = 0, rules = 0, rules_present = 0, proofs = 0,
            validations = 0, duplicates = 0;
    MergeCounts& operator+=(const MergeCounts& o);
};

}  // namespace rf::ruledb
