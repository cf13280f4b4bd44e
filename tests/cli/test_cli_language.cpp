// Issue 25, "a CLI that speaks one language": formats told from a file's content (and a wrong
// --format refused naming the format the file looks like), the candidates left unknown shown
// by `list`/`export --status unknown`, `check` reading every rule format with rule names, the
// .smt2 files' headers and time limit, --json where a command printed only text, --to/--format
// spelt alike everywhere. Run in-process through cli::run_cli.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "exporters/format_detect.h"
#include "ir/native_text.h"
#include "ir/rule.h"
#include "ruledb/database.h"
#include "ruledb/rule_key.h"
#include "tests/exporters/test_util.h"
#include "tests/support/cli_run.h"

using namespace rf;
using namespace rf::exporters::testing;

namespace {

using Run = rf::testing::CliRun;
Run run(const std::vector<std::string>& args) { return rf::testing::run_cli(args); }

std::string fresh_db(const std::string& name) {
    std::string db = temp_path(name);
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
    return db;
}

const char* kNative =
    "# two named rules\n"
    "ewadd_comm: ewadd(a, b) => ewadd(b, a)\n"
    "relu_twice: relu(relu(x)) => relu(x)\n";

}  // namespace

TEST_CASE("format detection: each readable format is told from its content", "[cli][language]") {
    using exporters::detect_format;
    using exporters::ExchangeFormat;
    CHECK(detect_format(read_bytes(reference("taso/graph_subst.pb"))) == ExchangeFormat::Taso);
    CHECK(detect_format(read_bytes(reference("taso/generated_size3.pb"))) == ExchangeFormat::Taso);
    CHECK(detect_format(read_bytes(reference("tensat/converted.txt"))) == ExchangeFormat::Tensat);
    CHECK(detect_format(read_bytes(reference("flexflow/graph_subst_3_v2.json"))) == ExchangeFormat::Flexflow);
    CHECK(detect_format(kNative) == ExchangeFormat::Native);
    CHECK(detect_format("{\"format\": \"ruleforge-rules\", \"rules\": []}") == ExchangeFormat::Json);
    CHECK(detect_format("digraph rule_1 {\n}\n") == ExchangeFormat::Dot);
    CHECK_FALSE(detect_format("").has_value());
    CHECK_FALSE(detect_format("# only a comment\n\n").has_value());
}

TEST_CASE("import and convert without --format read the format the file has", "[cli][language]") {
    std::string db = fresh_db("language_import.db");
    Run r = run({"import", "--db", db, reference("taso/graph_subst.pb")});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("read 133 of 133 rules"));
    CHECK_THAT(r.out, Catch::Contains("(taso)"));

    std::string out = temp_path("language_conv.txt");
    r = run({"convert", reference("tensat/converted.txt"), "--to", "native", "--out", out});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("(tensat)"));
    // --format is the input format in convert too; --from stays as the older spelling.
    r = run({"convert", reference("tensat/converted.txt"), "--format", "tensat", "--to", "native", "--out", out});
    CHECK(r.code == 0);
    r = run({"convert", reference("tensat/converted.txt"), "--from", "tensat", "--to", "native", "--out", out});
    CHECK(r.code == 0);
    r = run({"convert", reference("tensat/converted.txt"), "--from", "tensat", "--format", "taso", "--to", "native",
             "--out", out});
    CHECK(r.code == cli::kUsage);
}

TEST_CASE("a wrong explicit --format is refused naming the format the file looks like", "[cli][language]") {
    std::string db = fresh_db("language_wrong.db");
    Run r = run({"import", "--db", db, "--format", "tensat", reference("taso/graph_subst.pb")});
    CHECK(r.code == cli::kFailed);
    CHECK_THAT(r.err, Catch::Contains("hint: the file is not TENSAT text: it looks like a TASO rule file (protobuf) "
                                      "(format 'taso'; leave --format out"));
    CHECK_THAT(r.err, Catch::Contains("nothing was imported"));

    r = run({"convert", reference("flexflow/graph_subst_3_v2.json"), "--format", "native", "--to", "tensat", "--out",
             temp_path("language_x.txt")});
    CHECK(r.code == cli::kFailed);
    CHECK_THAT(r.err, Catch::Contains("looks like FlexFlow JSON (format 'flexflow'"));

    std::string native = temp_path("language_rules.rf");
    write_bytes(native, kNative);
    r = run({"check", "--file", native, "--format", "tensat"});
    CHECK(r.code == cli::kFailed);
    CHECK_THAT(r.err, Catch::Contains("looks like native rule text"));
}

