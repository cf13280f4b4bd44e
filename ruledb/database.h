// The ruleforge database: one SQLite file holding every stage's output, with provenance.
//
// Database is the synchronous API for one thread: open (creating and migrating), record runs and
// finished stages (so a resumed run skips them), add graphs, fingerprint classes, candidates and
// rules idempotently (re-adding the same canonical text returns the existing id), record proofs,
// pruning decisions and model validations, and query for `list` / `show`. Every public call is
// atomic on its own; atomically() groups calls into one logical record, so a crash leaves all of
// it or none. Many threads write through a Writer (ruledb/writer.h) instead.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "ir/rule.h"
#include "ruledb/db_error.h"
#include "ruledb/queries.h"
#include "ruledb/records.h"
#include "ruledb/rule_key.h"

namespace rf::ruledb {

namespace sql {
class Connection;
}

class Database {
public:
    struct Options {
        bool create = true;          ///< create the file when missing (else DbError::Missing)
        int busy_timeout_ms = 5000;  ///< how long to wait for another process's lock
        /// Only read (list, show, export...): nothing is created, migrated or written, and no
        /// file is left beside the database. A file this process may write is opened as usual
        /// with writes refused (PRAGMA query_only), so the last connection removes -wal/-shm;
        /// otherwise SQLite opens it mode=ro and immutable (no locks, no -wal/-shm created).
        bool read_only = false;
    };

    /// Opens `path`, creating and migrating it as needed (read-only: neither). Throws DbError for
    /// a file that is not a ruleforge database, a newer schema, a lock held past the timeout.
    explicit Database(const std::string& path, Options options);
    explicit Database(const std::string& path) : Database(path, Options{}) {}
    ~Database();
    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;

    /// Creates a database at an old schema `version` (for migration tests).
    static void create_at_version(const std::string& path, int version);

    const std::string& path() const;
    int schema_version();
    /// PRAGMA integrity_check and foreign_key_check; empty when the database is sound.
    std::vector<std::string> integrity_check();
    /// Runs `body` in one transaction (a savepoint when nested): all of it is stored, or none.
    void atomically(const std::function<void()>& body);

    // Runs and resume.
    /// Starts a run; its id is the provenance of what it adds.
    Id begin_run(const RunSpec& spec);
    void finish_run(Id run, RunStatus status);
    /// Marks a stopped run as running again (a resume continues the same run).
    void resume_run(Id run);
    std::optional<RunInfo> run(Id run);
    std::vector<RunInfo> runs();
    /// The latest run that did not finish (status running, failed or interrupted) whose command
    /// starts with `command_prefix`.
    std::optional<RunInfo> last_unfinished_run(std::string_view command_prefix = "");
    /// Records that `unit` of `stage` is complete; call it in the same atomically() as the
    /// unit's last records, so "done" never precedes the data.
    void mark_stage_done(Id run, std::string_view stage, std::string_view unit = "",
                         std::string_view stats_json = "{}");
    bool stage_done(Id run, std::string_view stage, std::string_view unit = "");
    std::vector<std::string> done_units(Id run, std::string_view stage);

