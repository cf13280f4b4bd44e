// Helpers shared by the exporter tests: reading reference and golden files, temporary paths,
// whether an external tool is installed.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/tools.h"

namespace rf::exporters::testing {

inline std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline std::string reference(const std::string& relative) { return std::string(RF_REFERENCE_DIR) + "/" + relative; }

/// A path in the build directory for a file this test writes.
inline std::string temp_path(const std::string& name) { return std::string(RF_BINARY_DIR) + "/exporters_test_" + name; }

inline void write_bytes(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
}

/// Whether `tool` is on the PATH; a missing one fails the test (tests/support/tools.h).
using rf::testing::have_tool;

}  // namespace rf::exporters::testing
