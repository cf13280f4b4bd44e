// The fingerprint classes of an enumeration, and the candidate extraction that reads them.
// Internal to rf_enumerator.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "enumerator/enumerator.h"
#include "enumerator/term_store.h"

namespace rf::enumeration {

struct ClassRec {
    ValueId rep = 0;
    std::vector<ValueId> members;  ///< excluding rep, in structural-key order
    uint64_t pkey = 0;             ///< primary (point-0) hash of the representative
};

struct ClassTable {
    std::vector<ClassRec> classes;
    std::unordered_map<uint64_t, std::vector<uint32_t>> by_pkey;  ///< overflowed classes excluded
};

/// Single- and two-output candidates, drops counted into `levels` by the larger side's size.
std::vector<Candidate> extract_candidates(const TermStore& store, const ClassTable& table,
                                          std::vector<LevelStats>& levels, int threads);

}  // namespace rf::enumeration
