// A scoped transaction (internal to ruledb): BEGIN IMMEDIATE ... COMMIT. It takes the write lock
// up front, so a second writer waits (busy timeout) at BEGIN instead of failing half-way through
// a logical record. It rolls back when left without commit().
#pragma once

#include <string>

namespace rf::ruledb::sql {

class Connection;

class Transaction {
public:
    explicit Transaction(Connection& conn);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Connection& d_conn;
    bool d_open = true;
};

}  // namespace rf::ruledb::sql
