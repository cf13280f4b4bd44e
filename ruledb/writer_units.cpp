// Writer's typed units: canonicalise in the caller's thread, then queue a closure that only
// looks up ids and inserts.
#include "ruledb/rule_key.h"
#include "ruledb/writer.h"

namespace rf::ruledb {

void Writer::add_graph(const Graph& graph, std::optional<Id> run) {
    submit([g = describe_graph(graph), run](Database& db) { db.add_graph(g, run); });
}

void Writer::add_class(const std::string& fingerprint, const Graph& representative, std::optional<Id> run) {
    submit([fingerprint, g = describe_graph(representative), run](Database& db) { db.add_class(fingerprint, g, run); });
}

void Writer::add_class_member(const std::string& fingerprint, const Graph& member, std::optional<Id> run) {
    submit([fingerprint, g = describe_graph(member), run](Database& db) {
        auto cls = db.find_class(fingerprint);
        if (!cls) throw std::invalid_argument("add_class_member: no class with fingerprint " + fingerprint);
        db.add_class_member(*cls, g, run);
    });
}

void Writer::add_candidate(const Rule& pair, std::optional<std::string> fingerprint, std::optional<Id> run) {
    submit([e = describe_rule(pair), fingerprint = std::move(fingerprint), run](Database& db) {
        std::optional<Id> cls;
        if (fingerprint) cls = db.find_class(*fingerprint);
        db.add_candidate(e, cls, run);
    });
}

void Writer::add_rule(const Rule& rule, const RuleOrigin& origin) {
    submit([e = describe_rule(rule), origin](Database& db) { db.add_rule(e, origin); });
}

void Writer::record_candidate_proof(const Rule& pair, const ProofRecord& proof) {
    submit([e = describe_rule(pair), proof](Database& db) {
        Id id = db.add_candidate(e, std::nullopt, proof.run).id;
        db.record_candidate_proof(id, proof);
    });
}

void Writer::record_rule_proof(const Rule& rule, const ProofRecord& proof) {
    submit([e = describe_rule(rule), proof](Database& db) {
        Id id = db.add_rule(e, RuleOrigin{proof.run, std::nullopt, RuleStatus::Unproved}).id;
        db.record_rule_proof(id, proof);
    });
}

void Writer::mark_stage_done(Id run, const std::string& stage, const std::string& unit, const std::string& stats_json) {
    submit([=](Database& db) { db.mark_stage_done(run, stage, unit, stats_json); });
}

}  // namespace rf::ruledb
