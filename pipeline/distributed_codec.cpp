#include "pipeline/distributed_codec.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "ir/native_text.h"

namespace rf::pipeline::wire {

namespace {

using nlohmann::json;

json result_to_json(const prover::ProofResult& r) {
    json j = {{"backend", r.backend}, {"seconds", r.seconds}, {"kind", r.outcome.index()}};
    if (const auto* p = std::get_if<prover::Proved>(&r.outcome)) {
        j["axioms"] = p->axioms_used;
        j["strategy"] = p->strategy;
        j["detail"] = p->detail;
    }
    if (const auto* p = std::get_if<prover::Refuted>(&r.outcome)) j["counterexample"] = p->counterexample;
    if (const auto* p = std::get_if<prover::Unknown>(&r.outcome)) j["reason"] = p->reason;
    return j;
}

prover::ProofResult result_from_json(const json& j) {
    prover::ProofResult r;
    r.backend = j.at("backend").get<std::string>();
    r.seconds = j.at("seconds").get<double>();
    switch (j.at("kind").get<int>()) {
        case 0: {
            prover::Proved p;
            p.axioms_used = j.at("axioms").get<std::vector<std::string>>();
            p.strategy = j.value("strategy", p.strategy);
            p.detail = j.value("detail", std::string());
            r.outcome = std::move(p);
            break;
        }
        case 1: r.outcome = prover::Refuted{j.at("counterexample").get<std::string>()}; break;
        case 2: r.outcome = prover::Unknown{j.at("reason").get<std::string>()}; break;
        case 3: r.outcome = prover::Timeout{}; break;
        default: throw std::runtime_error("proof result kind " + j.at("kind").dump() + " out of range");
    }
    return r;
}

json results_to_json(const std::vector<prover::ProofResult>& rs) {
    json results = json::array();
    for (const prover::ProofResult& r : rs) results.push_back(result_to_json(r));
    return results;
}

std::vector<prover::ProofResult> results_from_json(const json& j) {
    std::vector<prover::ProofResult> out;
    for (const json& r : j) out.push_back(result_from_json(r));
    return out;
}

// A rule travels as its native text, which parses back to the same rule (ir/native_text.h).
Rule rule_from_text(const std::string& text) {
    try {
        return build_rule(parse_native_rule(text, "<rank message>"));
    } catch (const std::exception& e) {
        throw std::runtime_error("a rule in a message does not parse back (" + std::string(e.what()) + "): " + text);
    }
}

std::vector<std::string> precondition_names(const std::vector<Precondition>& ps) {
    std::vector<std::string> out;
    for (Precondition p : ps) out.push_back(precondition_name(p));
    return out;
}

json check_to_json(const prover::RuleCheck& c) {
    json general = nullptr;
    if (c.general)
        general = {{"rule", print_native(c.general->rule)},
                   {"results", results_to_json(c.general->results)},
                   {"assumed", c.general->assumed}};
    return {{"general", general},
            {"verdict", static_cast<int>(c.verdict)},
            {"results", results_to_json(c.results)},
            {"conditions", c.conditions},
            {"assumed", c.assumed},
            {"preconditions", precondition_names(c.preconditions)},
            {"disagreement", c.disagreement},
            {"seconds", c.seconds},
            {"smt2_path", c.smt2_path},
            {"error", c.error},
            {"bounded", c.bounded},
            {"counterexample", c.counterexample}};
}

prover::RuleCheck check_from_json(const json& j) {
    prover::RuleCheck c;
    const int v = j.at("verdict").get<int>();
    if (v < 0 || v > static_cast<int>(prover::Verdict::Error))
        throw std::runtime_error("verdict " + std::to_string(v) + " out of range");
    c.verdict = static_cast<prover::Verdict>(v);
    c.results = results_from_json(j.at("results"));
    if (const json& g = j.at("general"); !g.is_null())
        c.general =
            prover::GeneralProof{rule_from_text(g.at("rule").get<std::string>()), results_from_json(g.at("results")),
                                 g.value("assumed", std::vector<std::string>{})};
    c.conditions = j.at("conditions").get<std::vector<std::string>>();
    c.assumed = j.at("assumed").get<std::vector<std::string>>();
    for (const std::string& name : j.at("preconditions").get<std::vector<std::string>>()) {
        auto p = precondition_from(name);
        if (!p) throw std::runtime_error("unknown precondition '" + name + "'");
        c.preconditions.push_back(*p);
    }
    c.disagreement = j.at("disagreement").get<bool>();
    c.seconds = j.at("seconds").get<double>();
    c.smt2_path = j.at("smt2_path").get<std::string>();
    c.error = j.at("error").get<std::string>();
    c.bounded = j.at("bounded").get<std::string>();
    c.counterexample = j.at("counterexample").get<std::string>();
    return c;
}

json work_to_json(const RankWork& w) {
    return {{"rank", w.rank},
            {"threads", w.threads},
            {"candidates", w.candidates},
            {"chunks", w.chunks},
            {"busy_seconds", w.busy_seconds},
            {"wait_seconds", w.wait_seconds},
            {"solver_seconds", w.solver_seconds},
            {"bytes_sent", w.bytes_sent},
            {"bytes_received", w.bytes_received}};
}

RankWork work_from_json(const json& j) {
    RankWork w;
    w.rank = j.at("rank").get<int>();
    w.threads = j.at("threads").get<int>();
    w.candidates = j.at("candidates").get<uint64_t>();
    w.chunks = j.at("chunks").get<uint64_t>();
    w.busy_seconds = j.at("busy_seconds").get<double>();
    w.wait_seconds = j.at("wait_seconds").get<double>();
    w.solver_seconds = j.at("solver_seconds").get<double>();
    w.bytes_sent = j.at("bytes_sent").get<uint64_t>();
    w.bytes_received = j.at("bytes_received").get<uint64_t>();
    return w;
}

// Decoding errors from nlohmann (type_error, out_of_range, parse_error) become one message
// that says which message failed; a rank with another build of ruleforge is the usual cause.
template <class F>
auto decoding(const char* what, const std::vector<uint8_t>& bytes, F&& f) {
    try {
        return f(json::from_cbor(bytes));
    } catch (const json::exception& e) {
        throw std::runtime_error(std::string("malformed ") + what + " message (" + std::to_string(bytes.size()) +
                                 " bytes): " + e.what() + "; are all ranks running the same ruleforge?");
    }
}

}  // namespace

std::vector<uint8_t> encode(const Request& r) {
    json checks = json::array();
    for (const prover::RuleCheck& c : r.checks) checks.push_back(check_to_json(c));
    return json::to_cbor(json{
        {"work", work_to_json(r.work)}, {"digest", r.candidate_digest}, {"indices", r.indices}, {"checks", checks}});
}

std::vector<uint8_t> encode(const Assignment& a) { return json::to_cbor(json{{"indices", a.indices}}); }

Request decode_request(const std::vector<uint8_t>& bytes) {
    return decoding("request", bytes, [](const json& j) {
        Request r;
        r.work = work_from_json(j.at("work"));
        r.candidate_digest = j.at("digest").get<uint64_t>();
        r.indices = j.at("indices").get<std::vector<uint64_t>>();
        for (const json& c : j.at("checks")) r.checks.push_back(check_from_json(c));
        if (r.checks.size() != r.indices.size())
            throw std::runtime_error("malformed request message: " + std::to_string(r.indices.size()) +
                                     " indices but " + std::to_string(r.checks.size()) + " checks");
        return r;
    });
}

Assignment decode_assignment(const std::vector<uint8_t>& bytes) {
    return decoding("assignment", bytes, [](const json& j) {
        Assignment a;
        a.indices = j.at("indices").get<std::vector<uint64_t>>();
        return a;
    });
}

}  // namespace rf::pipeline::wire
