// ONNX export: a graph with its weight values, written as an ONNX model (opset 13) that ONNX
// Runtime and other consumers load. Model inputs (Role::Activation variables) become graph
// inputs under their own names, weights become initializers holding their values, and the
// outputs take the names the caller gives (an imported model's own names, so a consumer feeds
// and reads the optimized model exactly as the original). Fused activations become a separate
// activation node; SAME padding becomes explicit pads. Weight-only values (constant operators,
// enlarged kernels) must be pre-computed first (applier/precompute.h): ONNX has no counterpart
// for them, and a consumer should not compute them on every run anyway.
#pragma once

#include <string>
#include <vector>

#include "ir/eval.h"
#include "ir/graph.h"

namespace rf::applier {

/// The serialized ModelProto of `g`; values[i] is the value of variable i (used for weights).
/// output_names: one per graph output, or empty for "output0", "output1", ...
/// Throws std::runtime_error naming the node for an operator ONNX cannot express here.
std::string export_onnx(const Graph& g, const std::vector<FloatTensor>& values,
                        const std::vector<std::string>& output_names);

/// export_onnx written to `path`; throws std::runtime_error naming the file when it cannot.
void write_onnx(const std::string& path, const Graph& g, const std::vector<FloatTensor>& values,
                const std::vector<std::string>& output_names);

}  // namespace rf::applier
