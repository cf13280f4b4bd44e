// The convert, import and export commands, run in-process: TASO's file converts to TENSAT text
// byte-identical to TENSAT's own conversion, reports say what was left out, bad input exits
// non-zero, and a bad file imports nothing.
#include <catch2/catch.hpp>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "exporters/rule_formats.h"
#include "ruledb/database.h"
#include "tests/exporters/test_util.h"
#include "tests/support/cli_run.h"

using namespace rf;
using namespace rf::exporters::testing;

namespace {

using Run = rf::testing::CliRun;
Run run(const std::vector<std::string>& args) { return rf::testing::run_cli(args); }

const std::string kTaso = reference("taso/graph_subst.pb");

size_t rules_in(const std::string& db) { return ruledb::Database(db).list_rules().size(); }

}  // namespace

TEST_CASE("convert: TASO's file to TENSAT text is byte-identical to TENSAT's conversion", "[exporters][cli]") {
    std::string single = temp_path("converted.txt"), multi = temp_path("converted_multi.txt");
    Run r = run({"convert", kTaso, "--from", "taso", "--to", "tensat", "--out", single});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("read 133 of 133 rules from " + kTaso + " (taso)"));
    CHECK_THAT(r.out, Catch::Contains("wrote 120 rules to " + single + " (tensat)"));
    CHECK_THAT(r.out, Catch::Contains("left out (tensat cannot express or load them): 13 rules"));
    CHECK(read_bytes(single) == read_bytes(reference("tensat/converted.txt")));
    r = run({"convert", kTaso, "--from", "taso", "--to", "tensat", "--multi", "--out", multi});
    CHECK(r.code == 0);
    CHECK(read_bytes(multi) == read_bytes(reference("tensat/converted_multi.txt")));
}

TEST_CASE("convert: every output format from TENSAT text, and JSON report", "[exporters][cli]") {
    for (const char* to : {"native", "tensat", "taso", "flexflow", "json", "dot"}) {
        std::string out = temp_path(std::string("conv.") + to);
        Run r =
            run({"convert", reference("tensat/converted.txt"), "--from", "tensat", "--to", to, "--out", out, "--json"});
        INFO(to << "\n" << r.out << r.err);
        REQUIRE(r.code == 0);
        nlohmann::json j = nlohmann::json::parse(r.out);
        CHECK(j["read"] == 120);
        CHECK(j["written"] == 120);
        CHECK(j["malformed"].empty());
    }
    // The TASO file written from TENSAT text reads back as the same 120 rules.
    exporters::ImportResult back = exporters::read_rule_file(temp_path("conv.taso"), exporters::ExchangeFormat::Taso);
    CHECK(back.rules.size() == 120);
}

TEST_CASE("convert: bad input and bad options exit non-zero with a clear message", "[exporters][cli]") {
    std::string garbage = temp_path("garbage.pb");
    write_bytes(garbage, "this is not a protobuf file at all\n");
    Run r = run({"convert", garbage, "--from", "taso", "--to", "tensat", "--out", temp_path("x.txt")});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::StartsWith("error: " + garbage + ": not a TASO rule file"));
    r = run({"convert", temp_path("missing.pb"), "--from", "taso", "--to", "tensat", "--out", temp_path("x.txt")});
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains("cannot read"));
    r = run({"convert", kTaso, "--from", "json", "--to", "tensat", "--out", temp_path("x.txt")});
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains("--from must be native, tensat, taso or flexflow"));
    r = run({"convert", kTaso, "--from", "taso", "--to", "native", "--out", temp_path("x.txt"), "--multi"});
    CHECK(r.code == 2);
    // A malformed rule is reported with its index; the others are still written.
    std::string text = temp_path("one_bad.txt");
    write_bytes(text, "(relu ?x)=>(relu ?x)\n(matmul 0 ?a ?b)=>(matmul 0 ?b ?c)\n");
    r = run({"convert", text, "--from", "tensat", "--to", "native", "--out", temp_path("x.txt")});
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::Contains("malformed: 1 rule"));
    CHECK_THAT(r.out, Catch::Contains("rule 1: "));
    CHECK_THAT(r.out, Catch::Contains("wrote 1 rule to"));
}

TEST_CASE("import/export: a TASO file into a database and out again, and a bad file imports nothing",
          "[exporters][cli]") {
    std::string db = temp_path("import.db");
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
    Run r = run({"import", "--db", db, "--format", "taso", kTaso});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("read 133 of 133 rules"));
    CHECK_THAT(r.out, Catch::Contains("imported "));
    const size_t stored = rules_in(db);
    CHECK(stored > 100);

    std::string garbage = temp_path("truncated.pb");
    std::string bytes = read_bytes(kTaso);
    write_bytes(garbage, bytes.substr(0, bytes.size() / 3));
    r = run({"import", "--db", db, "--format", "taso", garbage});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("nothing was imported"));
    std::string bad_text = temp_path("bad.txt");
    write_bytes(bad_text, "(relu ?x)=>(relu ?x)\n(matmul 0 ?a ?b)=>(matmul 0 ?b ?c)\n");
    r = run({"import", "--db", db, "--format", "tensat", bad_text});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("nothing was imported"));
    CHECK(rules_in(db) == stored);

    std::string pb = temp_path("export.pb");
    r = run({"export", "--db", db, "--format", "taso", "--out", pb});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("wrote " + std::to_string(stored) + " rules to " + pb));
    CHECK(exporters::read_rule_file(pb, exporters::ExchangeFormat::Taso).rules.size() == stored);

    std::string js = temp_path("export.json");
    r = run({"export", "--db", db, "--format", "json", "--out", js});
    CHECK(r.code == 0);
    nlohmann::json doc = nlohmann::json::parse(read_bytes(js));
    REQUIRE(doc["rules"].size() == stored);
    CHECK(doc["rules"][0]["provenance"]["database"] == db);
    CHECK(doc["rules"][0]["status"] == "unproved");
    r = run({"export", "--db", db, "--format", "json", "--status", "proved", "--out", js});
    CHECK(r.code == 0);
    CHECK(nlohmann::json::parse(read_bytes(js))["rules"].empty());
    r = run({"export", "--db", temp_path("no-such.db"), "--format", "json", "--out", js});
    CHECK(r.code == 2);
}
