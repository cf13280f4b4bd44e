#include "ruledb/sql/savepoint.h"

#include "ruledb/sql/connection.h"

namespace rf::ruledb::sql {

Savepoint::Savepoint(Connection& conn, std::string name) : d_conn(conn), d_name(std::move(name)) {
    d_conn.exec("SAVEPOINT " + d_name);
}

Savepoint::~Savepoint() {
    if (!d_open) return;
    try {
        d_conn.exec("ROLLBACK TO " + d_name);
        d_conn.exec("RELEASE " + d_name);
    } catch (...) {
        // The enclosing transaction is gone already; its rollback covers this savepoint.
    }
}

void Savepoint::release() {
    d_conn.exec("RELEASE " + d_name);
    d_open = false;
}

}  // namespace rf::ruledb::sql
