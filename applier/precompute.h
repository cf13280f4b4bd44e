// Weight pre-computation, as TASO does before it times or exports a graph: a value that depends
// only on weights and constants (a concatenation of two convolutions' kernels, an enlarged
// kernel, the product of two weight matrices) is the same on every run, so it is computed once
// and becomes a weight of its own. Rules that merge operators build such values; without this
// step every merge pays for its weight arithmetic on every run and can only lose.
#pragma once

#include <cstdint>
#include <vector>

#include "applier/executor.h"
#include "applier/model.h"
#include "ir/graph.h"

namespace rf::applier {

/// Values for every variable of the model: its own weight values (Model::weights) where it has
/// them, seeded random values (random_variables in applier/validate.h) for the rest.
std::vector<FloatTensor> model_variables(const Model& m, uint64_t seed);

/// Per node of `g`: 1 when its value depends on no model input (only on Role::Weight variables
/// and constant operators), else 0.
std::vector<char> weight_only_nodes(const Graph& g);

struct FoldedGraph {
    Graph graph;                         ///< weight-only values replaced by weights "folded<k>"
    std::vector<FloatTensor> variables;  ///< values of graph's variables, in its table order
    size_t folded = 0;                   ///< weight-only operator values turned into weights
};

/// Computes, with `ex`, every weight-only operator value that a node depending on a model input
/// reads (or that is a graph output), and returns the graph in which each is a weight variable
/// with that value. Model inputs keep their variables and names; nodes the outputs do not need
/// are dropped.
FoldedGraph fold_weights(const Graph& g, const std::vector<FloatTensor>& variables, Executor& ex);

}  // namespace rf::applier
