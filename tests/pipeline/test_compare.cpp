// `compare` against a small database built through the API (no prover run, so it is fast and
// exact): one discover-like run over matmul, ewadd and relu up to 2 operators, two kept proved
// rules (ewadd commutativity and associativity) and one unproved candidate. A native reference
// file with symbolic shapes then exercises every answer: found (only at a generator instance),
// derivable, and each reason a rule is missing. The CLI is checked for its JSON and exit codes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "exporters/rule_formats.h"
#include "ir/native_text.h"
#include "pipeline/compare.h"
#include "ruledb/database.h"

using namespace rf;

namespace {

std::string fresh_path(const std::string& name) {
    std::string path = std::string(RF_BINARY_DIR) + "/" + name;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    return path;
}

Rule native(const std::string& text) { return build_rule(parse_native_rule(text)); }

// The stored rules have the concrete shapes discover gives them (TASO's 2-D activation).
void build_db(const std::string& path) {
    ruledb::Database db(path);
    ruledb::RunSpec spec;
    spec.command = "discover (test)";
    spec.params_json = R"({"preset":"taso","ops":"matmul,ewadd,relu","max_ops":2,"backends":["z3"],"timeout_ms":4000})";
    ruledb::Id run = db.begin_run(spec);
    ruledb::RuleOrigin proved;
    proved.run = run;
    proved.status = ruledb::RuleStatus::Proved;
    for (const char* text : {"comm: ewadd(x, y) => ewadd(y, x) where x: act[2,4], y: act[2,4]",
                             "assoc: ewadd(x, ewadd(y, z)) => ewadd(ewadd(x, y), z) "
                             "where x: act[2,4], y: act[2,4], z: act[2,4]"})
        db.keep_rule(db.add_rule(native(text), proved).id);
    db.add_candidate(ruledb::describe_rule(native("relu(relu(x)) => relu(x) where x: act[2,4]")), {}, run);
    db.finish_run(run, ruledb::RunStatus::Finished);
}

// Symbolic shapes, as TENSAT and TASO files have them; names differ from the stored ones.
const char* kReference =
    "found: ewadd(a, b) => ewadd(b, a)\n"
    "derivable: ewadd(ewadd(a, b), c) => ewadd(ewadd(c, b), a)\n"
    "too_big: matmul(matmul(a, b), matmul(c, d)) => matmul(a, matmul(matmul(b, c), d))\n"
    "no_conv: relu(conv2d(x, w)) => conv2d[act=relu](x, w)\n"
    "unproved: relu(relu(a)) => relu(a)\n"
    "absent: ewadd(relu(a), relu(a)) => relu(ewadd(a, a))\n";

}  // namespace

TEST_CASE("compare classifies each reference rule", "[pipeline]") {
    const std::string db_path = fresh_path("compare_api.db");
    build_db(db_path);
    exporters::ImportResult ref = exporters::read_rule_bytes(kReference, "ref.rf", exporters::ExchangeFormat::Native);
    REQUIRE(ref.rules.size() == 6);

    ruledb::Database db(db_path);
    pipeline::CompareReport report = pipeline::compare(db, ref);
    REQUIRE(report.rules.size() == 6);
    const auto& r = report.rules;
    INFO(report.to_json());

    CHECK(r[0].outcome == pipeline::CompareOutcome::Found);
    CHECK(r[0].rule == 1);
    CHECK(r[0].status == "proved");
    CHECK(r[0].decision == "kept");
    CHECK(r[0].instance == "a: act[2,4], b: act[2,4]");  // only the generator instance is stored

    CHECK(r[1].outcome == pipeline::CompareOutcome::Derivable);
    // One associativity step: c + (b + a) is (a + b) + c commuted, which matching sees through.
    CHECK(r[1].derived_by == std::vector<ruledb::Id>{2});
    CHECK(r[1].steps == 1);

    CHECK(r[2].outcome == pipeline::CompareOutcome::Missing);
    CHECK(r[2].reason == "beyond the size bound");

    CHECK(r[3].outcome == pipeline::CompareOutcome::Missing);
    CHECK(r[3].reason == "operator not supported by the enumeration preset");
    CHECK(r[3].detail == "conv2d");

    CHECK(r[4].outcome == pipeline::CompareOutcome::Missing);
    CHECK(r[4].reason == "not proved");

    CHECK(r[5].outcome == pipeline::CompareOutcome::Missing);
    CHECK(r[5].reason == "not found");

    CHECK(report.found == 1);
    CHECK(report.derivable == 1);
    CHECK(report.missing == 4);
}

