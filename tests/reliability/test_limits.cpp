// Limits with clear errors instead of a crash, a stuck run or a silent cost: nesting depth and
// terms per rule (10,000 nested relus crashed `check` and `fmt` with SIGSEGV), --max-ops beyond
// the enumerator (a run left 'running' in a new database), --threads beyond the CPUs (a one-rule
// check took 29.5 s at 1000 threads), and a malformed rule in a file (it stopped `check` at the
// first one; now it is reported with its line and the rest is checked).
#include <catch2/catch.hpp>

#include <chrono>

#include "ir/rule_ast.h"
#include "tests/reliability/reliability_util.h"

using namespace rf;
using namespace rf::reliability;

namespace {

std::string repeat(const std::string& s, size_t n) {
    std::string r;
    r.reserve(s.size() * n);
    for (size_t i = 0; i < n; ++i) r += s;
    return r;
}

std::string nested_native(size_t depth) { return repeat("relu(", depth) + "x" + repeat(")", depth) + " => relu(x)\n"; }
std::string nested_tensat(size_t depth) {
    return repeat("(relu ", depth) + "?x" + repeat(")", depth) + "=>(relu ?x)\n";
}

// A balanced tree of ewadds over `leaves` variables: wide, shallow.
std::string wide(size_t leaves) {
    std::vector<std::string> level;
    for (size_t i = 0; i < leaves; ++i) level.push_back("x");
    while (level.size() > 1) {
        std::vector<std::string> up;
        for (size_t i = 0; i + 1 < level.size(); i += 2) up.push_back("ewadd(" + level[i] + "," + level[i + 1] + ")");
        if (level.size() % 2) up.push_back(level.back());
        level = std::move(up);
    }
    return level[0];
}

std::function<std::string()> text(std::string s) {
    return [s] { return s; };
}

}  // namespace

TEST_CASE("reliability: deep nesting and huge rules are refused with file:line:col and never crash", "[reliability]") {
    const std::string depth_error = "nested more than " + std::to_string(kMaxNesting) + " deep";
    run_bad_inputs("limits", {
                                 {"10,000 nested relus (fmt)",
                                  "deep10k.rf",
                                  text(nested_native(10000)),
                                  {"fmt", "{F}"},
                                  1,
                                  {"{F}:1:", depth_error}},
                                 {"10,000 nested relus (check)",
                                  "deep10k-check.rf",
                                  text(nested_native(10000)),
                                  {"check", "--file", "{F}"},
                                  1,
                                  {"{F}:1:", depth_error}},
                                 {"100,000 nested relus (check)",
                                  "deep100k.rf",
                                  text(nested_native(100000)),
                                  {"check", "--file", "{F}"},
                                  1,
                                  {"{F}:1:", depth_error}},
                                 {"10,000 nested relus, TENSAT (fmt)",
                                  "deep10k.txt",
                                  text(nested_tensat(10000)),
                                  {"fmt", "--format", "tensat", "{F}"},
                                  1,
                                  {"{F}:1:", depth_error}},
                                 {"100,000 nested relus, TENSAT (check)",
                                  "deep100k.txt",
                                  text(nested_tensat(100000)),
                                  {"check", "--format", "tensat", "--file", "{F}"},
                                  1,
                                  {"{F}:1:", depth_error}},
                                 {"10,000 nested relus (import)",
                                  "deep-import.rf",
                                  text(nested_native(10000)),
                                  {"import", "--db", "{DB}", "--format", "native", "{F}"},
                                  1,
                                  {depth_error}},
                                 {"a rule of 32,767 operators (fmt)",
                                  "wide.rf",
                                  text(wide(32768) + " => x\n"),
                                  {"fmt", "{F}"},
                                  1,
                                  {"{F}:1:", "(ruleforge's limit for one rule)"}},
                             });
}

