// SIGINT and SIGTERM (issue 24): a long command stops promptly and cleanly -- the batch in
// flight rolled back, nothing an interrupted solver said stored as a verdict, the run marked
// interrupted with a message saying how to resume, exit 130/143 -- and `--resume` (with any
// --batch) or running `prove` again ends with exactly what an uninterrupted run stores. Also:
// a resume of a finished run succeeds, and two discovers into one database stay consistent.
// Every case runs the real binary in a child process and signals it at a moment found by
// watching the database.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <functional>
#include <random>
#include <thread>
#include <tuple>

#include "support/stop.h"
#include "tests/reliability/reliability_util.h"

using namespace rf;
using namespace rf::reliability;
using rf::support::signal_name;

namespace {

using Clock = std::chrono::steady_clock;

const std::vector<std::string> kOptions = {"--max-ops", "2",         "--ops", "matmul,ewadd,relu,smul,transpose",
                                           "-q",        "--threads", "1"};

std::vector<std::string> discover_args(const std::string& db, const std::string& batch, bool resume) {
    std::vector<std::string> a = {"discover", "--db", db};
    a.insert(a.end(), kOptions.begin(), kOptions.end());
    if (!batch.empty()) a.insert(a.end(), {"--batch", batch});
    if (resume) a.push_back("--resume");
    return a;
}

/// Everything a run leaves that "the same result" covers: the rule set, the candidates by
/// status and the number of proof rows (an interrupted answer stored would add or change one).
struct Result {
    std::vector<std::string> rules;
    std::map<std::string, int64_t> candidates;
    int64_t proofs = 0;
    bool operator==(const Result& o) const {
        return rules == o.rules && candidates == o.candidates && proofs == o.proofs;
    }
};

Result result_of(const std::string& db) {
    Result r;
    r.rules = rule_set(db);
    ruledb::Database d(db, ruledb::Database::Options{false});
    ruledb::DbStats s = d.stats();
    r.candidates = s.candidates_by_status;
    r.proofs = s.proofs;
    CHECK(d.integrity_check().empty());
    return r;
}

std::string describe(const Result& r) {
    std::string s = std::to_string(r.rules.size()) + " rules, " + std::to_string(r.proofs) + " proofs, candidates:";
    for (const auto& [k, v] : r.candidates) s += " " + k + "=" + std::to_string(v);
    return s;
}

const Result& reference_discover() {
    static const Result r = [] {
        std::string db = fresh_path(scratch_dir("signals-reference"), "reference.db");
        Outcome o = run_ruleforge(discover_args(db, "", false));
        REQUIRE(o.code == 0);
        return result_of(db);
    }();
    return r;
}

/// Waits until `reached` holds for what the database has committed (true), or the child ended
/// (false; its wait status in *status).
bool wait_for(pid_t pid, const std::string& db, const std::function<bool(ruledb::Database&)>& reached,
              int* status = nullptr) {
    for (auto deadline = Clock::now() + std::chrono::seconds(120); Clock::now() < deadline;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        int st = 0;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            if (status) *status = st;
            return false;
        }
        try {
            ruledb::Database d(db, ruledb::Database::Options{false, 50});
            if (reached(d)) return true;
        } catch (const ruledb::DbError&) {
            // not created yet, or busy: look again
        }
    }
    return false;
}

bool proofs_stored(ruledb::Database& d, int64_t at_least) { return d.stats().proofs >= at_least; }

struct Stopped {
    int code = -1, signal = 0;
    double seconds = 0;  ///< from the signal to the exit
};

Stopped signal_and_wait(pid_t pid, int sig) {
    const auto t0 = Clock::now();
    kill(pid, sig);
    int status = 0;
    waitpid(pid, &status, 0);
    Stopped s;
    s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (WIFEXITED(status)) s.code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) s.signal = WTERMSIG(status);
    return s;
}

ruledb::RunStatus last_run_status(const std::string& db) {
    ruledb::Database d(db, ruledb::Database::Options{false});
    return d.runs().back().status;
}

}  // namespace

