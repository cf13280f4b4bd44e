// `ruleforge list`, `show` and `merge`, run in-process: table and JSON output, filters, the
// Graphviz picture, and user errors (exit code and message) for bad databases and options.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "ruledb/database.h"
#include "tests/ruledb/ruledb_test_util.h"
#include "tests/support/cli_run.h"

using namespace rf;
using namespace rf::ruledb;
using namespace rf::ruledb::test;

namespace {

using Run = rf::testing::CliRun;
Run run(const std::vector<std::string>& args) { return rf::testing::run_cli(args); }

// Three rules: matmul assoc (proved by z3, kept), conv+relu fusion (pruned, derivable from the
// first), relu idempotence (refuted, with a counterexample).
std::string sample_db(const std::string& name) {
    std::string path = fresh_db(name);
    Database db(path);
    Id r = db.begin_run({.command = "ruleforge discover --max-ops 2"});
    Id a = db.add_rule(rule("assoc: matmul(matmul(a, b), c) => matmul(a, matmul(b, c))"), {.run = r}).id;
    db.record_rule_proof(a, {"z3", ProofStatus::Proved, 4.0, {"matmul_assoc"}, "", "", "", "", r});
    db.record_rule_proof(a, {"cvc5", ProofStatus::Timeout, 1000.0, {}, "", "", "limit 1 s", "", r});
    Id b = db.add_rule(rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w)"), {.run = r}).id;
    db.record_rule_proof(b, {"z3", ProofStatus::Proved, 2.0, {}, "", "", "", "", r});
    Id c = db.add_rule(rule("relu(ewadd(x, y)) => ewadd(relu(x), relu(y))"), {.run = r}).id;
    db.record_rule_proof(c, {"bounded", ProofStatus::Refuted, 1.0, {}, "", "x=[-1], y=[1]", "", "", r});
    db.keep_rule(a);
    db.prune_rule(b, PruneReason::Derivable, "found by bounded rewriting", {a});
    db.finish_run(r, RunStatus::Finished);
    return path;
}

}  // namespace

TEST_CASE("cli: list prints a table, filters, and JSON", "[ruledb][cli]") {
    std::string db = sample_db("cli-list");
    Run all = run({"list", "--db", db});
    INFO(all.err);
    REQUIRE(all.code == 0);
    CHECK_THAT(all.out, Catch::StartsWith("    id  hash"));
    CHECK_THAT(all.out, Catch::Contains("assoc: matmul(matmul(v0, v1), v2) => matmul(v0, matmul(v1, v2))"));
    CHECK_THAT(all.out, Catch::Contains("pruned:derivable") && Catch::EndsWith("3 rules\n"));

    CHECK_THAT(run({"list", "--db", db, "--status", "refuted"}).out, Catch::EndsWith("\n1 rule\n"));
    CHECK_THAT(run({"list", "--db", db, "--status", "kept"}).out, Catch::Contains("assoc"));
    CHECK_THAT(run({"list", "--db", db, "--op", "conv2d"}).out, Catch::EndsWith("\n1 rule\n"));
    CHECK_THAT(run({"list", "--db", db, "--max-ops", "1"}).out, Catch::EndsWith("\n0 rules\n"));

    Run json = run({"list", "--db", db, "--status", "proved", "--json"});
    REQUIRE(json.code == 0);
    auto j = nlohmann::json::parse(json.out);
    CHECK(j["count"] == 2);
    REQUIRE(j["rules"].size() == 2);
    CHECK(j["rules"][0]["name"] == "assoc");
    CHECK(j["rules"][0]["decision"] == "kept");
    CHECK(j["rules"][1]["prune_reason"] == "derivable");
    CHECK(j["rules"][1]["ops"] == nlohmann::json({"conv2d", "relu"}));
    CHECK(j["rules"][0]["hash"].get<std::string>().size() == 16);
}

