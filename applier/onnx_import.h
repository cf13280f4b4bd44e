// ONNX import: a model users bring, read into the graph IR (TASO's issue #7/#30/#31: its ONNX
// import failed silently on operators it did not know; here nothing is skipped).
//
// Initializers become Role::Weight variables and graph inputs Role::Activation variables (an
// input that also has an initializer is a weight). Supported node types and how they map are
// listed in docs/models.md; a node type the IR has no counterpart for, or an attribute value it
// cannot express (explicit padding that is neither SAME nor VALID, dilation, a broadcast between
// two activations, ...), is an error naming the op type and the node.
#pragma once

#include <string>

#include "applier/model.h"

namespace rf::applier {

/// Reads a .onnx file; Model::name is the file's stem. Throws std::runtime_error naming the file
/// and, for a node it cannot import, the node's op type and name.
Model load_onnx_model(const std::string& path);
/// Imports a serialized ModelProto; `source` names it in errors.
Model import_onnx(const std::string& bytes, const std::string& source, const std::string& name);

}  // namespace rf::applier
