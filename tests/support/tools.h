// The external programs some tests run (sqlite3, protoc, dot, z3, cvc5): whether one is there.
// scripts/install-deps.sh installs every one of them, so a missing tool is a broken set-up, and
// a test that needs it fails rather than passing with its check skipped. On a developer's
// machine that lacks one on purpose, RF_ALLOW_MISSING_TOOLS=1 turns the failure into a warning
// and the caller skips that check.
#pragma once

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace rf::testing {

/// True when `tool` is on the PATH. Otherwise the running test fails, unless
/// RF_ALLOW_MISSING_TOOLS=1: then it warns and returns false.
inline bool have_tool(const std::string& tool) {
    if (std::system(("command -v " + tool + " > /dev/null 2>&1").c_str()) == 0) return true;
    const char* allow = std::getenv("RF_ALLOW_MISSING_TOOLS");
    if (allow && std::string(allow) == "1") {
        WARN(tool << " is not installed: the check that needs it is skipped (RF_ALLOW_MISSING_TOOLS=1)");
        return false;
    }
    FAIL(tool << " is not installed (scripts/install-deps.sh installs it; RF_ALLOW_MISSING_TOOLS=1 skips "
                 "the checks that need it)");
    return false;
}

/// Everything `cmd` (a shell command) writes on its standard output.
inline std::string command_output(const std::string& cmd) {
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
    REQUIRE(p);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
    return out;
}

}  // namespace rf::testing
