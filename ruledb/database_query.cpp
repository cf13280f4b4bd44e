// Database: the read side (list, show, counts).
#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "ir/native_text.h"
#include "ruledb/database.h"
#include "ruledb/proof_row.h"
#include "ruledb/sql/connection.h"

namespace rf::ruledb {

namespace {

// The weakest preconditions of a proved proof of rule r (the checker's levels nest: fewer is
// weaker); NULL when no proof proved it. A proof of the candidate r came from counts only when the
// candidate is r itself (same key): a rule stored at more general shapes than its candidate was
// proved there separately, and the candidate's proof at concrete shapes may need no assumption
// (a concrete convolution is dense or not) where the general form does.
constexpr const char* kWeakestPreconditions =
    "(SELECT p.preconditions_json FROM proofs p WHERE p.status = 'proved' AND (p.rule_id = r.id OR "
    "(r.candidate_id IS NOT NULL AND p.candidate_id = r.candidate_id AND "
    "(SELECT c.hash FROM candidates c WHERE c.id = r.candidate_id) = r.hash)) "
    "ORDER BY json_array_length(p.preconditions_json), p.id LIMIT 1)";

const std::string& summary_columns() {
    static const std::string s =
        "SELECT r.id, r.hash, r.name, r.canonical_text, r.status, r.decision, r.prune_reason, "
        "r.lhs_ops, r.rhs_ops, "
        "r.conditions_json, r.run_id, r.candidate_id, "
        "(SELECT group_concat(op, ' ') FROM (SELECT op FROM rule_ops WHERE rule_id = r.id ORDER BY "
        "op)), " +
        std::string(kWeakestPreconditions) + " FROM rules r ";
    return s;
}

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        size_t j = s.find(' ', i);
        if (j == std::string::npos) j = s.size();
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

RuleSummary read_summary(const sql::Statement& st) {
    RuleSummary r;
    r.id = st.i64(0);
    r.hash = st.text(1);
    r.name = st.text(2);
    r.text = st.text(3);
    r.status = rule_status_from(st.text(4)).value_or(RuleStatus::Unproved);
    r.decision = decision_from(st.text(5)).value_or(Decision::Undecided);
    if (auto reason = st.opt_text(6)) r.prune_reason = prune_reason_from(*reason);
    r.lhs_ops = static_cast<int>(st.i64(7));
    r.rhs_ops = static_cast<int>(st.i64(8));
    for (const auto& c : nlohmann::json::parse(st.text(9))) r.conditions.push_back(c.get<std::string>());
    r.run = st.opt_i64(10);
    r.candidate = st.opt_i64(11);
    r.ops = words(st.text(12));
    if (auto pre = st.opt_text(13)) r.preconditions = preconditions_from_json(*pre);
    return r;
}

bool all_of(std::string_view s, int (*pred)(int)) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [&](char c) { return pred(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

std::vector<RuleSummary> Database::list_rules(const RuleFilter& f) {
    auto st = d_conn->prepare(summary_columns() +
                              "WHERE (?1 IS NULL OR r.status = ?1) AND (?2 IS NULL OR r.decision = ?2) "
                              "AND (?3 IS NULL OR EXISTS (SELECT 1 FROM rule_ops o WHERE o.rule_id = r.id AND o.op = "
                              "?3)) "
                              "AND (?4 IS NULL OR r.num_ops <= ?4) AND (?5 IS NULL OR r.num_ops >= ?5) ORDER BY r.id");
    std::optional<std::string> status, decision;
    if (f.status) status = to_string(*f.status);
    if (f.decision) decision = to_string(*f.decision);
    st.bind_all(status, decision, f.op, f.max_ops, f.min_ops);
    std::vector<RuleSummary> out;
    while (st.step()) out.push_back(read_summary(st));
    return out;
}

std::vector<Id> Database::match_rules(std::string_view spec) {
    std::vector<Id> out;
    if (all_of(spec, isdigit) && spec.size() < 19) {
        auto st = d_conn->prepare("SELECT id FROM rules WHERE id = ?");
        st.bind_all(static_cast<int64_t>(std::stoll(std::string(spec))));
        if (st.step()) return {st.i64(0)};
    }
    if (all_of(spec, isxdigit)) {
        std::string prefix(spec);
        for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto st = d_conn->prepare("SELECT id FROM rules WHERE substr(hash, 1, length(?1)) = ?1 ORDER BY id");
        st.bind_all(prefix);
        while (st.step()) out.push_back(st.i64(0));
        if (!out.empty()) return out;
    }
    auto st = d_conn->prepare("SELECT id FROM rules WHERE name = ? AND name <> '' ORDER BY id");
    st.bind_all(spec);
    while (st.step()) out.push_back(st.i64(0));
    return out;
}

std::optional<RuleDetails> Database::rule_details(Id rule) {
    RuleDetails d;
    {
        auto st = d_conn->prepare(summary_columns() + "WHERE r.id = ?");
        st.bind_all(rule);
        if (!st.step()) return std::nullopt;
        d.summary = read_summary(st);
    }
    d.prune_detail = [&] {
        auto st = d_conn->prepare("SELECT prune_detail FROM rules WHERE id = ?");
        st.bind_all(rule);
        return st.step() ? st.text(0) : std::string();
    }();
    {
        auto st = d_conn->prepare("SELECT by_rule FROM rule_subsumers WHERE rule_id = ? ORDER BY by_rule");
        st.bind_all(rule);
        while (st.step()) d.subsumed_by.push_back(st.i64(0));
    }
    {
        auto st = d_conn->prepare(std::string("SELECT candidate_id IS NOT NULL, ") + kProofColumns +
                                  " FROM proofs WHERE rule_id = ?1 OR (candidate_id IS NOT NULL AND "
                                  "candidate_id = (SELECT candidate_id FROM rules WHERE id = ?1)) ORDER BY id");
        st.bind_all(rule);
        while (st.step()) {
            ProofInfo p = read_proof_row(st, 1);
            p.on_candidate = st.i64(0) != 0;
            d.proofs.push_back(std::move(p));
        }
    }
    {
        auto st = d_conn->prepare("SELECT text, kind, run_id FROM rule_sources WHERE rule_id = ? ORDER BY id");
        st.bind_all(rule);
        while (st.step())
            d.sources.push_back(
                {st.text(0), source_kind_from(st.text(1)).value_or(SourceKind::Renamed), st.opt_i64(2)});
    }
    {
        auto st = d_conn->prepare(
            "SELECT id, model, site, device, max_abs_error, max_rel_error, time_before_ms, "
            "time_after_ms, status, "
            "message, run_id, created_at FROM model_validations WHERE rule_id = ? ORDER BY id");
        st.bind_all(rule);
        while (st.step()) {
            ValidationInfo v;
            v.id = st.i64(0);
            v.record.rule = rule;
            v.record.model = st.text(1);
            v.record.site = st.text(2);
            v.record.device = st.text(3);
            v.record.max_abs_error = st.f64(4);
            v.record.max_rel_error = st.f64(5);
            v.record.time_before_ms = st.opt_f64(6);
            v.record.time_after_ms = st.opt_f64(7);
            v.record.status = validation_status_from(st.text(8)).value_or(ValidationStatus::Error);
            v.record.message = st.text(9);
            v.record.run = st.opt_i64(10);
            v.created_at = st.text(11);
            d.validations.push_back(std::move(v));
        }
    }
    if (d.summary.run) d.origin_run = run(*d.summary.run);
    // Conditions in words, in the names of the rule's canonical text (what `show` prints with
    // them); the stored ones may be in the names of the text the rule first arrived as.
    try {
        Rule r = load_rule(rule);
        d.summary.conditions = r.conditions;
        r.preconditions = d.summary.preconditions;
        d.assumed = precondition_texts(r);
        for (ProofInfo& p : d.proofs) {
            r.preconditions = p.record.preconditions;
            p.assumed = precondition_texts(r);
        }
    } catch (const std::exception&) {
        // A text this version cannot type: the stored words are all there is.
    }
    return d;
}

Rule Database::load_rule(Id rule) {
    auto st = d_conn->prepare("SELECT canonical_text, name, " + std::string(kWeakestPreconditions) +
                              " FROM rules r WHERE id = ?");
    st.bind_all(rule);
    if (!st.step()) throw std::out_of_range("no rule " + std::to_string(rule) + " in '" + path() + "'");
    Rule r = build_rule(parse_native_rule(st.text(0), path() + "#rule" + std::to_string(rule)));
    r.name = st.text(1);
    if (auto pre = st.opt_text(2)) r.preconditions = preconditions_from_json(*pre);
    return r;
}

std::vector<Id> Database::candidates_with_status(const std::vector<CandidateStatus>& statuses) {
    std::vector<Id> out;
    auto st = d_conn->prepare("SELECT id FROM candidates WHERE status = ? ORDER BY id");
    for (CandidateStatus s : statuses) {
        st.reset();
        st.bind_all(to_string(s));
        while (st.step()) out.push_back(st.i64(0));
    }
    std::sort(out.begin(), out.end());
    return out;
}

Rule Database::load_candidate(Id candidate) {
    auto st = d_conn->prepare("SELECT rule_text FROM candidates WHERE id = ?");
    st.bind_all(candidate);
    if (!st.step()) throw std::out_of_range("no candidate " + std::to_string(candidate) + " in '" + path() + "'");
    Rule r = build_rule(parse_native_rule(st.text(0), path() + "#candidate" + std::to_string(candidate)));
    r.name = "candidate_" + std::to_string(candidate);
    return r;
}

DbStats Database::stats() {
    DbStats s;
    s.runs = d_conn->query_int("SELECT count(*) FROM runs");
    s.graphs = d_conn->query_int("SELECT count(*) FROM graphs");
    s.classes = d_conn->query_int("SELECT count(*) FROM classes");
    s.candidates = d_conn->query_int("SELECT count(*) FROM candidates");
    s.rules = d_conn->query_int("SELECT count(*) FROM rules");
    s.proofs = d_conn->query_int("SELECT count(*) FROM proofs");
    s.validations = d_conn->query_int("SELECT count(*) FROM model_validations");
    s.duplicates = d_conn->query_int("SELECT count(*) FROM rule_sources WHERE kind <> 'first'");
    auto group = [&](const char* sql, std::map<std::string, int64_t>& into) {
        auto st = d_conn->prepare(sql);
        while (st.step()) into[st.text(0)] = st.i64(1);
    };
    group("SELECT status, count(*) FROM candidates GROUP BY status", s.candidates_by_status);
    group("SELECT status, count(*) FROM rules GROUP BY status", s.rules_by_status);
    group("SELECT decision, count(*) FROM rules GROUP BY decision", s.rules_by_decision);
    group(
        "SELECT prune_reason, count(*) FROM rules WHERE prune_reason IS NOT NULL GROUP BY "
        "prune_reason",
        s.pruned_by_reason);
    return s;
}

}  // namespace rf::ruledb
