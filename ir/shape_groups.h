// The variables of a rule that TASO-style generators give one shape (same role, same rank): what
// the "same shape" assumption equates, both when the prover adds it and when a stored
// precondition is rendered or checked, so the two always name the same groups.
#pragma once

#include <cstddef>
#include <vector>

#include "ir/rule.h"

namespace rf {

/// Indices into `r.variables()` of each role-and-rank group, in order of first appearance; groups
/// of one variable are left out.
std::vector<std::vector<size_t>> shape_groups(const Rule& r);

}  // namespace rf
