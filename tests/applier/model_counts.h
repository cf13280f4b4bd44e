// Shared by the applier model tests: a graph's operators counted by kind, printed readably.
#pragma once

#include <map>
#include <string>

#include "ir/graph.h"

namespace rf::test {

inline std::map<std::string, int> op_counts(const Graph& g) {
    std::map<std::string, int> c;
    for (const Node& n : g.nodes())
        if (n.op != OpKind::Input) ++c[op_name(n.op)];
    return c;
}

inline int count_role(const Graph& g, Role r) {
    int k = 0;
    for (const Variable& v : g.variables()) k += v.role == r;
    return k;
}

}  // namespace rf::test
