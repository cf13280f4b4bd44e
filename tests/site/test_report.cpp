// `ruleforge report`: the static site written from a database -- a row and a page per rule, an
// inline SVG picture on each rule page, links that all resolve (files and anchors), proofs with
// their axioms linked, a counterexample as tensors, unknown candidates with reasons, the
// database left untouched, the output directory guarded -- and, in headless Chromium, the pages
// of a size-2 discovery render with a row per rule, their SVG and no console error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ruledb/database.h"
#include "ruledb/rule_key.h"
#include "site/site.h"
#include "tests/ruledb/ruledb_test_util.h"
#include "tests/support/cli_run.h"

namespace fs = std::filesystem;
using namespace rf;
using namespace rf::ruledb;
using rf::ruledb::test::file_bytes;
using rf::ruledb::test::fresh_db;
using rf::ruledb::test::rule;

namespace {

rf::testing::CliRun run(const std::vector<std::string>& args) { return rf::testing::run_cli(args); }

std::string fresh_dir(const std::string& name) {
    const fs::path dir = fs::path(RF_BINARY_DIR) / "site-tests" / name;
    fs::remove_all(dir);
    fs::create_directories(dir.parent_path());
    return dir.string();
}

struct Sample {
    std::string db;
    Id assoc = 0, fused = 0, refuted = 0;
};

// Three rules as in the ruledb CLI tests (kept, pruned as derivable from the first, refuted),
// a model validation, and a candidate no back-end decided.
Sample sample_db(const std::string& name) {
    Sample s;
    s.db = fresh_db(name);
    Database db(s.db);
    Id r = db.begin_run({.command = "ruleforge discover --max-ops 2", .params_json = R"({"max_ops": 2})"});
    s.assoc = db.add_rule(rule("assoc: matmul(matmul(a, b), c) => matmul(a, matmul(b, c))"), {.run = r}).id;
    db.record_rule_proof(s.assoc, {"z3", ProofStatus::Proved, 4.0, {"matmul_assoc"}, "", "", "", "", r});
    db.record_rule_proof(s.assoc, {"cvc5", ProofStatus::Timeout, 1000.0, {}, "", "", "limit 1 s", "", r});
    s.fused = db.add_rule(rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w)"), {.run = r}).id;
    db.record_rule_proof(s.fused, {"z3", ProofStatus::Proved, 2.0, {}, "", "", "", "", r});
    s.refuted = db.add_rule(rule("relu(ewadd(x, y)) => ewadd(relu(x), relu(y))"), {.run = r}).id;
    db.record_rule_proof(s.refuted, {"bounded", ProofStatus::Refuted, 1.0, {}, "", "x=[-1], y=[1]", "", "", r});
    db.keep_rule(s.assoc);
    db.prune_rule(s.fused, PruneReason::Derivable, "found by bounded rewriting", {s.assoc});
    ValidationRecord v;
    v.rule = s.assoc;
    v.model = "resnet50";
    v.site = "node 12";
    v.max_abs_error = 1e-6;
    v.time_before_ms = 3.0;
    v.time_after_ms = 2.5;
    v.run = r;
    db.record_validation(v);
    Id cand =
        db.add_candidate(describe_rule(rule("ewmul(ewadd(x, y), z) => ewadd(ewmul(x, z), ewmul(y, z))")), {}, r).id;
    db.record_candidate_proof(cand, {"z3", ProofStatus::Unknown, 7.0, {}, "", "", "incomplete quantifiers", "", r});
    db.mark_stage_done(r, "prove", "b0");
    db.finish_run(r, RunStatus::Finished);
    return s;
}

std::string read(const fs::path& p) { return file_bytes(p.string()); }

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t i = text.find(what); i != std::string::npos; i = text.find(what, i + 1)) ++n;
    return n;
}

