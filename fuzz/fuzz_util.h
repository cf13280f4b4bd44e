// What every rule-file fuzz target checks: reading arbitrary bytes as one exchange format either
// gives rules or fails with the format's user error (ImportError), never a crash, a sanitizer
// report or another exception; and whatever was read writes out and reads back whole.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "exporters/rule_formats.h"
#include "ir/native_text.h"
#include "ir/rule_ast.h"

namespace rf::fuzz {

/// Reads `bytes` as `format`; on success writes the rules back in the same format and reads
/// them again: every written rule must come back well-formed, with the same native text when
/// `same_text` (the formats that carry names, roles and shapes). Returns the broken invariant,
/// or nullopt. Another exception, a crash or a sanitizer report is a finding too.
inline std::optional<std::string> read_write_read(const uint8_t* data, size_t size, exporters::ExchangeFormat format,
                                                  exporters::ReadOptions options = {}, bool same_text = false) {
    using namespace rf::exporters;
    std::string bytes(reinterpret_cast<const char*>(data), size);
    ImportResult first;
    try {
        first = read_rule_bytes(bytes, "fuzz-input", format, options);
    } catch (const ImportError&) {
        return std::nullopt;  // the file as a whole is not this format: the expected user error
    }
    if (first.rules.size() + first.unsupported.size() + first.malformed.size() != first.total)
        return "rules + unsupported + malformed != total";
    WriteOptions wo;
    wo.multi = options.multi;
    ExportResult out = write_rules(first.rules, format, wo);
    ImportResult again;
    try {
        again = read_rule_bytes(out.data, "fuzz-output", format, options);
    } catch (const ImportError& e) {
        return std::string("our own output does not read back: ") + e.what();
    }
    if (!again.malformed.empty()) return "our own output reads back malformed: " + again.malformed[0].message;
    if (again.rules.size() != out.written)
        return "wrote " + std::to_string(out.written) + " rules, read back " + std::to_string(again.rules.size());
    if (!same_text) return std::nullopt;
    if (out.written != first.rules.size()) return "rules left out of a format that states everything";
    for (size_t i = 0; i < first.rules.size(); ++i) {
        std::string a = print_native(first.rules[i]), b = print_native(again.rules[i]);
        if (a != b) return "round trip changed a rule:\n  " + a + "\n  " + b;
    }
    return std::nullopt;
}

/// The input past its first two bytes, wrapped in N operators (N from those two bytes, up to
/// 3x ir's nesting limit): inputs this deep are rare in a mutated corpus, and every recursive
/// stage (parser, typing, printer, canonical form) must meet them with the nesting error or a
/// rule, never a stack overflow. `open` and `close` spell one level, e.g. "relu(" and ")".
inline std::string nested(const uint8_t* data, size_t size, std::string_view open, std::string_view close) {
    if (size < 2) return {};
    const size_t depth = (static_cast<size_t>(data[0]) << 8 | data[1]) % (3 * kMaxNesting + 1);
    std::string s;
    s.reserve(depth * (open.size() + close.size()) + size);
    for (size_t i = 0; i < depth; ++i) s += open;
    s.append(reinterpret_cast<const char*>(data) + 2, size - 2);
    for (size_t i = 0; i < depth; ++i) s += close;
    return s;
}

/// For the libFuzzer targets: stops the run on a broken invariant, so libFuzzer saves the input.
inline void check(const std::optional<std::string>& broken) {
    if (!broken) return;
    std::fprintf(stderr, "fuzz invariant broken: %s\n", broken->c_str());
    std::abort();
}

}  // namespace rf::fuzz
