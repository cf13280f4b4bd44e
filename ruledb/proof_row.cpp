#include "ruledb/proof_row.h"

#include <nlohmann/json.hpp>

#include "ruledb/records.h"

namespace rf::ruledb {

ProofInfo read_proof_row(const sql::Statement& st, int first) {
    ProofInfo p;
    p.id = st.i64(first);
    p.record.backend = st.text(first + 1);
    p.record.status = proof_status_from(st.text(first + 2)).value_or(ProofStatus::Error);
    p.record.time_ms = st.f64(first + 3);
    for (const auto& a : nlohmann::json::parse(st.text(first + 4))) p.record.axioms.push_back(a.get<std::string>());
    p.record.condition = st.text(first + 5);
    p.record.counterexample = st.text(first + 6);
    p.record.reason = st.text(first + 7);
    p.record.query = st.text(first + 8);
    p.record.run = st.opt_i64(first + 9);
    p.created_at = st.text(first + 10);
    p.record.preconditions = preconditions_from_json(st.text(first + 11));
    return p;
}

}  // namespace rf::ruledb