TEST_CASE("check reads every rule format and prints the rules' names", "[cli][language]") {
    std::string native = temp_path("language_check.rf");
    write_bytes(native, kNative);
    Run r = run({"check", "--file", native, "--no-bounded"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("1 proved"));
    CHECK_THAT(r.out, Catch::Contains("s ewadd_comm\n2 proved"));
    CHECK_THAT(r.out, Catch::EndsWith("s relu_twice\n"));

    // The same rules as TASO protobuf and FlexFlow JSON, read by content (no --format).
    for (const char* to : {"taso", "flexflow"}) {
        std::string file = temp_path(std::string("language_check.") + to);
        Run c = run({"convert", native, "--to", to, "--out", file});
        REQUIRE(c.code == 0);
        r = run({"check", "--file", file, "--no-bounded", "--json"});
        INFO(to << "\n" << r.out << r.err);
        REQUIRE(r.code == 0);
        nlohmann::json j = nlohmann::json::parse(r.out);
        REQUIRE(j["rules"].size() == 2);
        CHECK(j["rules"][0]["verdict"] == "proved");
        CHECK(j["rules"][1]["verdict"] == "proved");
        CHECK(j["rules"][0]["name"].is_string());
    }
    // TASO's generator file with the generator's shapes.
    std::string gen = temp_path("language_gen.pb");
    {
        // The first rules only: the whole file would take too long here.
        Run c = run({"check", "--file", reference("taso/generated_size3.pb"), "--format", "taso", "--taso-shapes",
                     "--no-bounded", "--timeout-ms", "1", "--backend", "z3", "--threads", "1", "--json"});
        INFO(c.err);
        REQUIRE(c.code != cli::kUsage);
        nlohmann::json j = nlohmann::json::parse(c.out);
        CHECK(j["rules"].size() > 0);
    }
}

TEST_CASE("list and export --status unknown show the candidates left unknown", "[cli][language]") {
    std::string db = fresh_db("language_unknown.db");
    ruledb::Id cand = 0;
    {
        ruledb::Database d(db);
        Rule rule = build_rule(parse_native_rule("relu(ewadd(a, b)) => ewadd(relu(a), relu(b))", "<test>"));
        cand = d.add_candidate(ruledb::describe_rule(rule)).id;
        d.set_candidate_status(cand, ruledb::CandidateStatus::Unknown);
    }
    const std::string name = "candidate_" + std::to_string(cand);
    Run r = run({"list", "--db", db, "--status", "unknown"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("1 unknown candidates"));
    CHECK_THAT(r.out, Catch::Contains(name + ": ewadd(relu(v0), relu(v1)) => relu(ewadd(v0, v1))"));
    r = run({"list", "--db", db, "--status", "unknown", "--json"});
    REQUIRE(r.code == 0);
    nlohmann::json j = nlohmann::json::parse(r.out);
    REQUIRE(j["candidates"].size() == 1);
    CHECK(j["candidates"][0]["name"] == name);
    // Other statuses do not show them.
    r = run({"list", "--db", db, "--status", "proved"});
    CHECK_THAT(r.out, !Catch::Contains(name));

    std::string out = temp_path("language_unknown.rf");
    r = run({"export", "--db", db, "--status", "unknown", "--to", "native", "--out", out});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(read_bytes(out), Catch::Contains(name + ": ewadd(relu(v0), relu(v1)) => relu(ewadd(v0, v1))"));
}

TEST_CASE(".smt2 files say what the solver answers and set a limit", "[cli][language][smt2]") {
    std::string dir = temp_path("language_smt2");
    std::filesystem::remove_all(dir);
    std::string file = temp_path("language_smt2.rf");
    write_bytes(file, "good: relu(relu(x)) => relu(x)\nbad: relu(ewadd(x, y)) => ewadd(relu(x), relu(y))\n");
    Run r = run({"check", "--file", file, "--smt2-dir", dir, "--timeout-ms", "2000"});
    INFO(r.out << r.err);
    CHECK(r.code == cli::kFailed);  // the second rule is refuted
    std::string proved = read_bytes(dir + "/rule_1.smt2"), refuted = read_bytes(dir + "/rule_2.smt2");
    CHECK_THAT(proved, Catch::Contains("proved. z3 and cvc5 answer unsat"));
    CHECK_THAT(refuted, Catch::Contains("refuted"));
    CHECK_THAT(refuted, Catch::Contains("The axioms do not decide this"));
    CHECK_THAT(refuted, Catch::Contains("never unsat"));
    for (const std::string* text : {&proved, &refuted})
        CHECK_THAT(*text, Catch::Contains("(set-option :reproducible-resource-limit "));
    // Both solvers take the option silently: the proved file's first answer is still unsat, and
    // the refuted one's is not unsat and comes back (the limit ends it).
    for (const char* tool : {"z3", "cvc5"}) {
        if (!have_tool(tool)) {
            WARN(tool << " is not installed: its re-check is skipped");
            continue;
        }
        auto first_line = [](const std::string& cmd) {
            std::string line;
            if (FILE* p = popen(cmd.c_str(), "r")) {
                char buf[256];
                if (fgets(buf, sizeof buf, p)) line = buf;
                pclose(p);
            }
            while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
            return line;
        };
        CHECK(first_line(std::string(tool) + " " + dir + "/rule_1.smt2 2>&1") == "unsat");
        std::string answer = first_line(std::string("timeout 300 ") + tool + " " + dir + "/rule_2.smt2 2>&1");
        INFO(tool << " on the refuted rule: " << answer);
        CHECK((answer == "sat" || answer == "unknown"));
    }
}

TEST_CASE("json output of audit, fmt, import and export (--json)", "[cli][language]") {
    Run a = run({"audit", "relu(relu(x)) => relu(x)", "--json"});
    INFO(a.out << a.err);
    REQUIRE(a.code == 0);
    nlohmann::json j = nlohmann::json::parse(a.out);
    CHECK(j["verdict"] == "proved");
    CHECK(j["backends"].contains("z3"));
    CHECK_FALSE(j["backends"].contains("cvc5"));  // z3 is the default back-end, as in check and prove

    std::string native = temp_path("language_fmt.rf");
    write_bytes(native, kNative);
    Run f = run({"fmt", native, "--json"});
    INFO(f.out << f.err);
    REQUIRE(f.code == 0);
    j = nlohmann::json::parse(f.out);
    CHECK(j["count"] == 2);
    CHECK(j["failed"] == 0);
    CHECK(j["rules"][0]["name"] == "ewadd_comm");
    CHECK_THAT(j["rules"][1]["rule"].get<std::string>(), Catch::StartsWith("relu_twice: relu(relu(x))"));

    std::string db = fresh_db("language_json.db");
    Run i = run({"import", "--db", db, native, "--json"});
    INFO(i.out << i.err);
    REQUIRE(i.code == 0);
    j = nlohmann::json::parse(i.out);
    CHECK(j["format"] == "native");
    CHECK(j["read"] == 2);
    CHECK(j["imported"] == 2);

    std::string out = temp_path("language_json.txt");
    Run e = run({"export", "--db", db, "--to", "tensat", "--out", out, "--json"});
    INFO(e.out << e.err);
    REQUIRE(e.code == 0);
    j = nlohmann::json::parse(e.out);
    CHECK(j["selected"] == 2);
    CHECK(j["written"] == 2);
    CHECK(j["to"] == "tensat");
    // --format stays an accepted spelling of export's output format.
    CHECK(run({"export", "--db", db, "--format", "tensat", "--out", out}).code == 0);
    CHECK(run({"export", "--db", db, "--out", out}).code == cli::kUsage);

    // audit calls a stored rule by the name list and export use.
    Run n = run({"audit", "1", "--db", db, "--json"});
    INFO(n.out << n.err);
    REQUIRE(n.code == 0);
    CHECK(nlohmann::json::parse(n.out)["name"] == "ewadd_comm");
}

TEST_CASE("export --to smt2 names each file by the rule's one name", "[cli][language][smt2]") {
    std::string db = fresh_db("language_names.db");
    std::string native = temp_path("language_names.rf");
    write_bytes(native, kNative);
    REQUIRE(run({"import", "--db", db, native}).code == 0);
    std::string dir = temp_path("language_names_smt2");
    std::filesystem::remove_all(dir);
    Run r = run({"export", "--db", db, "--to", "smt2", "--out", dir});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(std::filesystem::exists(dir + "/ewadd_comm.smt2"));
    CHECK(std::filesystem::exists(dir + "/relu_twice.smt2"));
    Run l = run({"list", "--db", db});
    CHECK_THAT(l.out, Catch::Contains("ewadd_comm"));
}

TEST_CASE("discover's summary keeps this run's counts apart from the database totals", "[cli][language]") {
    std::string db = fresh_db("language_discover.db");
    Run first =
        run({"discover", "--db", db, "--max-ops", "2", "--ops", "ewadd,relu", "--threads", "1", "-q", "--json"});
    INFO(first.out << first.err);
    REQUIRE(first.code == 0);
    nlohmann::json a = nlohmann::json::parse(first.out);
    REQUIRE(a["this_run"]["proved"].get<int>() > 0);
    CHECK(a["this_run"]["proved"] == a["database"]["proved"]);  // a fresh database: the same figures
    // A smaller second run: it proves fewer than the database holds, and says which is which.
    Run second = run({"discover", "--db", db, "--max-ops", "2", "--ops", "relu", "--threads", "1", "-q"});
    INFO(second.out << second.err);
    REQUIRE(second.code == 0);
    CHECK_THAT(second.out, Catch::Contains("database totals (all runs)"));
    CHECK_THAT(second.out,
               Catch::Contains("\n  candidates proved      " + std::to_string(a["database"]["proved"].get<int>())));
    Run third = run({"discover", "--db", db, "--max-ops", "2", "--ops", "relu", "--threads", "1", "-q", "--json"});
    nlohmann::json c = nlohmann::json::parse(third.out);
    CHECK(c["this_run"]["proved"].get<int>() < c["database"]["proved"].get<int>());
    CHECK(c["database"]["proved"] == a["database"]["proved"]);
}

TEST_CASE("docs/cli.md holds every command's --help word for word", "[cli][language][docs]") {
    const std::string doc = read_bytes(std::string(RF_SOURCE_DIR) + "/docs/cli.md");
    REQUIRE_FALSE(doc.empty());
    Run top = run({"--help"});
    CHECK_THAT(doc, Catch::Contains(top.out));
    std::istringstream lines(top.out);
    std::string line;
    int commands = 0;
    while (std::getline(lines, line)) {
        if (line.size() < 3 || line.substr(0, 2) != "  " || line[2] == ' ') continue;
        const std::string cmd = line.substr(2, line.find(' ', 2) - 2);
        Run h = run({cmd, "--help"});
        INFO(cmd << ": regenerate docs/cli.md with scripts/gen-cli-doc.sh");
        CHECK(h.code == 0);
        CHECK_THAT(doc, Catch::Contains("### " + cmd + "\n\n```\n" + h.out + "```"));
        ++commands;
    }
    CHECK(commands >= 16);
}

TEST_CASE("prove --retry-unknown retries exactly the candidates list --status unknown shows", "[cli][language]") {
    std::string db = fresh_db("language_retry.db");
    Run d = run({"discover", "--db", db, "--max-ops", "2", "--threads", "1", "-q"});
    INFO(d.out << d.err);
    REQUIRE(d.code == 0);
    {
        // The prover now decides every size-2 candidate, so two more are left unknown by hand,
        // as a run cut short by its time limit leaves them.
        ruledb::Database w(db);
        for (const char* text : {"relu(relu(a)) => relu(a)", "ewmul(relu(a), relu(a)) => ewmul(a, relu(a))"}) {
            Rule rule = build_rule(parse_native_rule(text, "<test>"));
            w.set_candidate_status(w.add_candidate(ruledb::describe_rule(rule)).id, ruledb::CandidateStatus::Unknown);
        }
    }
    Run l = run({"list", "--db", db, "--status", "unknown", "--json"});
    REQUIRE(l.code == 0);
    const size_t unknown = nlohmann::json::parse(l.out)["candidates"].size();
    REQUIRE(unknown > 0);
    // Without --retry-unknown nothing is open; with it, every unknown candidate is tried again.
    Run plain = run({"prove", "--db", db, "--json", "-q"});
    REQUIRE(plain.code == 0);
    CHECK(nlohmann::json::parse(plain.out)["candidates"] == 0);
    Run retry = run({"prove", "--db", db, "--retry-unknown", "--timeout-ms", "500", "--json", "-q"});
    INFO(retry.out << retry.err);
    REQUIRE(retry.code == 0);
    CHECK(nlohmann::json::parse(retry.out)["candidates"] == unknown);
}
