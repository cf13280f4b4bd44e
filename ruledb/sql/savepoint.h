// A scoped savepoint (internal to ruledb), nested inside a Transaction: a batch of logical
// records can drop one failed record and still commit the others whole. It rolls back to its
// start when left without release().
#pragma once

#include <string>

namespace rf::ruledb::sql {

class Connection;

class Savepoint {
public:
    Savepoint(Connection& conn, std::string name);
    ~Savepoint();
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    void release();

private:
    Connection& d_conn;
    std::string d_name;
    bool d_open = true;
};

}  // namespace rf::ruledb::sql
