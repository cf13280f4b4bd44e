// `ruleforge convert IN [--format F] --to G --out PATH`: a rule file from one format to another,
// with no database. Everything readable is converted; what could not be read (unsupported or
// malformed rules) or written (operators the target does not load) is reported, grouped by
// reason. Exits 1 when a rule of the input is malformed or the input is not the format at all.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "exporters/format_detect.h"
#include "exporters/rule_formats.h"
#include "ir/output_file.h"
#include "ir/rule_file.h"

namespace rf::cli {

namespace {

using exporters::ExchangeFormat;

ExchangeFormat format_option(const std::string& value, const char* option, bool reading) {
    auto f = exporters::exchange_format_from_name(value);
    if (!f || (reading && !exporters::can_read(*f)))
        throw UsageError(
            std::string("convert: ") + option + " must be " +
            (reading ? "native, tensat, taso or flexflow" : "native, tensat, taso, flexflow, json or dot") + ", got '" +
            value + "'");
    return *f;
}

nlohmann::json issues_json(const std::vector<exporters::Issue>& issues) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& i : issues) a.push_back({{"index", i.index}, {"name", i.name}, {"message", i.message}});
    return a;
}

void write_file(const std::string& path, const std::string& data, const std::string& input, std::ostream& out) {
    if (path == "-") {
        out << data;
        return;
    }
    write_file_atomically(path, data, {input});
}

}  // namespace

int run_convert(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge convert IN [--format FORMAT] --to FORMAT --out PATH [options]\n\n"
        "Converts a rule file between formats (no database needed). Reads native, tensat (TENSAT "
        "text),\n"
        "taso (TASO's protobuf) and flexflow (FlexFlow's substitution JSON); writes those and "
        "json\n"
        "(ruleforge's schema, docs/json-schema.md) and dot (Graphviz, one digraph per rule).\n"
        "Rules that cannot be read or written are reported with the reason. Exits 1 if the input\n"
        "is not the format or holds a malformed rule (the others are still converted).\n\noptions");
    std::string in, from, from_alias, to, out_path;
    opts.add_options()("help,h", "show this help")("in", po::value(&in)->required(),
                                                   "rule file to read ('-' for standard input)")(
        "format", po::value(&from), "format of IN: native | tensat | taso | flexflow (default: from the content)")(
        "from", po::value(&from_alias), "the same as --format (older spelling)")(
        "to", po::value(&to)->required(), "format to write: native | tensat | taso | flexflow | json | dot")(
        "out", po::value(&out_path)->required(), "file to write ('-' for standard output)")(
        "multi", po::bool_switch(),
        "TENSAT: two consecutive lines form one two-output rule (reading), "
        "write the two-output rules (writing)")("taso-shapes", po::bool_switch(),
                                                "TASO input: give variables the roles and shapes of TASO's generator "
                                                "inputs (for generated_size3.pb)")(
        "details", po::bool_switch(), "list every left-out rule instead of grouping them by reason")(
        "json", po::bool_switch(), "print the report as JSON");
    po::positional_options_description pos;
    pos.add("in", 1);
    auto vm = parse_options("convert", args, opts, pos);
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    if (!from_alias.empty()) {
        if (!from.empty() && from != from_alias)
            throw UsageError("convert: --format and --from name different formats");
        from = from_alias;
    }
    if (!from.empty()) format_option(from, from_alias.empty() ? "--format" : "--from", true);
    ExchangeFormat out_format = format_option(to, "--to", false);
    if (out_path != "-") check_output_path(out_path, {in});  // before reading: `convert X --out X` loses X
    const std::string bytes = read_text_file(in);
    const ExchangeFormat in_format = exporters::resolve_read_format(bytes, in == "-" ? "<stdin>" : in, from);
    from = exporters::exchange_format_name(in_format);
    bool multi = vm["multi"].as<bool>();
    if (multi && in_format != ExchangeFormat::Tensat && out_format != ExchangeFormat::Tensat)
        throw UsageError("convert: --multi applies to TENSAT text (--from tensat or --to tensat)");
    bool taso_shapes = vm["taso-shapes"].as<bool>();
    if (taso_shapes && in_format != ExchangeFormat::Taso)
        throw UsageError("convert: --taso-shapes applies to --from taso");
    bool detail = vm["details"].as<bool>();
    std::ostream& report = out_path == "-" ? err : out;

    const std::string in_name = in == "-" ? "<stdin>" : in;
    exporters::ReadOptions read_options;
    read_options.multi = multi && in_format == ExchangeFormat::Tensat;
    read_options.taso_generator_shapes = taso_shapes;
    exporters::ImportResult read;
    try {
        read = exporters::read_rule_bytes(bytes, in_name, in_format, read_options);
    } catch (const exporters::ImportError& e) {
        err << "error: " << e.what() << "\n";
        if (std::string hint = exporters::format_mismatch_hint(bytes, in_format); !hint.empty())
            err << "hint: " << hint << "\n";
        return kFailed;
    }
    exporters::WriteOptions write_options;
    write_options.multi = multi && out_format == ExchangeFormat::Tensat;
    exporters::ExportResult written = exporters::write_rules(read.rules, out_format, write_options);
    for (exporters::Issue& i : written.left_out) i.index = read.indices.at(i.index);  // the input's numbering
    write_file(out_path, written.data, in, out);

    if (vm["json"].as<bool>()) {
        nlohmann::json j = {{"input", in_name},
                            {"from", from},
                            {"output", out_path},
                            {"to", to},
                            {"total", read.total},
                            {"read", read.rules.size()},
                            {"unsupported", issues_json(read.unsupported)},
                            {"malformed", issues_json(read.malformed)},
                            {"written", written.written},
                            {"left_out", issues_json(written.left_out)}};
        report << j.dump(2) << "\n";
    } else {
        exporters::print_import_report(report, in_name, from, read, detail);
        exporters::print_export_report(report, out_path == "-" ? "<stdout>" : out_path, to, written, detail);
    }
    return read.malformed.empty() ? kOk : kFailed;
}

}  // namespace rf::cli
