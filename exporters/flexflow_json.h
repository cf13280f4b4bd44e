// FlexFlow's substitution JSON (the layout of reference/flexflow/graph_subst_3_v2.json): a
// RuleCollection of named rules whose operators are TASO's, spelled by name (`"type":
// "OP_LINEAR"`, `"key": "PM_AXIS"`) and tagged with `"_t"`. FlexFlow converted TASO's rules with
// matmul spelled OP_LINEAR; ruleforge writes the same and reads OP_LINEAR and OP_MATMUL alike.
//
// FlexFlow's parallel operators OP_PARTITION, OP_COMBINE, OP_REPLICATE and OP_REDUCE (with
// PM_PARALLEL_DIM, PM_PARALLEL_DEGREE) are ruleforge's repartition, combine, replicate and
// reduction. A tensor has one replica dimension in ruleforge, so the dimension FlexFlow states for
// a replicate or reduction is read and not kept; it is written as the dimension after the
// tensor's own. OP_PIPELINE and OP_FUSED_PARALLEL are counted as unsupported.
#pragma once

#include <string>
#include <vector>

#include "exporters/report.h"
#include "ir/rule.h"

namespace rf::exporters {

/// Rules of a FlexFlow substitution JSON text. Throws ImportError when the text is not JSON or
/// has no "rule" array; a rule of the wrong structure is reported as malformed, one with an
/// operator the IR lacks as unsupported. Rules keep their "name".
ImportResult read_flexflow_rules(const std::string& text, const std::string& file);

/// The JSON text (2-space indented, keys sorted as FlexFlow's file has them, a final newline).
/// Rules FlexFlow cannot load (average pooling, constants, reshape, an output that is an input)
/// are left out with the reason. A rule without a name is named rule_<index>.
ExportResult write_flexflow_rules(const std::vector<Rule>& rules);

}  // namespace rf::exporters
