#include "ruledb/sql/connection.h"

#include <sqlite3.h>

#include <cstdio>

#include "ruledb/db_error.h"

namespace rf::ruledb::sql {

namespace {

// A file name as a SQLite URI ("file:" + path, with the characters a URI gives meaning escaped).
std::string uri_of(const std::string& path, bool immutable) {
    std::string uri = "file:";
    for (char c : path) {
        if (c == '%' || c == '?' || c == '#') {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
            uri += hex;
        } else {
            uri += c;
        }
    }
    return uri + (immutable ? "?mode=ro&immutable=1" : "?mode=ro");
}

}  // namespace

Connection::Connection(const std::string& path, bool create, bool read_only, int busy_timeout_ms, bool immutable)
    : d_path(path), d_busy_timeout_ms(busy_timeout_ms) {
    int flags =
        read_only ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    // Each connection is used by one thread at a time (the Writer owns its own), so SQLite's
    // per-connection mutex buys nothing.
    flags |= SQLITE_OPEN_NOMUTEX;
    const std::string name = read_only ? uri_of(path, immutable) : path;
    int rc = sqlite3_open_v2(name.c_str(), &d_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = d_db ? sqlite3_errmsg(d_db) : sqlite3_errstr(rc);
        sqlite3_close_v2(d_db);
        d_db = nullptr;
        throw DbError(DbError::Kind::Io, "cannot open database '" + path + "': " + msg);
    }
    sqlite3_extended_result_codes(d_db, 1);
    sqlite3_busy_timeout(d_db, busy_timeout_ms);
}

Connection::~Connection() {
    for (auto& [sql, c] : d_cache) sqlite3_finalize(c.stmt);
    sqlite3_close_v2(d_db);
}

void Connection::fail(int rc, std::string_view context) const {
    std::string where = "database '" + d_path + "'";
    std::string detail = d_db ? sqlite3_errmsg(d_db) : sqlite3_errstr(rc);
    std::string ctx = context.empty() ? "" : " (" + std::string(context) + ")";
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            throw DbError(DbError::Kind::Locked, where + " is locked by another process; gave up after " +
                                                     std::to_string(d_busy_timeout_ms) + " ms" + ctx);
        case SQLITE_NOTADB:
            throw DbError(DbError::Kind::NotSqlite,
                          "'" + d_path + "' is not a SQLite database, so not a ruleforge database");
        case SQLITE_FULL:
            throw DbError(DbError::Kind::Io,
                          "disk full while writing " + where + ctx + "; nothing committed before was lost");
        case SQLITE_READONLY: throw DbError(DbError::Kind::Io, where + " is read-only: " + detail + ctx);
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_PERM: throw DbError(DbError::Kind::Io, "I/O error on " + where + ": " + detail + ctx);
        case SQLITE_CORRUPT: throw DbError(DbError::Kind::Io, where + " is corrupt: " + detail + ctx);
        case SQLITE_CONSTRAINT:
            throw DbError(DbError::Kind::Constraint, "constraint violated in " + where + ": " + detail + ctx);
        default: throw DbError(DbError::Kind::Other, "SQLite error on " + where + ": " + detail + ctx);
    }
}

void Connection::check(int rc, std::string_view context) const {
    if (rc != SQLITE_OK) fail(rc, context);
}

void Connection::exec(std::string_view sql) {
    const char* tail = sql.data();
    const char* end = sql.data() + sql.size();
    while (tail < end) {
        sqlite3_stmt* stmt = nullptr;
        const char* next = nullptr;
        int rc = sqlite3_prepare_v2(d_db, tail, static_cast<int>(end - tail), &stmt, &next);
        if (rc != SQLITE_OK) fail(rc, std::string(tail, std::min<size_t>(end - tail, 80)));
        if (!stmt) break;  // only whitespace or comments left
        Statement s(*this, stmt, true);
        s.run();
        tail = next;
    }
}

Statement Connection::prepare(std::string_view sql) {
    std::string key(sql);
    auto it = d_cache.find(key);
    if (it != d_cache.end() && !it->second.in_use) {
        it->second.in_use = true;
        return Statement(*this, it->second.stmt, false);
    }
    sqlite3_stmt* stmt = nullptr;
    int rc =
        sqlite3_prepare_v3(d_db, key.data(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc, "preparing: " + key.substr(0, 80));
    if (it != d_cache.end()) return Statement(*this, stmt, true);  // the cached one is busy (nested use)
    d_cache.emplace(std::move(key), Cached{stmt, true});
    return Statement(*this, stmt, false);
}

void Connection::release(sqlite3_stmt* stmt) {
    for (auto& [sql, c] : d_cache)
        if (c.stmt == stmt) {
            c.in_use = false;
            return;
        }
}

int64_t Connection::query_int(std::string_view sql) {
    Statement s = prepare(sql);
    return s.step() ? s.i64(0) : 0;
}

int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(d_db); }
int Connection::changes() const { return sqlite3_changes(d_db); }

}  // namespace rf::ruledb::sql