TEST_CASE("reliability: a rule nested to the limit still works", "[reliability]") {
    std::string dir = scratch_dir("limits-at");
    std::string file = dir + "/deep1000.rf";
    write_file(file, nested_native(kMaxNesting));
    Outcome fmt = run_ruleforge({"fmt", file, "--canonical"});
    INFO(fmt.err);
    CHECK(fmt.signal == 0);
    CHECK(fmt.code == 0);
    Outcome check = run_ruleforge({"check", "--file", file, "--timeout-ms", "2000"});
    INFO(check.out << check.err);
    CHECK(check.signal == 0);
    CHECK(check.code == 0);
    write_file(file, nested_native(kMaxNesting + 1));
    CHECK(run_ruleforge({"fmt", file}).code == 1);
}

TEST_CASE("reliability: check --file reports a malformed rule with its line and checks the rest", "[reliability]") {
    start_table("limits-file");
    std::string dir = scratch_dir("limits-file");
    struct Case {
        std::string input, name, content;
        std::vector<std::string> format;
        std::string error_at;
    };
    const std::vector<Case> cases = {
        {"unbalanced rule between two good ones",
         "mixed.rf",
         "relu(relu(x)) => relu(x)\nrelu(relu(x) => x\newadd(a, b) => ewadd(b, a)\n",
         {},
         ":2:"},
        {"a bad character between two good ones",
         "mixed-char.rf",
         "relu(relu(x)) => relu(x)\nrelu(x) => $x\newadd(a, b) => ewadd(b, a)\n",
         {},
         ":2:12: unexpected character '$'"},
        {"an unknown operator between two good ones, TENSAT",
         "mixed.txt",
         "(relu (relu ?x))=>(relu ?x)\n(frob ?x)=>?x\n(ewadd ?a ?b)=>(ewadd ?b ?a)\n",
         {"--format", "tensat"},
         ":2:2: unknown operator 'frob'"},
    };
    for (const Case& c : cases) {
        std::string file = dir + "/" + c.name;
        write_file(file, c.content);
        std::vector<std::string> args = {"check", "--file", file, "--backend", "z3"};
        args.insert(args.end(), c.format.begin(), c.format.end());
        Outcome o = run_ruleforge(args);
        record_row("limits-file", c.input, args, o);
        INFO(c.input << "\n  stdout: " << o.out << "\n  stderr: " << o.err);
        CHECK(o.signal == 0);
        CHECK(o.code == 1);
        CHECK_THAT(o.err, Catch::Contains("error: rule 2: " + file + c.error_at));
        CHECK_THAT(o.out, Catch::Contains("1 proved") && Catch::Contains("2 error") && Catch::Contains("3 proved"));
        CHECK_THAT(o.err, Catch::Contains("2 proved, 0 refuted, 0 unknown, 1 error (of 3"));
    }
}

TEST_CASE("reliability: --max-ops beyond the enumerator is refused before a run is recorded", "[reliability]") {
    start_table("limits-options");
    std::string dir = scratch_dir("limits-options");
    for (const std::string command : {"discover", "enumerate"}) {
        std::string db = fresh_path(dir, command + ".db");
        std::vector<std::string> args = {command, "--db", db, "--max-ops", "99", "-q"};
        Outcome o = run_ruleforge(args);
        record_row("limits-options", "--max-ops 99 with a new database (" + command + ")", args, o);
        INFO(o.out << o.err);
        CHECK(o.signal == 0);
        CHECK(o.code == 2);
        CHECK_THAT(o.err, Catch::Contains("--max-ops must be between 1 and 6"));
        if (std::filesystem::exists(db)) {
            ruledb::Database d(db, ruledb::Database::Options{false});
            CHECK(d.runs().empty());
        }
    }
}

TEST_CASE("reliability: --threads beyond the CPUs is capped with a warning", "[reliability]") {
    std::vector<std::string> args = {"check", "relu(relu(x)) => relu(x)", "--threads", "1000", "--no-bounded"};
    auto t0 = std::chrono::steady_clock::now();
    Outcome o = run_ruleforge(args);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    record_row("limits-options", "--threads 1000 for one rule (check)", args, o);
    INFO(o.out << o.err << "\n" << seconds << " s");
    CHECK(o.code == 0);
    CHECK_THAT(o.err, Catch::Contains("warning: check: --threads 1000 is more than the"));
    CHECK(seconds < 10);  // was 29.5 s: a solver context per thread
}
