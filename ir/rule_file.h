// Reading rule files in any supported text syntax: one entry point for every command that takes
// rules (fmt, check, import), so formats and error reporting stay the same everywhere.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/rule_ast.h"

namespace rf {

enum class RuleFormat { Native, Tensat };

std::optional<RuleFormat> rule_format_from_name(std::string_view name);

/// Parses rule text; `multi` (TENSAT only) reads two consecutive lines as one two-output rule.
/// Throws ParseError at the first syntax error.
std::vector<RuleAst> parse_rules(std::string_view text, const std::string& file, RuleFormat format, bool multi);

/// Like parse_rules, but every rule is read or reported on its own: a malformed rule is an entry
/// with its error (file:line:column) and the rest of the text is still read.
std::vector<ParsedRule> parse_rules_each(std::string_view text, const std::string& file, RuleFormat format, bool multi);

/// The whole content of a file ("-" reads standard input). Throws support::UserError naming the
/// file when it cannot be read.
std::string read_text_file(const std::string& path);

}  // namespace rf
