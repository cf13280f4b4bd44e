// One CLI command: its name, a line of help, and the function that runs it. Commands live in
// cmd_<name>.cpp and register themselves in the table in cli.cpp.
#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/user_error.h"

namespace rf::cli {

/// Wrong options, a missing file: reported as `error: ...` with exit code kUsage.
class UsageError : public support::UserError {
public:
    using support::UserError::UserError;
};

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
};

int run_fmt(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_audit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_axioms(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_merge(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_list(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_show(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_discover(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_enumerate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_convert(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_export(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_import(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_compare(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_prove(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_apply(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_optimize(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_report(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace rf::cli
