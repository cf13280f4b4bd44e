// Merging shards (separate runs, MPI ranks): no duplicates by canonical text, runs copied with
// new ids and their shard as provenance, every reference remapped, idempotent on a second merge.
#include <catch2/catch.hpp>

#include "ruledb/database.h"
#include "tests/ruledb/ruledb_test_util.h"

using namespace rf;
using namespace rf::ruledb;
using namespace rf::ruledb::test;

namespace {

const char* kX = "matmul(matmul(a, b), c) => matmul(a, matmul(b, c))";
const char* kXRenamed = "matmul(matmul(p, q), r) => matmul(p, matmul(q, r))";
const char* kY = "matmul(matmul(matmul(a, b), c), d) => matmul(a, matmul(b, matmul(c, d)))";
const char* kZ = "relu(conv2d(x, w)) => conv2d[act=relu](x, w)";

ProofRecord proof(const char* backend, ProofStatus status, Id run) {
    return {backend, status, 2.0, {"ax1"}, "", "", "", "", run};
}

// Rank 0: X proved and kept (also seen renamed), Y pruned as derivable from X, a validation.
void fill_a(const std::string& path) {
    Database db(path);
    Id run = db.begin_run({"ruleforge discover --rank 0", R"({"rank": 0})", "", "ax-1", {1}});
    Rule x = rule(kX);
    Id cls = db.add_class("fp-1", describe_graph(x.lhs), run).id;
    db.add_class_member(cls, describe_graph(x.rhs), run);
    Id cand = db.add_candidate(describe_rule(x), cls, run).id;
    db.record_candidate_proof(cand, proof("z3", ProofStatus::Proved, run));
    Id rx = db.add_rule(describe_rule(x), {run, cand, RuleStatus::Proved}).id;
    db.add_rule(rule(kXRenamed), {.run = run});
    Id ry = db.add_rule(rule(kY), {run, {}, RuleStatus::Proved}).id;
    db.keep_rule(rx);
    db.prune_rule(ry, PruneReason::Derivable, "two steps of X", {rx});
    db.record_validation({rx, "bert", "layer0", "cpu", 1e-7, 1e-6, 2.0, 1.0, ValidationStatus::Valid, "", run});
    db.mark_stage_done(run, "prove", "all");
    db.finish_run(run, RunStatus::Finished);
}

// Rank 1: the same class and candidate, X again (unproved, undecided), Z new.
void fill_b(const std::string& path) {
    Database db(path);
    db.add_rule(rule("tanh(tanh(x)) => tanh(x)"));  // shifts ids so they differ from shard A's
    Id run = db.begin_run({"ruleforge discover --rank 1", R"({"rank": 1})", "", "ax-1", {2}});
    Rule x = rule(kX);
    Id cls = db.add_class("fp-1", describe_graph(x.lhs), run).id;
    db.add_class("fp-2", describe_graph(rule(kZ).lhs), run);
    Id cand = db.add_candidate(describe_rule(x), cls, run).id;
    db.record_candidate_proof(cand, proof("cvc5", ProofStatus::Proved, run));
    db.add_rule(describe_rule(x), {.run = run, .candidate = cand});
    Id rz = db.add_rule(rule(kZ), {.run = run}).id;
    db.record_rule_proof(rz, proof("z3", ProofStatus::Proved, run));
    db.mark_stage_done(run, "prove", "all");
}

}  // namespace

