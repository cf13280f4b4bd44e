// The one prove-and-store loop (pipeline/prove_loop.h): spans proved in parallel, stored in
// order with their marks, and nothing of a span stored when a stop was requested.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ir/native_text.h"
#include "pipeline/prove_loop.h"
#include "ruledb/database.h"
#include "support/stop.h"
#include "tests/ruledb/ruledb_test_util.h"

using namespace rf;

namespace {

std::vector<Rule> sample_rules() {
    std::vector<Rule> rules;
    for (const char* text : {"ewadd(x, y) => ewadd(y, x)", "relu(relu(x)) => relu(x)", "ewmul(x, y) => ewadd(x, y)",
                             "ewmul(x, y) => ewmul(y, x)", "relu(ewadd(x, y)) => ewadd(relu(x), relu(y))"})
        rules.push_back(build_rule(parse_native_rule(text)));
    return rules;
}

}  // namespace

TEST_CASE("prove loop: batches cover the items in order", "[pipeline][prove]") {
    const std::vector<pipeline::Span> b = pipeline::batches(10, 4);
    REQUIRE(b.size() == 3);
    CHECK((b[0].lo == 0 && b[0].hi == 4));
    CHECK((b[1].lo == 4 && b[1].hi == 8));
    CHECK((b[2].lo == 8 && b[2].hi == 10));
    CHECK(pipeline::batches(0, 4).empty());
}

TEST_CASE("prove loop: every item proved, stored in order, each span marked after its items", "[pipeline][prove]") {
    ruledb::Database db(ruledb::test::fresh_db("prove_loop"));
    const std::vector<Rule> rules = sample_rules();
    std::vector<std::string> events;
    std::vector<prover::Verdict> verdicts(rules.size(), prover::Verdict::Error);
    pipeline::ProveJob job;
    job.rule = [&](size_t i) -> const Rule& { return rules[i]; };
    job.name = [](size_t i) { return "loop_" + std::to_string(i); };
    job.store = [&](size_t i, const prover::RuleCheck& c) {
        events.push_back("store " + std::to_string(i));
        verdicts[i] = c.verdict;
    };
    job.mark_done = [&](const pipeline::Span& s) { events.push_back("mark " + pipeline::span_unit(s)); };
    job.stopped = [](size_t, int) { FAIL("no stop was requested"); };
    job.check.timeout_ms = 4000;
    job.threads = 2;
    // Spans out of order on purpose: the loop keeps the order it is given.
    const std::vector<pipeline::Span> spans = {{3, 5, false}, {0, 3, false}};
    CHECK(pipeline::prove_and_store(db, spans, job) == 5);
    CHECK(events ==
          std::vector<std::string>{"store 3", "store 4", "mark i3-5", "store 0", "store 1", "store 2", "mark i0-3"});
    CHECK(verdicts == std::vector<prover::Verdict>{prover::Verdict::Proved, prover::Verdict::Proved,
                                                   prover::Verdict::Refuted, prover::Verdict::Proved,
                                                   prover::Verdict::Refuted});
}

TEST_CASE("prove loop: a stop stores nothing of the span in flight", "[pipeline][prove]") {
    ruledb::Database db(ruledb::test::fresh_db("prove_loop_stop"));
    const std::vector<Rule> rules = sample_rules();
    size_t stored_items = 0, reported = 99;
    pipeline::ProveJob job;
    job.rule = [&](size_t i) -> const Rule& { return rules[i]; };
    job.name = [](size_t i) { return "loop_" + std::to_string(i); };
    job.store = [&](size_t, const prover::RuleCheck&) { ++stored_items; };
    job.stopped = [&](size_t stored, int sig) {
        reported = stored;
        throw support::Interrupted(sig, "stopped");
    };
    job.threads = 1;
    support::request_stop(2);  // SIGINT
    CHECK_THROWS_AS(pipeline::prove_and_store(db, pipeline::batches(rules.size(), 2), job), support::Interrupted);
    support::clear_stop_request();
    CHECK(stored_items == 0);
    CHECK(reported == 0);
}
