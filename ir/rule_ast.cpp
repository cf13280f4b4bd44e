#include "ir/rule_ast.h"

namespace rf {

std::string SourceLoc::to_string() const {
    std::string s = file.empty() ? "" : file + ":";
    return s + std::to_string(line) + ":" + std::to_string(column);
}

ParseError::ParseError(const SourceLoc& loc, const std::string& message)
    : std::runtime_error(loc.to_string() + ": " + message), d_loc(loc), d_message(message) {}

}  // namespace rf
