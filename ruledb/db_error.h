// The one exception ruledb throws: a database that cannot be used as asked (not SQLite, another
// program's file, a newer schema, locked by another process, disk full, ...). It is a user-facing
// error that aborts the operation: what() names the file and says what went wrong, and nothing
// already committed is lost. Expected outcomes (a rule already present, no rule matching a
// prefix) are return values, never DbErrors.
#pragma once

#include <stdexcept>
#include <string>

#include "support/user_error.h"

namespace rf::ruledb {

class DbError : public support::UserError {
public:
    enum class Kind {
        NotSqlite,   ///< the file is not a SQLite database
        ForeignDb,   ///< a SQLite database of another program
        TooNew,      ///< written by a newer ruleforge (schema version above ours)
        Missing,     ///< no such file and creation was not asked for
        Locked,      ///< another process holds the lock past the busy timeout
        Io,          ///< disk full, read-only file, I/O error
        Constraint,  ///< a record violates the schema (a bug in the caller)
        Other,
    };
    DbError(Kind kind, const std::string& message) : support::UserError(message), d_kind(kind) {}
    Kind kind() const { return d_kind; }

private:
    Kind d_kind;
};

}  // namespace rf::ruledb
