// A rule leaves ruleforge with its conditions or not at all (issue 24 item 5, issue 20): the
// preconditions a proof added (ir/precondition.h) are data from the checker to the database to
// every export; formats that can state them do, TASO, TENSAT and FlexFlow leave such rules out
// and count them unless --include-conditional; `show` prints conditions in the rule's own names;
// a database of schema version 2 (conditions only as text) still opens and exports correctly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "exporters/rule_formats.h"
#include "ir/canonical.h"
#include "ir/native_text.h"
#include "ir/precondition.h"
#include "pipeline/proof_store.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"
#include "ruledb/database.h"
#include "ruledb/rule_key.h"
#include "ruledb/sql/connection.h"
#include "tests/exporters/test_util.h"
#include "tests/support/cli_run.h"

using namespace rf;
using namespace rf::exporters;
using namespace rf::exporters::testing;

namespace {

// TASO's grouped-convolution merge: proved only when the two branches have one shape
// (tests/rules/good.rf expects "proved under: same shape").
const std::string kGroupedMerge =
    "grouped_merge: (conv2d(x, w), conv2d(y, v)) => (split[axis=1](conv2d(concat[axis=1](x, y), "
    "concat[axis=0](w, v))).0, "
    "split[axis=1](conv2d(concat[axis=1](x, y), concat[axis=0](w, v))).1)";
const std::string kPlain = "relu_twice: relu(relu(x)) => relu(x)";

Rule rule(const std::string& text) { return build_rule(parse_native_rule(text)); }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string fresh(const std::string& name) {
    std::string p = temp_path(name);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p + suffix);
    return p;
}

}  // namespace

TEST_CASE("preconditions: nonzero_divisors is a value condition, read, printed and stated", "[exporters][conditions]") {
    // A rule with division (the prover states it when some divisor can be zero); here with
    // element-wise operators that exist in every build, since only the spelling is tested.
    Rule r = rule("ewmul(x, y) => ewmul(y, x) assuming nonzero_divisors");
    REQUIRE(r.preconditions == std::vector<Precondition>{Precondition::NonZeroDivisors});
    CHECK(precondition_texts(r) == std::vector<std::string>{"every divisor is non-zero"});
    CHECK(condition_texts(r).back() == "every divisor is non-zero");
    const std::string text = print_native(r);
    CHECK(contains(text, " assuming nonzero_divisors"));
    CHECK(rule(text).preconditions == r.preconditions);
    CHECK(precondition_from("nonzero_divisors") == Precondition::NonZeroDivisors);
    // Not decidable on shapes: the applier's shape check lets it through.
    CHECK(preconditions_hold(r));
}

TEST_CASE("preconditions: rendered in the rule's own names, read and printed by the native syntax",
          "[exporters][conditions]") {
    Rule r = rule(kGroupedMerge + " assuming same_shapes");
    REQUIRE(r.preconditions == std::vector<Precondition>{Precondition::SameShapes});
    CHECK(precondition_texts(r) == std::vector<std::string>{"x = y (same shape)", "w = v (same shape)"});
    std::vector<std::string> all = condition_texts(r);
    REQUIRE(all.size() == r.conditions.size() + 2);
    CHECK(all.back() == "w = v (same shape)");
    // Printed, and read back.
    std::string text = print_native(r);
    CHECK(contains(text, " assuming same_shapes"));
    CHECK(rule(text).preconditions == r.preconditions);
    // Not part of the equation: the canonical text and hash are those of the rule without them.
    CHECK_FALSE(contains(canonical_text(r), "assuming"));
    CHECK(canonical_hash(r) == canonical_hash(rule(kGroupedMerge)));
    CHECK(ruledb::describe_rule(r).text == ruledb::describe_rule(rule(kGroupedMerge)).text);
    // Renamed, the words follow the names.
    Rule c = canonicalize(r);
    CHECK(c.preconditions == r.preconditions);
    for (const std::string& t : precondition_texts(c)) CHECK_FALSE(contains(t, "x"));
    // Checked on shapes: equal shapes hold, different ones do not.
    CHECK_FALSE(
        preconditions_hold(rule("relu(concat[axis=0](a, b)) => concat[axis=0](relu(a), relu(b)) "
                                "where a: act[2,3], b: act[4,3] assuming same_shapes")));
    CHECK(
        preconditions_hold(rule("relu(concat[axis=0](a, b)) => concat[axis=0](relu(a), relu(b)) "
                                "where a: act[2,3], b: act[2,3] assuming same_shapes")));
    CHECK(
        preconditions_hold(rule("relu(concat[axis=0](a, b)) => concat[axis=0](relu(a), relu(b)) "
                                "where a: act[2,3], b: act[4,3]")));
    CHECK_THROWS_WITH(rule("relu(x) => relu(x) assuming dense_convolution"),
                      Catch::Contains("unknown precondition 'dense_convolution'"));
    Rule dense = rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w) assuming dense_convolutions");
    CHECK(precondition_texts(dense) == std::vector<std::string>{"x[1] = w[1] (groups = 1)"});
}