TEST_CASE(
    "signals: SIGINT and SIGTERM stop discover's prove stage cleanly and --resume at another batch "
    "completes it",
    "[reliability]") {
    const Result& reference = reference_discover();
    const std::string dir = scratch_dir("signals-discover");
    // (signal, batch of the interrupted run, batch of the resume): the two cases.
    for (auto [sig, batch, resume_batch] : {std::tuple{SIGINT, "8", "5"}, std::tuple{SIGTERM, "4", ""}}) {
        INFO(signal_name(sig) << ", batch " << batch << ", resumed with batch '" << resume_batch << "'");
        const std::string db = fresh_path(dir, "stopped.db"), log = dir + "/stderr.txt";
        pid_t pid = spawn_ruleforge(discover_args(db, batch, false), log);
        REQUIRE(wait_for(pid, db, [](ruledb::Database& d) { return proofs_stored(d, 12); }));
        const Stopped s = signal_and_wait(pid, sig);
        const std::string err = read_file(log);
        INFO(err);
        CHECK(s.signal == 0);
        CHECK(s.code == 128 + sig);
        CHECK(s.seconds < 10);  // a Z3 query is interrupted; at most one query per thread ends first
        CHECK_THAT(err, Catch::Contains("interrupted: discover: stopped by " + signal_name(sig)));
        CHECK_THAT(err, Catch::Contains("is marked interrupted"));
        CHECK_THAT(err, Catch::Contains("--resume"));
        CHECK(last_run_status(db) == ruledb::RunStatus::Interrupted);
        {
            // Only whole spans are stored: every candidate with a verdict is in a span marked done.
            ruledb::Database d(db, ruledb::Database::Options{false});
            const ruledb::Id run = d.runs().back().id;
            size_t done = 0;
            for (const std::string& u : d.done_units(run, "prove"))
                done += std::stoul(u.substr(u.find('-') + 1)) - std::stoul(u.substr(1, u.find('-') - 1));
            const size_t pending = d.candidates_with_status({ruledb::CandidateStatus::Pending}).size();
            CHECK(done > 0);
            CHECK(pending > 0);
            // (Two enumerated candidates may be one stored row: sides exchanged. Hence <=.)
            CHECK(static_cast<size_t>(d.stats().candidates) - pending <= done);
        }
        Outcome o = run_ruleforge(discover_args(db, resume_batch, true));
        INFO(o.out << o.err);
        REQUIRE(o.code == 0);
        CHECK_THAT(o.out, Catch::Contains("(resumed)"));
        const Result after = result_of(db);
        INFO("expected " << describe(reference) << "\ngot " << describe(after));
        CHECK(after == reference);
        CHECK(last_run_status(db) == ruledb::RunStatus::Finished);
    }
}

TEST_CASE("signals: --resume of a finished run says so and exits 0, changing nothing", "[reliability]") {
    const std::string dir = scratch_dir("signals-finished");
    const std::string db = fresh_path(dir, "finished.db");
    REQUIRE(run_ruleforge(discover_args(db, "", false)).code == 0);
    const Result before = result_of(db);
    for (const std::string& batch : {std::string(""), std::string("3")}) {
        Outcome o = run_ruleforge(discover_args(db, batch, true));
        INFO(o.out << o.err);
        CHECK(o.code == 0);
        CHECK_THAT(o.out, Catch::Contains("had finished already: nothing to resume"));
    }
    std::vector<std::string> json = discover_args(db, "", true);
    json.push_back("--json");
    Outcome o = run_ruleforge(json);
    CHECK(o.code == 0);
    CHECK_THAT(o.out, Catch::Contains("\"already_finished\": true"));
    // The totals are the finished run's, candidates included (a requeued job reports them).
    int64_t stored = 0;
    for (const auto& [status, k] : before.candidates) stored += k;
    CHECK(stored > 0);
    CHECK_THAT(o.out, Catch::Contains("\"candidates\": " + std::to_string(stored) + ","));
    CHECK(result_of(db) == before);
    CHECK(ruledb::Database(db, ruledb::Database::Options{false}).runs().size() == 1);
    // Other options than the finished run's: nothing of theirs to resume, a usage error.
    Outcome other = run_ruleforge({"discover", "--db", db, "--max-ops", "1", "-q", "--resume"});
    CHECK(other.code == 2);
    CHECK_THAT(other.err, Catch::Contains("finished, with other options"));
}

