// Database: idempotent adds of graphs, classes, candidates and rules; proofs, pruning
// decisions and validations. Each call is one transaction (or a savepoint inside the caller's).
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "ir/native_text.h"
#include "ruledb/database.h"
#include "ruledb/schema.h"
#include "ruledb/sql/connection.h"

namespace rf::ruledb {

namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

// The rule's conditions in the names of its canonical text, which is what `show`, `list` and the
// exports print next to them (RuleEntry::conditions uses the names of the text as given).
std::vector<std::string> canonical_conditions(const RuleEntry& rule) {
    try {
        return build_rule(parse_native_rule(rule.text)).conditions;
    } catch (const std::exception&) {
        return rule.conditions;  // cannot happen for a text print_native wrote; keep what we have
    }
}

// INSERT ... ON CONFLICT DO NOTHING RETURNING id gives a row only when it inserted; otherwise
// the existing id is looked up by the same unique key.
Added insert_or_find(sql::Connection& conn, sql::Statement& insert, std::string_view find_sql, std::string_view key) {
    if (insert.step()) {
        Id id = insert.i64(0);
        insert.run();
        return {id, true};
    }
    auto find = conn.prepare(find_sql);
    find.bind_all(key);
    if (!find.step())
        throw DbError(DbError::Kind::Other, "row vanished after a conflicting insert: " + std::string(key));
    return {find.i64(0), false};
}

std::optional<Id> find_id(sql::Connection& conn, std::string_view sql, std::string_view key) {
    auto st = conn.prepare(sql);
    st.bind_all(key);
    if (!st.step()) return std::nullopt;
    return st.i64(0);
}

}  // namespace

Added Database::add_graph(const GraphEntry& g, std::optional<Id> run) {
    auto st = d_conn->prepare(
        "INSERT INTO graphs(canonical_text, hash, num_ops, num_outputs, run_id) VALUES (?, ?, ?, "
        "?, ?) "
        "ON CONFLICT(canonical_text) DO NOTHING RETURNING id");
    st.bind_all(g.text, g.hash, g.num_ops, g.num_outputs, run);
    return insert_or_find(*d_conn, st, "SELECT id FROM graphs WHERE canonical_text = ?", g.text);
}

Added Database::add_class(std::string_view fingerprint, const GraphEntry& representative, std::optional<Id> run) {
    Added out;
    atomically([&] {
        Id rep = add_graph(representative, run).id;
        auto st = d_conn->prepare(
            "INSERT INTO classes(fingerprint, representative, run_id) VALUES (?, ?, ?) "
            "ON CONFLICT(fingerprint) DO NOTHING RETURNING id");
        st.bind_all(fingerprint, rep, run);
        out = insert_or_find(*d_conn, st, "SELECT id FROM classes WHERE fingerprint = ?", fingerprint);
        d_conn->prepare("INSERT OR IGNORE INTO class_members(class_id, graph_id) VALUES (?, ?)")
            .bind_all(out.id, rep)
            .run();
    });
    return out;
}

std::optional<Id> Database::find_class(std::string_view fingerprint) {
    return find_id(*d_conn, "SELECT id FROM classes WHERE fingerprint = ?", fingerprint);
}

void Database::add_class_member(Id class_id, const GraphEntry& member, std::optional<Id> run) {
    atomically([&] {
        Id g = add_graph(member, run).id;
        d_conn->prepare("INSERT OR IGNORE INTO class_members(class_id, graph_id) VALUES (?, ?)")
            .bind_all(class_id, g)
            .run();
    });
}

Added Database::add_candidate(const RuleEntry& pair, std::optional<Id> class_id, std::optional<Id> run) {
    Added out;
    atomically([&] {
        Id lhs = add_graph(pair.lhs, run).id;
        Id rhs = add_graph(pair.rhs, run).id;
        auto st = d_conn->prepare(
            "INSERT INTO candidates(rule_text, hash, lhs_graph, rhs_graph, class_id, run_id) "
            "VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(rule_text) DO NOTHING RETURNING id");
        st.bind_all(pair.text, pair.hash, lhs, rhs, class_id, run);
        out = insert_or_find(*d_conn, st, "SELECT id FROM candidates WHERE rule_text = ?", pair.text);
    });
    return out;
}

