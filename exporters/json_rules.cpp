#include "exporters/json_rules.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "ir/canonical.h"
#include "ir/native_text.h"
#include "ir/tensat_text.h"

namespace rf::exporters {

namespace {

using json = nlohmann::json;

std::string hex16(uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

// A concrete dimension as a number, a symbolic one as its expression ("d0+2").
json dim_json(const Dim& d) {
    if (d.is_concrete()) return d.value();
    return d.to_string();
}

json optional_id(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }
json optional_text(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json meta_json(const RuleRecordMeta& m) {
    json proofs = json::array();
    std::set<std::string> axioms;
    for (const ProofEntry& p : m.proofs) {
        proofs.push_back({{"backend", p.backend},
                          {"verdict", p.status},
                          {"time_ms", p.time_ms},
                          {"axioms", p.axioms},
                          {"condition", optional_text(p.condition)},
                          {"preconditions", p.preconditions},
                          {"reason", optional_text(p.reason)}});
        axioms.insert(p.axioms.begin(), p.axioms.end());
    }
    json provenance = {{"database", m.database},
                       {"rule_id", optional_id(m.rule_id)},
                       {"run", optional_id(m.run)},
                       {"candidate", optional_id(m.candidate)},
                       {"run_command", optional_text(m.run_command)},
                       {"tool_version", optional_text(m.tool_version)},
                       {"axiom_version", optional_text(m.axiom_version)},
                       {"prune_reason", optional_text(m.prune_reason)},
                       {"prune_detail", optional_text(m.prune_detail)},
                       {"subsumed_by", m.subsumed_by}};
    return {{"status", optional_text(m.status)},
            {"decision", optional_text(m.decision)},
            {"proofs", proofs},
            {"axioms", std::vector<std::string>(axioms.begin(), axioms.end())},
            {"provenance", provenance}};
}

json rule_json(const Rule& rule, size_t index) {
    json vars = json::array();
    for (const Variable& v : rule.variables()) {
        json shape = json::array();
        for (const Dim& d : v.type.dims) shape.push_back(dim_json(d));
        vars.push_back({{"name", v.name}, {"role", role_name(v.role)}, {"shape", shape}});
    }
    std::set<std::string> ops;
    for (const Graph* g : {&rule.lhs, &rule.rhs})
        for (const Node& n : g->nodes())
            if (n.op != OpKind::Input) ops.insert(op_name(n.op));
    json preconditions = json::array();
    for (Precondition p : rule.preconditions) preconditions.push_back(precondition_name(p));
    json tensat = nullptr;
    try {
        tensat = print_tensat(rule);
    } catch (const std::invalid_argument&) {
        // Not expressible in TENSAT's syntax (a constant, a wide concat): null says so.
    }
    return {{"index", index},
            {"name", optional_text(rule.name)},
            {"native", print_native(rule)},
            {"canonical", canonical_text(rule)},
            {"hash", hex16(canonical_hash(rule))},
            {"tensat", tensat},
            {"outputs", rule.num_outputs()},
            {"lhs_ops", rule.lhs.num_ops()},
            {"rhs_ops", rule.rhs.num_ops()},
            {"operators", std::vector<std::string>(ops.begin(), ops.end())},
            {"variables", vars},
            {"conditions", rule.conditions},
            {"preconditions", preconditions},
            {"assumed", precondition_texts(rule)},
            // Filled from a database; null / empty when the rules came from a file.
            {"status", nullptr},
            {"decision", nullptr},
            {"proofs", json::array()},
            {"axioms", json::array()},
            {"provenance", nullptr}};
}

}  // namespace

ExportResult write_json_rules(const std::vector<Rule>& rules, const std::vector<RuleRecordMeta>* meta) {
    if (meta && meta->size() != rules.size())
        throw std::invalid_argument("write_json_rules: " + std::to_string(meta->size()) + " metadata entries for " +
                                    std::to_string(rules.size()) + " rules");
    json doc = {{"format", "ruleforge-rules"}, {"version", 1}, {"rules", json::array()}};
    for (size_t i = 0; i < rules.size(); ++i) {
        json r = rule_json(rules[i], i);
        if (meta) r.update(meta_json((*meta)[i]));
        doc["rules"].push_back(std::move(r));
    }
    ExportResult result;
    result.data = doc.dump(2) + "\n";
    result.written = rules.size();
    return result;
}

}  // namespace rf::exporters
