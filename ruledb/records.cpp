#include "ruledb/records.h"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "ruledb/db_error.h"

namespace rf::ruledb {

namespace {

// Each enum's spellings in declaration order; one table serves both directions.
template <class E, size_t N>
std::optional<E> parse(const std::array<const char*, N>& names, std::string_view s) {
    for (size_t i = 0; i < N; ++i)
        if (s == names[i]) return static_cast<E>(i);
    return std::nullopt;
}

constexpr std::array<const char*, 4> kRun = {"running", "finished", "failed", "interrupted"};
constexpr std::array<const char*, 5> kCandidate = {"pending", "proved", "refuted", "unknown", "pruned"};
constexpr std::array<const char*, 5> kProof = {"proved", "refuted", "unknown", "timeout", "error"};
constexpr std::array<const char*, 4> kRule = {"unproved", "proved", "refuted", "unknown"};
constexpr std::array<const char*, 3> kDecision = {"undecided", "kept", "pruned"};
constexpr std::array<const char*, 2> kPrune = {"common_subgraph", "derivable"};
constexpr std::array<const char*, 3> kSource = {"first", "renamed", "swapped"};
constexpr std::array<const char*, 4> kValidation = {"valid", "invalid", "error", "skipped"};

}  // namespace

const char* to_string(RunStatus s) { return kRun[static_cast<size_t>(s)]; }
const char* to_string(CandidateStatus s) { return kCandidate[static_cast<size_t>(s)]; }
const char* to_string(ProofStatus s) { return kProof[static_cast<size_t>(s)]; }
const char* to_string(RuleStatus s) { return kRule[static_cast<size_t>(s)]; }
const char* to_string(Decision d) { return kDecision[static_cast<size_t>(d)]; }
const char* to_string(PruneReason r) { return kPrune[static_cast<size_t>(r)]; }
const char* to_string(SourceKind k) { return kSource[static_cast<size_t>(k)]; }
const char* to_string(ValidationStatus s) { return kValidation[static_cast<size_t>(s)]; }

MergeCounts& MergeCounts::operator+=(const MergeCounts& o) {
    runs += o.runs;
    graphs += o.graphs;
    classes += o.classes;
    candidates += o.candidates;
    rules += o.rules;
    rules_present += o.rules_present;
    proofs += o.proofs;
    validations += o.validations;
    duplicates += o.duplicates;
    return *this;
}

std::optional<RunStatus> run_status_from(std::string_view s) { return parse<RunStatus>(kRun, s); }
std::optional<CandidateStatus> candidate_status_from(std::string_view s) {
    return parse<CandidateStatus>(kCandidate, s);
}
std::optional<ProofStatus> proof_status_from(std::string_view s) { return parse<ProofStatus>(kProof, s); }
std::optional<RuleStatus> rule_status_from(std::string_view s) { return parse<RuleStatus>(kRule, s); }
std::optional<Decision> decision_from(std::string_view s) { return parse<Decision>(kDecision, s); }
std::optional<PruneReason> prune_reason_from(std::string_view s) { return parse<PruneReason>(kPrune, s); }
std::optional<SourceKind> source_kind_from(std::string_view s) { return parse<SourceKind>(kSource, s); }
std::optional<ValidationStatus> validation_status_from(std::string_view s) {
    return parse<ValidationStatus>(kValidation, s);
}

std::string preconditions_json(const std::vector<Precondition>& ps) {
    nlohmann::json j = nlohmann::json::array();
    for (Precondition p : ps) j.push_back(precondition_name(p));
    return j.dump();
}

std::vector<Precondition> preconditions_from_json(const std::string& json) {
    std::vector<Precondition> out;
    for (const auto& name : nlohmann::json::parse(json)) {
        auto p = precondition_from(name.get<std::string>());
        if (!p)
            throw DbError(DbError::Kind::Other, "unknown proof precondition '" + name.get<std::string>() +
                                                    "' (written by a newer ruleforge?)");
        out.push_back(*p);
    }
    return out;
}

}  // namespace rf::ruledb
