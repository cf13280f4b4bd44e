// A Graphviz picture of one rule for `ruleforge show --dot`: the two sides as clusters, the
// variables they share drawn once outside both, so the reader sees what the rewrite keeps.
// (The DOT exporter of the exporters issue writes whole rule sets; this is the single-rule view.)
#pragma once

#include <string>

#include "ir/rule.h"

namespace rf::ruledb {

/// `digraph` text with clusters "cluster_lhs" and "cluster_rhs"; `title` labels the picture.
std::string rule_to_dot(const Rule& rule, const std::string& title);

}  // namespace rf::ruledb
