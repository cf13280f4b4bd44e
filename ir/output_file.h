// Writing a file the user named (--out, --smt2, a query folder): the one place that decides
// whether an existing file may be replaced. A ruleforge database and a file the same command reads
// are never written over (a typo in --out must not cost a database or the input being converted);
// any other regular file is replaced atomically (a temporary file beside it, then rename), so a
// failed or killed write leaves the old file whole. Devices such as /dev/null are written in place.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/user_error.h"

namespace rf {

/// An output path that must not or cannot be written; what() names the path and the reason.
class OutputFileError : public support::UserError {
public:
    using support::UserError::UserError;
};

/// ruledb's SQLite application_id ("RFdB"); ruledb/schema.cpp asserts that the two agree.
inline constexpr uint32_t kRuleforgeApplicationId = 0x52466442;

/// True when `path` is a file that starts with the SQLite header and carries ruleforge's
/// application id (read from the header bytes, without SQLite).
bool is_ruleforge_database(const std::string& path);

/// Throws OutputFileError when `path` is an existing ruleforge database, a directory, or the same
/// file (device and inode, so links and other spellings count) as one of `inputs`.
void check_output_path(const std::string& path, const std::vector<std::string>& inputs = {});

/// check_output_path(), then writes `data` to a temporary file in `path`'s folder, flushes it and
/// renames it over `path` (keeping an existing file's permissions); a path that exists and is not
/// a regular file (/dev/null, a pipe) is written in place. Throws OutputFileError.
void write_file_atomically(const std::string& path, std::string_view data, const std::vector<std::string>& inputs = {});

}  // namespace rf
