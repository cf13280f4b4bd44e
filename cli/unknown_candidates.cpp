#include "cli/unknown_candidates.h"

namespace rf::cli {

std::vector<UnknownCandidate> unknown_candidates(ruledb::Database& db) {
    std::vector<UnknownCandidate> out;
    for (ruledb::Id id : db.candidates_with_status({ruledb::CandidateStatus::Unknown})) {
        Rule r = db.load_candidate(id);
        r.name = "candidate_" + std::to_string(id);
        out.push_back(UnknownCandidate{id, std::move(r)});
    }
    return out;
}

}  // namespace rf::cli
