// What an import or export hands back besides the rules or bytes: which rules were left out and
// why. Leaving a rule out is an expected outcome (TASO's loader knows no pooling, FlexFlow's
// parallel operators are not in the IR yet), so it is a value the caller reports, never an
// exception; only a file that cannot be read at all is an ImportError.
#pragma once

#include <cstddef>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ir/rule.h"
#include "support/user_error.h"

namespace rf::exporters {

/// One rule that did not make it, by its position in the input (0-based, as TASO and FlexFlow
/// number rules) and, where it has one, its name.
struct Issue {
    size_t index = 0;
    std::string name;
    std::string message;
};

struct ImportResult {
    std::vector<Rule> rules;
    std::vector<size_t> indices;  ///< position in the file of each rule in `rules`
    size_t total = 0;             ///< rules in the file
    /// Valid in the source format but not expressible in ruleforge (an operator the IR lacks).
    std::vector<Issue> unsupported;
    /// Broken: a dangling reference, a missing parameter, an unknown code, a type error.
    std::vector<Issue> malformed;
};

struct ExportResult {
    std::string data;  ///< the file's bytes
    size_t written = 0;
    std::vector<Issue> left_out;
    /// Written, but with something the format cannot state: a rule exported without the
    /// preconditions it was proved under (WriteOptions::include_conditional).
    std::vector<Issue> warnings;
};

/// A file that cannot be read as the format at all (not a protobuf, not JSON, truncated):
/// nothing of it is used. what() names the file.
class ImportError : public support::UserError {
public:
    using support::UserError::UserError;
};

/// `heading: N rules` and then, unless `detail`, one "  N x message" line per distinct message
/// (most frequent first, so a report over 600 rules stays readable); with `detail`, one
/// "  rule I [name]: message" line per rule. Prints nothing for no issues.
void print_issues(std::ostream& out, const std::string& heading, const std::vector<Issue>& issues, bool detail);

/// "read 120 of 133 rules from FILE (taso)", the unsupported rules (grouped unless `detail`) and
/// the malformed ones (always one line each: each needs its index to be fixed).
void print_import_report(std::ostream& out, const std::string& file, const std::string& format,
                         const ImportResult& result, bool detail);
/// "wrote 120 rules to PATH (taso)", the rules left out and the warnings.
void print_export_report(std::ostream& out, const std::string& path, const std::string& format,
                         const ExportResult& result, bool detail);

}  // namespace rf::exporters