TEST_CASE("compare instantiates symbolic rules at TASO's generator shapes", "[pipeline]") {
    // matmul(x, w): x's columns are w's rows, so only act[2,4] x weight[4,4] and weight x weight fit.
    auto inst = pipeline::generator_instances(native("matmul(a, b) => matmul(a, b)"), 16);
    std::vector<std::string> labels;
    for (const auto& i : inst) labels.push_back(i.label);
    CHECK(labels == std::vector<std::string>{"a: act[2,4], b: weight[4,4]", "a: weight[4,4], b: weight[4,4]"});
    // A concrete rule is its own only instance.
    CHECK(pipeline::generator_instances(native("relu(x) => relu(x) where x: act[2,4]"), 16).size() == 1);
}

TEST_CASE("ruleforge compare: JSON summary and exit codes", "[pipeline]") {
    const std::string db_path = fresh_path("compare_cli.db");
    build_db(db_path);
    const std::string ref_path = fresh_path("compare_ref.rf");
    std::ofstream(ref_path) << kReference;

    std::ostringstream out, err;
    int code =
        cli::run_cli({"compare", "--db", db_path, "--reference", ref_path, "--format", "native", "--json"}, out, err);
    INFO(err.str());
    REQUIRE(code == cli::kOk);
    auto j = nlohmann::json::parse(out.str());
    CHECK(j["summary"] == nlohmann::json({{"found", 1}, {"derivable", 1}, {"missing", 4}, {"total", 6}}));
    REQUIRE(j["rules"].size() == 6);
    CHECK(j["rules"][0]["outcome"] == "found");
    CHECK(j["rules"][1]["derived_by"] == nlohmann::json({2}));
    CHECK(j["rules"][1]["derived_by_names"] == nlohmann::json({"assoc"}));
    CHECK(j["rules"][0]["rule_name"] == "comm");
    CHECK(j["rules"][3]["reason"] == "operator not supported by the enumeration preset");

    std::ostringstream text, e2;
    CHECK(cli::run_cli({"compare", "--db", db_path, "--reference", ref_path, "--format", "native"}, text, e2) ==
          cli::kOk);
    // Stored rules are named as list and show name them (id, then name).
    CHECK(text.str().find("0 found rule 1 comm (proved, kept) at a: act[2,4], b: act[2,4]  [found]\n") !=
          std::string::npos);
    CHECK(text.str().find("summary: 1 found, 1 derivable, 4 missing of 6") != std::string::npos);
    // Without --format the content tells the format (native text here; TENSAT was the old default).
    std::ostringstream detected, e5;
    CHECK(cli::run_cli({"compare", "--db", db_path, "--reference", ref_path}, detected, e5) == cli::kOk);
    CHECK(detected.str().find("summary: 1 found, 1 derivable, 4 missing of 6") != std::string::npos);
    CHECK(detected.str().find(", native)") != std::string::npos);

    std::ostringstream o3, e3;
    CHECK(
        cli::run_cli({"compare", "--db", fresh_path("compare_none.db"), "--reference", ref_path, "--format", "native"},
                     o3, e3) == cli::kUsage);
    CHECK_FALSE(std::filesystem::exists(std::string(RF_BINARY_DIR) + "/compare_none.db"));
    std::ostringstream o4, e4;
    CHECK(cli::run_cli({"compare", "--db", db_path, "--reference", fresh_path("compare_missing.rf")}, o4, e4) ==
          cli::kUsage);
}
