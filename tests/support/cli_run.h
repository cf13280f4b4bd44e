// Running the ruleforge command line in-process from tests: exit code and both output streams,
// and scratch files in the build directory.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace rf::testing {

struct CliRun {
    int code;
    std::string out, err;
};

/// `ruleforge args...`, in this process.
inline CliRun run_cli(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    int code = cli::run_cli(args, out, err);
    return {code, out.str(), err.str()};
}

/// Writes `content` to a file named `name` in the build directory and returns its path.
inline std::string temp_file(const std::string& name, const std::string& content) {
    std::string path = std::string(RF_BINARY_DIR) + "/" + name;
    std::ofstream(path) << content;
    return path;
}

}  // namespace rf::testing
