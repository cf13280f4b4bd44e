#include "exporters/rule_formats.h"

#include <algorithm>
#include <stdexcept>

#include "exporters/dot_rules.h"
#include "exporters/flexflow_json.h"
#include "exporters/taso_protobuf.h"
#include "ir/native_text.h"
#include "ir/rule_file.h"
#include "ir/tensat_text.h"

namespace rf::exporters {

namespace {

ImportResult read_text(const std::string& text, const std::string& file, RuleFormat format, bool multi) {
    std::vector<RuleAst> asts;
    try {
        asts = parse_rules(text, file, format, multi);
    } catch (const ParseError& e) {
        throw ImportError(e.what());
    }
    ImportResult result;
    result.total = asts.size();
    for (size_t i = 0; i < asts.size(); ++i) {
        try {
            result.rules.push_back(build_rule(asts[i]));
            result.indices.push_back(i);
        } catch (const ParseError& e) {
            result.malformed.push_back(Issue{i, asts[i].name, e.what()});
        }
    }
    return result;
}

ExportResult write_native(const std::vector<Rule>& rules) {
    ExportResult result;
    for (const Rule& r : rules) result.data += print_native(r) + "\n";
    result.written = rules.size();
    return result;
}

// TENSAT's files end without a newline after the last rule; so do ours, byte for byte.
ExportResult write_tensat(const std::vector<Rule>& rules, bool multi) {
    ExportResult result;
    const size_t want = multi ? 2 : 1;
    for (size_t i = 0; i < rules.size(); ++i) {
        const Rule& r = rules[i];
        if (r.num_outputs() != want) {
            result.left_out.push_back(
                Issue{i, r.name,
                      multi ? "has " + std::to_string(r.num_outputs()) +
                                  " output(s): a TENSAT multi-output file holds two-output rules only"
                            : "has " + std::to_string(r.num_outputs()) +
                                  " outputs: TENSAT keeps two-output rules in a file of their own "
                                  "(write it with --multi)"});
            continue;
        }
        try {
            std::string text = print_tensat(r);
            result.data += (result.written ? "\n" : "") + text;
            ++result.written;
        } catch (const std::invalid_argument& e) {
            std::string why = e.what();
            const std::string prefix = "print_tensat: ";
            if (why.rfind(prefix, 0) == 0) why = why.substr(prefix.size());
            result.left_out.push_back(Issue{i, r.name, why});
        }
    }
    return result;
}

// What a rule was proved under that `format` cannot say: "" when nothing.
std::string unstated_preconditions(const Rule& r) {
    std::string s;
    for (Precondition p : r.preconditions) s += (s.empty() ? "" : "; ") + std::string(precondition_meaning(p));
    return s;
}

bool states_preconditions(ExchangeFormat f) {
    return f == ExchangeFormat::Native || f == ExchangeFormat::Json || f == ExchangeFormat::Dot;
}

ExportResult write_format(const std::vector<Rule>& rules, ExchangeFormat format, const WriteOptions& options) {
    switch (format) {
        case ExchangeFormat::Native: return write_native(rules);
        case ExchangeFormat::Tensat: return write_tensat(rules, options.multi);
        case ExchangeFormat::Taso: return write_taso_rules(rules);
        case ExchangeFormat::Flexflow: return write_flexflow_rules(rules);
        case ExchangeFormat::Json: return write_json_rules(rules, options.meta);
        case ExchangeFormat::Dot: return write_dot_rules(rules);
    }
    return {};
}

}  // namespace

std::optional<ExchangeFormat> exchange_format_from_name(std::string_view name) {
    for (ExchangeFormat f : {ExchangeFormat::Native, ExchangeFormat::Tensat, ExchangeFormat::Taso,
                             ExchangeFormat::Flexflow, ExchangeFormat::Json, ExchangeFormat::Dot})
        if (name == exchange_format_name(f)) return f;
    return std::nullopt;
}

const char* exchange_format_name(ExchangeFormat f) {
    switch (f) {
        case ExchangeFormat::Native: return "native";
        case ExchangeFormat::Tensat: return "tensat";
        case ExchangeFormat::Taso: return "taso";
        case ExchangeFormat::Flexflow: return "flexflow";
        case ExchangeFormat::Json: return "json";
        case ExchangeFormat::Dot: return "dot";
    }
    return "?";
}

bool can_read(ExchangeFormat f) {
    switch (f) {
        case ExchangeFormat::Native:
        case ExchangeFormat::Tensat:
        case ExchangeFormat::Taso:
        case ExchangeFormat::Flexflow: return true;
        case ExchangeFormat::Json:
        case ExchangeFormat::Dot: return false;
    }
    return false;
}

ImportResult read_rule_bytes(const std::string& bytes, const std::string& file, ExchangeFormat format,
                             const ReadOptions& options) {
    if (options.multi && format != ExchangeFormat::Tensat)
        throw std::invalid_argument("--multi applies to TENSAT text only");
    if (options.taso_generator_shapes && format != ExchangeFormat::Taso)
        throw std::invalid_argument("TASO generator shapes apply to TASO files only");
    switch (format) {
        case ExchangeFormat::Native: return read_text(bytes, file, RuleFormat::Native, false);
        case ExchangeFormat::Tensat: return read_text(bytes, file, RuleFormat::Tensat, options.multi);
        case ExchangeFormat::Taso: return read_taso_rules(bytes, file, TasoReadOptions{options.taso_generator_shapes});
        case ExchangeFormat::Flexflow: return read_flexflow_rules(bytes, file);
        case ExchangeFormat::Json:
        case ExchangeFormat::Dot: break;
    }
    throw std::invalid_argument(std::string("rules cannot be read from ") + exchange_format_name(format) +
                                " (it is an export-only format)");
}

ImportResult read_rule_file(const std::string& path, ExchangeFormat format, const ReadOptions& options) {
    std::string bytes;
    try {
        bytes = read_text_file(path);
    } catch (const std::runtime_error& e) {
        throw ImportError(e.what());
    }
    return read_rule_bytes(bytes, path == "-" ? "<stdin>" : path, format, options);
}

ExportResult write_rules(const std::vector<Rule>& rules, ExchangeFormat format, const WriteOptions& options) {
    if (options.multi && format != ExchangeFormat::Tensat)
        throw std::invalid_argument("--multi applies to TENSAT text only");
    if (states_preconditions(format)) return write_format(rules, format, options);
    // A rule leaves with its conditions or not at all: the ones proved under an added assumption
    // are held back (or, on request, written with a warning), the rest go to the writer, and
    // the writer's issues are numbered by position in `rules` again.
    std::vector<Rule> kept;
    std::vector<size_t> position;
    std::vector<Issue> held, warned;
    const std::string name = exchange_format_name(format);
    for (size_t i = 0; i < rules.size(); ++i) {
        const std::string unstated = unstated_preconditions(rules[i]);
        if (!unstated.empty() && !options.include_conditional) {
            held.push_back(Issue{i, rules[i].name,
                                 "proved only under an added assumption (" + unstated + "), which " + name +
                                     " cannot state (--include-conditional writes it anyway)"});
            continue;
        }
        if (!unstated.empty())
            warned.push_back(Issue{i, rules[i].name, "written without its proof assumption (" + unstated + ")"});
        kept.push_back(rules[i]);
        position.push_back(i);
    }
    ExportResult result = write_format(kept, format, options);
    for (Issue& issue : result.left_out) issue.index = position.at(issue.index);
    std::vector<bool> written(rules.size(), false);
    for (size_t k = 0; k < kept.size(); ++k) written[position[k]] = true;
    for (const Issue& issue : result.left_out) written[issue.index] = false;
    for (const Issue& w : warned)
        if (written[w.index]) result.warnings.push_back(w);
    result.left_out.insert(result.left_out.end(), held.begin(), held.end());
    std::stable_sort(result.left_out.begin(), result.left_out.end(),
                     [](const Issue& a, const Issue& b) { return a.index < b.index; });
    return result;
}

}  // namespace rf::exporters
