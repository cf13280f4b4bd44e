// The `ruleforge` command line: a table of commands, each parsing its options with
// Boost.Program_options into a plain struct and calling the libraries. Errors are caught once,
// in run_cli: a user error prints `error: ...` and returns a non-zero code, never a signal.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace rf::cli {

/// Exit codes shared by every command.
enum ExitCode : int {
    kOk = 0,
    kFailed = 1,    ///< the input was read but is bad (a rule does not parse, type or prove)
    kUsage = 2,     ///< wrong options or a missing file
    kInternal = 3,  ///< a bug in ruleforge
};

/// Runs `ruleforge args...` (args excludes the program name), writing to out and err.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace rf::cli
