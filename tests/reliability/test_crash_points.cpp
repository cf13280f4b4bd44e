// Crash safety of the commands that write a database, beyond the writer (tests/ruledb/
// test_crash.cpp) and the timed kills of discover (tests/pipeline/test_discover.cpp): SIGKILL at
// several points of an import, a merge, and discover's store and prove stages (found by watching
// the database, not by guessing times). After every kill the database opens, passes
// PRAGMA integrity_check, holds whole units only, and re-running the command gives exactly the
// result of an uninterrupted run.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "tests/reliability/reliability_util.h"

using namespace rf;
using namespace rf::reliability;

namespace {

using Clock = std::chrono::steady_clock;

std::string reference(const std::string& name) { return std::string(RF_REFERENCE_DIR) + "/" + name; }

double seconds_of(const std::vector<std::string>& args) {
    auto t0 = Clock::now();
    Outcome o = run_ruleforge(args);
    REQUIRE(o.code == 0);
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

void check_sound(const std::string& db) {
    ruledb::Database d(db, ruledb::Database::Options{false});
    CHECK(d.integrity_check().empty());
}

}  // namespace

TEST_CASE("reliability: SIGKILL during import leaves all of the file or none of it", "[reliability]") {
    std::string dir = scratch_dir("crash-import");
    // A database with one rule, then TASO's 619 generated rules in one import (one transaction).
    auto import_args = [&](const std::string& db) {
        return std::vector<std::string>{
            "import", "--db", db, "--format", "taso", "--taso-shapes", reference("taso/generated_size3.pb")};
    };
    std::string ref_db = fresh_path(dir, "reference.db");
    sound_db(dir);
    std::filesystem::copy_file(dir + "/sound.db", ref_db);
    const auto before = rule_set(ref_db);
    const double t = seconds_of(import_args(ref_db));
    const auto after = rule_set(ref_db);
    REQUIRE(after.size() > before.size() + 500);

    int interrupted = 0;
    for (double fraction : {0.05, 0.2, 0.4, 0.6, 0.8, 0.95}) {
        INFO("killed at " << fraction << " of an uninterrupted import (" << t << " s)");
        std::string db = fresh_path(dir, "killed.db");
        std::filesystem::copy_file(dir + "/sound.db", db);
        pid_t pid = spawn_ruleforge(import_args(db));
        std::this_thread::sleep_for(std::chrono::duration<double>(fraction * t));
        bool killed = kill_and_reap(pid);
        check_sound(db);
        auto now = rule_set(db);
        CHECK((now == before || now == after));  // all or nothing
        if (killed && now == before) ++interrupted;
        if (now == before) REQUIRE(run_ruleforge(import_args(db)).code == 0);
        CHECK(rule_set(db) == after);
    }
    CHECK(interrupted >= 2);  // the kills landed inside imports
}

TEST_CASE("reliability: SIGKILL during merge leaves whole shards, and merging again completes it", "[reliability]") {
    std::string dir = scratch_dir("crash-merge");
    // Three shards of different sizes, made by importing rule sets (TASO's two, our golden one).
    std::vector<std::string> shards;
    for (auto [name, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"a.db", {"--format", "taso", reference("taso/graph_subst.pb")}},
             {"b.db", {"--format", "taso", "--taso-shapes", reference("taso/generated_size3.pb")}},
             {"c.db", {"--format", "native", std::string(RF_SOURCE_DIR) + "/tests/exporters/golden/rules.txt"}}}) {
        std::string db = fresh_path(dir, name);
        std::vector<std::string> a = {"import", "--db", db};
        a.insert(a.end(), args.begin(), args.end());
        REQUIRE(run_ruleforge(a).code == 0);
        shards.push_back(db);
    }
    auto merge_args = [&](const std::string& out, size_t n) {
        std::vector<std::string> a = {"merge", out};
        a.insert(a.end(), shards.begin(), shards.begin() + static_cast<long>(n));
        return a;
    };
    // What OUT holds after 0, 1, 2 and 3 whole shards.
    std::vector<std::vector<std::string>> prefixes = {{}};
    double t = 0;
    for (size_t n = 1; n <= shards.size(); ++n) {
        std::string out = fresh_path(dir, "prefix.db");
        t = seconds_of(merge_args(out, n));
        prefixes.push_back(rule_set(out));
    }
    REQUIRE(prefixes[1] != prefixes[2]);
    REQUIRE(prefixes[2] != prefixes[3]);

