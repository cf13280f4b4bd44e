// TENSAT's rewrite-rule syntax (MLSys'21), for importing rule sets written for TENSAT and for
// exporting ours to it:
//
//   (relu (conv2d 1 1 0 0 ?input_7 ?input_10))=>(conv2d 1 1 0 2 ?input_7 ?input_10)
//
// One `LHS=>RHS` a line, each side an s-expression over `?name` variables. Parameters are
// integers written before or after the operands as TENSAT's `Mdl` language orders them
// (`(matmul ACT a b)`, `(conv2d SH SW PAD ACT x w)`, `(concat AXIS NDIM a b)`, `(split AXIS x)`
// selected by `split_0` / `split_1`, `(transpose x PERM SHUFFLE)`, `(reshape x SHAPE)`,
// `(poolavg x KH KW SH SW PAD ACT)`, ...); PERM and SHAPE are integers joined by '_' (`1_0`).
// A two-output rule is two consecutive lines. The syntax carries no shapes or roles: the
// parser only checks the form, and build_rule() finds the most general shapes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ir/rule.h"
#include "ir/rule_ast.h"

namespace rf {

/// Every rule of a file, one a line, blank lines skipped. With `multi`, each two consecutive
/// rules form one two-output rule (an odd count is an error at the last rule). Names are left
/// empty for the caller; each RuleAst::loc is its (first) line. Throws ParseError
/// (file:line:column) at the first malformed line.
std::vector<RuleAst> parse_tensat_rules(std::string_view text, const std::string& file, bool multi);
/// Every rule of the text, each read or malformed on its own (a line is a rule; with `multi`, a
/// pair of lines is malformed when either line is).
std::vector<ParsedRule> parse_tensat_rules_each(std::string_view text, const std::string& file, bool multi);

/// One `LHS=>RHS` rule; `line_no` is the line reported in locations.
RuleAst parse_tensat_rule(std::string_view line, const std::string& file = "", int line_no = 1);

/// One line per output ("LHS=>RHS"), joined by '\n' without a trailing newline; each side's
/// DAG is printed as a tree, so a shared subterm is printed at each use. Throws
/// std::invalid_argument naming the operator when the rule uses one TENSAT cannot express
/// (constants, concat of more than two operands, a variable name that is not one token).
std::string print_tensat(const Rule& rule);

}  // namespace rf
