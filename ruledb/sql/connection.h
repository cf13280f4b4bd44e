// One SQLite connection (internal to ruledb): opens the file, maps every SQLite failure to a
// DbError that names the file, and caches prepared statements by their SQL so that the hot
// insert paths prepare each statement once. The sqlite3 types are only forward-declared here,
// so nothing outside ruledb/ ever sees sqlite3.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ruledb/sql/statement.h"

struct sqlite3;
struct sqlite3_stmt;

namespace rf::ruledb::sql {

class Connection {
public:
    /// Opens `path` read-write (creating it when `create`) or read-only; `immutable` (read-only
    /// only) tells SQLite the file cannot change, so it takes no locks and creates no -wal/-shm
    /// files. Throws DbError.
    Connection(const std::string& path, bool create, bool read_only, int busy_timeout_ms, bool immutable = false);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Runs every statement of `sql` (DDL, pragmas: no parameters, rows discarded).
    void exec(std::string_view sql);
    /// A prepared statement for `sql`, from the cache when it is not already in use.
    Statement prepare(std::string_view sql);
    /// The first column of the first row of a parameterless query (0 when there is no row).
    int64_t query_int(std::string_view sql);

    int64_t last_insert_rowid() const;
    /// Rows changed by the last INSERT/UPDATE/DELETE.
    int changes() const;
    const std::string& path() const { return d_path; }
    int busy_timeout_ms() const { return d_busy_timeout_ms; }

    /// Throws the DbError for SQLite result code `rc`, with `context` saying what was being done.
    [[noreturn]] void fail(int rc, std::string_view context) const;
    /// fail() unless rc is SQLITE_OK.
    void check(int rc, std::string_view context) const;

private:
    friend class Statement;
    void release(sqlite3_stmt* stmt);

    sqlite3* d_db = nullptr;
    std::string d_path;
    int d_busy_timeout_ms;
    struct Cached {
        sqlite3_stmt* stmt;
        bool in_use;
    };
    std::unordered_map<std::string, Cached> d_cache;
};

}  // namespace rf::ruledb::sql
