#include "ruledb/sql/statement.h"

#include <sqlite3.h>

#include "ruledb/sql/connection.h"

namespace rf::ruledb::sql {

Statement::Statement(Connection& conn, sqlite3_stmt* stmt, bool owned) : d_conn(&conn), d_stmt(stmt), d_owned(owned) {}

Statement::Statement(Statement&& o) noexcept : d_conn(o.d_conn), d_stmt(o.d_stmt), d_owned(o.d_owned) {
    o.d_stmt = nullptr;
}

Statement::~Statement() {
    if (!d_stmt) return;
    if (d_owned) {
        sqlite3_finalize(d_stmt);
        return;
    }
    sqlite3_reset(d_stmt);
    sqlite3_clear_bindings(d_stmt);
    d_conn->release(d_stmt);
}

Statement& Statement::bind(int index, int64_t value) {
    d_conn->check(sqlite3_bind_int64(d_stmt, index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    d_conn->check(sqlite3_bind_double(d_stmt, index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    d_conn->check(sqlite3_bind_text64(d_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
                  "bind");
    return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
    d_conn->check(sqlite3_bind_null(d_stmt, index), "bind");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(d_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // Leave the statement reusable: a failed step must be reset before the next run.
    sqlite3_reset(d_stmt);
    d_conn->fail(rc, std::string_view(sqlite3_sql(d_stmt)).substr(0, 80));
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() { sqlite3_reset(d_stmt); }

bool Statement::is_null(int col) const { return sqlite3_column_type(d_stmt, col) == SQLITE_NULL; }
int64_t Statement::i64(int col) const { return sqlite3_column_int64(d_stmt, col); }
double Statement::f64(int col) const { return sqlite3_column_double(d_stmt, col); }

std::string Statement::text(int col) const {
    const unsigned char* p = sqlite3_column_text(d_stmt, col);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(d_stmt, col)));
}

std::optional<int64_t> Statement::opt_i64(int col) const {
    if (is_null(col)) return std::nullopt;
    return i64(col);
}

std::optional<double> Statement::opt_f64(int col) const {
    if (is_null(col)) return std::nullopt;
    return f64(col);
}

std::optional<std::string> Statement::opt_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
}

}  // namespace rf::ruledb::sql
