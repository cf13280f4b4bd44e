// `enumerate --db` then `prove --db`: the stages alone give the rule set of `discover`; what
// enumerate stores (classes, members, pending candidates) does not depend on the thread count,
// and a run stopped between two batches resumes to the uninterrupted content, with the indexes
// the load dropped built again; the store's shortcut for canonical keys gives ruledb's keys.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <utility>

#include <nlohmann/json.hpp>

#include "ir/canonical.h"
#include "pipeline/enumerate_db.h"
#include "ruledb/database.h"
#include "ruledb/rule_key.h"
#include "support/user_error.h"
#include "tests/ruledb/ruledb_test_util.h"
#include "tests/support/cli_run.h"
#include "tests/support/tools.h"

using namespace rf;
using rf::testing::run_cli;

namespace {

// Small enough to prove in seconds, rich enough for classes, candidates and a derivable rule.
const char* kOps = "ewadd,ewmul,relu,transpose";

std::vector<std::string> rule_set(const std::string& path) {
    ruledb::Database db(path);
    std::vector<std::string> out;
    for (const ruledb::RuleSummary& r : db.list_rules())
        out.push_back(r.text + " | " + ruledb::to_string(r.status) + " | " + ruledb::to_string(r.decision));
    std::sort(out.begin(), out.end());
    return out;
}

// Everything enumerate stores, row by row in id order (run ids included: each database holds one
// enumerate run), read with the sqlite3 tool because tests may not include sqlite3.h.
std::string dump(const std::string& path) {
    const char* sql =
        "SELECT 'g', id, canonical_text, num_ops, num_outputs FROM graphs ORDER BY id;"
        "SELECT 'c', id, fingerprint, representative, run_id FROM classes ORDER BY id;"
        "SELECT 'm', class_id, graph_id FROM class_members ORDER BY class_id, graph_id;"
        "SELECT 'p', id, rule_text, lhs_graph, rhs_graph, class_id, status FROM candidates ORDER "
        "BY id;"
        "SELECT 's', stage, unit FROM stages ORDER BY stage, unit;";
    return testing::command_output("sqlite3 '" + path + "' \"" + sql + "\"");
}

pipeline::EnumerateDbOptions options(const std::string& db, int threads) {
    pipeline::EnumerateDbOptions o;
    o.db_path = db;
    o.command_line = "enumerate (test)";
    o.ops = kOps;
    o.max_ops = 2;
    o.threads = threads;
    o.progress = false;
    o.batch = 16;  // many batches, so a stop lands between two of them
    return o;
}

}  // namespace

TEST_CASE("enumerate --db then prove --db: no candidate stays pending, the rules are discover's",
          "[pipeline][enumerator]") {
    const std::string staged = ruledb::test::fresh_db("enumerate_then_prove");
    auto e = run_cli({"enumerate", "--db", staged, "--max-ops", "2", "--ops", kOps, "--threads", "2", "--json", "-q"});
    INFO(e.out << e.err);
    REQUIRE(e.code == 0);
    const auto j = nlohmann::json::parse(e.out);
    CHECK(j["candidates"].get<int>() > 10);
    CHECK(j["stored_classes"].get<int>() > 0);
    {
        ruledb::Database d(staged);
        const ruledb::DbStats st = d.stats();
        CHECK(st.classes == j["stored_classes"].get<int64_t>());
        // ruledb folds a candidate that repeats another with its sides exchanged.
        CHECK(st.candidates == j["stored_candidates"].get<int64_t>());
        CHECK(st.candidates <= j["candidates"].get<int64_t>());
        CHECK(static_cast<int64_t>(d.candidates_with_status({ruledb::CandidateStatus::Pending}).size()) ==
              st.candidates);
        CHECK(st.rules == 0);  // enumerate proposes; only prove makes rules
        REQUIRE(d.runs().size() == 1);
        CHECK(d.runs()[0].status == ruledb::RunStatus::Finished);
        CHECK(d.integrity_check().empty());
    }
    auto p = run_cli({"prove", "--db", staged, "--threads", "2", "-q"});
    INFO(p.out << p.err);
    CHECK(p.code == 0);
    ruledb::Database d(staged);
    CHECK(d.candidates_with_status({ruledb::CandidateStatus::Pending}).empty());

    const std::string direct = ruledb::test::fresh_db("enumerate_vs_discover");
    auto di = run_cli({"discover", "--db", direct, "--max-ops", "2", "--ops", kOps, "--threads", "2", "-q"});
    INFO(di.out << di.err);
    REQUIRE(di.code == 0);
    const auto rules = rule_set(staged);
    CHECK(rules.size() > 5);
    CHECK(rules == rule_set(direct));
}