TEST_CASE(
    "preconditions: taso, tensat and flexflow leave conditional rules out unless asked, and count "
    "them",
    "[exporters][conditions]") {
    std::vector<Rule> rules{rule(kPlain), rule(kGroupedMerge + " assuming same_shapes")};
    for (ExchangeFormat f : {ExchangeFormat::Taso, ExchangeFormat::Flexflow, ExchangeFormat::Tensat}) {
        WriteOptions o;
        o.multi = false;
        ExportResult e = write_rules(rules, f, o);
        INFO(exchange_format_name(f));
        REQUIRE(e.left_out.size() == 1);
        CHECK(e.left_out[0].index == 1);
        CHECK(contains(e.left_out[0].message, "proved only under an added assumption"));
        CHECK(contains(e.left_out[0].message, "same shape"));
        CHECK(e.written == 1);
        CHECK(e.warnings.empty());
        o.include_conditional = true;
        o.multi = f == ExchangeFormat::Tensat;  // the merge has two outputs
        ExportResult forced = write_rules(rules, f, o);
        CHECK(forced.written == (f == ExchangeFormat::Tensat ? 1u : 2u));
        REQUIRE(forced.warnings.size() == 1);
        CHECK(forced.warnings[0].index == 1);
        CHECK(contains(forced.warnings[0].message, "without its proof assumption"));
        std::ostringstream report;
        print_export_report(report, "f", exchange_format_name(f), forced, false);
        CHECK(contains(report.str(), "warning: written without conditions"));
    }
    // The formats that state conditions write every rule with them.
    CHECK(contains(write_rules(rules, ExchangeFormat::Native).data, "assuming same_shapes"));
    CHECK(contains(write_rules(rules, ExchangeFormat::Dot).data, "if x = y (same shape)"));
    auto j = nlohmann::json::parse(write_rules(rules, ExchangeFormat::Json).data);
    CHECK(j["rules"][0]["preconditions"].empty());
    CHECK(j["rules"][1]["preconditions"] == nlohmann::json::array({"same_shapes"}));
    CHECK(j["rules"][1]["assumed"] == nlohmann::json::array({"x = y (same shape)", "w = v (same shape)"}));
}

