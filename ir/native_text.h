// ruleforge's own rule syntax (grammar in docs/rule-syntax.md):
//
//   conv_relu: relu(conv2d(x, w)) => conv2d[act=relu](x, w) where x: act[n,c,h,w], w: weight[o,c,3,3]
//
// Operators are called by their catalogue names with parameters in brackets (defaults may be
// left out); multi-output operators are projected with `.0` / `.1`; a two-output rule writes
// each side as a tuple `(e0, e1)`. The `where` clause gives variables a role and, optionally, a
// shape whose dimensions are integers, symbols or linear expressions; a symbol shared between
// variables is a shape condition. Unlike TENSAT's syntax it can state every operator, parameter,
// role and shape, so print_native() followed by parse_native_rule() gives back the same rule.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ir/rule.h"
#include "ir/rule_ast.h"

namespace rf {

/// Every rule of a file; a rule ends at a newline outside brackets (unless the line ends in '=>',
/// ',' or 'where'). Comments run from '#' or
/// ';' to the end of the line. Throws ParseError (file:line:column) at the first error.
std::vector<RuleAst> parse_native_rules(std::string_view text, const std::string& file);
/// Every rule of a file, each read or malformed on its own: after an error, reading resumes at
/// the next rule (the next line outside brackets; with brackets left open, the next line that
/// starts in column 1).
std::vector<ParsedRule> parse_native_rules_each(std::string_view text, const std::string& file);
/// Exactly one rule (e.g. given on the command line).
RuleAst parse_native_rule(std::string_view text, const std::string& file = "");

/// The rule on one line, every variable declared with its role and shape.
std::string print_native(const Rule& rule);
/// `[stride=[2,2],act=relu]`: the parameters that differ from their defaults ("" if none).
std::string print_native_params(OpKind op, const Params& p);
/// One side (or a whole graph): `relu(x)`, or `(e0, e1)` for several outputs.
std::string print_native_graph(const Graph& g);

}  // namespace rf
