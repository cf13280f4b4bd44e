// Fingerprinting a whole rf::Graph over a ShapePlan: the graph is rebuilt at every
// instantiation of the plan (variables and constants re-shaped, every node type-checked again),
// evaluated exactly at every point, and its outputs hashed. This is the reference path: the
// enumerator computes the same per-point hashes incrementally on its compact terms, and tests
// check the two agree.
#pragma once

#include <cstdint>
#include <vector>

#include "fingerprint/fingerprint.h"
#include "fingerprint/shape_plan.h"
#include "ir/graph.h"

namespace rf::fingerprint {

/// The outputs of a graph at one evaluation point.
struct PointValues {
    PointStatus status = PointStatus::Ok;
    std::vector<ExactTensor> outputs;
    std::vector<TensorType> types;
};

/// The outputs of a graph at every point of a plan.
struct GraphValues {
    std::vector<PointValues> points;
    /// True when some point overflowed: the values are then unknown and merge with nothing.
    bool overflowed() const;
    /// The hash of each point (value_hash of each output, or a marker).
    std::vector<uint64_t> point_hashes() const;
    Fingerprint fingerprint(int hash_bits = 128) const;
};

/// The graph rebuilt at instantiation `inst` of the plan: variables take their shapes there,
/// constants the shape of the variable they copy. Throws TypeError when it does not type-check.
/// The graph's variable table must be the plan's (same order).
Graph instantiate_graph(const Graph& g, const ShapePlan& plan, int inst);

/// Evaluates the graph at every point of the plan; sigmoid/tanh use `function_seed`.
GraphValues evaluate_points(const Graph& g, const ShapePlan& plan, uint64_t function_seed);

/// Full confirmation of a fingerprint hit: equal status, types and exact outputs at every point;
/// false whenever either side overflowed.
bool same_values(const GraphValues& a, const GraphValues& b);

}  // namespace rf::fingerprint
