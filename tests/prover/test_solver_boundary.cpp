// Only prover/backends/ may include a solver header: everything else speaks the neutral layer.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

TEST_CASE("prover: no file outside prover/backends includes a solver header", "[prover]") {
    namespace fs = std::filesystem;
    const fs::path root = RF_SOURCE_DIR;
    // Built from pieces so that this file does not match itself.
    const std::regex include(std::string("^\\s*#\\s*include\\s*[<\"]") + "(z3|cvc5)" + "[^>\"]*[>\"]");
    std::vector<std::string> offenders;
    int scanned = 0;
    for (const char* top : {"ir", "enumerator", "fingerprint", "prover", "ruledb", "exporters", "applier", "cli", "tests", "bench"}) {
        if (!fs::exists(root / top)) continue;
        for (const auto& e : fs::recursive_directory_iterator(root / top)) {
            if (!e.is_regular_file()) continue;
            std::string ext = e.path().extension().string();
            if (ext != ".h" && ext != ".cpp" && ext != ".cc" && ext != ".hpp" && ext != ".cu" && ext != ".in") continue;
            std::string rel = fs::relative(e.path(), root).generic_string();
            ++scanned;
            if (rel.rfind("prover/backends/", 0) == 0) continue;
            std::ifstream in(e.path());
            std::string line;
            while (std::getline(in, line))
                if (std::regex_search(line, include)) offenders.push_back(rel + ": " + line);
        }
    }
    CHECK(scanned > 10);
    INFO("solver headers included outside prover/backends/:");
    for (const std::string& o : offenders) INFO(o);
    CHECK(offenders.empty());
}
