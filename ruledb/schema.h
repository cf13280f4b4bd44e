// The database schema, its version history and the forward migrations between versions
// (internal to ruledb; the tables are documented in docs/ruledb-schema.md).
//
// A ruleforge database is recognised by PRAGMA application_id and a `magic` row in `meta`;
// PRAGMA user_version is its schema version. A new database is created at version 1 and then
// migrated step by step, so the migration path is exercised on every creation, not only when an
// old file turns up. Each step runs in its own transaction, re-reading the version under the
// write lock, so two processes opening one old file migrate it once.
#pragma once

#include <cstdint>

#include "ruledb/sql/connection.h"

namespace rf::ruledb::schema {

inline constexpr int kCurrentVersion = 3;
inline constexpr int32_t kApplicationId = 0x52466442;  // "RFdB"
inline constexpr const char* kMagic = "ruleforge-ruledb";

/// Checks that the open database is a ruleforge database (or empty), creates it when empty
/// and migrates it to `target`. Throws DbError (ForeignDb, TooNew, Locked, ...).
void prepare(sql::Connection& conn, int target = kCurrentVersion);
/// For a read-only open: throws DbError unless the file is a ruleforge database at the current
/// schema version (an older one needs one command that writes to upgrade it; nothing is changed).
void check_readable(sql::Connection& conn);

/// The secondary indexes of the tables a bulk load fills (graphs, class_members, candidates):
/// written at every insert, read by no insert (the load deduplicates by the unique keys, which
/// stay). drop_load_indexes() removes them for a load; restore_load_indexes() builds the missing
/// ones again in one pass each, with the definitions of the schema (a no-op when all exist).
void drop_load_indexes(sql::Connection& conn);
void restore_load_indexes(sql::Connection& conn);

}  // namespace rf::ruledb::schema
