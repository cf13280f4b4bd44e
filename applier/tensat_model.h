// Loader for TENSAT's serialized benchmark graphs (model/*.model in TENSAT's repository), the
// format TASO's Graph::export_to_file writes: one operator per four lines --
//   guid
//   TASO operator type number (OP_INPUT = 0, OP_WEIGHT = 1, OP_CONV2D = 3, ...)
//   operands as guid:output,... (inputs and weights name a placeholder guid)
//   parameters, comma separated, laid out per type (see tensat_model.cpp)
// Inputs and weights become graph variables (created when first used, so the pooling "weights"
// TASO attaches to pooling operators do not appear); operators nobody consumes are the outputs.
#pragma once

#include <istream>
#include <string>

#include "applier/model.h"

namespace rf::applier {

/// Reads a .model file. Throws std::runtime_error "FILE:LINE: what" on any malformed record, an
/// unknown operator type (named with its number and TASO name) or a shape the IR rejects.
Model load_tensat_model(const std::string& path);
/// The same from a stream; `source` names it in errors, `name` becomes Model::name.
Model parse_tensat_model(std::istream& in, const std::string& source, const std::string& name);

}  // namespace rf::applier
