#include "ir/rule_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "ir/native_text.h"
#include "ir/tensat_text.h"
#include "support/user_error.h"

namespace rf {

std::optional<RuleFormat> rule_format_from_name(std::string_view name) {
    if (name == "native") return RuleFormat::Native;
    if (name == "tensat") return RuleFormat::Tensat;
    return std::nullopt;
}

std::vector<RuleAst> parse_rules(std::string_view text, const std::string& file, RuleFormat format, bool multi) {
    switch (format) {
        case RuleFormat::Native:
            if (multi) throw std::invalid_argument("--multi applies to TENSAT text only");
            return parse_native_rules(text, file);
        case RuleFormat::Tensat: return parse_tensat_rules(text, file, multi);
    }
    return {};
}

std::vector<ParsedRule> parse_rules_each(std::string_view text, const std::string& file, RuleFormat format,
                                         bool multi) {
    switch (format) {
        case RuleFormat::Native:
            if (multi) throw std::invalid_argument("--multi applies to TENSAT text only");
            return parse_native_rules_each(text, file);
        case RuleFormat::Tensat: return parse_tensat_rules_each(text, file, multi);
    }
    return {};
}

std::string read_text_file(const std::string& path) {
    std::ostringstream ss;
    if (path == "-") {
        ss << std::cin.rdbuf();
        return ss.str();
    }
    // A directory opens as a stream on Linux and reads as nothing: name it instead of
    // handing back an empty rule set.
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw support::UserError("cannot read '" + path + "': it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw support::UserError("cannot read '" + path + "': " + std::strerror(errno));
    ss << in.rdbuf();
    if (in.bad()) throw support::UserError("error while reading '" + path + "'");
    return ss.str();
}

}  // namespace rf
