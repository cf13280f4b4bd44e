#include "exporters/format_detect.h"

#include <algorithm>
#include <stdexcept>

#include "support/user_error.h"

namespace rf::exporters {

namespace {

// Protobuf's tags and varints put control bytes (0x00-0x08, 0x0e-0x1f) in any real rule file;
// text formats never hold them. The first few KiB decide.
bool looks_binary(std::string_view bytes) {
    const size_t n = std::min<size_t>(bytes.size(), 4096);
    for (size_t i = 0; i < n; ++i) {
        const unsigned char c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f) return true;
    }
    return false;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

// The first line that is neither blank nor a comment ('#', ';' or "//"), trimmed on the left.
std::string_view first_rule_line(std::string_view text) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        size_t b = 0;
        while (b < line.size() && is_space(line[b])) ++b;
        line.remove_prefix(b);
        pos = end + 1;
        if (line.empty() || line[0] == '#' || line[0] == ';' || line.substr(0, 2) == "//") continue;
        return line;
    }
    return {};
}

const char* described(ExchangeFormat f) {
    switch (f) {
        case ExchangeFormat::Native: return "native rule text";
        case ExchangeFormat::Tensat: return "TENSAT text";
        case ExchangeFormat::Taso: return "a TASO rule file (protobuf)";
        case ExchangeFormat::Flexflow: return "FlexFlow JSON";
        case ExchangeFormat::Json: return "ruleforge JSON";
        case ExchangeFormat::Dot: return "Graphviz DOT";
    }
    return "?";
}

}  // namespace

std::optional<ExchangeFormat> detect_format(std::string_view bytes) {
    if (bytes.empty()) return std::nullopt;
    if (looks_binary(bytes)) return ExchangeFormat::Taso;
    std::string_view line = first_rule_line(bytes);
    if (line.empty()) return std::nullopt;
    if (line[0] == '{' || line[0] == '[') {
        // FlexFlow's serializer tags every object with "_t" ("RuleCollection", "Rule", ...).
        return bytes.find("\"_t\"") != std::string_view::npos ? ExchangeFormat::Flexflow : ExchangeFormat::Json;
    }
    if (line[0] == '(' || line[0] == '?') return ExchangeFormat::Tensat;
    if (line.substr(0, 7) == "digraph" || line.substr(0, 6) == "strict") return ExchangeFormat::Dot;
    return ExchangeFormat::Native;
}

ExchangeFormat resolve_read_format(std::string_view bytes, const std::string& file, const std::string& given) {
    if (!given.empty()) {
        std::optional<ExchangeFormat> asked = exchange_format_from_name(given);
        if (!asked) throw support::UserError("unknown format '" + given + "'");
        return *asked;
    }
    std::optional<ExchangeFormat> seen = detect_format(bytes);
    if (!seen)
        throw support::UserError(file + ": cannot tell the rule format from the content (no rule line); give --format");
    if (!can_read(*seen))
        throw support::UserError(file + ": looks like " + described(*seen) +
                                 ", which ruleforge writes but does not read");
    return *seen;
}

std::string format_mismatch_hint(std::string_view bytes, ExchangeFormat asked) {
    std::optional<ExchangeFormat> seen = detect_format(bytes);
    if (!seen || *seen == asked) return "";
    return std::string("the file is not ") + described(asked) + ": it looks like " + described(*seen) + " (format '" +
           exchange_format_name(*seen) + "'; leave --format out to read it as that)";
}

}  // namespace rf::exporters
