// Database: the reads only the browser report needs (stage units with their finishing times,
// candidates with their proofs, proof strategies where the schema has them).
#include <nlohmann/json.hpp>

#include "ruledb/database.h"
#include "ruledb/proof_row.h"
#include "ruledb/sql/connection.h"

namespace rf::ruledb {

std::vector<StageInfo> Database::stages(Id run) {
    std::vector<StageInfo> out;
    auto st = d_conn->prepare(
        "SELECT stage, unit, finished_at, stats_json FROM stages WHERE run_id = ? ORDER BY "
        "finished_at, stage, unit");
    st.bind_all(run);
    while (st.step()) out.push_back({st.text(0), st.text(1), st.text(2), st.text(3)});
    return out;
}

std::optional<CandidateDetails> Database::candidate_details(Id candidate) {
    CandidateDetails c;
    {
        auto st = d_conn->prepare("SELECT id, rule_text, hash, status, run_id FROM candidates WHERE id = ?");
        st.bind_all(candidate);
        if (!st.step()) return std::nullopt;
        c.id = st.i64(0);
        c.text = st.text(1);
        c.hash = st.text(2);
        c.status = candidate_status_from(st.text(3)).value_or(CandidateStatus::Pending);
        c.run = st.opt_i64(4);
    }
    auto st =
        d_conn->prepare(std::string("SELECT ") + kProofColumns + " FROM proofs WHERE candidate_id = ? ORDER BY id");
    st.bind_all(candidate);
    while (st.step()) {
        ProofInfo p = read_proof_row(st, 0);
        p.on_candidate = true;
        c.proofs.push_back(std::move(p));
    }
    return c;
}

std::map<Id, std::string> Database::proof_strategies(Id rule) {
    std::map<Id, std::string> out;
    // A proof by a strategy other than the axioms says so in its reason ("strategy pointwise:
    // IDENTITY", pipeline/proof_store.cpp); any other proved proof came from E-matching over the
    // axioms. Unproved answers have no strategy.
    auto st = d_conn->prepare(
        "SELECT id, status, reason FROM proofs WHERE rule_id = ?1 OR (candidate_id IS NOT NULL AND "
        "candidate_id = (SELECT candidate_id FROM rules WHERE id = ?1))");
    st.bind_all(rule);
    static const std::string prefix = "strategy ";
    while (st.step()) {
        if (st.text(1) != "proved") continue;
        const std::string reason = st.text(2);
        const size_t colon = reason.find(':');
        if (reason.rfind(prefix, 0) == 0 && colon != std::string::npos)
            out[st.i64(0)] = reason.substr(prefix.size(), colon - prefix.size());
        else
            out[st.i64(0)] = "e-matching";
    }
    return out;
}

}  // namespace rf::ruledb
