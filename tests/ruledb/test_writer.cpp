// The single writer: many threads submit, one thread commits in batches; overlapping records
// from different threads are stored once; a failing unit is rolled back alone and reported.
#include <catch2/catch.hpp>

#include <thread>

#include "ruledb/writer.h"
#include "tests/ruledb/ruledb_test_util.h"

using namespace rf;
using namespace rf::ruledb;
using namespace rf::ruledb::test;

TEST_CASE("ruledb: concurrent writers from several threads store every record once", "[ruledb]") {
    std::string path = fresh_db("writer-concurrent");
    const int threads = 6, per_thread = 60,
              stride = 40;  // thread t adds rules [t*40, t*40+60): overlaps
    Id run;
    {
        Database db(path);
        run = db.begin_run({.command = "ruleforge test-writer"});
    }
    {
        Writer w(path, Writer::Options{32, 20, 64});
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                for (int i = t * stride; i < t * stride + per_thread; ++i) {
                    Rule r = numbered_rule(i);
                    w.add_candidate(r, std::nullopt, run);
                    // One logical record: the rule and its proof together.
                    RuleEntry e = describe_rule(r);
                    w.submit([e, run](Database& db) {
                        Id id = db.add_rule(e, {.run = run}).id;
                        db.record_rule_proof(id, {"z3", ProofStatus::Proved, 1.0, {}, "", "", "", "", run});
                    });
                }
                w.mark_stage_done(run, "prove", "thread " + std::to_string(t));
            });
        for (auto& th : pool) th.join();
        w.flush();
        Writer::Stats s = w.stats();
        CHECK(s.committed == static_cast<uint64_t>(threads * per_thread * 2 + threads));
        CHECK(s.failed == 0);
        CHECK(s.transactions < s.committed);  // batched
        w.close();
    }
    Database db(path);
    const int distinct = (threads - 1) * stride + per_thread;
    DbStats st = db.stats();
    CHECK(st.rules == distinct);
    CHECK(st.candidates == distinct);
    CHECK(st.proofs == threads * per_thread);  // one per submission, overlapping ones included
    CHECK(st.rules_by_status.at("proved") == distinct);
    CHECK(db.done_units(run, "prove").size() == static_cast<size_t>(threads));
    CHECK(db.integrity_check().empty());
}

TEST_CASE("ruledb: a failing unit is rolled back alone and reported by flush()", "[ruledb]") {
    std::string path = fresh_db("writer-failing");
    Writer w(path, Writer::Options{8, 10, 64});
    w.add_rule(numbered_rule(1));
    w.submit([](Database& db) {
        db.add_rule(numbered_rule(2));  // rolled back with its unit
        throw std::runtime_error("unit failed on purpose");
    });
    w.add_rule(numbered_rule(3));
    CHECK_THROWS_WITH(w.flush(), Catch::Contains("on purpose"));
    w.flush();  // reported once
    CHECK(w.stats().committed == 2);
    CHECK(w.stats().failed == 1);
    w.add_class("fp1", numbered_rule(4).lhs);
    w.add_class_member("fp1", numbered_rule(4).rhs);
    w.add_class_member("no-such-class", numbered_rule(5).rhs);
    CHECK_THROWS_WITH(w.flush(), Catch::Contains("no-such-class"));
    w.close();
    Database db(path);
    CHECK(db.stats().rules == 2);
    CHECK(db.stats().classes == 1);
    CHECK(db.list_rules().size() == 2);
}

TEST_CASE("ruledb: a writer on a foreign file fails in the caller's thread", "[ruledb]") {
    std::string path = fresh_db("writer-foreign");
    std::ofstream(path) << std::string(64, 'z');
    CHECK_THROWS_AS(Writer(path), DbError);
}
