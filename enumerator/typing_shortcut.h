// Necessary conditions that reject most ill-typed operand pairs without type inference. The
// enumerator asks for the typing of every template on every pair of operand types it meets, and
// most pairs are ill-typed; type inference rejects them by throwing a TypeError, which costs
// microseconds and serialises threads in the unwinder (about a second of serial time at size 3).
// Only a shortcut: whatever passes still goes through infer_output_types, and a pair this rejects
// must be one that inference rejects too (tests/enumerator/test_typing_shortcut.cpp).
#pragma once

#include <vector>

#include "enumerator/preset.h"
#include "ir/tensor_type.h"

namespace rf::enumeration {

bool obviously_ill_typed(const OpTemplate& t, const std::vector<TensorType>& in);

}  // namespace rf::enumeration
