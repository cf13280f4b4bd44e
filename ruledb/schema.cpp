#include "ruledb/schema.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ir/native_text.h"
#include "ir/output_file.h"
#include "ir/rule.h"
#include "ruledb/db_error.h"
#include "ruledb/records.h"
#include "ruledb/sql/transaction.h"

namespace rf::ruledb::schema {

// Output files recognise a database by this id without SQLite (ir/output_file.h).
static_assert(static_cast<uint32_t>(kApplicationId) == kRuleforgeApplicationId);

namespace {

// Version 1: everything but resume support. Kept verbatim forever: it is what old files hold.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  command       TEXT NOT NULL,
  params_json   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params_json)),
  tool_version  TEXT NOT NULL,
  axiom_version TEXT NOT NULL DEFAULT '',
  seeds_json    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(seeds_json)),
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  status        TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted'))
);

CREATE TABLE graphs (
  id             INTEGER PRIMARY KEY,
  canonical_text TEXT NOT NULL UNIQUE,
  hash           TEXT NOT NULL,
  num_ops        INTEGER NOT NULL,
  num_outputs    INTEGER NOT NULL,
  run_id         INTEGER REFERENCES runs(id)
);
CREATE INDEX graphs_hash ON graphs(hash);
CREATE INDEX graphs_num_ops ON graphs(num_ops);

CREATE TABLE classes (
  id             INTEGER PRIMARY KEY,
  fingerprint    TEXT NOT NULL UNIQUE,
  representative INTEGER NOT NULL REFERENCES graphs(id),
  run_id         INTEGER REFERENCES runs(id)
);

CREATE TABLE class_members (
  class_id INTEGER NOT NULL REFERENCES classes(id),
  graph_id INTEGER NOT NULL REFERENCES graphs(id),
  PRIMARY KEY (class_id, graph_id)
) WITHOUT ROWID;
CREATE INDEX class_members_graph ON class_members(graph_id);

CREATE TABLE candidates (
  id        INTEGER PRIMARY KEY,
  rule_text TEXT NOT NULL UNIQUE,
  hash      TEXT NOT NULL,
  lhs_graph INTEGER NOT NULL REFERENCES graphs(id),
  rhs_graph INTEGER NOT NULL REFERENCES graphs(id),
  class_id  INTEGER REFERENCES classes(id),
  run_id    INTEGER REFERENCES runs(id),
  status    TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'proved', 'refuted', 'unknown', 'pruned'))
);
CREATE INDEX candidates_status ON candidates(status);
CREATE INDEX candidates_class ON candidates(class_id);

CREATE TABLE rules (
  id              INTEGER PRIMARY KEY,
  canonical_text  TEXT NOT NULL UNIQUE,
  hash            TEXT NOT NULL,
  name            TEXT NOT NULL DEFAULT '',
  lhs_graph       INTEGER NOT NULL REFERENCES graphs(id),
  rhs_graph       INTEGER NOT NULL REFERENCES graphs(id),
  lhs_ops         INTEGER NOT NULL,
  rhs_ops         INTEGER NOT NULL,
  num_ops         INTEGER NOT NULL,
  conditions_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(conditions_json)),
  status          TEXT NOT NULL DEFAULT 'unproved'
                  CHECK (status IN ('unproved', 'proved', 'refuted', 'unknown')),
  decision        TEXT NOT NULL DEFAULT 'undecided' CHECK (decision IN ('undecided', 'kept', 'pruned')),
  prune_reason    TEXT CHECK (prune_reason IN ('common_subgraph', 'derivable')),
  prune_detail    TEXT NOT NULL DEFAULT '',
  candidate_id    INTEGER REFERENCES candidates(id),
  run_id          INTEGER REFERENCES runs(id),
  CHECK ((decision = 'pruned') = (prune_reason IS NOT NULL))
);
CREATE INDEX rules_hash ON rules(hash);
CREATE INDEX rules_status ON rules(status, decision);
CREATE INDEX rules_num_ops ON rules(num_ops);

CREATE TABLE rule_ops (
  rule_id INTEGER NOT NULL REFERENCES rules(id),
  op      TEXT NOT NULL,
  PRIMARY KEY (rule_id, op)
) WITHOUT ROWID;
CREATE INDEX rule_ops_op ON rule_ops(op);

CREATE TABLE rule_sources (
  id      INTEGER PRIMARY KEY,
  rule_id INTEGER NOT NULL REFERENCES rules(id),
  text    TEXT NOT NULL UNIQUE,
  kind    TEXT NOT NULL CHECK (kind IN ('first', 'renamed', 'swapped')),
  swapped INTEGER NOT NULL,
  run_id  INTEGER REFERENCES runs(id)
);
CREATE INDEX rule_sources_rule ON rule_sources(rule_id);

CREATE TABLE rule_subsumers (
  rule_id INTEGER NOT NULL REFERENCES rules(id),
  by_rule INTEGER NOT NULL REFERENCES rules(id),
  PRIMARY KEY (rule_id, by_rule)
) WITHOUT ROWID;