Id Database::load_class(std::string_view fingerprint, const GraphEntry& representative,
                        const std::vector<GraphEntry>& members, std::optional<Id> run) {
    if (d_depth == 0) throw std::logic_error("Database::load_class outside atomically()");
    const Id rep = add_graph(representative, run).id;
    auto st = d_conn->prepare(
        "INSERT INTO classes(fingerprint, representative, run_id) VALUES (?, ?, ?) "
        "ON CONFLICT(fingerprint) DO NOTHING RETURNING id");
    st.bind_all(fingerprint, rep, run);
    const Id cls = insert_or_find(*d_conn, st, "SELECT id FROM classes WHERE fingerprint = ?", fingerprint).id;
    auto member = d_conn->prepare("INSERT OR IGNORE INTO class_members(class_id, graph_id) VALUES (?, ?)");
    member.bind_all(cls, rep).run();
    member.reset();
    for (const GraphEntry& m : members) {
        member.bind_all(cls, add_graph(m, run).id).run();
        member.reset();
    }
    return cls;
}

Added Database::load_candidate(const RuleEntry& pair, std::optional<Id> class_id, std::optional<Id> run) {
    if (d_depth == 0) throw std::logic_error("Database::load_candidate outside atomically()");
    // A candidate's sides are class members stored before it: looked up first, where an insert
    // would find the conflict and then look up the same key again.
    auto side = [&](const GraphEntry& g) {
        const std::optional<Id> id = find_id(*d_conn, "SELECT id FROM graphs WHERE canonical_text = ?", g.text);
        return id ? *id : add_graph(g, run).id;
    };
    const Id lhs = side(pair.lhs);
    const Id rhs = side(pair.rhs);
    auto st = d_conn->prepare(
        "INSERT INTO candidates(rule_text, hash, lhs_graph, rhs_graph, class_id, run_id) VALUES "
        "(?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(rule_text) DO NOTHING RETURNING id");
    st.bind_all(pair.text, pair.hash, lhs, rhs, class_id, run);
    return insert_or_find(*d_conn, st, "SELECT id FROM candidates WHERE rule_text = ?", pair.text);
}

void Database::tune_for_load(int cache_mib) {
    d_conn->exec("PRAGMA cache_size = " + std::to_string(-int64_t{cache_mib} * 1024));
    // 16 MiB of WAL between checkpoints instead of 4 MiB: a page written by many batches is
    // copied into the database file fewer times.
    d_conn->exec("PRAGMA wal_autocheckpoint = 4096");
    // Each insert otherwise updates five secondary indexes at random places; built once at
    // the end (end_load), they cost one sort each.
    schema::drop_load_indexes(*d_conn);
}

void Database::end_load() { schema::restore_load_indexes(*d_conn); }

std::optional<Id> Database::find_candidate(const RuleEntry& pair) {
    return find_id(*d_conn, "SELECT id FROM candidates WHERE rule_text = ?", pair.text);
}

void Database::set_candidate_status(Id candidate, CandidateStatus status) {
    d_conn->prepare("UPDATE candidates SET status = ? WHERE id = ?").bind_all(to_string(status), candidate).run();
}

AddedRule Database::add_rule(const RuleEntry& rule, const RuleOrigin& origin) {
    AddedRule out;
    atomically([&] {
        Id lhs = add_graph(rule.lhs, origin.run).id;
        Id rhs = add_graph(rule.rhs, origin.run).id;
        auto st = d_conn->prepare(
            "INSERT INTO rules(canonical_text, hash, name, lhs_graph, rhs_graph, lhs_ops, rhs_ops, "
            "num_ops, "
            "conditions_json, status, candidate_id, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, max(?6, "
            "?7), ?, ?, ?, ?) "
            "ON CONFLICT(canonical_text) DO NOTHING RETURNING id");
        st.bind_all(rule.text, rule.hash, rule.name, lhs, rhs, rule.lhs.num_ops, rule.rhs.num_ops,
                    nlohmann::json(canonical_conditions(rule)).dump(), to_string(origin.status), origin.candidate,
                    origin.run);
        Added added = insert_or_find(*d_conn, st, "SELECT id FROM rules WHERE canonical_text = ?", rule.text);
        out.id = added.id;
        out.inserted = added.inserted;
        if (added.inserted) {
            auto op = d_conn->prepare("INSERT OR IGNORE INTO rule_ops(rule_id, op) VALUES (?, ?)");
            for (const std::string& name : rule.ops) {
                op.bind_all(out.id, name).run();
                op.reset();
            }
        } else if (!rule.name.empty()) {
            d_conn->prepare("UPDATE rules SET name = ? WHERE id = ? AND name = ''").bind_all(rule.name, out.id).run();
        }
        // Every distinct text a rule arrives as is kept, so a folded duplicate stays visible.
        if (find_id(*d_conn, "SELECT id FROM rule_sources WHERE text = ?", rule.source_text)) return;
        SourceKind kind = SourceKind::First;
        if (!added.inserted) {
            auto first = d_conn->prepare("SELECT swapped FROM rule_sources WHERE rule_id = ? ORDER BY id LIMIT 1");
            first.bind_all(out.id);
            bool first_swapped = first.step() ? first.i64(0) != 0 : false;
            kind = first_swapped != rule.swapped ? SourceKind::Swapped : SourceKind::Renamed;
            out.duplicate = kind;
        }
        d_conn
            ->prepare(
                "INSERT INTO rule_sources(rule_id, text, kind, swapped, run_id) VALUES (?, ?, ?, "
                "?, ?)")
            .bind_all(out.id, rule.source_text, to_string(kind), rule.swapped ? 1 : 0, origin.run)
            .run();
    });
    return out;
}

