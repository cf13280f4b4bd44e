// The walls between the project's folders, as one list of forbidden dependencies checked against
// the #include lines of every source file of every folder (fuzz/, pipeline/ and tests/ too). The
// build keeps what it can (third-party libraries are private to the target that uses them, the
// solver back-ends a target of their own); system headers are on every include path, so this
// scan keeps the rest.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Wall {
    std::vector<std::string> in;         ///< path prefixes the wall applies to (empty: every file)
    std::vector<std::string> except_in;  ///< path prefixes it does not apply to
    std::vector<std::string> forbidden;  ///< include targets (prefixes) those files must not name
    const char* why;
};

const std::vector<std::string> kStages = {"enumerator/", "fingerprint/", "prover/", "ruledb/", "exporters/",
                                          "applier/",    "pipeline/",    "site/",   "cli/"};

const std::vector<Wall>& walls() {
    static const std::vector<Wall> list = {
        {{"ir/"}, {}, kStages, "ir knows no stage"},
        {{"support/"},
         {},
         [] {
             std::vector<std::string> v = kStages;
             v.push_back("ir/");
             return v;
         }(),
         "support is below every stage"},
        {{}, {"cli/", "tests/"}, {"cli/"}, "libraries know no front end"},
        {{"enumerator/", "fingerprint/", "prover/", "ruledb/", "exporters/", "applier/"},
         {},
         {"pipeline/", "site/"},
         "a stage knows no stage that runs it"},
        {{}, {"prover/backends/"}, {"z3", "cvc5"}, "solvers only through the prover (prover/backends/)"},
        {{}, {"ruledb/"}, {"sqlite3"}, "SQLite only in ruledb/"},
        {{"exporters/", "cli/cmd_export.cpp"},
         {},
         {"prover/checker.h", "prover/backend.h", "prover/backends/", "z3", "cvc5"},
         "exporters write SMT-LIB2 from the encoder, never through a solver"},
        {{"prover/backends/"},
         {},
         {"ruledb/", "pipeline/", "exporters/", "ir/output_file.h", "sqlite3", "fstream"},
         "a back-end stores nothing"},
        {{},
         {"exporters/"},
         {"taso_rules.pb.h", "exporters/taso_rules.pb.h"},
         "the TASO protobuf classes are private to exporters/"},
    };
    return list;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool applies(const Wall& w, const std::string& file) {
    bool in = w.in.empty();
    for (const std::string& p : w.in) in = in || starts_with(file, p);
    for (const std::string& p : w.except_in) in = in && !starts_with(file, p);
    return in;
}

// The include target of a line ("" when it is no #include).
std::string include_target(const std::string& line) {
    static const std::regex re(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
    std::smatch m;
    return std::regex_search(line, m, re) ? m[1].str() : std::string();
}

// "file: line (why)" for each wall the line breaks.
std::vector<std::string> violations(const std::string& file, const std::string& line) {
    std::vector<std::string> out;
    const std::string target = include_target(line);
    if (target.empty()) return out;
    for (const Wall& w : walls()) {
        if (!applies(w, file)) continue;
        for (const std::string& f : w.forbidden)
            if (starts_with(target, f)) out.push_back(file + ": " + line + " (" + w.why + ")");
    }
    return out;
}

bool is_source(const fs::path& p) {
    static const std::set<std::string> exts = {".h", ".hpp", ".cpp", ".cc", ".cu", ".cuh", ".in", ".proto"};
    return exts.count(p.extension().string()) > 0;
}

}  // namespace

TEST_CASE("boundaries: each wall catches the include it forbids", "[boundaries]") {
    CHECK(!violations("ir/graph.cpp", "#include \"ruledb/database.h\"").empty());
    CHECK(!violations("pipeline/discover.cpp", "  #  include \"cli/options.h\"").empty());
    CHECK(!violations("fuzz/fuzz_native.cpp", "#include \"cli/cli.h\"").empty());
    CHECK(!violations("prover/checker.cpp", "#include <z3++.h>").empty());
    CHECK(!violations("tests/prover/test_backends.cpp", "#include <cvc5/cvc5.h>").empty());
    CHECK(!violations("pipeline/prove_db.cpp", "#include <sqlite3.h>").empty());
    CHECK(!violations("exporters/smt2.cpp", "#include \"prover/checker.h\"").empty());
    CHECK(!violations("cli/cmd_export.cpp", "#include \"prover/checker.h\"").empty());
    CHECK(!violations("prover/backends/z3_backend.cpp", "#include \"ruledb/database.h\"").empty());
    CHECK(!violations("ruledb/database.cpp", "#include \"pipeline/discover.h\"").empty());
    CHECK(!violations("support/stop.cpp", "#include \"ir/graph.h\"").empty());
    CHECK(!violations("applier/optimize.cpp", "#include \"exporters/taso_rules.pb.h\"").empty());
    // What the walls allow.
    CHECK(violations("prover/backends/z3_backend.cpp", "#include <z3++.h>").empty());
    CHECK(violations("ruledb/schema.cpp", "#include <sqlite3.h>").empty());
    CHECK(violations("tests/cli/test_cli.cpp", "#include \"cli/cli.h\"").empty());
    CHECK(violations("cli/cmd_export.cpp", "#include \"prover/smt2_file.h\"").empty());
    CHECK(violations("ir/graph.cpp", "// #include \"ruledb/database.h\" in a comment").empty());
}

TEST_CASE("boundaries: no file of any folder includes across a wall", "[boundaries]") {
    const fs::path root = RF_SOURCE_DIR;
    std::vector<std::string> offenders;
    std::set<std::string> folders;
    int scanned = 0;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        const std::string name = it->path().filename().string();
        if (it->is_directory() && (starts_with(name, "build") || name[0] == '.')) {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file() || !is_source(it->path())) continue;
        const std::string rel = fs::relative(it->path(), root).generic_string();
        ++scanned;
        folders.insert(rel.substr(0, rel.find('/')));
        std::ifstream in(it->path());
        for (std::string line; std::getline(in, line);)
            for (std::string& v : violations(rel, line)) offenders.push_back(std::move(v));
    }
    // Every folder with code is scanned, the ones the older per-wall tests left out included.
    for (const char* f : {"ir", "enumerator", "fingerprint", "prover", "ruledb", "exporters", "applier", "pipeline",
                          "site", "cli", "support", "fuzz", "tests"})
        CHECK(folders.count(f) == 1);
    CHECK(scanned > 200);
    std::string list;
    for (const std::string& o : offenders) list += "\n  " + o;
    INFO("includes across a wall:" << list);
    CHECK(offenders.empty());
}