TEST_CASE("enumerate --db: what is stored does not depend on the thread count", "[pipeline][enumerator]") {
    if (!ruledb::test::have_sqlite3_tool()) {
        WARN("skipped: the sqlite3 tool is needed to read the tables back");
        return;
    }
    const std::string one = ruledb::test::fresh_db("enumerate_threads_1");
    const std::string two = ruledb::test::fresh_db("enumerate_threads_2");
    const auto a = pipeline::enumerate_into_database(options(one, 1));
    const auto b = pipeline::enumerate_into_database(options(two, 2));
    CHECK(a.stored_classes > 16);  // several class batches
    CHECK(a.stored_members == b.stored_members);
    const std::string da = dump(one), db = dump(two);
    CHECK(da.size() > 1000);
    CHECK(da == db);
}

TEST_CASE("enumerate --db: a run stopped between batches resumes to the uninterrupted content",
          "[pipeline][enumerator]") {
    if (!ruledb::test::have_sqlite3_tool()) {
        WARN("skipped: the sqlite3 tool is needed to read the tables back");
        return;
    }
    const std::string whole = ruledb::test::fresh_db("enumerate_whole");
    const auto full = pipeline::enumerate_into_database(options(whole, 2));
    const uint64_t batches = full.batches_done;
    REQUIRE(batches > 4);
    // Stops in the class stage (stored beside the candidate extraction), at the border of the two
    // stages, and in the candidate stage.
    for (uint64_t stop : {uint64_t{2}, (full.stored_classes + 15) / 16, batches - 1}) {
        INFO("stopped after " << stop << " batches");
        const std::string db = ruledb::test::fresh_db("enumerate_stopped");
        auto o = options(db, 2);
        o.stop_after_batches = static_cast<int>(stop);
        const auto cut = pipeline::enumerate_into_database(o);
        CHECK(cut.stopped);
        CHECK(cut.batches_done == stop);
        CHECK(ruledb::Database(db).last_unfinished_run("enumerate"));
        // Without --resume nothing continues; a resume with other options is refused.
        auto other = options(db, 2);
        other.resume = true;
        other.max_ops = 1;
        CHECK_THROWS_AS(pipeline::enumerate_into_database(other), support::UserError);
        o.stop_after_batches = -1;
        o.resume = true;
        const auto rest = pipeline::enumerate_into_database(o);
        CHECK_FALSE(rest.stopped);
        CHECK(rest.resumed);
        CHECK(rest.batches_skipped == stop);
        CHECK(rest.batches_done == batches - stop);
        CHECK(ruledb::Database(db).integrity_check().empty());
        CHECK(dump(db) == dump(whole));
    }
    // A finished run has nothing to resume.
    auto again = options(whole, 2);
    again.resume = true;
    CHECK_THROWS_WITH(pipeline::enumerate_into_database(again), Catch::Contains("no unfinished enumerate run"));
}

TEST_CASE("enumerate --db: option errors are usage errors", "[pipeline][enumerator][cli]") {
    const std::string db = ruledb::test::fresh_db("enumerate_bad_options");
    auto resume = run_cli({"enumerate", "--max-ops", "1", "--resume"});
    CHECK(resume.code == 2);
    CHECK_THAT(resume.err, Catch::Contains("--resume needs --db"));
    auto out = run_cli({"enumerate", "--db", db, "--max-ops", "1", "--out", db + ".rf"});
    CHECK(out.code == 2);
    auto op = run_cli({"enumerate", "--db", db, "--max-ops", "1", "--ops", "relu,nosuch", "-q"});
    CHECK(op.code == 2);
    CHECK_THAT(op.err, Catch::Contains("nosuch"));
    auto nothing = run_cli({"enumerate", "--db", db, "--max-ops", "1", "--resume", "-q"});
    CHECK(nothing.code == 2);
    CHECK_THAT(nothing.err, Catch::Contains("no unfinished enumerate run"));
}

