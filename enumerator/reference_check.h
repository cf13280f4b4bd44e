// The enumerator's classes checked against the reference path (fingerprint/graph_fingerprint.h):
// every graph of every class is rebuilt as an rf::Graph, instantiated at every point of the
// shape plan and evaluated whole, without any of the enumerator's shortcuts (evaluation from
// the operands' cached tensors, the point-0 cache, the typing cache, primary-hash buckets,
// representative-only comparison). The classes must be the partition those values induce:
//  - every member computes exactly what its representative computes (same_values);
//  - no two classes compute the same thing (equal reference fingerprints, then same_values);
//  - each class's fingerprint is the reference fingerprint of its representative.
// It checks the grouping of the graphs that were enumerated, not which graphs were: that is
// what the hand-counted and thread-independence tests are for.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "enumerator/enumerator.h"

namespace rf::enumerator {

struct ReferenceReport {
    uint64_t classes = 0;     ///< classes checked
    uint64_t graphs = 0;      ///< graphs evaluated: representatives and members
    uint64_t overflowed = 0;  ///< classes whose representative overflowed (compared with none)
    uint64_t problems = 0;
    std::vector<std::string> examples;  ///< the first problems, by class index
    double seconds = 0;
    bool ok() const { return problems == 0; }
};

/// A partition as the check reads it: the number of classes and class i, materialised (called
/// from several threads at once).
struct PartitionView {
    size_t num_classes = 0;
    std::function<EnumClass(size_t)> get_class;
};

/// Checks the partition against reference evaluation over `plan` (sigmoid/tanh drawn from
/// `function_seed`); class fingerprints are compared truncated to `hash_bits`.
ReferenceReport check_partition(const PartitionView& partition, const fingerprint::ShapePlan& plan,
                                uint64_t function_seed, int hash_bits, int threads);

/// The classes of an enumeration, checked against the reference path with its own plan.
ReferenceReport check_against_reference(const EnumResult& result, const EnumConfig& config);

}  // namespace rf::enumerator
