// The modular domain's entry point for exact evaluation (ir/eval_modular.cpp): internal to the
// evaluator, which hands it a node whose operator needs it (kModular) or whose operands are
// already modular.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/eval.h"

namespace rf::eval_detail {

/// The node's outputs in the modular domain; rational operands are taken to their images first.
std::vector<ExactTensor> eval_node_modular(const Node& node, const std::vector<const ExactTensor*>& in,
                                           const std::vector<const TensorType*>& in_types, uint64_t function_seed);

}  // namespace rf::eval_detail
