// Graphviz pictures of rules: each rule one `digraph` with its left and right sides as two
// clusters and its input variables drawn once, outside both, so the reader sees which inputs the
// rewrite keeps and how each side consumes them. Outputs are double-bordered and numbered.
// A file of several rules holds one digraph per rule; `dot -Tsvg -O FILE` renders each.
#pragma once

#include <string>
#include <vector>

#include "exporters/report.h"
#include "ir/rule.h"

namespace rf::exporters {

/// One rule as a `digraph` named `graph_name`, labelled with `title` (the rule's name when empty)
/// and the conditions it holds under. `ruleforge show --dot` and the browser report draw with it.
std::string rule_to_dot(const Rule& rule, const std::string& graph_name, const std::string& title = "");

/// Every rule, one digraph each (named by the rule, or rule_<index>). None is left out.
ExportResult write_dot_rules(const std::vector<Rule>& rules);

}  // namespace rf::exporters
