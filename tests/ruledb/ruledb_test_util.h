// Helpers for the ruledb tests: fresh database paths under the build tree, rules from native
// text, raw header reads (tests may not include sqlite3.h), and the sqlite3 command-line tool
// for files that ruleforge itself must never write.
#pragma once

#include <unistd.h>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "ir/native_text.h"
#include "ir/rule.h"
#include "tests/support/tools.h"

namespace rf::ruledb::test {

/// A path for a new database, with any leftover file (and its -wal/-shm) removed.
inline std::string fresh_db(const std::string& name) {
    std::filesystem::path dir = std::filesystem::path(RF_BINARY_DIR) / "ruledb-tests";
    std::filesystem::create_directories(dir);
    std::string path = (dir / (name + "-" + std::to_string(::getpid()) + ".db")).string();
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix);
    return path;
}

inline Rule rule(const std::string& text) { return build_rule(parse_native_rule(text)); }

/// A distinct, well-typed rule per n (the shape differs).
inline Rule numbered_rule(int n) {
    std::string d = std::to_string(n + 1);
    return rule("ewadd(x, ewadd(y, z)) => ewadd(ewadd(x, y), z) where x: act[" + d + ",3], y: act[" + d +
                ",3], z: act[" + d + ",3]");
}

/// The whole file as bytes.
inline std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The big-endian 32-bit field at `offset` of the SQLite header (user_version at 60,
/// application_id at 68).
inline uint32_t header_u32(const std::string& path, size_t offset) {
    std::string b = file_bytes(path);
    if (b.size() < offset + 4) return 0;
    auto u = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(b[offset + i])); };
    return u(0) << 24 | u(1) << 16 | u(2) << 8 | u(3);
}

/// Whether the sqlite3 tool is installed; a missing one fails the test (tests/support/tools.h).
inline bool have_sqlite3_tool() { return rf::testing::have_tool("sqlite3"); }

/// Runs SQL on `path` with the sqlite3 tool; true on success.
inline bool sqlite3_tool(const std::string& path, const std::string& sql) {
    std::string cmd = "sqlite3 '" + path + "' \"" + sql + "\" > /dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
}

}  // namespace rf::ruledb::test