CREATE TABLE proofs (
  id             INTEGER PRIMARY KEY,
  candidate_id   INTEGER REFERENCES candidates(id),
  rule_id        INTEGER REFERENCES rules(id),
  backend        TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('proved', 'refuted', 'unknown', 'timeout', 'error')),
  time_ms        REAL NOT NULL DEFAULT 0,
  axioms_json    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(axioms_json)),
  condition      TEXT NOT NULL DEFAULT '',
  counterexample TEXT NOT NULL DEFAULT '',
  reason         TEXT NOT NULL DEFAULT '',
  query          TEXT NOT NULL DEFAULT '',
  run_id         INTEGER REFERENCES runs(id),
  created_at     TEXT NOT NULL,
  CHECK ((candidate_id IS NULL) <> (rule_id IS NULL))
);
CREATE INDEX proofs_candidate ON proofs(candidate_id);
CREATE INDEX proofs_rule ON proofs(rule_id);

CREATE TABLE model_validations (
  id             INTEGER PRIMARY KEY,
  rule_id        INTEGER NOT NULL REFERENCES rules(id),
  model          TEXT NOT NULL,
  site           TEXT NOT NULL,
  device         TEXT NOT NULL DEFAULT 'cpu',
  max_abs_error  REAL NOT NULL,
  max_rel_error  REAL NOT NULL,
  time_before_ms REAL,
  time_after_ms  REAL,
  status         TEXT NOT NULL CHECK (status IN ('valid', 'invalid', 'error', 'skipped')),
  message        TEXT NOT NULL DEFAULT '',
  run_id         INTEGER REFERENCES runs(id),
  created_at     TEXT NOT NULL
);
CREATE INDEX model_validations_rule ON model_validations(rule_id);
)sql";

// Version 2: resume and merge. Runs get a UUID (so merge recognises a run it copied before)
// and the shard they were copied from; `stages` records each finished unit of work.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE runs ADD COLUMN uuid TEXT;
UPDATE runs SET uuid = lower(hex(randomblob(16))) WHERE uuid IS NULL;
CREATE UNIQUE INDEX runs_uuid ON runs(uuid);
ALTER TABLE runs ADD COLUMN merged_from TEXT NOT NULL DEFAULT '';

CREATE TABLE stages (
  run_id      INTEGER NOT NULL REFERENCES runs(id),
  stage       TEXT NOT NULL,
  unit        TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  stats_json  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(stats_json)),
  PRIMARY KEY (run_id, stage, unit)
) WITHOUT ROWID;
)sql";

// Version 3: proof assumptions are data. Each proof lists the preconditions it was obtained
// under (ir/precondition.h); for older rows derive_preconditions() reads them once from the tags
// the old checker wrote into the condition text for people, and nothing reads that text for its
// meaning any more. Conditions are re-derived in the rule's own names (rename_conditions).
constexpr const char* kVersion3 = R"sql(
ALTER TABLE proofs ADD COLUMN preconditions_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(preconditions_json));
)sql";

// Index i migrates version i to i + 1 (index 0 creates version 1 from nothing).
const std::vector<const char*>& steps() {
    static const std::vector<const char*> s = {kVersion1, kVersion2, kVersion3};
    return s;
}

void derive_preconditions(sql::Connection& conn) {
    std::vector<std::pair<int64_t, std::string>> rows;
    {
        auto st = conn.prepare("SELECT id, condition FROM proofs WHERE condition <> ''");
        while (st.step()) rows.emplace_back(st.i64(0), st.text(1));
    }
    auto up = conn.prepare("UPDATE proofs SET preconditions_json = ? WHERE id = ?");
    for (const auto& [id, condition] : rows) {
        std::vector<Precondition> ps = preconditions_from_legacy_text(condition);
        if (ps.empty()) continue;
        up.bind_all(preconditions_json(ps), id).run();
        up.reset();
    }
}

// Up to version 2, a rule's conditions_json held the conditions in the variable names of the
// text it first arrived as, which its canonical text does not use: re-derived from that text.
void rename_conditions(sql::Connection& conn) {
    std::vector<std::pair<int64_t, std::string>> rows;
    {
        auto st = conn.prepare("SELECT id, canonical_text FROM rules");
        while (st.step()) rows.emplace_back(st.i64(0), st.text(1));
    }
    auto up = conn.prepare("UPDATE rules SET conditions_json = ? WHERE id = ?");
    for (const auto& [id, text] : rows) {
        std::vector<std::string> conditions;
        try {
            conditions = build_rule(parse_native_rule(text, conn.path() + "#rule" + std::to_string(id))).conditions;
        } catch (const std::exception&) {
            continue;  // a text this version cannot type keeps its old row; load_rule reports it
        }
        up.bind_all(nlohmann::json(conditions).dump(), id).run();
        up.reset();
    }
}

std::vector<std::string> table_names(sql::Connection& conn) {
    std::vector<std::string> names;
    auto st = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
    while (st.step()) names.push_back(st.text(0));
    return names;
}

