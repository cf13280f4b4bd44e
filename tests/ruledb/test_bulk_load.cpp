// The bulk-load path of the enumerator's store (Database::load_class, load_candidate): the same
// rows as add_class + add_class_member and add_candidate, only inside the caller's transaction,
// which commits or rolls back whole.
#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "ruledb/database.h"
#include "tests/ruledb/ruledb_test_util.h"
#include "tests/support/tools.h"

using namespace rf;
using namespace rf::ruledb;
using namespace rf::ruledb::test;

namespace {

// Every row the store writes, ids included, read with the sqlite3 tool (tests may not include
// sqlite3.h).
std::string rows(const std::string& path) {
    const char* sql =
        "SELECT 'g', id, canonical_text, hash, num_ops, num_outputs, run_id FROM graphs ORDER BY "
        "id;"
        "SELECT 'c', id, fingerprint, representative, run_id FROM classes ORDER BY id;"
        "SELECT 'm', class_id, graph_id FROM class_members ORDER BY class_id, graph_id;"
        "SELECT 'p', id, rule_text, hash, lhs_graph, rhs_graph, class_id, run_id, status FROM "
        "candidates ORDER BY id;";
    return testing::command_output("sqlite3 '" + path + "' \"" + sql + "\"");
}

}  // namespace

TEST_CASE("ruledb: load_class and load_candidate store what the single adds store", "[ruledb]") {
    if (!have_sqlite3_tool()) {
        WARN("skipped: the sqlite3 tool is needed to read the tables back");
        return;
    }
    const Rule a = numbered_rule(1), b = numbered_rule(2), c = numbered_rule(3);
    const std::vector<GraphEntry> members = {describe_graph(a.rhs), describe_graph(b.lhs), describe_graph(a.rhs)};
    const std::string one = fresh_db("bulk-single"), bulk = fresh_db("bulk-load");
    {
        Database db(one);
        const Id run = db.begin_run({"ruleforge test", "{}", "", "", {}});
        db.atomically([&] {
            const Id k = db.add_class("fp:1", describe_graph(a.lhs), run).id;
            for (const GraphEntry& m : members) db.add_class_member(k, m, run);
            db.add_class("fp:1", describe_graph(c.lhs), run);  // the same fingerprint again
            db.add_candidate(describe_rule(a), k, run);
            db.add_candidate(describe_rule(c), std::nullopt, run);
            db.add_candidate(describe_rule(a), k, run);
        });
    }
    {
        Database db(bulk);
        const Id run = db.begin_run({"ruleforge test", "{}", "", "", {}});
        db.atomically([&] {
            const Id k = db.load_class("fp:1", describe_graph(a.lhs), members, run);
            CHECK(db.load_class("fp:1", describe_graph(c.lhs), {}, run) == k);
            CHECK(db.load_candidate(describe_rule(a), k, run).inserted);
            CHECK(db.load_candidate(describe_rule(c), std::nullopt, run).inserted);
            CHECK_FALSE(db.load_candidate(describe_rule(a), k, run).inserted);
        });
        CHECK(db.integrity_check().empty());
    }
    const std::string expected = rows(one);
    CHECK(expected.find("\nc|") != std::string::npos);  // the dump really holds rows
    CHECK(rows(bulk) == expected);
}

TEST_CASE("ruledb: a bulk load is the caller's transaction: all of it or none", "[ruledb]") {
    const std::string path = fresh_db("bulk-rollback");
    Database db(path);
    const Rule a = numbered_rule(1);
    CHECK_THROWS_AS(db.load_class("fp:1", describe_graph(a.lhs), {}), std::logic_error);
    CHECK_THROWS_AS(db.load_candidate(describe_rule(a)), std::logic_error);
    CHECK_THROWS_AS(db.atomically([&] {
        db.load_class("fp:1", describe_graph(a.lhs), {describe_graph(a.rhs)});
        db.load_candidate(describe_rule(a));
        throw std::runtime_error("stopped mid-batch");
    }),
                    std::runtime_error);
    const DbStats s = db.stats();
    CHECK(s.graphs == 0);
    CHECK(s.classes == 0);
    CHECK(s.candidates == 0);
}
