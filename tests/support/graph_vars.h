// Graph inputs for tests that build graphs by hand: an activation or a weight of given
// dimensions, named.
#pragma once

#include <utility>
#include <vector>

#include "ir/graph.h"

namespace rf::testing {

inline Variable act(const char* name, std::vector<Dim> dims) {
    return Variable{name, Role::Activation, make_type(std::move(dims))};
}
inline Variable weight(const char* name, std::vector<Dim> dims) {
    return Variable{name, Role::Weight, make_type(std::move(dims))};
}

}  // namespace rf::testing
