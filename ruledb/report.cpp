#include "ruledb/report.h"

#include <cstdio>

namespace rf::ruledb {

namespace {

std::string decision_text(const RuleSummary& r) {
    std::string s = to_string(r.decision);
    if (r.prune_reason) s += std::string(":") + to_string(*r.prune_reason);
    return s;
}

std::string pad(std::string s, size_t width) {
    if (s.size() < width) s += std::string(width - s.size(), ' ');
    return s;
}

std::string padl(std::string s, size_t width) {
    if (s.size() < width) s = std::string(width - s.size(), ' ') + s;
    return s;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
    return s;
}

std::string ms(double t) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f ms", t);
    return buf;
}

std::string num(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", x);
    return buf;
}

std::vector<std::string> names(const std::vector<Precondition>& ps) {
    std::vector<std::string> out;
    for (Precondition p : ps) out.push_back(precondition_name(p));
    return out;
}

// Without the rule at hand (a text this version cannot type): the kinds' meanings.
std::string preconditions_words(const std::vector<Precondition>& ps) {
    std::string s;
    for (Precondition p : ps) s += (s.empty() ? "" : "; ") + std::string(precondition_meaning(p));
    return s;
}

}  // namespace

std::string rule_table_header() {
    return padl("id", 6) + "  " + pad("hash", 12) + "  " + pad("status", 9) + "  " + pad("decision", 24) + "  " +
           pad("size", 5) + "  rule";
}

std::string rule_table_row(const RuleSummary& r) {
    return padl(std::to_string(r.id), 6) + "  " + r.hash.substr(0, 12) + "  " + pad(to_string(r.status), 9) + "  " +
           pad(decision_text(r), 24) + "  " + pad(std::to_string(r.lhs_ops) + "/" + std::to_string(r.rhs_ops), 5) +
           "  " + (r.name.empty() ? "" : r.name + ": ") + r.text;
}

std::string rule_report(const RuleDetails& d) {
    const RuleSummary& r = d.summary;
    std::string s =
        "rule " + std::to_string(r.id) + "  hash " + r.hash + (r.name.empty() ? "" : "  name " + r.name) + "\n";
    s += "  " + r.text + "\n";
    s += "size:       " + std::to_string(r.lhs_ops) + " => " + std::to_string(r.rhs_ops) + " operators (" +
         join(r.ops, ", ") + ")\n";
    s += "conditions: " + (r.conditions.empty() ? std::string("none") : join(r.conditions, "; ")) + "\n";
    if (!r.preconditions.empty()) {
        s += "assumes:    " + (d.assumed.empty() ? preconditions_words(r.preconditions) : join(d.assumed, "; ")) +
             "  (proved only under this: not exported to taso, tensat or flexflow by default)\n";
    }
    s += "status:     " + std::string(to_string(r.status)) + "\n";
    s += "decision:   " + std::string(to_string(r.decision));
    if (r.prune_reason) {
        s += " (" + std::string(to_string(*r.prune_reason)) + ")";
        if (!d.subsumed_by.empty()) {
            std::vector<std::string> ids;
            for (Id id : d.subsumed_by) ids.push_back(std::to_string(id));
            s += " by rule" + std::string(ids.size() > 1 ? "s " : " ") + join(ids, ", ");
        }
        if (!d.prune_detail.empty()) s += ": " + d.prune_detail;
    }
    s += "\n";
    s += "proofs:     " + (d.proofs.empty() ? std::string("none") : std::to_string(d.proofs.size())) + "\n";
    for (const ProofInfo& p : d.proofs) {
        const ProofRecord& q = p.record;
        s += "  " + pad(q.backend, 8) + " " + pad(to_string(q.status), 8) + " " + padl(ms(q.time_ms), 10);
        if (!q.axioms.empty()) s += "  axioms: " + join(q.axioms, ", ");
        if (!p.assumed.empty())
            s += "  assuming " + join(p.assumed, "; ");
        else if (!q.preconditions.empty())
            s += "  assuming " + preconditions_words(q.preconditions);
        if (!q.counterexample.empty()) s += "  counterexample: " + q.counterexample;
        if (!q.reason.empty()) s += "  reason: " + q.reason;
        s += "  (" + std::string(p.on_candidate ? "candidate" : "rule");
        if (q.run) s += ", run " + std::to_string(*q.run);
        s += ")\n";
        if (!q.query.empty() && q.query.rfind("file:", 0) == 0) s += "           query " + q.query.substr(5) + "\n";
    }
    size_t dups = 0;
    for (const SourceInfo& src : d.sources) dups += src.kind != SourceKind::First;
    if (dups) {
        s += "duplicates: " + std::to_string(dups) + " folded into this rule\n";
        for (const SourceInfo& src : d.sources)
            if (src.kind != SourceKind::First) s += "  " + pad(to_string(src.kind), 8) + " " + src.text + "\n";
    }
    if (!d.validations.empty()) {
        s += "validations: " + std::to_string(d.validations.size()) + "\n";
        for (const ValidationInfo& v : d.validations) {
            const ValidationRecord& x = v.record;
            s += "  " + x.model + " @ " + x.site + " (" + x.device + "): " + to_string(x.status) + "  max abs " +
                 num(x.max_abs_error) + ", rel " + num(x.max_rel_error);
            if (x.time_before_ms && x.time_after_ms) s += "  " + ms(*x.time_before_ms) + " -> " + ms(*x.time_after_ms);
            if (!x.message.empty()) s += "  " + x.message;
            s += "\n";
        }
    }
    if (d.origin_run) {
        const RunInfo& run = *d.origin_run;
        s += "provenance: run " + std::to_string(run.id) + " `" + run.spec.command + "` started " + run.started_at +
             ", " + to_string(run.status);
        if (!run.merged_from.empty()) s += ", merged from " + run.merged_from;
        s += "\n";
    }
    return s;
}

