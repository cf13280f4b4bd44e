// The messages a distributed `discover` sends between ranks, as bytes (nlohmann's CBOR): kept
// apart from the MPI calls so the format can be tested without mpirun, and so the coordinator
// stores exactly what a single process would have stored (every field of a prover::RuleCheck
// travels, not a summary of it).
//
// A worker asks for work with a Request (carrying the results of its previous Assignment); the
// coordinator answers with an Assignment of candidate indices into the candidate list every rank
// computes identically (an empty one means stop).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/rank_work.h"
#include "prover/checker.h"

namespace rf::pipeline::wire {

using pipeline::RankWork;

struct Request {
    RankWork work;
    uint64_t candidate_digest = 0;          ///< digest of the rank's candidate list (first request)
    std::vector<uint64_t> indices;          ///< the candidates of the previous assignment...
    std::vector<prover::RuleCheck> checks;  ///< ...and what the prover said, in that order
};

struct Assignment {
    std::vector<uint64_t> indices;  ///< empty: no work is left, stop
};

std::vector<uint8_t> encode(const Request& r);
std::vector<uint8_t> encode(const Assignment& a);
/// Throw std::runtime_error naming the message and field for bytes that do not decode.
Request decode_request(const std::vector<uint8_t>& bytes);
Assignment decode_assignment(const std::vector<uint8_t>& bytes);

}  // namespace rf::pipeline::wire
