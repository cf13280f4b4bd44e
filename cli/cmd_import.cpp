// `ruleforge import --db F [--format taso|tensat|native|flexflow] FILE`: an outside rule set into a
// database, so it can be proved, compared and applied like discovered rules. The whole file is
// read and type-checked first; if any rule is malformed nothing is written. Then every rule is
// added in one transaction under a new run (its provenance), duplicates folded as ruledb does.
#include <iostream>
#include <optional>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "cli/result_json.h"
#include "exporters/format_detect.h"
#include "exporters/rule_formats.h"
#include "ir/rule_file.h"
#include "ruledb/database.h"

namespace rf::cli {

int run_import(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge import --db FILE [--format FORMAT] RULES [options]\n\n"
        "Adds the rules of RULES (taso: TASO's protobuf, tensat: TENSAT text, native, flexflow:\n"
        "FlexFlow's JSON) to the database (created if missing), in one transaction. A file with a\n"
        "malformed rule is refused whole (exit 1, nothing written) unless --skip-malformed; rules\n"
        "with operators ruleforge lacks are skipped and reported. Without --format the format is\n"
        "told from the file's content.\n\noptions");
    std::string db_path, format, file;
    opts.add_options()("help,h", "show this help")("db", po::value(&db_path)->required(), "database file")(
        "format", po::value(&format), "taso | tensat | native | flexflow (default: from the content)")(
        "file", po::value(&file)->required(), "rule file to import ('-' for standard input)")(
        "multi", po::bool_switch(), "tensat: two consecutive lines form one two-output rule")(
        "taso-shapes", po::bool_switch(), "taso: give variables the roles and shapes of TASO's generator inputs")(
        "details", po::bool_switch(), "list every skipped rule instead of grouping them by reason")(
        "json", po::bool_switch(), "print the report as one JSON document")(
        "skip-malformed", po::bool_switch(),
        "import the well-formed rules of a file that has malformed ones (they are "
        "listed, and the exit status is still 1)");
    po::positional_options_description pos;
    pos.add("file", 1);
    auto vm = parse_options("import", args, opts, pos);
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    if (!format.empty()) {
        auto f = exporters::exchange_format_from_name(format);
        if (!f || !exporters::can_read(*f))
            throw UsageError("import: --format must be taso, tensat, native or flexflow, got '" + format + "'");
    }
    const std::string bytes = read_text_file(file);
    const std::optional<exporters::ExchangeFormat> fmt =
        exporters::resolve_read_format(bytes, file == "-" ? "<stdin>" : file, format);
    format = exporters::exchange_format_name(*fmt);
    exporters::ReadOptions read_options;
    read_options.multi = vm["multi"].as<bool>();
    read_options.taso_generator_shapes = vm["taso-shapes"].as<bool>();
    if (read_options.multi && *fmt != exporters::ExchangeFormat::Tensat)
        throw UsageError("import: --multi applies to --format tensat");
    if (read_options.taso_generator_shapes && *fmt != exporters::ExchangeFormat::Taso)
        throw UsageError("import: --taso-shapes applies to --format taso");

    const std::string name = file == "-" ? "<stdin>" : file;
    exporters::ImportResult read;
    try {
        read = exporters::read_rule_bytes(bytes, name, *fmt, read_options);
    } catch (const exporters::ImportError& e) {
        err << "error: " << e.what() << "\n";
        if (std::string hint = exporters::format_mismatch_hint(bytes, *fmt); !hint.empty())
            err << "hint: " << hint << "\n";
        err << "nothing was imported\n";
        return kFailed;
    }
    const bool json = vm["json"].as<bool>();
    nlohmann::json report = {{"input", name},
                             {"format", format},
                             {"database", db_path},
                             {"total", read.total},
                             {"read", read.rules.size()},
                             {"unsupported", issues_json(read.unsupported)},
                             {"malformed", issues_json(read.malformed)},
                             {"imported", 0},
                             {"duplicates", 0}};
    if (!json) exporters::print_import_report(out, name, format, read, vm["details"].as<bool>());
    const bool skip_malformed = vm["skip-malformed"].as<bool>();
    if (!read.malformed.empty() && !skip_malformed) {
        if (json) out << report.dump(2) << "\n";
        err << "error: " << name << ": " << read.malformed.size()
            << " malformed rule(s) (listed above); nothing was imported\n";
        return kFailed;
    }

    size_t added = 0, duplicates = 0;
    ruledb::Database db(db_path);
    ruledb::RunSpec spec;
    spec.command = "ruleforge import --format " + format + " " + name;
    db.atomically([&] {
        ruledb::Id run = db.begin_run(spec);
        for (const Rule& rule : read.rules) {
            ruledb::RuleOrigin origin;
            origin.run = run;
            ruledb::AddedRule a = db.add_rule(rule, origin);
            if (a.inserted)
                ++added;
            else
                ++duplicates;
        }
        db.finish_run(run, ruledb::RunStatus::Finished);
    });
    if (json) {
        report["imported"] = added;
        report["duplicates"] = duplicates;
        out << report.dump(2) << "\n";
    } else {
        out << "imported " << added << " new rules into " << db_path << " (" << duplicates
            << " already there or duplicates of one another)\n";
    }
    if (!read.malformed.empty()) {
        err << "error: " << name << ": " << read.malformed.size()
            << " malformed rule(s) (listed above) were not imported\n";
        return kFailed;
    }
    return kOk;
}

}  // namespace rf::cli