TEST_CASE("ruledb: merge copies shards without duplicates and keeps provenance", "[ruledb]") {
    std::string a = fresh_db("merge-a"), b = fresh_db("merge-b"), out = fresh_db("merge-out");
    fill_a(a);
    fill_b(b);
    Database db(out);
    MergeCounts ca = db.merge_from(a);
    MergeCounts cb = db.merge_from(b);
    CHECK(ca.rules == 2);
    CHECK(cb.rules == 2);          // tanh and Z
    CHECK(cb.rules_present == 1);  // X
    CHECK(cb.classes == 1);
    CHECK(cb.candidates == 0);
    CHECK(db.integrity_check().empty());

    DbStats s = db.stats();
    CHECK(s.rules == 4);
    CHECK(s.classes == 2);
    CHECK(s.candidates == 1);
    CHECK(s.runs == 2);
    CHECK(s.proofs == 3);
    CHECK(s.validations == 1);
    CHECK(s.duplicates == 1);  // X's renamed text, from shard A

    auto runs = db.runs();
    REQUIRE(runs.size() == 2);
    CHECK_THAT(runs[0].merged_from, Catch::EndsWith("merge-a-" + std::to_string(getpid()) + ".db#1"));
    CHECK_THAT(runs[1].merged_from, Catch::EndsWith(".db#1"));
    CHECK(runs[1].spec.command == "ruleforge discover --rank 1");
    CHECK(runs[1].spec.seeds == std::vector<uint64_t>{2});
    CHECK(db.stage_done(runs[1].id, "prove", "all"));

    auto x = db.match_rules(describe_rule(rule(kX)).hash);
    REQUIRE(x.size() == 1);
    auto dx = db.rule_details(x[0]);
    CHECK(dx->summary.status == RuleStatus::Proved);
    CHECK(dx->summary.decision == Decision::Kept);
    CHECK(dx->summary.run == runs[0].id);
    REQUIRE(dx->proofs.size() == 2);  // z3 from A and cvc5 from B, on the one candidate
    CHECK(dx->proofs[0].record.backend == "z3");
    CHECK(dx->proofs[1].record.backend == "cvc5");
    CHECK(dx->proofs[1].record.run == runs[1].id);
    REQUIRE(dx->validations.size() == 1);
    CHECK(dx->validations[0].record.model == "bert");

    auto y = db.match_rules(describe_rule(rule(kY)).hash);
    REQUIRE(y.size() == 1);
    auto dy = db.rule_details(y[0]);
    CHECK(dy->summary.prune_reason == PruneReason::Derivable);
    CHECK(dy->subsumed_by == std::vector<Id>{x[0]});  // remapped to this database's id

    auto z = db.match_rules(describe_rule(rule(kZ)).hash);
    REQUIRE(z.size() == 1);
    CHECK(db.rule_details(z[0])->summary.run == runs[1].id);

    SECTION("merging the same shards again adds nothing") {
        MergeCounts again = db.merge_from(a);
        again += db.merge_from(b);
        CHECK(again.runs + again.graphs + again.classes + again.candidates + again.rules + again.proofs +
                  again.validations + again.duplicates ==
              0);
        CHECK(db.stats().proofs == 3);
    }
    SECTION("a merged database merges on, keeping the original provenance") {
        std::string out2 = fresh_db("merge-out2");
        Database db2(out2);
        db2.merge_from(out);
        CHECK(db2.stats().rules == 4);
        CHECK(db2.runs()[0].merged_from == runs[0].merged_from);
        CHECK(db2.runs()[0].uuid == runs[0].uuid);
    }
}

TEST_CASE("ruledb: merge refuses a foreign shard and itself, and migrates an old shard", "[ruledb]") {
    std::string out = fresh_db("merge-refuse-out"), bad = fresh_db("merge-refuse-bad"), old = fresh_db("merge-v1");
    std::ofstream(bad) << "not a database at all, just text that is long enough to have a header";
    Database db(out);
    db.add_rule(rule(kZ));
    CHECK_THROWS_AS(db.merge_from(bad), DbError);
    CHECK_THROWS_WITH(db.merge_from(out), Catch::Contains("into itself"));
    CHECK_THROWS_AS(db.merge_from(fresh_db("merge-missing")), DbError);
    CHECK(db.stats().rules == 1);
    Database::create_at_version(old, 1);
    MergeCounts c = db.merge_from(old);
    CHECK(c.rules == 0);
    CHECK(db.integrity_check().empty());
}