nlohmann::json to_json(const RuleSummary& r) {
    nlohmann::json j = {
        {"id", r.id},
        {"hash", r.hash},
        {"name", r.name},
        {"text", r.text},
        {"status", to_string(r.status)},
        {"decision", to_string(r.decision)},
        {"prune_reason", r.prune_reason ? nlohmann::json(to_string(*r.prune_reason)) : nlohmann::json()},
        {"lhs_ops", r.lhs_ops},
        {"rhs_ops", r.rhs_ops},
        {"ops", r.ops},
        {"conditions", r.conditions},
        {"preconditions", names(r.preconditions)},
        {"run", r.run ? nlohmann::json(*r.run) : nlohmann::json()}};
    return j;
}

nlohmann::json to_json(const RuleDetails& d) {
    nlohmann::json j = to_json(d.summary);
    j["prune_detail"] = d.prune_detail;
    j["subsumed_by"] = d.subsumed_by;
    j["assumed"] = d.assumed;
    j["proofs"] = nlohmann::json::array();
    for (const ProofInfo& p : d.proofs)
        j["proofs"].push_back({{"backend", p.record.backend},
                               {"verdict", to_string(p.record.status)},
                               {"time_ms", p.record.time_ms},
                               {"axioms", p.record.axioms},
                               {"condition", p.record.condition},
                               {"preconditions", names(p.record.preconditions)},
                               {"assumed", p.assumed},
                               {"counterexample", p.record.counterexample},
                               {"reason", p.record.reason},
                               {"query", p.record.query},
                               {"on", p.on_candidate ? "candidate" : "rule"},
                               {"run", p.record.run ? nlohmann::json(*p.record.run) : nlohmann::json()},
                               {"created_at", p.created_at}});
    j["sources"] = nlohmann::json::array();
    for (const SourceInfo& s : d.sources) j["sources"].push_back({{"text", s.text}, {"kind", to_string(s.kind)}});
    j["validations"] = nlohmann::json::array();
    for (const ValidationInfo& v : d.validations)
        j["validations"].push_back({{"model", v.record.model},
                                    {"site", v.record.site},
                                    {"device", v.record.device},
                                    {"status", to_string(v.record.status)},
                                    {"max_abs_error", v.record.max_abs_error},
                                    {"max_rel_error", v.record.max_rel_error}});
    if (d.origin_run)
        j["provenance"] = {{"run", d.origin_run->id},
                           {"command", d.origin_run->spec.command},
                           {"started_at", d.origin_run->started_at},
                           {"status", to_string(d.origin_run->status)},
                           {"merged_from", d.origin_run->merged_from}};
    return j;
}

nlohmann::json to_json(const DbStats& s) {
    return {{"runs", s.runs},
            {"graphs", s.graphs},
            {"classes", s.classes},
            {"candidates", s.candidates},
            {"rules", s.rules},
            {"proofs", s.proofs},
            {"validations", s.validations},
            {"duplicates", s.duplicates},
            {"candidates_by_status", s.candidates_by_status},
            {"rules_by_status", s.rules_by_status},
            {"rules_by_decision", s.rules_by_decision},
            {"pruned_by_reason", s.pruned_by_reason}};
}

}  // namespace rf::ruledb
