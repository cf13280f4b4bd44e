// `ruleforge compare --db F --reference FILE [--format taso|tensat|native|flexflow] [--multi] [--json]`:
// how a database covers a reference rule set (TASO's, TENSAT's, a native file), one line per
// reference rule (found / derivable / missing with the reason) and a summary. The comparison is
// a report: it exits 0 whatever it finds; only a missing database or unreadable file is an error.
// The logic is pipeline::compare; this file parses options and prints.
#include <iostream>
#include <optional>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "exporters/format_detect.h"
#include "exporters/rule_formats.h"
#include "ir/rule_file.h"
#include "pipeline/compare.h"
#include "ruledb/database.h"

namespace rf::cli {

namespace {

void print_line(std::ostream& out, const pipeline::RuleComparison& c) {
    out << c.index << " " << pipeline::to_string(c.outcome);
    switch (c.outcome) {
        case pipeline::CompareOutcome::Found:
            out << " rule " << *c.rule << " " << c.rule_name << " (" << c.status << ", " << c.decision << ")";
            break;
        case pipeline::CompareOutcome::Derivable: {
            out << " by rules";
            for (size_t k = 0; k < c.derived_by.size(); ++k)
                out << (k ? ", " : " ") << c.derived_by[k] << " " << c.derived_by_names.at(k);
            out << " in " << c.steps << " step" << (c.steps == 1 ? "" : "s");
            break;
        }
        case pipeline::CompareOutcome::Missing:
            out << ": " << c.reason;
            if (!c.detail.empty()) out << " (" << c.detail << ")";
            break;
    }
    if (!c.instance.empty() && c.instance != "as read") out << " at " << c.instance;
    if (!c.name.empty()) out << "  [" << c.name << "]";
    out << "\n";
}

}  // namespace

int run_compare(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
    po::options_description opts(
        "ruleforge compare --db FILE --reference RULES [options]\n\n"
        "For each rule of RULES: found (the database stores it, up to renaming and swapped "
        "sides),\n"
        "derivable (the kept proved rules rewrite its left side to its right side), or missing "
        "with\n"
        "the reason (operator not enumerated, beyond the size bound, not proved, not found).\n"
        "Symbolic reference shapes are tried at TASO's generator shapes. Exits 0 whatever it "
        "finds.\n\noptions");
    std::string db_path, reference, format;
    opts.add_options()("help,h", "show this help")("db", po::value(&db_path)->required(), "database file (must exist)")(
        "reference", po::value(&reference)->required(), "reference rule file ('-' for standard input)")(
        "format", po::value(&format),
        "format of the reference: taso | tensat | native | flexflow (default: from the content)")(
        "multi", po::bool_switch(), "tensat: two consecutive lines form one two-output rule")(
        "max-steps", po::value<int>()->default_value(5), "derivation: rewrite steps in all (both sides together)")(
        "max-states", po::value<size_t>()->default_value(20000), "derivation: distinct graphs visited per instance")(
        "json", po::bool_switch(), "print {\"rules\": [...], \"summary\": {...}}");
    auto vm = parse_options("compare", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    pipeline::CompareOptions options;
    options.budget.max_steps = vm["max-steps"].as<int>();
    options.budget.max_states = vm["max-states"].as<size_t>();
    if (options.budget.max_steps < 0) throw UsageError("compare: --max-steps must not be negative");
    if (options.budget.max_states < 1) throw UsageError("compare: --max-states must be positive");
    using exporters::ExchangeFormat;
    if (!format.empty()) {
        auto f = exporters::exchange_format_from_name(format);
        if (!f || !exporters::can_read(*f))
            throw UsageError("compare: --format must be taso, tensat, native or flexflow, got '" + format + "'");
    }
    const std::string bytes = read_text_file(reference);
    const std::string name = reference == "-" ? "<stdin>" : reference;
    // Without --format the content tells the format, as in import, convert and check.
    const std::optional<ExchangeFormat> fmt = exporters::resolve_read_format(bytes, name, format);
    format = exporters::exchange_format_name(*fmt);
    exporters::ReadOptions read_options;
    read_options.multi = vm["multi"].as<bool>();
    if (read_options.multi && *fmt != ExchangeFormat::Tensat)
        throw UsageError("compare: --multi applies to --format tensat");
    exporters::ImportResult read;
    try {
        read = exporters::read_rule_bytes(bytes, name, *fmt, read_options);
    } catch (const exporters::ImportError& e) {
        std::string msg = std::string("compare: ") + e.what();
        if (std::string hint = exporters::format_mismatch_hint(bytes, *fmt); !hint.empty()) msg += " (" + hint + ")";
        throw UsageError(msg);
    }

    // Comparing only reads: a path with no database is the user's mistake, not a new file.
    ruledb::Database db(db_path, ruledb::Database::Options{.create = false, .read_only = true});
    const pipeline::CompareReport report = pipeline::compare(db, read, options);

    if (vm["json"].as<bool>()) {
        out << report.to_json() << "\n";
        return kOk;
    }
    for (const pipeline::RuleComparison& c : report.rules) print_line(out, c);
    out << "summary: " << report.found << " found, " << report.derivable << " derivable, " << report.missing
        << " missing of " << report.total() << " reference rules (" << name << ", " << format << ")\n";
    return kOk;
}

}  // namespace rf::cli