TEST_CASE(
    "signals: SIGINT stops prove and SIGTERM stops enumerate cleanly, and running again completes "
    "them",
    "[reliability]") {
    const std::string dir = scratch_dir("signals-stages");
    auto enumerate_args = [](const std::string& db, bool resume) {
        // TASO's preset: enumeration and storing take about a second, long enough to land in.
        std::vector<std::string> a = {"enumerate", "--db",      db,  "--max-ops", "2",
                                      "-q",        "--threads", "1", "--batch",   "1"};
        if (resume) a.push_back("--resume");
        return a;
    };
    auto prove_args = [](const std::string& db) {
        return std::vector<std::string>{"prove", "--db", db, "-q", "--threads", "1"};
    };
    const std::string ref = fresh_path(dir, "reference.db");
    REQUIRE(run_ruleforge(enumerate_args(ref, false)).code == 0);
    const Result enumerated = result_of(ref);
    REQUIRE(run_ruleforge(prove_args(ref)).code <= 1);
    const Result proved = result_of(ref);

    const std::string db = fresh_path(dir, "stopped.db"), log = dir + "/stderr.txt";
    pid_t pid = spawn_ruleforge(enumerate_args(db, false), log);
    REQUIRE(wait_for(pid, db, [](ruledb::Database& d) { return !d.runs().empty(); }));
    Stopped s = signal_and_wait(pid, SIGTERM);
    {
        INFO(read_file(log));
        CHECK(s.code == 143);
        CHECK(s.seconds < 10);
        CHECK_THAT(read_file(log), Catch::Contains("interrupted: enumerate: stopped by SIGTERM"));
        CHECK(last_run_status(db) == ruledb::RunStatus::Interrupted);
    }
    Outcome o = run_ruleforge(enumerate_args(db, true));
    REQUIRE(o.code == 0);
    CHECK(result_of(db) == enumerated);

    pid = spawn_ruleforge(prove_args(db), log);
    REQUIRE(wait_for(pid, db, [](ruledb::Database& d) { return proofs_stored(d, 1); }));
    s = signal_and_wait(pid, SIGINT);
    {
        INFO(read_file(log));
        CHECK(s.code == 130);
        CHECK(s.seconds < 10);
        CHECK_THAT(read_file(log), Catch::Contains("interrupted: prove: stopped by SIGINT while proving"));
        CHECK_THAT(read_file(log), Catch::Contains("continue with: ruleforge prove"));
        CHECK(last_run_status(db) == ruledb::RunStatus::Interrupted);
    }
    o = run_ruleforge(prove_args(db));
    INFO(o.out << o.err);
    REQUIRE(o.code <= 1);
    const Result after = result_of(db);
    INFO("expected " << describe(proved) << "\ngot " << describe(after));
    CHECK(after.rules == proved.rules);
    CHECK(after.candidates == proved.candidates);
    CHECK(after.proofs == proved.proofs);
}

TEST_CASE("signals: two discovers into one database at once both finish, and the database is consistent",
          "[reliability]") {
    const Result& reference = reference_discover();
    const std::string dir = scratch_dir("signals-concurrent");
    const std::string db = fresh_path(dir, "shared.db");
    // The file exists first, so both processes open one database rather than racing to create it.
    { ruledb::Database create(db); }
    pid_t a = spawn_ruleforge(discover_args(db, "8", false), dir + "/a.txt");
    pid_t b = spawn_ruleforge(discover_args(db, "5", false), dir + "/b.txt");
    int sa = 0, sb = 0;
    waitpid(a, &sa, 0);
    waitpid(b, &sb, 0);
    INFO(read_file(dir + "/a.txt") << read_file(dir + "/b.txt"));
    REQUIRE(WIFEXITED(sa));
    REQUIRE(WIFEXITED(sb));
    CHECK(WEXITSTATUS(sa) == 0);
    CHECK(WEXITSTATUS(sb) == 0);
    const Result both = result_of(db);
    // One rule set, with no rule twice; every candidate once, none pending; both runs' proofs.
    CHECK(both.rules == reference.rules);
    CHECK(both.candidates == reference.candidates);
    CHECK(both.proofs > reference.proofs);
    ruledb::Database d(db, ruledb::Database::Options{false});
    REQUIRE(d.runs().size() == 2);
    for (const ruledb::RunInfo& r : d.runs()) CHECK(r.status == ruledb::RunStatus::Finished);
}

