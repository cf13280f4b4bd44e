#include "ruledb/sql/transaction.h"

#include "ruledb/sql/connection.h"

namespace rf::ruledb::sql {

Transaction::Transaction(Connection& conn) : d_conn(conn) { d_conn.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (!d_open) return;
    try {
        d_conn.exec("ROLLBACK");
    } catch (...) {
        // SQLite may already have rolled back (disk full, I/O error): nothing is left to undo.
    }
}

void Transaction::commit() {
    d_conn.exec("COMMIT");
    d_open = false;
}

}  // namespace rf::ruledb::sql