TEST_CASE("preconditions: proved under same shapes, stored, shown in the rule's names and exported",
          "[exporters][conditions][cli]") {
    using rf::testing::CliRun;
    using rf::testing::run_cli;
    const std::string db = fresh("conditions.db");
    {
        // As `discover` stores what it proves: the candidate as found (names x, y, w, v), the
        // rule in canonical form (v0, v1, ...; here with its sides exchanged).
        ruledb::Database d(db);
        ruledb::Id run = d.begin_run({.command = "test"});
        prover::Checker checker(prover::builtin_axioms(), prover::CheckOptions{});
        pipeline::ProofTally tally;
        for (const std::string& text : {kPlain, kGroupedMerge}) {
            Rule found = rule(text);
            prover::RuleCheck c = checker.check(found, found.name);
            INFO(text << ": " << prover::verdict_name(c.verdict) << " " << c.condition_text() << " " << c.error);
            REQUIRE(c.verdict == prover::Verdict::Proved);
            pipeline::store_candidate_check(d, run, found, c, tally);
        }
        d.finish_run(run, ruledb::RunStatus::Finished);
    }
    ruledb::Id merge = 0, plain = 0;
    std::vector<std::string> m_assumed;
    CliRun r{};
    {
        ruledb::Database d(db);
        for (const auto& s : d.list_rules()) (s.name == "grouped_merge" ? merge : plain) = s.id;
        REQUIRE(merge != 0);
        auto m = d.rule_details(merge);
        REQUIRE(m->summary.status == ruledb::RuleStatus::Proved);
        // The checker's last level: dense convolutions and equal shapes.
        CHECK(m->summary.preconditions ==
              std::vector<Precondition>{Precondition::DenseConvolutions, Precondition::SameShapes});
        CHECK(d.load_rule(merge).preconditions == m->summary.preconditions);
        CHECK(d.rule_details(plain)->summary.preconditions.empty());
        // Every word is in the names of the rule's text (v0, v1, ...), none in those it was proved as.
        REQUIRE(m->assumed.size() >= 2);
        for (const std::string& t : m->assumed) {
            CHECK(contains(t, "v"));
            for (const char* name : {"x", "y", "w["}) CHECK_FALSE(contains(t, name));
        }
        // The candidate's proofs recorded the words in its own names; the rule's show its own.
        REQUIRE_FALSE(m->proofs.empty());
        CHECK(contains(m->proofs[0].record.condition, "x = y (same shape)"));
        CHECK(m->proofs[0].assumed == m->assumed);
        m_assumed = m->assumed;
        for (const std::string& t : m->summary.conditions) CHECK_FALSE(contains(t, "x["));
    }
    const std::string id = std::to_string(merge);

    r = run_cli({"show", "--db", db, id});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "assumes:"));
    CHECK(contains(r.out, "(same shape)"));
    CHECK_FALSE(contains(r.out, "x = y"));
    CHECK_FALSE(contains(r.out, "x[0]"));
    r = run_cli({"show", "--db", db, id, "--json"});
    CHECK(nlohmann::json::parse(r.out)["preconditions"] ==
          nlohmann::json::array({"dense_convolutions", "same_shapes"}));

    // TASO and FlexFlow: left out and counted; the option writes it with a warning.
    for (const std::string fmt : {"taso", "flexflow"}) {
        const std::string out = temp_path("conditions." + fmt);
        r = run_cli({"export", "--db", db, "--format", fmt, "--out", out});
        INFO(r.out << r.err);
        CHECK(r.code == 0);
        CHECK(contains(r.out, "wrote 1 rule to"));
        CHECK(contains(r.out, "1 x proved only under an added assumption"));
        r = run_cli({"export", "--db", db, "--format", fmt, "--out", out, "--include-conditional"});
        CHECK(contains(r.out, "wrote 2 rules to"));
        CHECK(contains(r.out, "warning: written without conditions"));
    }
    r = run_cli({"export", "--db", db, "--format", "tensat", "--multi", "--out", temp_path("conditions.tensat")});
    CHECK(contains(r.out, "wrote 0 rules"));
    CHECK(contains(r.out, "proved only under an added assumption"));

    // Native, JSON, DOT, SMT-LIB2 carry the condition.
    const std::string native = temp_path("conditions.native.rf");
    REQUIRE(run_cli({"export", "--db", db, "--format", "native", "--out", native}).code == 0);
    CHECK(contains(read_bytes(native), "assuming dense_convolutions, same_shapes"));
    ImportResult back = read_rule_file(native, ExchangeFormat::Native);
    REQUIRE(back.rules.size() == 2);
    CHECK(back.rules[merge - 1].preconditions ==
          std::vector<Precondition>{Precondition::DenseConvolutions, Precondition::SameShapes});
    r = run_cli({"export", "--db", db, "--format", "json", "--out", "-"});
    auto j = nlohmann::json::parse(r.out);
    const auto& jr = j["rules"][merge - 1];
    CHECK(jr["preconditions"] == nlohmann::json::array({"dense_convolutions", "same_shapes"}));
    CHECK(jr["assumed"] == nlohmann::json(m_assumed));
    CHECK(jr["proofs"][0]["preconditions"] == nlohmann::json::array({"dense_convolutions", "same_shapes"}));
    r = run_cli({"export", "--db", db, "--format", "dot", "--out", "-"});
    CHECK(contains(r.out, "(same shape)"));
    const std::string smt = temp_path("conditions_smt2");
    std::filesystem::remove_all(smt);
    r = run_cli({"export", "--db", db, "--format", "smt2", "--out", smt});
    CHECK(r.code == 0);
    CHECK(contains(read_bytes(smt + "/grouped_merge.smt2"), "; condition: "));
    CHECK(contains(read_bytes(smt + "/grouped_merge.smt2"), "(same shape)"));

    // Merging keeps them.
    const std::string merged = fresh("conditions-merged.db");
    REQUIRE(run_cli({"merge", merged, db}).code == 0);
    ruledb::Database m(merged);
    bool found = false;
    for (const auto& s : m.list_rules())
        if (s.name == "grouped_merge") {
            found = true;
            CHECK(s.preconditions ==
                  std::vector<Precondition>{Precondition::DenseConvolutions, Precondition::SameShapes});
        }
    CHECK(found);
}