std::optional<Id> Database::find_rule(const RuleEntry& rule) {
    return find_id(*d_conn, "SELECT id FROM rules WHERE canonical_text = ?", rule.text);
}

void Database::keep_rule(Id rule) {
    atomically([&] {
        d_conn
            ->prepare(
                "UPDATE rules SET decision = 'kept', prune_reason = NULL, prune_detail = '' WHERE "
                "id = ?")
            .bind_all(rule)
            .run();
        d_conn->prepare("DELETE FROM rule_subsumers WHERE rule_id = ?").bind_all(rule).run();
    });
}

void Database::prune_rule(Id rule, PruneReason reason, std::string_view detail, const std::vector<Id>& subsumed_by) {
    atomically([&] {
        d_conn
            ->prepare(
                "UPDATE rules SET decision = 'pruned', prune_reason = ?, prune_detail = ? WHERE id "
                "= ?")
            .bind_all(to_string(reason), detail, rule)
            .run();
        d_conn->prepare("DELETE FROM rule_subsumers WHERE rule_id = ?").bind_all(rule).run();
        auto st = d_conn->prepare("INSERT OR IGNORE INTO rule_subsumers(rule_id, by_rule) VALUES (?, ?)");
        for (Id by : subsumed_by) {
            st.bind_all(rule, by).run();
            st.reset();
        }
    });
}

namespace {

Id insert_proof(sql::Connection& conn, const char* target_column, Id target, const ProofRecord& p) {
    auto st = conn.prepare(std::string("INSERT INTO proofs(") + target_column +
                           ", backend, status, time_ms, axioms_json, condition, preconditions_json, counterexample, "
                           "reason, query, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " +
                           kNow + ")");
    st.bind_all(target, p.backend, to_string(p.status), p.time_ms, nlohmann::json(p.axioms).dump(), p.condition,
                preconditions_json(p.preconditions), p.counterexample, p.reason, p.query, p.run);
    st.run();
    return conn.last_insert_rowid();
}

// The verdict a proof gives its target: decisive answers settle an open status; an answer
// without a verdict only marks a never-tried target as unknown.
const char* verdict(ProofStatus s) {
    switch (s) {
        case ProofStatus::Proved: return "proved";
        case ProofStatus::Refuted: return "refuted";
        case ProofStatus::Unknown:
        case ProofStatus::Timeout:
        case ProofStatus::Error: return "unknown";
    }
    return "unknown";
}

}  // namespace

Id Database::record_candidate_proof(Id candidate, const ProofRecord& proof) {
    Id id = 0;
    atomically([&] {
        id = insert_proof(*d_conn, "candidate_id", candidate, proof);
        const char* v = verdict(proof.status);
        d_conn
            ->prepare(std::string("UPDATE candidates SET status = ?1 WHERE id = ?2 AND ") +
                      (std::string_view(v) == "unknown" ? "status = 'pending'" : "status IN ('pending', 'unknown')"))
            .bind_all(v, candidate)
            .run();
    });
    return id;
}

Id Database::record_rule_proof(Id rule, const ProofRecord& proof) {
    Id id = 0;
    atomically([&] {
        id = insert_proof(*d_conn, "rule_id", rule, proof);
        const char* v = verdict(proof.status);
        d_conn
            ->prepare(std::string("UPDATE rules SET status = ?1 WHERE id = ?2 AND ") +
                      (std::string_view(v) == "unknown" ? "status = 'unproved'" : "status IN ('unproved', 'unknown')"))
            .bind_all(v, rule)
            .run();
    });
    return id;
}

Id Database::record_validation(const ValidationRecord& v) {
    auto st = d_conn->prepare(std::string("INSERT INTO model_validations(rule_id, model, site, device, max_abs_error, "
                                          "max_rel_error, time_before_ms, time_after_ms, status, message, run_id, "
                                          "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ") +
                              kNow + ")");
    st.bind_all(v.rule, v.model, v.site, v.device, v.max_abs_error, v.max_rel_error, v.time_before_ms, v.time_after_ms,
                to_string(v.status), v.message, v.run);
    st.run();
    return d_conn->last_insert_rowid();
}

}  // namespace rf::ruledb
