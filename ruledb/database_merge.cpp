// Database::merge_from: one shard copied in by SQL over an ATTACHed file. Ids differ between
// files, so every row is matched by its natural key (canonical text, fingerprint, run UUID) and
// references go through temporary old-id -> new-id maps.
#include <filesystem>

#include "ruledb/database.h"
#include "ruledb/sql/connection.h"
#include "ruledb/sql/transaction.h"

namespace rf::ruledb {

namespace {

constexpr const char* kMaps = R"sql(
CREATE TEMP TABLE IF NOT EXISTS map_runs (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
CREATE TEMP TABLE IF NOT EXISTS map_graphs (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
CREATE TEMP TABLE IF NOT EXISTS map_classes (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
CREATE TEMP TABLE IF NOT EXISTS map_candidates (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
CREATE TEMP TABLE IF NOT EXISTS map_rules (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
CREATE TEMP TABLE IF NOT EXISTS adopt_rules (old INTEGER PRIMARY KEY);
DELETE FROM map_runs; DELETE FROM map_graphs; DELETE FROM map_classes; DELETE FROM map_candidates;
DELETE FROM map_rules; DELETE FROM adopt_rules;
)sql";

// ?1 is the shard's path, for runs' provenance.
constexpr const char* kRuns = R"sql(
INSERT INTO main.runs(uuid, command, params_json, tool_version, axiom_version, seeds_json, started_at,
                      finished_at, status, merged_from)
SELECT s.uuid, s.command, s.params_json, s.tool_version, s.axiom_version, s.seeds_json, s.started_at,
       s.finished_at, s.status, CASE WHEN s.merged_from <> '' THEN s.merged_from ELSE ?1 || '#' || s.id END
FROM shard.runs s WHERE NOT EXISTS (SELECT 1 FROM main.runs m WHERE m.uuid = s.uuid) ORDER BY s.id
)sql";

constexpr const char* kRest = R"sql(
INSERT INTO map_runs SELECT s.id, m.id FROM shard.runs s JOIN main.runs m ON m.uuid = s.uuid;

INSERT INTO main.graphs(canonical_text, hash, num_ops, num_outputs, run_id)
SELECT s.canonical_text, s.hash, s.num_ops, s.num_outputs, (SELECT new FROM map_runs WHERE old = s.run_id)
FROM shard.graphs s WHERE true ON CONFLICT(canonical_text) DO NOTHING;
INSERT INTO map_graphs SELECT s.id, m.id FROM shard.graphs s JOIN main.graphs m ON m.canonical_text = s.canonical_text;

INSERT INTO main.classes(fingerprint, representative, run_id)
SELECT s.fingerprint, g.new, (SELECT new FROM map_runs WHERE old = s.run_id)
FROM shard.classes s JOIN map_graphs g ON g.old = s.representative WHERE true ON CONFLICT(fingerprint) DO NOTHING;
INSERT INTO map_classes SELECT s.id, m.id FROM shard.classes s JOIN main.classes m ON m.fingerprint = s.fingerprint;
INSERT OR IGNORE INTO main.class_members(class_id, graph_id)
SELECT c.new, g.new FROM shard.class_members s JOIN map_classes c ON c.old = s.class_id JOIN map_graphs g ON g.old = s.graph_id;

INSERT INTO main.candidates(rule_text, hash, lhs_graph, rhs_graph, class_id, run_id, status)
SELECT s.rule_text, s.hash, l.new, r.new, (SELECT new FROM map_classes WHERE old = s.class_id),
       (SELECT new FROM map_runs WHERE old = s.run_id), s.status
FROM shard.candidates s JOIN map_graphs l ON l.old = s.lhs_graph JOIN map_graphs r ON r.old = s.rhs_graph
WHERE true ON CONFLICT(rule_text) DO UPDATE SET status = excluded.status
  WHERE candidates.status = 'pending' OR (candidates.status = 'unknown' AND excluded.status IN ('proved', 'refuted'));
INSERT INTO map_candidates SELECT s.id, m.id FROM shard.candidates s JOIN main.candidates m ON m.rule_text = s.rule_text;

-- Rules that take the shard's pruning decision: new here, or undecided here.
INSERT INTO adopt_rules SELECT s.id FROM shard.rules s LEFT JOIN main.rules m ON m.canonical_text = s.canonical_text
WHERE m.id IS NULL OR m.decision = 'undecided';

INSERT INTO main.rules(canonical_text, hash, name, lhs_graph, rhs_graph, lhs_ops, rhs_ops, num_ops, conditions_json,
                       status, decision, prune_reason, prune_detail, candidate_id, run_id)
SELECT s.canonical_text, s.hash, s.name, l.new, r.new, s.lhs_ops, s.rhs_ops, s.num_ops, s.conditions_json, s.status,
       s.decision, s.prune_reason, s.prune_detail, (SELECT new FROM map_candidates WHERE old = s.candidate_id),
       (SELECT new FROM map_runs WHERE old = s.run_id)
FROM shard.rules s JOIN map_graphs l ON l.old = s.lhs_graph JOIN map_graphs r ON r.old = s.rhs_graph
WHERE true ON CONFLICT(canonical_text) DO UPDATE SET
  status = CASE WHEN rules.status = 'unproved' OR (rules.status = 'unknown' AND excluded.status IN ('proved', 'refuted'))
                THEN excluded.status ELSE rules.status END,
  name = CASE WHEN rules.name = '' THEN excluded.name ELSE rules.name END,
  decision = CASE WHEN rules.decision = 'undecided' THEN excluded.decision ELSE rules.decision END,
  prune_reason = CASE WHEN rules.decision = 'undecided' THEN excluded.prune_reason ELSE rules.prune_reason END,
  prune_detail = CASE WHEN rules.decision = 'undecided' THEN excluded.prune_detail ELSE rules.prune_detail END;
INSERT INTO map_rules SELECT s.id, m.id FROM shard.rules s JOIN main.rules m ON m.canonical_text = s.canonical_text;

INSERT OR IGNORE INTO main.rule_ops(rule_id, op)
SELECT r.new, s.op FROM shard.rule_ops s JOIN map_rules r ON r.old = s.rule_id;
INSERT OR IGNORE INTO main.rule_subsumers(rule_id, by_rule)
SELECT r.new, b.new FROM shard.rule_subsumers s JOIN adopt_rules a ON a.old = s.rule_id
  JOIN map_rules r ON r.old = s.rule_id JOIN map_rules b ON b.old = s.by_rule;

-- A shard's first text for a rule this database already had is a duplicate here.
INSERT INTO main.rule_sources(rule_id, text, kind, swapped, run_id)
SELECT r.new, s.text,
       CASE WHEN s.kind = 'first' AND f.swapped IS NOT NULL
            THEN (CASE WHEN f.swapped = s.swapped THEN 'renamed' ELSE 'swapped' END) ELSE s.kind END,
       s.swapped, (SELECT new FROM map_runs WHERE old = s.run_id)
FROM shard.rule_sources s JOIN map_rules r ON r.old = s.rule_id
  LEFT JOIN main.rule_sources f ON f.rule_id = r.new AND f.kind = 'first'
WHERE true ON CONFLICT(text) DO NOTHING;

INSERT INTO main.proofs(candidate_id, rule_id, backend, status, time_ms, axioms_json, condition, preconditions_json,
                        counterexample, reason, query, run_id, created_at)
SELECT c.new, r.new, s.backend, s.status, s.time_ms, s.axioms_json, s.condition, s.preconditions_json,
       s.counterexample, s.reason, s.query, u.new, s.created_at
FROM shard.proofs s LEFT JOIN map_candidates c ON c.old = s.candidate_id LEFT JOIN map_rules r ON r.old = s.rule_id
  LEFT JOIN map_runs u ON u.old = s.run_id
WHERE NOT EXISTS (SELECT 1 FROM main.proofs q WHERE q.candidate_id IS c.new AND q.rule_id IS r.new
                  AND q.backend = s.backend AND q.status = s.status AND q.created_at = s.created_at AND q.run_id IS u.new);

INSERT INTO main.model_validations(rule_id, model, site, device, max_abs_error, max_rel_error, time_before_ms,
                                   time_after_ms, status, message, run_id, created_at)
SELECT r.new, s.model, s.site, s.device, s.max_abs_error, s.max_rel_error, s.time_before_ms, s.time_after_ms,
       s.status, s.message, u.new, s.created_at
FROM shard.model_validations s JOIN map_rules r ON r.old = s.rule_id LEFT JOIN map_runs u ON u.old = s.run_id
WHERE NOT EXISTS (SELECT 1 FROM main.model_validations q WHERE q.rule_id = r.new AND q.model = s.model
                  AND q.site = s.site AND q.created_at = s.created_at AND q.run_id IS u.new);

INSERT OR IGNORE INTO main.stages(run_id, stage, unit, finished_at, stats_json)
SELECT u.new, s.stage, s.unit, s.finished_at, s.stats_json FROM shard.stages s JOIN map_runs u ON u.old = s.run_id;
)sql";

struct Detach {
    sql::Connection& conn;
    ~Detach() {
        try {
            conn.exec("DETACH DATABASE shard");
        } catch (...) {
            // Detaching can only fail if the attach did; the connection closes it anyway.
        }
    }
};

MergeCounts count(sql::Connection& c) {
    MergeCounts n;
    n.runs = c.query_int("SELECT count(*) FROM main.runs");
    n.graphs = c.query_int("SELECT count(*) FROM main.graphs");
    n.classes = c.query_int("SELECT count(*) FROM main.classes");
    n.candidates = c.query_int("SELECT count(*) FROM main.candidates");
    n.rules = c.query_int("SELECT count(*) FROM main.rules");
    n.proofs = c.query_int("SELECT count(*) FROM main.proofs");
    n.validations = c.query_int("SELECT count(*) FROM main.model_validations");
    n.duplicates = c.query_int("SELECT count(*) FROM main.rule_sources WHERE kind <> 'first'");
    return n;
}

}  // namespace

MergeCounts Database::merge_from(const std::string& shard_path) {
    std::error_code ec;
    if (std::filesystem::equivalent(shard_path, path(), ec))
        throw DbError(DbError::Kind::Other, "cannot merge '" + shard_path + "' into itself");
    {
        // Refuses a foreign file with the usual message and brings an old shard to our schema.
        Database check(shard_path, Options{false, d_conn->busy_timeout_ms()});
    }
    if (d_depth != 0) throw std::logic_error("merge_from inside atomically(): ATTACH needs no open transaction");
    auto attach = d_conn->prepare("ATTACH DATABASE ? AS shard");
    attach.bind_all(shard_path).run();
    Detach detach{*d_conn};
    MergeCounts before = count(*d_conn), after;
    int64_t shard_rules = d_conn->query_int("SELECT count(*) FROM shard.rules");
    {
        sql::Transaction tx(*d_conn);
        d_conn->exec(kMaps);
        std::string provenance = std::filesystem::weakly_canonical(shard_path, ec).string();
        if (ec) provenance = shard_path;
        d_conn->prepare(kRuns).bind_all(provenance).run();
        d_conn->exec(kRest);
        after = count(*d_conn);
        tx.commit();
    }
    MergeCounts added;
    added.runs = after.runs - before.runs;
    added.graphs = after.graphs - before.graphs;
    added.classes = after.classes - before.classes;
    added.candidates = after.candidates - before.candidates;
    added.rules = after.rules - before.rules;
    added.rules_present = shard_rules - added.rules;
    added.proofs = after.proofs - before.proofs;
    added.validations = after.validations - before.validations;
    added.duplicates = after.duplicates - before.duplicates;
    return added;
}

}  // namespace rf::ruledb