[[noreturn]] void foreign(sql::Connection& conn, const std::string& why) {
    throw DbError(DbError::Kind::ForeignDb, "'" + conn.path() + "' is a SQLite database of another program (" + why +
                                                "), not a ruleforge database; refusing to touch it");
}

// Throws unless the database is empty or ours; returns its version (0 = empty).
int identify(sql::Connection& conn) {
    int64_t app = conn.query_int("PRAGMA application_id");
    int64_t version = conn.query_int("PRAGMA user_version");
    auto tables = table_names(conn);
    if (app == 0 && version == 0 && tables.empty()) return 0;
    if (app != kApplicationId) {
        std::string list;
        for (size_t i = 0; i < tables.size() && i < 4; ++i) list += (i ? ", " : "") + tables[i];
        if (tables.size() > 4) list += ", ...";
        char id[16];
        std::snprintf(id, sizeof id, "0x%08llx", static_cast<unsigned long long>(static_cast<uint32_t>(app)));
        foreign(conn, "application id " + std::string(id) + (list.empty() ? "" : ", tables " + list));
    }
    bool has_meta = std::find(tables.begin(), tables.end(), "meta") != tables.end();
    auto st = conn.prepare(has_meta ? "SELECT value FROM meta WHERE key = 'magic'" : "SELECT NULL WHERE 0");
    if (!st.step() || st.text(0) != kMagic)
        foreign(conn, "ruleforge's application id but no ruleforge magic in 'meta'");
    if (version > kCurrentVersion)
        throw DbError(DbError::Kind::TooNew, "database '" + conn.path() + "' has schema version " +
                                                 std::to_string(version) + ", newer than this ruleforge understands (" +
                                                 std::to_string(kCurrentVersion) + "); use a newer ruleforge");
    return static_cast<int>(version);
}

void step_to(sql::Connection& conn, int version) {
    conn.exec(steps()[version - 1]);
    if (version == 3) {
        derive_preconditions(conn);
        rename_conditions(conn);
    }
    if (version == 1) {
        auto st = conn.prepare("INSERT INTO meta(key, value) VALUES ('magic', ?), ('created_by', ?)");
        st.bind_all(kMagic, "ruleforge " RF_VERSION).run();
        conn.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    }
    conn.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)")
        .bind_all(std::to_string(version))
        .run();
    conn.exec("PRAGMA user_version = " + std::to_string(version));
}

// Name and definition of each index drop_load_indexes() removes: the definitions of version 1.
struct LoadIndex {
    const char* name;
    const char* on;
};
constexpr LoadIndex kLoadIndexes[] = {{"graphs_hash", "graphs(hash)"},
                                      {"graphs_num_ops", "graphs(num_ops)"},
                                      {"class_members_graph", "class_members(graph_id)"},
                                      {"candidates_status", "candidates(status)"},
                                      {"candidates_class", "candidates(class_id)"}};

}  // namespace

void drop_load_indexes(sql::Connection& conn) {
    sql::Transaction tx(conn);
    for (const LoadIndex& ix : kLoadIndexes) conn.exec(std::string("DROP INDEX IF EXISTS ") + ix.name);
    tx.commit();
}

void restore_load_indexes(sql::Connection& conn) {
    // Most opens find them all: no write transaction then (writers open connections often).
    std::string names;
    for (const LoadIndex& ix : kLoadIndexes) names += std::string(names.empty() ? "'" : ", '") + ix.name + "'";
    const int64_t present =
        conn.query_int("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN (" + names + ")");
    if (present == static_cast<int64_t>(std::size(kLoadIndexes))) return;
    sql::Transaction tx(conn);
    for (const LoadIndex& ix : kLoadIndexes)
        conn.exec(std::string("CREATE INDEX IF NOT EXISTS ") + ix.name + " ON " + ix.on);
    tx.commit();
}

void prepare(sql::Connection& conn, int target) {
    int version = identify(conn);
    // Only now that the file is known to be ours (or empty) may its journal mode change.
    conn.exec("PRAGMA journal_mode = WAL");
    while (version < target) {
        sql::Transaction tx(conn);
        int now = identify(conn);  // another process may have migrated while we waited
        if (now != version) {
            version = now;
            continue;
        }
        step_to(conn, version + 1);
        tx.commit();
        ++version;
    }
}

void check_readable(sql::Connection& conn) {
    int version = identify(conn);
    if (version == 0)
        throw DbError(DbError::Kind::ForeignDb,
                      "'" + conn.path() + "' is an empty SQLite database, not a ruleforge database");
    if (version < kCurrentVersion)
        throw DbError(DbError::Kind::Other, "database '" + conn.path() + "' has schema version " +
                                                std::to_string(version) +
                                                " and this command only reads; a command that writes (import, prove) "
                                                "upgrades it to version " +
                                                std::to_string(kCurrentVersion));
}

}  // namespace rf::ruledb::schema
