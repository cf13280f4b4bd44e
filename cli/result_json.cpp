#include "cli/result_json.h"

namespace rf::cli {

nlohmann::json issues_json(const std::vector<exporters::Issue>& issues) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& i : issues) a.push_back({{"index", i.index}, {"name", i.name}, {"message", i.message}});
    return a;
}

nlohmann::json proof_result_json(const prover::ProofResult& r) {
    nlohmann::json j{{"verdict", prover::verdict_name(r)}, {"seconds", r.seconds}};
    if (auto* p = std::get_if<prover::Proved>(&r.outcome)) {
        j["axioms"] = p->axioms_used;
        j["strategy"] = p->strategy;
        if (!p->detail.empty()) j["detail"] = p->detail;
    }
    if (auto* u = std::get_if<prover::Unknown>(&r.outcome)) j["reason"] = u->reason;
    return j;
}

nlohmann::json rule_check_json(const prover::RuleCheck& c) {
    nlohmann::json j{{"verdict", prover::verdict_name(c.verdict)}, {"seconds", c.seconds}};
    j["backends"] = nlohmann::json::object();
    for (const prover::ProofResult& r : c.results) j["backends"][r.backend] = proof_result_json(r);
    j["conditions"] = c.conditions;
    j["assumed"] = c.assumed;
    j["disagreement"] = c.disagreement;
    if (!c.smt2_path.empty()) j["smt2"] = c.smt2_path;
    if (!c.error.empty()) j["error"] = c.error;
    if (!c.bounded.empty()) j["bounded_check"] = c.bounded;
    if (!c.counterexample.empty()) j["counterexample"] = c.counterexample;
    return j;
}

}  // namespace rf::cli