    int interrupted = 0;
    for (double fraction : {0.1, 0.3, 0.5, 0.7, 0.9}) {
        INFO("killed at " << fraction << " of an uninterrupted merge (" << t << " s)");
        std::string out = fresh_path(dir, "killed.db");
        pid_t pid = spawn_ruleforge(merge_args(out, shards.size()));
        std::this_thread::sleep_for(std::chrono::duration<double>(fraction * t));
        bool killed = kill_and_reap(pid);
        if (std::filesystem::exists(out) && std::filesystem::file_size(out) > 0) {
            check_sound(out);
            auto now = rule_set(out);
            bool whole_shards = std::find(prefixes.begin(), prefixes.end(), now) != prefixes.end();
            CHECK(whole_shards);
            if (killed && now != prefixes.back()) ++interrupted;
        } else if (killed) {
            ++interrupted;  // killed before OUT was created
        }
        REQUIRE(run_ruleforge(merge_args(out, shards.size())).code == 0);
        check_sound(out);
        CHECK(rule_set(out) == prefixes.back());
    }
    CHECK(interrupted >= 2);
}

TEST_CASE(
    "reliability: SIGKILL in discover's store and prove stages, then --resume, gives the same "
    "rules",
    "[reliability]") {
    std::string dir = scratch_dir("crash-discover");
    auto discover_args = [&](const std::string& db, bool resume) {
        std::vector<std::string> a = {
            "discover", "--db", db,   "--max-ops", "2", "--ops", "matmul,ewadd,relu,smul,transpose",
            "--batch",  "8",    "-q", "--threads", "2"};
        if (resume) a.push_back("--resume");
        return a;
    };
    std::string ref_db = fresh_path(dir, "reference.db");
    REQUIRE(run_ruleforge(discover_args(ref_db, false)).code == 0);
    const auto reference_rules = rule_set(ref_db);
    REQUIRE(reference_rules.size() > 20);

    // Kill points, each a condition on what the running discover has committed so far.
    struct KillPoint {
        const char* name;
        std::function<bool(ruledb::DbStats&)> reached;
    };
    std::vector<KillPoint> points = {
        {"first candidates stored", [](ruledb::DbStats& s) { return s.candidates > 0; }},
        {"first proof committed", [](ruledb::DbStats& s) { return s.proofs > 0; }},
        {"several proof batches committed", [](ruledb::DbStats& s) { return s.proofs >= 40; }},
    };
    int interrupted = 0;
    for (const KillPoint& kp : points) {
        INFO("killed at: " << kp.name);
        std::string db = fresh_path(dir, "killed.db");
        pid_t pid = spawn_ruleforge(discover_args(db, false));
        bool reached = false;
        for (auto deadline = Clock::now() + std::chrono::seconds(120); !reached && Clock::now() < deadline;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            int status;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                pid = -1;  // finished before the point was reached
                break;
            }
            try {
                ruledb::Database d(db, ruledb::Database::Options{false, 50});
                ruledb::DbStats s = d.stats();
                reached = kp.reached(s);
            } catch (const ruledb::DbError&) {
                // not created yet, or busy: look again
            }
        }
        bool killed = pid > 0 && kill_and_reap(pid);
        CHECK(reached);
        check_sound(db);
        if (killed) {
            ++interrupted;
            Outcome o = run_ruleforge(discover_args(db, true));
            INFO(o.out << o.err);
            REQUIRE(o.code == 0);
            CHECK_THAT(o.out, Catch::Contains("(resumed)"));
        }
        check_sound(db);
        CHECK(rule_set(db) == reference_rules);
    }
    CHECK(interrupted == static_cast<int>(points.size()));
}