TEST_CASE(
    "signals: kill trials -- SIGINT, SIGTERM or SIGKILL at a random moment, then --resume with a "
    "random --batch",
    "[reliability]") {
    // The suite's small version of bench/kill_trials.py (which runs 20 trials at TASO's size 2).
    const Result& reference = reference_discover();
    const std::string dir = scratch_dir("signals-trials");
    const unsigned seed = 24;
    std::mt19937 rng(seed);
    const int signals[] = {SIGINT, SIGTERM, SIGKILL};
    const char* batches[] = {"1", "3", "8", "32", "128"};
    int interrupted = 0;
    for (int trial = 0; trial < 4; ++trial) {
        const int sig = signals[trial % 3 == 2 ? 2 : rng() % 3];
        // The moment: a random point of the run's progress (proof rows committed; 0: as soon as
        // the run is recorded), found by watching the database, so it lands inside the run on
        // a loaded machine and an idle one alike.
        const int64_t at = static_cast<int64_t>(rng() % 60);
        const std::string batch = batches[rng() % 5], resume_batch = batches[rng() % 5];
        INFO("seed " << seed << ", trial " << trial << ": " << signal_name(sig) << " after " << at << " proofs, batch "
                     << batch << ", resumed with batch " << resume_batch);
        const std::string db = fresh_path(dir, "trial.db"), log = dir + "/stderr.txt";
        pid_t pid = spawn_ruleforge(discover_args(db, batch, false), log);
        int status = 0;
        if (!wait_for(
                pid, db, [&](ruledb::Database& d) { return !d.runs().empty() && proofs_stored(d, at); }, &status)) {
            CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));  // it finished first
            continue;
        }
        const Stopped s = signal_and_wait(pid, sig);
        INFO(read_file(log));
        if (sig == SIGKILL)
            CHECK((s.signal == SIGKILL || s.code == 0));
        else
            CHECK((s.code == 128 + sig || s.code == 0));
        if (s.code == 0) continue;  // it had finished: nothing to resume
        ++interrupted;
        // Killed before its run record was committed (process start-up): nothing to resume, and
        // --resume says so (exit 2); the run starts afresh.
        bool has_run = false, finished = false;
        if (std::filesystem::exists(db)) {
            ruledb::Database d(db);
            has_run = d.last_unfinished_run("discover").has_value();
            for (const ruledb::RunInfo& r : d.runs()) finished = finished || r.status == ruledb::RunStatus::Finished;
        }
        if (finished) {
            // SIGKILL landed after the run was marked finished, before the process exited: the
            // database already holds the whole result (a new run would add its own proofs).
            const Result done = result_of(db);
            INFO("expected " << describe(reference) << "\ngot " << describe(done));
            CHECK(done == reference);
            continue;
        }
        Outcome o = run_ruleforge(discover_args(db, resume_batch, has_run));
        INFO(o.out << o.err);
        REQUIRE(o.code == 0);
        const Result after = result_of(db);
        INFO("expected " << describe(reference) << "\ngot " << describe(after));
        CHECK(after == reference);
    }
    CHECK(interrupted >= 3);  // the signals landed inside runs
}

TEST_CASE("signals: any other command ends at once with 128 + signal", "[reliability]") {
    // Commands that hold no resumable run (check, axioms --validate, import, apply, ...) exit at
    // once: what they write is one transaction, which SQLite rolls back.
    const std::string dir = scratch_dir("signals-other");
    const std::string tensat = std::string(RF_REFERENCE_DIR) + "/tensat/converted.txt";
    for (auto [sig, args] :
         {std::pair<int, std::vector<std::string>>{
              SIGTERM, {"check", "--format", "tensat", "--file", tensat, "--backend", "both", "--threads", "1"}},
          std::pair<int, std::vector<std::string>>{SIGINT, {"axioms", "--validate", "--threads", "1"}}}) {
        INFO(signal_name(sig) << " to ruleforge " << args[0]);
        pid_t pid = spawn_ruleforge(args, dir + "/stderr.txt");
        std::this_thread::sleep_for(std::chrono::milliseconds(1000));
        const Stopped s = signal_and_wait(pid, sig);
        CHECK(s.code == 128 + sig);
        CHECK(s.seconds < 2);
    }
}