TEST_CASE("cli: show prints the rule, its proofs per back-end and its pruning decision", "[ruledb][cli]") {
    std::string db = sample_db("cli-show");
    Run s = run({"show", "2", "--db", db});
    INFO(s.err);
    REQUIRE(s.code == 0);
    CHECK_THAT(s.out, Catch::StartsWith("rule 2  hash "));
    CHECK_THAT(s.out, Catch::Contains("relu(conv2d(v0, v1)) => conv2d[act=relu](v0, v1)"));
    CHECK_THAT(s.out, Catch::Contains("decision:   pruned (derivable) by rule 1: found by bounded rewriting"));
    CHECK_THAT(s.out, Catch::Contains("provenance: run 1 `ruleforge discover --max-ops 2`"));

    Run a = run({"show", "assoc", "--db", db});
    CHECK_THAT(a.out, Catch::Contains("z3       proved") && Catch::Contains("axioms: matmul_assoc"));
    CHECK_THAT(a.out, Catch::Contains("cvc5     timeout") && Catch::Contains("reason: limit 1 s"));
    CHECK_THAT(run({"show", "3", "--db", db}).out, Catch::Contains("counterexample: x=[-1], y=[1]"));

    // By hash prefix, and as JSON.
    std::string hash = nlohmann::json::parse(run({"list", "--db", db, "--json"}).out)["rules"][0]["hash"];
    Run byhash = run({"show", hash.substr(0, 7), "--db", db, "--json"});
    REQUIRE(byhash.code == 0);
    auto j = nlohmann::json::parse(byhash.out);
    CHECK(j["id"] == 1);
    REQUIRE(j["proofs"].size() == 2);
    CHECK(j["proofs"][1]["verdict"] == "timeout");
    CHECK(j["provenance"]["status"] == "finished");

    Run dot = run({"show", "1", "--db", db, "--dot"});
    REQUIRE(dot.code == 0);
    CHECK_THAT(dot.out, Catch::StartsWith("digraph \"rule\" {"));
    CHECK_THAT(dot.out, Catch::Contains("label=\"rule 1 (" + hash.substr(0, 12) + ")"));
    CHECK_THAT(dot.out, Catch::Contains("subgraph cluster_l {") && Catch::Contains("subgraph cluster_r {"));
    // The variables are drawn once, outside both clusters, and both sides point at them.
    CHECK(dot.out.find("  v0 [") < dot.out.find("subgraph cluster_l"));
    CHECK_THAT(dot.out, Catch::Contains("v0 -> l") && Catch::Contains("v0 -> r"));
}

TEST_CASE("cli: list, show and merge report bad databases and options as user errors", "[ruledb][cli]") {
    std::string db = sample_db("cli-errors");
    std::string missing = fresh_db("cli-missing");
    Run m = run({"list", "--db", missing});
    CHECK(m.code == cli::kUsage);
    CHECK_THAT(m.err, Catch::Contains("error: list: no database at '" + missing + "'"));
    std::string text = fresh_db("cli-text");
    std::ofstream(text) << "relu(x) => x\n" << std::string(100, ' ');
    Run t = run({"show", "1", "--db", text});
    CHECK(t.code == cli::kUsage);
    CHECK_THAT(t.err, Catch::Contains("not a SQLite database"));
    CHECK(run({"list", "--db", db, "--status", "maybe"}).code == cli::kUsage);
    CHECK(run({"list", "--db", db, "--op", "frobnicate"}).code == cli::kUsage);
    CHECK(run({"list", "--db", db, "--max-ops", "-1"}).code == cli::kUsage);
    CHECK(run({"list"}).code == cli::kUsage);
    Run none = run({"show", "999", "--db", db});
    CHECK(none.code == cli::kFailed);
    CHECK_THAT(none.err, Catch::Contains("no rule matches '999'"));
    CHECK(run({"merge", "only-one.db"}).code == cli::kUsage);
    Run self = run({"merge", db, db});
    CHECK(self.code == cli::kUsage);
    CHECK_THAT(self.err, Catch::Contains("is OUT.db itself"));
    for (const char* cmd : {"list", "show", "merge"}) CHECK(run({cmd, "--help"}).code == 0);
}

TEST_CASE("cli: merge combines shards and says what each added", "[ruledb][cli]") {
    std::string a = sample_db("cli-merge-a"), b = fresh_db("cli-merge-b"), out = fresh_db("cli-merge-out");
    {
        Database db(b);
        db.add_rule(rule("matmul(matmul(a, b), c) => matmul(a, matmul(b, c))"));
        db.add_rule(rule("tanh(tanh(x)) => tanh(x)"));
    }
    Run r = run({"merge", out, a, b});
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out,
               Catch::Contains(a + ": runs +1, graphs +6, classes +0, candidates +0, rules +3 (0 already present)"));
    CHECK_THAT(r.out, Catch::Contains(b + ": runs +0") && Catch::Contains("rules +1 (1 already present)"));
    CHECK_THAT(r.out, Catch::EndsWith("merged 2 shards into " + out + ": 4 rules\n"));
    Run again = run({"merge", out, a, b, "--json"});
    REQUIRE(again.code == 0);
    auto j = nlohmann::json::parse(again.out);
    CHECK(j["total"]["rules"] == 0);
    CHECK(j["rules_in_out"] == 4);
    Database db(out);
    CHECK(db.integrity_check().empty());
    CHECK(db.stats().proofs == 4);
}
