// Rebuilding a graph node by node into a new one: with another variable table (instantiated
// shapes, renamed variables), in another node order (canonical order), or with nodes edited on
// the way (constants re-shaped, commutative operands sorted). Every stage that derives a graph
// from another goes through here, so the new graph is always re-typed by GraphBuilder.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "ir/graph.h"

namespace rf {

/// A node about to be re-added; `inputs` already refer to the new graph, in the old order.
struct NodeEdit {
    OpKind op;
    Params params;
    std::vector<ValueRef> inputs;
};

struct RebuildOptions {
    /// Old node indices in the order to add them (operands before users); empty: stored order.
    /// Nodes left out must not be needed by the outputs.
    std::vector<uint32_t> order;
    /// Old variable index -> index in the new table; unset: the same index.
    std::function<int32_t(int32_t)> variable;
    /// Called for every operator node before it is added (`old_node` indexes the old graph).
    std::function<void(uint32_t old_node, NodeEdit& node)> edit;
};

/// The graph over `variables`, node by node. Throws TypeError when a node no longer type-checks.
Graph rebuild(const Graph& g, std::vector<Variable> variables, const RebuildOptions& options = {});

}  // namespace rf
