// Which rule format a file's bytes are, so commands need no --format for a file whose content
// says it, and a wrong explicit --format is refused with the format the file looks like instead
// of a parse error deep inside the wrong reader.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "exporters/rule_formats.h"

namespace rf::exporters {

/// The format the bytes look like: TASO protobuf (binary), FlexFlow JSON (a JSON document with
/// FlexFlow's "_t" tags), ruleforge JSON (any other JSON document), TENSAT text (the first rule
/// line opens with '(' or '?'), native text (any other text). Nullopt for a file with no rule
/// line (empty, or only comments).
std::optional<ExchangeFormat> detect_format(std::string_view bytes);

/// The format to read `bytes` (from `file`) as: `given` (a format name, "" when not given), else
/// the detected one. Throws support::UserError for an unknown `given`, or when nothing was
/// given and the content says nothing, or says a write-only format ("give --format").
ExchangeFormat resolve_read_format(std::string_view bytes, const std::string& file, const std::string& given);

/// When reading as `asked` failed: "" if the content looks like `asked` (or like nothing), else
/// a sentence naming the format the file looks like, to append to the reader's error.
std::string format_mismatch_hint(std::string_view bytes, ExchangeFormat asked);

}  // namespace rf::exporters
