// Benchmark models for the applier: the networks TASO and TENSAT optimise, built in code as
// rf::Graph values, and loaders for models users bring (TENSAT's serialized .model graphs, ONNX).
//
// A model is a graph: its variables are the model inputs (Role::Activation) and the weights
// (Role::Weight). Built-in models carry no weight values -- the executor draws seeded random
// values per variable, as TASO and TENSAT do for their benchmarks -- so a model is cheap to build
// and every rewrite sees the same structure the optimisers see; an ONNX file's initializers come
// with it (Model::weights), so an optimized model can be written back with its real weights. docs/models.md says, per model, which
// layers the IR cannot express and what stands in for them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/eval.h"
#include "ir/graph.h"

namespace rf::applier {

struct Model {
    std::string name;
    Graph graph;  ///< variables: model inputs (Role::Activation) and weights (Role::Weight)
    /// Weight values the model file carries (ONNX initializers), by variable name; a weight not
    /// here gets seeded random values (model_variables in applier/precompute.h).
    std::map<std::string, FloatTensor> weights;
    /// The file's names of the graph outputs (ONNX), in output order; empty for built-in models.
    std::vector<std::string> output_names;
};

/// Names of the built-in models, sorted.
std::vector<std::string> model_names();

/// Builds a built-in model. Throws std::invalid_argument("unknown model 'x'; known: ...").
Model build_model(const std::string& name);

/// Loads a model file, chosen by extension: `.model` (TENSAT's serialized graph) or `.onnx`.
/// Throws std::runtime_error naming the file and the line (TENSAT) or node (ONNX) at fault.
Model load_model_file(const std::string& path);

}  // namespace rf::applier
