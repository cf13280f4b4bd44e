// A prepared SQLite statement (internal to ruledb): bind parameters by position, step through
// rows, read columns. A handle borrowed from the connection's cache is reset and given back
// when it goes out of scope, so a half-read query never holds a read lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3_stmt;

namespace rf::ruledb::sql {

class Connection;

class Statement {
public:
    Statement(Connection& conn, sqlite3_stmt* stmt, bool owned);
    Statement(Statement&& o) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    ~Statement();

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, std::nullptr_t);
    template <class T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind(index, nullptr);
    }
    /// Binds the arguments to parameters 1, 2, ...
    template <class... Args>
    Statement& bind_all(const Args&... args) {
        int i = 0;
        (bind(++i, args), ...);
        return *this;
    }

    /// Advances to the next row; false when the statement is done.
    bool step();
    /// Steps to completion, discarding rows.
    void run();
    /// Rewinds so the statement can run again (bindings are kept).
    void reset();

    bool is_null(int col) const;
    int64_t i64(int col) const;
    double f64(int col) const;
    std::string text(int col) const;
    std::optional<int64_t> opt_i64(int col) const;
    std::optional<double> opt_f64(int col) const;
    std::optional<std::string> opt_text(int col) const;

private:
    Connection* d_conn;
    sqlite3_stmt* d_stmt;
    bool d_owned;
};

}  // namespace rf::ruledb::sql
