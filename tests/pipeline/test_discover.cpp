// `discover` end to end: a small run stores proved rules; SIGKILL at several moments followed by
// `--resume` ends with exactly the rule set of an uninterrupted run, in a sound database.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <sstream>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "pipeline/discover.h"
#include "pipeline/proof_store.h"
#include "ruledb/database.h"

using namespace rf;

namespace {

const std::vector<std::string> kSmall = {
    "--max-ops", "2", "--ops", "matmul,ewadd,ewmul,relu,smul,transpose", "--batch", "8", "-q", "--threads", "2"};

std::string fresh_db(const std::string& name) {
    std::string path = std::string(RF_BINARY_DIR) + "/" + name;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    return path;
}

int run(std::vector<std::string> args, std::string* out = nullptr) {
    std::ostringstream o, e;
    int code = cli::run_cli(args, o, e);
    if (out) *out = o.str() + e.str();
    return code;
}

std::vector<std::string> discover_args(const std::string& db, bool resume) {
    std::vector<std::string> a = {"discover", "--db", db};
    a.insert(a.end(), kSmall.begin(), kSmall.end());
    if (resume) a.push_back("--resume");
    return a;
}

// Canonical text, status and decision of every rule: what "the same rule set" means.
std::vector<std::string> rule_set(const std::string& db_path) {
    ruledb::Database db(db_path);
    std::vector<std::string> out;
    for (const ruledb::RuleSummary& r : db.list_rules())
        out.push_back(r.text + " | " + ruledb::to_string(r.status) + " | " + ruledb::to_string(r.decision));
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("discover: a small run proves rules and stores them with provenance", "[pipeline]") {
    std::string db = fresh_db("discover_small.db");
    std::string out;
    REQUIRE(run(discover_args(db, false), &out) == 0);
    INFO(out);
    CHECK_THAT(out, Catch::Contains("proved"));
    auto rules = rule_set(db);
    CHECK(rules.size() > 50);
    bool has_assoc = false;
    for (const auto& r : rules)
        if (r.find("matmul(matmul(v0, v1), v2) => matmul(v0, matmul(v1, v2))") != std::string::npos ||
            r.find("matmul(v0, matmul(v1, v2)) => matmul(matmul(v0, v1), v2)") != std::string::npos)
            has_assoc = true;
    CHECK(has_assoc);
    ruledb::Database d(db);
    CHECK(d.integrity_check().empty());
    REQUIRE(d.runs().size() == 1);
    CHECK(d.runs()[0].status == ruledb::RunStatus::Finished);

    // Nothing to resume once finished (a success: a requeued job must not fail); a second run
    // adds no rule twice.
    CHECK(run(discover_args(db, true), &out) == cli::kOk);
    CHECK_THAT(out, Catch::Contains("had finished already: nothing to resume"));
    REQUIRE(run(discover_args(db, false)) == 0);
    CHECK(rule_set(db) == rules);
}

TEST_CASE("discover: SIGKILL at several moments, then --resume, gives the uninterrupted result", "[pipeline]") {
    std::string reference_db = fresh_db("discover_reference.db");
    REQUIRE(run(discover_args(reference_db, false)) == 0);
    const auto reference = rule_set(reference_db);
    REQUIRE_FALSE(reference.empty());

    const std::string binary = std::string(RF_BINARY_DIR) + "/cli/ruleforge";
    int interrupted = 0;
    for (int delay_ms : {100, 400, 900, 1500}) {
        INFO("killed after " << delay_ms << " ms");
        std::string db = fresh_db("discover_killed.db");
        std::vector<std::string> args = discover_args(db, false);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            // A fresh process image: no OpenMP or solver state inherited from the test runner.
            std::vector<char*> argv{const_cast<char*>(binary.c_str())};
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            execv(binary.c_str(), argv.data());
            _exit(127);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        REQUIRE_FALSE((WIFEXITED(status) && WEXITSTATUS(status) == 127));  // the binary ran

        bool finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!finished) {
            ++interrupted;
            bool has_run = std::filesystem::exists(db) && ruledb::Database(db).last_unfinished_run("discover");
            std::string out;
            REQUIRE(run(discover_args(db, has_run), &out) == 0);
            INFO(out);
        }
        CHECK(ruledb::Database(db).integrity_check().empty());
        CHECK(rule_set(db) == reference);
    }
    CHECK(interrupted >= 2);  // the kills really landed inside runs
}

TEST_CASE("discover: this run's unknowns are summarised by reason, as check has them", "[pipeline]") {
    // Two unknowns for one reason (the pointwise part of the solver's reason), one timeout, and
    // a proof: the tally keeps the unknowns by reason, and the summary carries them to JSON.
    auto unknown = [](const std::string& reason) {
        prover::RuleCheck c;
        c.verdict = prover::Verdict::Unknown;
        c.results.push_back({prover::Unknown{reason}, 0.0, "z3"});
        return c;
    };
    pipeline::ProofTally tally;
    tally.count(unknown("incomplete quantifiers; pointwise: the scalar identity is not valid with conv2d opaque"));
    tally.count(
        unknown("incomplete quantifiers; pointwise: the scalar identity is not valid with conv2d "
                "opaque (x)"));
    prover::RuleCheck timed_out;
    timed_out.verdict = prover::Verdict::Unknown;
    timed_out.results.push_back({prover::Timeout{}, 4.0, "z3"});
    tally.count(timed_out);
    prover::RuleCheck proved;
    proved.verdict = prover::Verdict::Proved;
    tally.count(proved);
    CHECK(tally.unknown == 3);
    CHECK(tally.proved == 1);
    const std::map<std::string, uint64_t> want{{"pointwise: the scalar identity is not valid with conv2d opaque", 2},
                                               {"timeout", 1}};
    CHECK(tally.unknown_reasons == want);

    pipeline::DiscoverSummary s;
    s.unknown_reasons = tally.unknown_reasons;
    nlohmann::json j = nlohmann::json::parse(s.to_json());
    CHECK(j["this_run"]["unknown_reasons"]["timeout"] == 1);
    CHECK(j["this_run"]["unknown_reasons"]["pointwise: the scalar identity is not valid with conv2d opaque"] == 2);
}
