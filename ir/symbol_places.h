// Where a rule's shape symbols first appear ("x[1]"): how conditions are written in the rule's own
// variable names, by the prover's condition texts and by the preconditions' rendering alike.
#pragma once

#include <map>
#include <string>

#include "ir/rule.h"

namespace rf {

/// Each shape symbol of `r`, named by its first plain occurrence in the variables ("x[1]"): the
/// first dimension, in variable order, that is exactly that symbol.
std::map<SymbolId, std::string> symbol_places(const Rule& r);

}  // namespace rf
