// Crash safety: a child process writes logical records in a loop through the Writer and is
// SIGKILLed at several moments (during creation, mid-batch, later). Each time the database must
// open, pass PRAGMA integrity_check, and hold only whole records: every rule with its proof and
// its stage mark, never a part of one.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include "ruledb/writer.h"
#include "tests/ruledb/ruledb_test_util.h"

using namespace rf;
using namespace rf::ruledb;
using namespace rf::ruledb::test;

namespace {

// The child: unit i = candidate i, rule i, its proof, the stage mark "unit i". Like a resumed
// run, it continues the unfinished run after the units already done.
// It writes a byte to `ready` once its first units are committed.
[[noreturn]] void write_forever(const std::string& path, int ready) {
    try {
        Id run;
        int start;
        {
            Database db(path);
            auto open = db.last_unfinished_run("ruleforge crash-test");
            run = open ? open->id : db.begin_run({.command = "ruleforge crash-test"});
            start = static_cast<int>(db.done_units(run, "prove").size());
        }
        Writer w(path, Writer::Options{16, 2, 64});
        for (int i = start;; ++i) {
            if (i == start + 8) {
                w.flush();
                char c = 'r';
                (void)!write(ready, &c, 1);
            }
            RuleEntry e = describe_rule(numbered_rule(i));
            w.submit([e, run, i](Database& db) {
                Id cand = db.add_candidate(e, std::nullopt, run).id;
                Id rule = db.add_rule(e, {.run = run, .candidate = cand}).id;
                db.record_rule_proof(rule, {"z3", ProofStatus::Proved, 1.0, {"ax"}, "", "", "", "", run});
                db.mark_stage_done(run, "prove", "unit " + std::to_string(i));
            });
        }
    } catch (...) {
    }
    _exit(1);
}

}  // namespace

TEST_CASE("ruledb: SIGKILL at any moment leaves a sound database of whole records", "[ruledb]") {
    std::string path = fresh_db("crash");
    int64_t previous = 0;
    // Kill points: counted from the fork (while the database is created or opened), or from the
    // child's first commit (while batches stream). The file is reused, so later rounds kill a
    // writer resuming an existing run.
    struct KillPoint {
        bool after_first_commit;
        int delay_us;
    };
    for (KillPoint kp :
         {KillPoint{false, 0}, KillPoint{false, 300}, KillPoint{false, 3000}, KillPoint{true, 0}, KillPoint{true, 1000},
          KillPoint{true, 7000}, KillPoint{true, 25000}, KillPoint{false, 1500}}) {
        int ready[2];
        REQUIRE(pipe(ready) == 0);
        pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) write_forever(path, ready[1]);
        char c;
        if (kp.after_first_commit) REQUIRE(read(ready[0], &c, 1) == 1);
        usleep(static_cast<useconds_t>(kp.delay_us));
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);
        close(ready[0]);
        close(ready[1]);
        INFO("killed " << kp.delay_us << " us after " << (kp.after_first_commit ? "the first commit" : "fork"));
        CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));

        Database db(path);
        CHECK(db.integrity_check().empty());
        DbStats s = db.stats();
        // Whole records only: every part of a unit is there exactly as often as the others.
        CHECK(s.rules == s.candidates);
        CHECK(s.proofs == s.rules);
        CHECK(s.runs <= 1);
        int64_t stages = 0;
        for (const RunInfo& r : db.runs()) stages += static_cast<int64_t>(db.done_units(r.id, "prove").size());
        CHECK(stages == s.rules);  // resume would redo exactly the units not marked done
        CHECK(s.graphs == 2 * s.rules);
        CHECK(s.rules_by_status["proved"] == s.rules);
        CHECK(s.rules >= previous);  // nothing committed before is lost
        if (kp.after_first_commit) CHECK(s.rules >= previous + 8);
        previous = s.rules;
    }
    INFO("records after the last kill: " << previous);
    CHECK(previous > 0);
}
