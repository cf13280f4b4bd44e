// `ruleforge prove --db`: proves what a database holds unproved (imported rules, pending
// candidates), records the proofs and counterexamples, continues where it stopped, and reports
// bad input as user errors.
#include <catch2/catch.hpp>

#include <set>

#include <nlohmann/json.hpp>

#include "ruledb/database.h"
#include "tests/ruledb/ruledb_test_util.h"
#include "tests/support/cli_run.h"

using namespace rf;
using rf::testing::run_cli;
using rf::testing::temp_file;

TEST_CASE("prove --db: imported rules are proved or refuted, and a second run has nothing left", "[pipeline][prove]") {
    const std::string db = ruledb::test::fresh_db("prove_imported");
    const std::string rules = temp_file("prove_imported.rf",
                                        "comm: ewadd(x, y) => ewadd(y, x)\n"
                                        "assoc: matmul(x, matmul(y, z)) => matmul(matmul(x, y), z)\n"
                                        "wrong: ewmul(x, y) => ewadd(x, y)\n");
    REQUIRE(run_cli({"import", "--db", db, "--format", "native", rules}).code == 0);
    auto r = run_cli({"prove", "--db", db, "--backend", "both", "--json", "-q", "--threads", "2"});
    INFO(r.out << r.err);
    CHECK(r.code == 1);  // a refuted rule
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["rules"] == 3);
    CHECK(j["proved"] == 2);
    CHECK(j["refuted"] == 1);

    ruledb::Database d(db);
    ruledb::RuleFilter refuted;
    refuted.status = ruledb::RuleStatus::Refuted;
    const auto bad = d.list_rules(refuted);
    REQUIRE(bad.size() == 1);
    const auto details = d.rule_details(bad[0].id);
    bool counterexample = false;
    for (const auto& p : details->proofs) counterexample |= !p.record.counterexample.empty();
    CHECK(counterexample);
    ruledb::RuleFilter proved;
    proved.status = ruledb::RuleStatus::Proved;
    for (const auto& p : d.list_rules(proved)) {
        // Both back-ends' proofs are recorded, with the axioms they used.
        std::set<std::string> backends;
        // Keep the details alive: a range-for over `d.rule_details(id)->proofs` would iterate a
        // member of a temporary destroyed before the loop body (found by ASan).
        const auto info = d.rule_details(p.id);
        REQUIRE(info);
        for (const auto& pr : info->proofs)
            if (pr.record.status == ruledb::ProofStatus::Proved) {
                backends.insert(pr.record.backend);
                CHECK_FALSE(pr.record.axioms.empty());
            }
        CHECK(backends == std::set<std::string>{"cvc5", "z3"});
    }

    auto again = run_cli({"prove", "--db", db, "--json", "-q"});
    CHECK(again.code == 0);
    const auto j2 = nlohmann::json::parse(again.out);
    CHECK(j2["rules"] == 0);
    CHECK(j2["candidates"] == 0);
}

TEST_CASE("prove --db: pending candidates become proved rules", "[pipeline][prove]") {
    const std::string db = ruledb::test::fresh_db("prove_pending");
    {
        ruledb::Database d(db);
        ruledb::RunSpec spec;
        spec.command = "test";
        const auto run = d.begin_run(spec);
        d.add_candidate(ruledb::describe_rule(ruledb::test::rule("relu(relu(x)) => relu(x)")), {}, run);
        d.add_candidate(
            ruledb::describe_rule(ruledb::test::rule("transpose[perm=[1,0]](transpose[perm=[1,0]](x)) => x")), {}, run);
        d.finish_run(run, ruledb::RunStatus::Finished);
    }
    auto r = run_cli({"prove", "--db", db, "-q"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("tried 2 candidates and 0 rules"));
    ruledb::Database d(db);
    CHECK(d.candidates_with_status({ruledb::CandidateStatus::Pending}).empty());
    ruledb::RuleFilter proved;
    proved.status = ruledb::RuleStatus::Proved;
    CHECK(d.list_rules(proved).size() == 2);
}

TEST_CASE("prove --db: bad input is a user error", "[pipeline][prove][cli]") {
    auto missing = run_cli({"prove", "--db", std::string(RF_BINARY_DIR) + "/no-such-dir/none.db"});
    CHECK(missing.code == 2);
    CHECK_THAT(missing.err, Catch::Contains("none.db"));
    const std::string db = ruledb::test::fresh_db("prove_bad_options");
    { ruledb::Database d(db); }
    auto backend = run_cli({"prove", "--db", db, "--backend", "yices"});
    CHECK(backend.code == 2);
    CHECK_THAT(backend.err, Catch::Contains("--backend must be z3, cvc5 or both"));
    auto timeout = run_cli({"prove", "--db", db, "--timeout-ms", "0"});
    CHECK(timeout.code == 2);
    auto text = temp_file("prove_not_a_db.txt", "hello\n");
    auto notdb = run_cli({"prove", "--db", text});
    CHECK(notdb.code == 2);
    CHECK_THAT(notdb.err, Catch::Contains("not a ruleforge database"));
}

TEST_CASE("prove --db: rules with parallel operators are proved by both back-ends or refuted",
          "[pipeline][prove][parallel]") {
    const std::string db = ruledb::test::fresh_db("prove_parallel");
    const std::string rules = temp_file("prove_parallel.rf",
                                        "push: relu(repartition[dim=0,degree=2](x)) => "
                                        "repartition[dim=0,degree=2](relu(x)) where x: act[4,6]\n"
                                        "copies: reduction[degree=2](replicate[degree=2](x)) => x where x: act[4,6]\n"
                                        "broken: combine[dim=0,degree=2](x) => x where x: act[4,6]\n");
    // The malformed rule is listed and skipped; the exit status still says so.
    auto imported = run_cli({"import", "--db", db, "--format", "native", "--skip-malformed", rules});
    INFO(imported.out << imported.err);
    CHECK(imported.code == 1);
    CHECK_THAT(imported.out, Catch::Contains("not cut in a multiple of 2 parts"));
    CHECK_THAT(imported.out, Catch::Contains("imported 2 new rules"));
    auto r = run_cli({"prove", "--db", db, "--backend", "both", "--json", "-q", "--threads", "1"});
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["rules"] == 2);
    CHECK(j["proved"] == 1);   // relu runs per device (axiom relu_part_0)
    CHECK(j["refuted"] == 1);  // reduction of two copies is twice the value
    CHECK(j["unknown"] == 0);
}
