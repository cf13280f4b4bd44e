// What ruledb's read side returns: filters for listing rules, a rule's one-line summary, the full
// record `ruleforge show` prints (proofs per back-end, pruning decision and reason, the texts it
// was folded from, validations, provenance), and database-wide counts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ruledb/records.h"

namespace rf::ruledb {

/// Every set field must hold; an empty filter lists every rule.
struct RuleFilter {
    std::optional<RuleStatus> status{};
    std::optional<Decision> decision{};
    std::optional<std::string> op{};  ///< some side uses this operator (native spelling)
    std::optional<int> max_ops{};     ///< neither side has more operators
    std::optional<int> min_ops{};
};

struct RuleSummary {
    Id id = 0;
    std::string hash{}, name{};
    std::string text{};  ///< canonical native text
    RuleStatus status = RuleStatus::Unproved;
    Decision decision = Decision::Undecided;
    std::optional<PruneReason> prune_reason{};
    int lhs_ops = 0, rhs_ops = 0;
    std::vector<std::string> ops{};
    std::vector<std::string> conditions{};  ///< the typing conditions, in the rule's own names
    /// What the rule was proved under beyond its typing: the fewest any proved proof of it needed
    /// (one proof without assumptions makes it unconditional).
    std::vector<Precondition> preconditions{};
    std::optional<Id> run{}, candidate{};
};

struct ProofInfo {
    Id id = 0;
    bool on_candidate = false;  ///< recorded for the candidate the rule came from
    ProofRecord record{};
    std::string created_at{};
    /// record.preconditions in words, in the rule's own names (condition_texts, ir/precondition.h).
    std::vector<std::string> assumed{};
};

struct SourceInfo {
    std::string text{};
    SourceKind kind = SourceKind::First;
    std::optional<Id> run{};
};

struct ValidationInfo {
    Id id = 0;
    ValidationRecord record{};
    std::string created_at{};
};

struct RuleDetails {
    RuleSummary summary{};
    /// summary.preconditions in words, in the rule's own names (precondition_texts).
    std::vector<std::string> assumed{};
    std::string prune_detail{};
    std::vector<Id> subsumed_by{};
    std::vector<ProofInfo> proofs{};
    std::vector<SourceInfo> sources{};  ///< every distinct text folded into this rule
    std::vector<ValidationInfo> validations{};
    std::optional<RunInfo> origin_run{};
};

/// One finished unit of a run's stage (ruledb's `stages` table): what resume skips.
struct StageInfo {
    std::string stage{}, unit{};
    std::string finished_at{};  ///< ISO-8601 UTC
    std::string stats_json = "{}";
};

/// A candidate and every proof recorded for it (the reasons of an unknown one live here).
struct CandidateDetails {
    Id id = 0;
    std::string text{}, hash{};
    CandidateStatus status = CandidateStatus::Pending;
    std::optional<Id> run{};
    std::vector<ProofInfo> proofs{};
};

struct DbStats {
    int64_t runs = 0, graphs = 0, classes = 0, candidates = 0, rules = 0, proofs = 0, validations = 0;
    /// Texts folded into an existing rule (renamed or swapped duplicates): pruned, and recorded.
    int64_t duplicates = 0;
    std::map<std::string, int64_t> candidates_by_status{}, rules_by_status{}, rules_by_decision{}, pruned_by_reason{};
};

}  // namespace rf::ruledb