TEST_CASE(
    "preconditions: a schema-2 database migrates its condition text to data and still exports "
    "correctly",
    "[exporters][conditions][ruledb]") {
    const std::string path = fresh("conditions-v2.db");
    ruledb::Database::create_at_version(path, 2);
    // What the version-2 code stored for a grouped merge proved under "same shape": the rule in
    // canonical text, its conditions and the proof condition in the names it was proved as.
    Rule original = rule(kGroupedMerge);
    ruledb::RuleEntry e = ruledb::describe_rule(original);
    std::string condition;
    for (const std::string& c : original.conditions) condition += c + ", ";
    condition += "x = y (same shape), w = v (same shape)";
    {
        ruledb::sql::Connection conn(path, false, false, 5000);
        conn.prepare(
                "INSERT INTO graphs(canonical_text, hash, num_ops, num_outputs) VALUES (?, ?, ?, "
                "?), (?, ?, ?, ?)")
            .bind_all(e.lhs.text, e.lhs.hash, e.lhs.num_ops, e.lhs.num_outputs, e.rhs.text, e.rhs.hash, e.rhs.num_ops,
                      e.rhs.num_outputs)
            .run();
        conn.prepare(
                "INSERT INTO rules(canonical_text, hash, name, lhs_graph, rhs_graph, lhs_ops, "
                "rhs_ops, num_ops, "
                "conditions_json, status, decision) VALUES (?, ?, 'grouped_merge', 1, 2, ?, ?, ?, "
                "?, 'proved', 'kept')")
            .bind_all(e.text, e.hash, e.lhs.num_ops, e.rhs.num_ops, std::max(e.lhs.num_ops, e.rhs.num_ops),
                      nlohmann::json(original.conditions).dump())
            .run();
        conn.prepare(
                "INSERT INTO proofs(rule_id, backend, status, condition, created_at) "
                "VALUES (1, 'z3', 'proved', ?, '2026-01-01T00:00:00.000Z')")
            .bind_all(condition)
            .run();
    }
    REQUIRE_FALSE(original.conditions.empty());
    ruledb::Database db(path);
    CHECK(db.schema_version() == 3);
    CHECK(db.integrity_check().empty());
    auto rules = db.list_rules();
    REQUIRE(rules.size() == 1);
    CHECK(rules[0].preconditions == std::vector<Precondition>{Precondition::SameShapes});
    Rule loaded = db.load_rule(1);
    CHECK(rules[0].conditions == loaded.conditions);  // renamed into the canonical text's names
    for (const std::string& c : rules[0].conditions) CHECK_FALSE(contains(c, "x["));
    auto d = db.rule_details(1);
    CHECK(d->proofs.at(0).record.preconditions == rules[0].preconditions);
    CHECK(d->assumed == precondition_texts(loaded));
    // Exports: left out of TASO, stated in native text.
    ExportResult taso = write_rules({loaded}, ExchangeFormat::Taso);
    CHECK(taso.written == 0);
    REQUIRE(taso.left_out.size() == 1);
    CHECK(contains(taso.left_out[0].message, "proved only under an added assumption"));
    CHECK(contains(write_rules({loaded}, ExchangeFormat::Native).data, "assuming same_shapes"));
}

TEST_CASE(
    "preconditions: a rule stored at more general shapes than its candidate keeps what its proof "
    "assumed",
    "[exporters][conditions]") {
    // At act[2,4,5,5] and weight[4,4,3,3] the convolutions are dense by their shapes, so the
    // candidate's own proof assumes nothing; the symbolic form holds only for dense convolutions.
    // The stored (general) rule must carry that, not the candidate's empty list.
    const std::string db = fresh("conditions-general.db");
    const Rule found = rule(
        "merge: concat[axis=1](conv2d(x, w), conv2d(x, v)) => conv2d(x, concat[axis=0](w, v)) "
        "where x: act[2,4,5,5], w: weight[4,4,3,3], v: weight[4,4,3,3]");
    prover::CheckOptions opts;
    opts.generalize = true;
    prover::Checker checker(prover::builtin_axioms(), opts);
    prover::RuleCheck c = checker.check(found, found.name);
    REQUIRE(c.verdict == prover::Verdict::Proved);
    CHECK(c.assumed.empty());
    REQUIRE(c.general);
    REQUIRE(std::count(c.general->rule.preconditions.begin(), c.general->rule.preconditions.end(),
                       Precondition::DenseConvolutions) == 1);
    ruledb::Id id = 0;
    {
        ruledb::Database d(db);
        ruledb::Id run = d.begin_run({.command = "test"});
        pipeline::ProofTally tally;
        d.atomically([&] { pipeline::store_candidate_check(d, run, found, c, tally); });
        d.finish_run(run, ruledb::RunStatus::Finished);
        const auto rules = d.list_rules();
        REQUIRE(rules.size() == 1);
        id = rules[0].id;
        CHECK(rules[0].preconditions == c.general->rule.preconditions);
        CHECK(d.load_rule(id).preconditions == c.general->rule.preconditions);
    }
    // Every export that states conditions states it.
    auto r = rf::testing::run_cli({"export", "--db", db, "--format", "native", "--out", "-"});
    CHECK(contains(r.out, "dense_convolutions"));
}
