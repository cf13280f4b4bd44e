// The storage boundary: only ruledb/ includes sqlite3.h, so the schema can change behind one
// folder's API (the same rule the prover keeps for solver headers).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace std::filesystem;

TEST_CASE("ruledb: only ruledb/ includes sqlite3.h", "[ruledb]") {
    path root = RF_SOURCE_DIR;
    std::vector<std::string> offenders;
    int scanned = 0;
    for (auto it = recursive_directory_iterator(root); it != recursive_directory_iterator(); ++it) {
        const path& p = it->path();
        std::string name = p.filename().string();
        if (it->is_directory() && (name.rfind("build", 0) == 0 || name[0] == '.')) {
            it.disable_recursion_pending();
            continue;
        }
        std::string ext = p.extension().string();
        if (!it->is_regular_file() || (ext != ".h" && ext != ".hpp" && ext != ".cpp" && ext != ".cc" && ext != ".in" && ext != ".cu"))
            continue;
        ++scanned;
        std::ifstream in(p);
        std::string line;
        while (std::getline(in, line)) {
            auto hash = line.find_first_not_of(" \t");
            if (hash == std::string::npos || line[hash] != '#') continue;
            if (line.find("include") == std::string::npos || line.find("sqlite3.h") == std::string::npos) continue;
            std::string rel = relative(p, root).string();
            if (rel.rfind("ruledb/", 0) != 0) offenders.push_back(rel + ": " + line);
        }
    }
    CHECK(scanned > 20);
    std::string list;
    for (const auto& o : offenders) list += "\n  " + o;
    INFO("files outside ruledb/ that include sqlite3.h:" << list);
    CHECK(offenders.empty());
}
