// The single writer that many threads (OpenMP workers, prover threads) hand their records to.
//
// SQLite allows one writer at a time, and a transaction per record would spend its time in
// fsync. So producers never touch the database: they canonicalise in their own thread (the costly
// part) and submit a *unit* -- a closure over Database calls that forms one logical record -- to
// a bounded queue. One background thread drains it, writing up to `batch_size` units per
// transaction, each unit inside its own savepoint. A unit is therefore stored whole or not at all,
// and a SIGKILL at any moment loses only the units of the open transaction.
//
// A unit that throws (a bug in its closure, a constraint violation) is rolled back alone and the
// rest of its batch commits; the first such error is rethrown by the next submit()/flush().
// A database failure (disk full, lock timeout) abandons the batch and stops the writer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "ir/rule.h"
#include "ruledb/database.h"

namespace rf::ruledb {

class Writer {
public:
    struct Options {
        size_t batch_size = 256;  ///< units per transaction at most
        int max_delay_ms = 100;   ///< a partial batch commits after this long
        size_t capacity = 16384;  ///< queued units before submit() blocks
        int busy_timeout_ms = 5000;
    };
    struct Stats {
        uint64_t committed = 0;  ///< units stored
        uint64_t failed = 0;     ///< units rolled back
        uint64_t transactions = 0;
    };
    using Unit = std::function<void(Database&)>;

    /// Opens its own connection to `path` (creating/migrating it); throws DbError here, in the
    /// caller's thread, if the database cannot be used.
    explicit Writer(const std::string& path, Options options);
    explicit Writer(const std::string& path) : Writer(path, Options{}) {}
    /// Commits what is queued, then stops; errors are dropped here (call close() to see them).
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    /// Queues one logical record; thread-safe; blocks while the queue is full.
    void submit(Unit unit);

    // Typed units: the canonical texts are computed here, in the calling thread.
    void add_graph(const Graph& graph, std::optional<Id> run = {});
    void add_class(const std::string& fingerprint, const Graph& representative, std::optional<Id> run = {});
    /// Adds `member` to the class of `fingerprint` (which must have been submitted before).
    void add_class_member(const std::string& fingerprint, const Graph& member, std::optional<Id> run = {});
    void add_candidate(const Rule& pair, std::optional<std::string> fingerprint = {}, std::optional<Id> run = {});
    void add_rule(const Rule& rule, const RuleOrigin& origin = {});
    /// Records a proof of a candidate (adding the candidate if it is not stored yet).
    void record_candidate_proof(const Rule& pair, const ProofRecord& proof);
    /// Records a proof of a rule (adding the rule if it is not stored yet).
    void record_rule_proof(const Rule& rule, const ProofRecord& proof);
    /// Queued after every unit submitted before it, so "done" is committed with or after them.
    void mark_stage_done(Id run, const std::string& stage, const std::string& unit = "",
                         const std::string& stats_json = "{}");

    /// Waits until every unit submitted so far is committed; rethrows the first error.
    void flush();
    /// flush(), then stops the writer thread. Idempotent.
    void close();
    Stats stats() const;

private:
    void loop();
    void write_batch(std::deque<Unit>& batch);
    void rethrow_locked();

    Database d_db;  ///< used only by the writer thread once it runs
    Options d_options;
    mutable std::mutex d_mu;
    std::condition_variable d_work, d_space, d_done;
    std::deque<Unit> d_queue;
    uint64_t d_submitted = 0, d_finished = 0;
    int d_flushing = 0;
    bool d_stop = false, d_fatal = false;
    std::exception_ptr d_error;
    Stats d_stats;
    std::thread d_thread;
};

}  // namespace rf::ruledb
