// One entry point for reading and writing rule sets in every format ruleforge exchanges, so the
// CLI's convert, import and export commands treat formats alike and report what they left out
// the same way. Reading: native and TENSAT text (through ir/), TASO protobuf, FlexFlow JSON.
// Writing: those four plus ruleforge JSON and Graphviz DOT.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporters/json_rules.h"
#include "exporters/report.h"
#include "ir/rule.h"

namespace rf::exporters {

enum class ExchangeFormat { Native, Tensat, Taso, Flexflow, Json, Dot };

std::optional<ExchangeFormat> exchange_format_from_name(std::string_view name);
const char* exchange_format_name(ExchangeFormat f);
/// Whether rules can be read from the format (ruleforge JSON and DOT are write-only).
bool can_read(ExchangeFormat f);

struct ReadOptions {
    bool multi = false;                  ///< TENSAT: two consecutive lines form one two-output rule
    bool taso_generator_shapes = false;  ///< TASO: see TasoReadOptions::generator_shapes
};

struct WriteOptions {
    /// TENSAT: write the two-output rules, two lines each (TENSAT keeps them in a file of their
    /// own); otherwise the single-output rules. The other kind is left out, with the reason.
    bool multi = false;
    const std::vector<RuleRecordMeta>* meta = nullptr;  ///< JSON: one entry per rule, or null
    /// TASO, TENSAT, FlexFlow: these formats cannot state a precondition (Rule::preconditions),
    /// and their consumers' shape checking only enforces typing conditions, so a rule proved
    /// under an added assumption is left out (counted per reason) unless this is set; then it
    /// is written, with a warning.
    bool include_conditional = false;
};

/// Rules from a file's bytes; `file` names it in messages. Throws ImportError when the file as
/// a whole cannot be read (not the format, a syntax error in text), std::invalid_argument for a
/// write-only format or an option the format does not take.
ImportResult read_rule_bytes(const std::string& bytes, const std::string& file, ExchangeFormat format,
                             const ReadOptions& options = {});
/// The same from a path ("-" reads standard input); an unreadable file is an ImportError.
ImportResult read_rule_file(const std::string& path, ExchangeFormat format, const ReadOptions& options = {});

/// The file's bytes, and the rules left out with why. Native, JSON and DOT state each rule's
/// conditions; see WriteOptions::include_conditional for the others.
ExportResult write_rules(const std::vector<Rule>& rules, ExchangeFormat format, const WriteOptions& options = {});

}  // namespace rf::exporters