TEST_CASE("enumerate --db: the profile names every phase with its time and peak memory", "[pipeline][enumerator]") {
    const std::string db = ruledb::test::fresh_db("enumdb-profile");
    const pipeline::EnumerateDbSummary s = pipeline::enumerate_into_database(options(db, 2));
    std::vector<std::string> names;
    uint64_t peak = 0;
    for (const enumerator::PhaseProfile& p : s.profile) {
        names.push_back(p.phase + " " + std::to_string(p.size));
        CHECK(p.seconds >= 0);
        CHECK(p.cpu_seconds >= 0);
        CHECK(p.peak_rss_bytes >= peak);  // a running peak never falls
        peak = p.peak_rss_bytes;
    }
    CHECK(names == std::vector<std::string>{"generate 1", "fingerprint 1", "classes 1", "generate 2", "fingerprint 2",
                                            "classes 2", "candidates 0", "store classes 0", "store 0"});
    CHECK(peak > 0);
    const nlohmann::json j = nlohmann::json::parse(s.to_json());
    REQUIRE(j.at("profile").size() == names.size());
    CHECK(j["profile"].back().at("phase") == "store");
    CHECK(j["profile"].back().at("seconds").get<double>() == Approx(s.store_seconds));
    // `enumerate --json` without --db emits the enumeration's part.
    const auto r = run_cli({"enumerate", "--max-ops", "1", "--ops", kOps, "--json", "--quiet"});
    REQUIRE(r.code == 0);
    const nlohmann::json e = nlohmann::json::parse(r.out);
    REQUIRE(e.at("profile").size() == 4);
    CHECK(e["profile"][3].at("phase") == "candidates");
}

namespace {

// The secondary indexes, read with the sqlite3 tool (a writable Database open rebuilds them).
std::string index_list(const std::string& path) {
    return testing::command_output("sqlite3 '" + path +
                                   "' \"SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name;\"");
}

void check_same_entry(const ruledb::RuleEntry& a, const ruledb::RuleEntry& b) {
    CHECK(a.text == b.text);
    CHECK(a.hash == b.hash);
    CHECK(a.source_text == b.source_text);
    CHECK(a.name == b.name);
    CHECK(a.swapped == b.swapped);
    for (auto [x, y] : {std::pair{&a.lhs, &b.lhs}, std::pair{&a.rhs, &b.rhs}}) {
        CHECK(x->text == y->text);
        CHECK(x->hash == y->hash);
        CHECK(x->num_ops == y->num_ops);
        CHECK(x->num_outputs == y->num_outputs);
    }
    CHECK(a.ops == b.ops);
    CHECK(a.conditions == b.conditions);
}

}  // namespace

TEST_CASE("enumerate --db: the indexes dropped for the load are back after it, or at the next open",
          "[pipeline][enumerator]") {
    if (!ruledb::test::have_sqlite3_tool()) {
        WARN("skipped: the sqlite3 tool is needed to read the schema");
        return;
    }
    const std::string fresh = ruledb::test::fresh_db("enumdb-index-fresh");
    { ruledb::Database db(fresh); }
    const std::string schema = index_list(fresh);
    CHECK_THAT(schema, Catch::Contains("graphs_hash") && Catch::Contains("candidates_status"));

    const std::string whole = ruledb::test::fresh_db("enumdb-index-whole");
    pipeline::enumerate_into_database(options(whole, 2));
    CHECK(index_list(whole) == schema);

    // A load stopped as a kill would stop it leaves them dropped; a writer's open builds them.
    const std::string cut = ruledb::test::fresh_db("enumdb-index-cut");
    auto o = options(cut, 2);
    o.stop_after_batches = 2;
    REQUIRE(pipeline::enumerate_into_database(o).stopped);
    const std::string during = index_list(cut);
    CHECK_THAT(during, !Catch::Contains("graphs_hash") && !Catch::Contains("class_members_graph"));
    CHECK_THAT(during, Catch::Contains("runs_uuid"));  // only the load's indexes were dropped
    { ruledb::Database db(cut); }
    CHECK(index_list(cut) == schema);
}

TEST_CASE("describe_canonical_rule: describe_rule's entry for every candidate, in either orientation",
          "[pipeline][enumerator][ruledb]") {
    enumerator::EnumConfig cfg = pipeline::enumeration_config("taso", 2, "");
    cfg.progress = false;
    const enumerator::EnumResult er = enumerator::enumerate(cfg);
    REQUIRE(er.candidates.size() > 100);
    size_t swapped = 0;
    for (const enumerator::Candidate& c : er.candidates) {
        INFO(c.rule.name);
        check_same_entry(ruledb::describe_canonical_rule(c.rule), ruledb::describe_rule(c.rule));
        // The other orientation, canonical too: the entry must swap it back.
        Rule flipped = c.rule;
        std::swap(flipped.lhs, flipped.rhs);
        const Rule f = canonicalize(flipped);
        const ruledb::RuleEntry e = ruledb::describe_canonical_rule(f);
        check_same_entry(e, ruledb::describe_rule(f));
        swapped += e.swapped;
    }
    CHECK(swapped > 0);
}
