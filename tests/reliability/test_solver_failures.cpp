// Solver failures are results, never a crash of the run (the back-end level is in
// tests/prover/test_backends.cpp): with a 1 ms limit per query, `check` and `discover` finish,
// every rule gets an answer (proved, or unknown with each back-end's reason), and the exit code
// says nothing was refuted or malformed.
#include <catch2/catch.hpp>

#include <regex>

#include "tests/reliability/reliability_util.h"

using namespace rf::reliability;

TEST_CASE("reliability: a 1 ms solver limit gives unknown or timeout answers, not a crash", "[reliability]") {
    start_table("solver");
    std::string good = std::string(RF_SOURCE_DIR) + "/tests/rules/good.rf";
    std::vector<std::string> args = {"check", "--file", good, "--backend", "both", "--timeout-ms", "1", "--no-bounded"};
    Outcome o = run_ruleforge(args);
    const std::string all = o.out + o.err;  // verdict lines on stdout, the summary on stderr
    const size_t at = all.find(" refuted, ");
    const std::string summary = at == std::string::npos ? "" : first_line(all.substr(all.rfind('\n', at) + 1));
    record_row("solver", "1 ms per query, both back-ends (check)", args, o, summary);
    INFO(o.out << o.err);
    CHECK(o.signal == 0);
    CHECK(o.code == 0);  // nothing refuted, nothing malformed
    // One line per rule: index, a verdict, each back-end's answer.
    std::regex line(R"(^(\d+) (proved|unknown) z3=(proved|unknown|timeout)\S* cvc5=(proved|unknown|timeout)\S*)");
    int rules = 0, timeouts = 0;
    std::istringstream lines(o.out);
    for (std::string l; std::getline(lines, l);) {
        if (l.empty() || !std::isdigit(static_cast<unsigned char>(l[0]))) continue;
        ++rules;
        INFO(l);
        CHECK(std::regex_search(l, line));
        if (l.find("timeout") != std::string::npos) ++timeouts;
    }
    CHECK(rules >= 20);
    CHECK(timeouts > 0);  // the limit was really hit
    CHECK_THAT(summary, Catch::Contains(" 0 refuted") && Catch::Contains(" 0 error"));

    std::string db = scratch_dir("solver") + "/timeout.db";
    std::vector<std::string> d = {"discover",          "--db",         db,  "--max-ops", "2",    "--ops",
                                  "matmul,ewadd,relu", "--timeout-ms", "1", "--backend", "both", "-q"};
    Outcome r = run_ruleforge(d);
    std::string unknown = r.out.substr(std::min(r.out.find("unknown"), r.out.size()));
    record_row("solver", "1 ms per query, both back-ends (discover)", d, r, "summary: " + first_line(unknown));
    INFO(r.out << r.err);
    CHECK(r.signal == 0);
    CHECK(r.code == 0);
    // Every candidate got an answer (the strategies may decide all of them even at 1 ms: this run's
    // proved, refuted and unknown add up to its candidates), and none is an error.
    auto figure = [&](const std::string& key) {
        std::smatch m;
        const std::string text = r.out;
        if (!std::regex_search(text, m, std::regex("\n  " + key + " +([0-9]+)"))) return -1L;
        return std::stol(m[1]);
    };
    const long candidates = figure("candidates");
    CHECK(candidates > 0);
    CHECK(figure("proved") + figure("refuted") + figure("unknown") == candidates);
    CHECK(r.out.find("error") == std::string::npos);
    CHECK(rf::ruledb::Database(db).integrity_check().empty());
}