// Every href and src of every page that does not resolve: a missing file, or an anchor the
// target page lacks.
// The links of `html`, a page at `page` (its DOM as a browser built it, or its file).
std::vector<std::string> broken_links_of(const std::string& html, const fs::path& page) {
    static const std::regex link(R"re((?:href|src)="([^"]*)")re");
    std::vector<std::string> broken;
    for (std::sregex_iterator it(html.begin(), html.end(), link), end; it != end; ++it) {
        const std::string target = (*it)[1];
        const size_t hash = target.find('#');
        const std::string file = target.substr(0, hash);
        const std::string anchor = hash == std::string::npos ? "" : target.substr(hash + 1);
        if (file.find("://") != std::string::npos) {
            broken.push_back(page.string() + ": external link " + target);
            continue;
        }
        const fs::path to = file.empty() ? page : page.parent_path() / file;
        if (!fs::is_regular_file(to)) {
            broken.push_back(page.string() + ": " + target + " (no file)");
            continue;
        }
        if (!anchor.empty() && read(to).find("id=\"" + anchor + "\"") == std::string::npos)
            broken.push_back(page.string() + ": " + target + " (no anchor)");
    }
    return broken;
}

std::vector<std::string> broken_links(const std::string& site) {
    std::vector<std::string> broken;
    for (const auto& entry : fs::recursive_directory_iterator(site)) {
        if (entry.path().extension() != ".html") continue;
        for (std::string& b : broken_links_of(read(entry.path()), entry.path())) broken.push_back(std::move(b));
    }
    return broken;
}

bool have_chromium() { return std::system("chromium --version > /dev/null 2>&1") == 0; }

struct Browser {
    int code = -1;
    std::string dom, log;
};

// The DOM after the page's scripts ran, and Chromium's log (console messages appear there as
// ":CONSOLE" lines).
Browser headless(const std::string& page, const std::string& work, const std::string& query = "") {
    const std::string dom = work + "/dom.html", log = work + "/chromium.log";
    const std::string cmd = "timeout 120 chromium --headless --disable-gpu --no-sandbox --user-data-dir='" + work +
                            "/profile' --enable-logging=stderr --v=0 --dump-dom 'file://" + page + query + "' > '" +
                            dom + "' 2> '" + log + "'";
    Browser b;
    b.code = std::system(cmd.c_str());
    b.dom = read(dom);
    b.log = read(log);
    return b;
}

// The value of `attribute` on each rule row, in document order.
std::vector<std::string> row_attributes(const std::string& html, const std::string& attribute) {
    const std::regex row("<tr data-status=[^>]*" + attribute + "=\"([^\"]*)\"");
    std::vector<std::string> out;
    for (std::sregex_iterator it(html.begin(), html.end(), row), end; it != end; ++it) out.push_back((*it)[1]);
    return out;
}

std::vector<std::string> console_lines(const std::string& log) {
    std::vector<std::string> out;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);)
        if (line.find(":CONSOLE") != std::string::npos) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE("report: a page per rule, pictures, linked axioms and a read-only database", "[report]") {
    const Sample s = sample_db("report-sample");
    const std::string out = fresh_dir("sample");
    const std::string before = file_bytes(s.db);
    const bool had_wal = fs::exists(s.db + "-wal"), had_shm = fs::exists(s.db + "-shm");
    auto r = run({"report", "--db", s.db, "--out", out, "--json", "--axiom-max-dim", "1", "--axiom-max-rank", "1"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["rules"] == 3);
    CHECK(j["rule_pages"] == 3);
    CHECK(j["svgs"] == 3);
    CHECK(j["unknown_candidates"] == 1);
    CHECK(j["axioms_validated"] == true);
    CHECK(j["counterexamples"] == 1);  // relu(ewadd(x, y)) => ewadd(relu(x), relu(y)) is false
    CHECK(j["replaced_previous"] == false);

    // Nothing written to the database, nothing beside the report.
    CHECK(file_bytes(s.db) == before);
    CHECK(fs::exists(s.db + "-wal") == had_wal);
    CHECK(fs::exists(s.db + "-shm") == had_shm);
    // (Only this report's staging name: other report tests run beside it in the same folder.)
    for (const auto& e : fs::directory_iterator(fs::path(out).parent_path()))
        CHECK_THAT(e.path().filename().string(),
                   !Catch::StartsWith("." + fs::path(out).filename().string() + ".staging"));

    const std::string index = read(fs::path(out) / "index.html");
    CHECK(count(index, "<tr data-status=") == 3);
    CHECK_THAT(index, Catch::Contains("data-count=\"3\""));
    CHECK_THAT(index, Catch::Contains("incomplete quantifiers"));  // the unknown candidate's reason
    CHECK_THAT(index, Catch::Contains("href=\"runs.html#run-1\"") && Catch::Contains("{&quot;max_ops&quot;:2}"));
    CHECK(broken_links(out).empty());
    for (const std::string& link : broken_links(out)) UNSCOPED_INFO(link);

    const std::string assoc = read(fs::path(out) / ("rules/rule-" + std::to_string(s.assoc) + ".html"));
    CHECK_THAT(assoc, Catch::Contains("<div class=\"picture\"><svg"));
    CHECK_THAT(assoc, Catch::Contains("cluster_l") && Catch::Contains("left side"));
    CHECK_THAT(assoc, Catch::Contains("href=\"../axioms.html#ax-matmul_assoc\">matmul_assoc</a>"));
    CHECK_THAT(assoc, Catch::Contains("resnet50"));   // the model validation
    CHECK_THAT(assoc, Catch::Contains("limit 1 s"));  // cvc5's reason
    CHECK_THAT(assoc, Catch::Contains("subsumes</dt><dd><a href=\"../rules/rule-" + std::to_string(s.fused)));

    const std::string fused = read(fs::path(out) / ("rules/rule-" + std::to_string(s.fused) + ".html"));
    CHECK_THAT(fused, Catch::Contains("derivable by <a href=\"../rules/rule-" + std::to_string(s.assoc) + ".html\">"));
    CHECK_THAT(fused, Catch::Contains("found by bounded rewriting"));

    const std::string refuted = read(fs::path(out) / ("rules/rule-" + std::to_string(s.refuted) + ".html"));
    CHECK_THAT(refuted, Catch::Contains("<div id=\"counterexample\">"));
    CHECK(count(refuted, "<table class=\"tensor\">") == 4);  // x and y, and both sides' output
    CHECK_THAT(refuted, Catch::Contains("left side, output 0") && Catch::Contains("right side, output 0"));

    const std::string axioms = read(fs::path(out) / "axioms.html");
    CHECK_THAT(axioms, Catch::Contains("id=\"ax-matmul_assoc\""));
    CHECK_THAT(axioms, Catch::Contains("status-proved"));  // validated, at the reduced bound
    CHECK_THAT(read(fs::path(out) / "runs.html"), Catch::Contains("max_ops"));
}

TEST_CASE("report: every proved proof names its strategy", "[report]") {
    const Sample s = sample_db("report-strategy");
    const std::string out = fresh_dir("strategy");
    const std::string page = out + "/rules/rule-" + std::to_string(s.assoc) + ".html";
    REQUIRE(run({"report", "--db", s.db, "--out", out, "--no-validate-axioms", "--no-bounded-check"}).code == 0);
    CHECK_THAT(read(page), Catch::Contains("<td>e-matching</td>"));  // proved from the axioms
    CHECK_THAT(read(page), !Catch::Contains("<td>pointwise</td>"));
    // A proof by another strategy records it in its reason (pipeline/proof_store.cpp).
    REQUIRE(rf::ruledb::test::have_sqlite3_tool());
    REQUIRE(rf::ruledb::test::sqlite3_tool(s.db,
                                           "UPDATE proofs SET reason = 'strategy pointwise: a = a' "
                                           "WHERE status = 'proved' AND backend = 'z3'"));
    REQUIRE(run({"report", "--db", s.db, "--out", out, "--no-validate-axioms", "--no-bounded-check"}).code == 0);
    CHECK_THAT(read(page), Catch::Contains("<td>pointwise</td>"));
}

TEST_CASE("report: the link check finds a missing file and a missing anchor", "[report]") {
    const std::string dir = fresh_dir("links");
    fs::create_directories(dir);
    std::ofstream(dir + "/a.html") << "<p id=\"here\"><a href=\"a.html#here\">ok</a> <a href=\"#here\">ok</a> "
                                      "<a href=\"b.html\">no file</a> <a href=\"a.html#gone\">no anchor</a></p>";
    CHECK(broken_links(dir).size() == 2);
}

TEST_CASE("report: the output directory is new, empty or a previous report", "[report]") {
    const Sample s = sample_db("report-dirs");
    const std::string out = fresh_dir("dirs");
    fs::create_directories(out);
    std::ofstream(out + "/precious.txt") << "keep me";
    auto refused = run({"report", "--db", s.db, "--out", out, "--no-validate-axioms", "--no-bounded-check"});
    CHECK(refused.code == cli::kUsage);
    CHECK_THAT(refused.err, Catch::Contains("not a ruleforge report"));
    CHECK(read(out + "/precious.txt") == "keep me");
    CHECK(std::distance(fs::directory_iterator(out), fs::directory_iterator()) == 1);

    // A previous report is replaced whole: files of the old one do not survive.
    fs::remove(out + "/precious.txt");
    REQUIRE(run({"report", "--db", s.db, "--out", out, "--no-validate-axioms"}).code == 0);
    std::ofstream(out + "/rules/stale.html") << "old";
    auto again = run({"report", "--db", s.db, "--out", out, "--no-validate-axioms", "--json"});
    REQUIRE(again.code == 0);
    CHECK(nlohmann::json::parse(again.out)["replaced_previous"] == true);
    CHECK_FALSE(fs::exists(out + "/rules/stale.html"));
    CHECK(fs::exists(out + "/index.html"));
    CHECK(fs::exists(out + "/" + site::kMarkerFile));
    CHECK_THAT(read(out + "/axioms.html"), Catch::Contains("not validated in this report"));
}

TEST_CASE("report: user errors say what is wrong and write nothing", "[report]") {
    const Sample s = sample_db("report-errors");
    const std::string out = fresh_dir("errors");
    auto no_dot = run({"report", "--db", s.db, "--out", out, "--dot", "/nonexistent/dot", "--no-validate-axioms"});
    CHECK(no_dot.code == cli::kUsage);
    CHECK_THAT(no_dot.err, Catch::Contains("install graphviz"));
    CHECK_FALSE(fs::exists(out));

    auto no_db = run({"report", "--db", out + ".db", "--out", out});
    CHECK(no_db.code == cli::kUsage);
    CHECK_THAT(no_db.err, Catch::Contains("no database"));
    CHECK_FALSE(fs::exists(out + ".db"));  // read-only: never created
    CHECK_FALSE(fs::exists(out));

    const std::string text_db = rf::testing::temp_file("report-text.db", "not a database\n");
    auto foreign = run({"report", "--db", text_db, "--out", out});
    CHECK(foreign.code == cli::kUsage);
    CHECK_THAT(foreign.err, Catch::Contains("report-text.db") && Catch::Contains("not a SQLite database"));
    CHECK(read(text_db) == "not a database\n");
    CHECK_FALSE(fs::exists(out));

    // A reader cannot migrate: an old schema is refused with the way out, and left as it was.
    const std::string old_db = fresh_db("report-old-schema");
    Database::create_at_version(old_db, 1);
    const std::string old_bytes = file_bytes(old_db);
    auto old = run({"report", "--db", old_db, "--out", out});
    CHECK(old.code == cli::kUsage);
    CHECK_THAT(old.err, Catch::Contains("schema version 1") && Catch::Contains("upgrades it"));
    CHECK(file_bytes(old_db) == old_bytes);
    CHECK_FALSE(fs::exists(out));

    auto help = run({"report", "--help"});
    CHECK(help.code == 0);
    CHECK_THAT(help.out, Catch::Contains("--out") && Catch::Contains("read-only"));
    CHECK_THAT(run({"--help"}).out, Catch::Contains("\n  report"));
}

TEST_CASE("report: a size-2 discovery renders in headless Chromium", "[report][chromium]") {
    // Under CI a missing browser is a failure, not a skip: scripts/install-deps.sh installs it.
    REQUIRE(have_chromium());
    const std::string db = fresh_db("report-discover");
    auto d = run({"discover", "--db", db, "--max-ops", "2", "--ops", "matmul,ewadd,ewmul,relu,smul,transpose", "-q"});
    INFO(d.err);
    REQUIRE(d.code == 0);
    const std::string work = fresh_dir("chromium");
    fs::create_directories(work);
    const std::string out = work + "/report";
    auto r = run({"report", "--db", db, "--out", out, "--json", "--axiom-max-dim", "1", "--axiom-max-rank", "1"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    const int rules = j["rules"].get<int>();
    CHECK(rules > 20);
    CHECK(j["svgs"] == rules);
    CHECK(broken_links(out).empty());

    Browser index = headless(out + "/index.html", work);
    INFO(index.log);
    REQUIRE(index.code == 0);
    CHECK(count(index.dom, "<tr data-status=") == static_cast<size_t>(rules));
    CHECK_THAT(index.dom, Catch::Contains("data-selfcheck=\"ok\""));
    CHECK_THAT(index.dom, Catch::Contains(std::to_string(rules) + " of " + std::to_string(rules) + " rules shown"));
    CHECK_THAT(index.dom, !Catch::Contains("data-js-errors"));
    CHECK(console_lines(index.log).empty());
    CHECK(count(index.dom, "href=\"rules/rule-") >= static_cast<size_t>(rules));
    CHECK(broken_links_of(index.dom, fs::path(out) / "index.html").empty());

    // A filtered, sorted view is a link: only the relu rules shown, the largest first.
    const std::string file = read(fs::path(out) / "index.html");
    size_t with_relu = 0, largest = 0;
    for (const std::string& ops : row_attributes(file, "data-ops"))
        with_relu += (" " + ops + " ").find(" relu ") != std::string::npos;
    for (const std::string& size : row_attributes(file, "data-size"))
        largest = std::max<size_t>(largest, std::stoul(size));
    REQUIRE(with_relu > 0);
    REQUIRE(with_relu < static_cast<size_t>(rules));
    Browser view = headless(out + "/index.html", work, "?op=relu&sort=size&dir=desc");
    CHECK_THAT(view.dom, Catch::Contains(std::to_string(with_relu) + " of " + std::to_string(rules) + " rules shown"));
    CHECK(count(view.dom, "<tr data-status=") - count(view.dom, "class=\"hidden\"") == with_relu);
    const std::vector<std::string> sizes = row_attributes(view.dom, "data-size");
    REQUIRE_FALSE(sizes.empty());
    CHECK(std::stoul(sizes.front()) == largest);
    CHECK(std::is_sorted(sizes.rbegin(), sizes.rend(),
                         [](const std::string& a, const std::string& b) { return std::stoul(a) < std::stoul(b); }));
    CHECK(console_lines(view.log).empty());

    // The first rule's page, and the axioms it links to.
    Database readback(db, Database::Options{false, 5000, true});
    const Id first = readback.list_rules().at(0).id;
    Browser page = headless(out + "/rules/rule-" + std::to_string(first) + ".html", work);
    INFO(page.log);
    REQUIRE(page.code == 0);
    CHECK_THAT(page.dom, Catch::Contains("<div class=\"picture\"><svg"));
    CHECK_THAT(page.dom, Catch::Contains("data-selfcheck=\"ok\""));
    CHECK_THAT(page.dom, Catch::Contains("axioms.html#ax-"));
    CHECK(broken_links_of(page.dom, fs::path(out) / "rules" / ("rule-" + std::to_string(first) + ".html")).empty());
    CHECK(console_lines(page.log).empty());

    Browser axioms = headless(out + "/axioms.html", work);
    CHECK_THAT(axioms.dom, Catch::Contains("data-selfcheck=\"ok\""));
    CHECK(console_lines(axioms.log).empty());
}
