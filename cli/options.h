// Helpers shared by the commands' option parsing: Boost.Program_options errors become
// UsageErrors that name the command.
#pragma once

#include <boost/program_options.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "prover/backend.h"

namespace rf::cli {

namespace po = boost::program_options;

/// Parses args against the options (and positionals); `--help` sets help. Throws UsageError.
po::variables_map parse_options(const std::string& command, const std::vector<std::string>& args,
                                const po::options_description& opts,
                                const po::positional_options_description& positional);

/// "command arg1 arg2 ...": what a run records as the command that made it (provenance).
std::string command_line(const std::string& command, const std::vector<std::string>& args);

/// A `--threads` value checked: negative is a UsageError; more than the CPUs this process may run
/// on (omp_get_num_procs) is capped to that many with a warning on `err`, since more threads only
/// add solver contexts and memory (a thousand made a one-rule check take half a minute:
/// docs/PERFORMANCE.md). 0 stays 0 (all cores).
int checked_threads(const std::string& command, int requested, std::ostream& err);

/// The `--backend` every command that proves takes when none is given (one default everywhere).
inline constexpr const char* kDefaultBackend = "z3";

/// `--backend z3|cvc5|both` as back-end kinds. Throws UsageError naming the command.
std::vector<prover::BackendKind> parse_backends(const std::string& command, const std::string& value);

}  // namespace rf::cli
