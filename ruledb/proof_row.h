// One stored proof read back from a row of the proofs table, the same way by every query that
// shows proofs (show, the report's rule and candidate pages). Internal to rf_ruledb.
#pragma once

#include "ruledb/queries.h"
#include "ruledb/sql/statement.h"

namespace rf::ruledb {

/// The proofs columns read_proof_row expects, in its order: select them where the row starts.
inline constexpr const char* kProofColumns =
    "id, backend, status, time_ms, axioms_json, condition, counterexample, reason, query, run_id, "
    "created_at, "
    "preconditions_json";

/// The proof whose kProofColumns start at column `first` of the current row (on_candidate unset).
ProofInfo read_proof_row(const sql::Statement& st, int first);

}  // namespace rf::ruledb