    // Graphs, classes, candidates.
    Added add_graph(const GraphEntry& graph, std::optional<Id> run = {});
    Added add_graph(const Graph& graph, std::optional<Id> run = {}) { return add_graph(describe_graph(graph), run); }
    /// A fingerprint class and its representative (which also becomes a member).
    Added add_class(std::string_view fingerprint, const GraphEntry& representative, std::optional<Id> run = {});
    std::optional<Id> find_class(std::string_view fingerprint);
    void add_class_member(Id class_id, const GraphEntry& member, std::optional<Id> run = {});
    /// A candidate rule (two graphs over one variable table, as a Rule), keyed by its canonical
    /// text in canonical orientation.
    Added add_candidate(const RuleEntry& pair, std::optional<Id> class_id = {}, std::optional<Id> run = {});
    std::optional<Id> find_candidate(const RuleEntry& pair);
    // Bulk loading (the enumerator's store, database_write.cpp): the rows add_class +
    // add_class_member and add_candidate write, for many records inside one atomically() of the
    // caller's, without a savepoint per row: the caller's transaction is what commits or rolls
    // back whole. Throws std::logic_error outside atomically().
    /// A class, its representative and its members; returns the class id.
    Id load_class(std::string_view fingerprint, const GraphEntry& representative,
                  const std::vector<GraphEntry>& members, std::optional<Id> run = {});
    Added load_candidate(const RuleEntry& pair, std::optional<Id> class_id = {}, std::optional<Id> run = {});
    /// Settings for a long write-once load on this connection: a page cache of `cache_mib` MiB
    /// (SQLite's default is 2 MiB, so a large load re-reads its index pages from the OS) and
    /// fewer, larger WAL checkpoints; and the secondary indexes of the tables it fills dropped
    /// until end_load() (a load killed before then gets them back from the next writer's open).
    /// Durability is unchanged (WAL, synchronous=NORMAL).
    void tune_for_load(int cache_mib);
    /// Builds the indexes tune_for_load() dropped.
    void end_load();
    void set_candidate_status(Id candidate, CandidateStatus status);

    // Rules.
    /// Adds a rule, or finds the one it duplicates and records the given text as a duplicate
    /// source (renamed or swapped): deduplication is recorded, never silent.
    AddedRule add_rule(const RuleEntry& rule, const RuleOrigin& origin = {});
    AddedRule add_rule(const Rule& rule, const RuleOrigin& origin = {}) {
        return add_rule(describe_rule(rule), origin);
    }
    std::optional<Id> find_rule(const RuleEntry& rule);
    void keep_rule(Id rule);
    /// Prunes a rule with its reason, a detail in words and the rules that subsume it.
    void prune_rule(Id rule, PruneReason reason, std::string_view detail, const std::vector<Id>& subsumed_by = {});

    // Proofs and validations. A decisive proof also updates the target's status (a pending or
    // unknown one becomes proved/refuted; a pending/unproved one becomes unknown on no answer).
    Id record_candidate_proof(Id candidate, const ProofRecord& proof);
    Id record_rule_proof(Id rule, const ProofRecord& proof);
    Id record_validation(const ValidationRecord& validation);

    // Queries.
    std::vector<RuleSummary> list_rules(const RuleFilter& filter = {});
    /// Rules matching `spec`: a decimal rule id, else a prefix of the canonical hash (hex).
    std::vector<Id> match_rules(std::string_view spec);
    std::optional<RuleDetails> rule_details(Id rule);
    /// The stored rule as IR (parsed back from its canonical text).
    Rule load_rule(Id rule);
    /// Candidates with one of these statuses, by id (the order they were stored in).
    std::vector<Id> candidates_with_status(const std::vector<CandidateStatus>& statuses);
    /// A stored candidate as IR (parsed back from its canonical text).
    Rule load_candidate(Id candidate);
    DbStats stats();

    // Reads for the browser report (database_report.cpp).
    /// Every finished unit of every stage of a run, in the order they finished.
    std::vector<StageInfo> stages(Id run);
    /// A candidate with its proofs (nullopt when there is no such candidate).
    std::optional<CandidateDetails> candidate_details(Id candidate);
    /// The strategy of each proved proof, by proof id, for the proofs of `rule` (and of its
    /// candidate): the one its reason names ("strategy pointwise: ..."), else "e-matching".
    std::map<Id, std::string> proof_strategies(Id rule);

    /// Copies another ruleforge database into this one in one transaction: graphs, classes,
    /// candidates and rules are matched by canonical text (no duplicates), runs by UUID; copied
    /// runs get new ids and "SHARD#old-id" as merged_from, and every reference is remapped.
    /// A rule already here keeps its decision; a proof settles an open status. Throws DbError
    /// for a shard that is not a ruleforge database (nothing is written then).
    MergeCounts merge_from(const std::string& shard_path);

private:
    std::unique_ptr<sql::Connection> d_conn;
    int d_depth = 0;  ///< atomically() nesting
};

}  // namespace rf::ruledb
