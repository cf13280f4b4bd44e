// The values of ONNX tensors as the importer reads them: an initializer's integers and floats,
// and numpy-style broadcasting of a small constant to the shape an operator needs. Kept apart
// from the importer's node mapping (applier/onnx_import.cpp), which calls these per node.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ir/eval.h"
#include "onnx.pb.h"

namespace rf::applier::onnx_values {

/// A node-level failure; the importer adds the source and the node.
class NodeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// "[a,b,c]".
std::string join(const std::vector<int64_t>& v);
/// An INT64 or INT32 tensor's values (typed fields or raw little-endian data).
std::vector<int64_t> int_values(const onnx::TensorProto& t);
/// A float initializer's values, or nothing when it carries none (a model stripped of its
/// weights: they are drawn at random then).
std::optional<FloatTensor> float_values(const onnx::TensorProto& t);
/// `small` broadcast to `dims`, numpy-style (aligned at the last axis), or along `axis` alone
/// when axis >= 0 (a convolution's bias, one value per channel).
FloatTensor broadcast(const FloatTensor& small, const std::vector<int64_t>& dims, int axis = -1);

}  // namespace rf::applier::onnx_values
