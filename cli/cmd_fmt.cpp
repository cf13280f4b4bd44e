// `ruleforge fmt FILE`: parse rules, type-check both sides, print them back normalised (the
// user's variable names and operand order kept) or, with --canonical, in canonical form.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "exporters/format_detect.h"
#include "ir/canonical.h"
#include "ir/native_text.h"
#include "ir/rule_file.h"
#include "ir/tensat_text.h"

namespace rf::cli {

namespace {

RuleFormat format_option(const std::string& value, const char* option) {
    auto f = rule_format_from_name(value);
    if (!f) throw UsageError(std::string("fmt: ") + option + " must be native or tensat, got '" + value + "'");
    return *f;
}

}  // namespace

int run_fmt(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge fmt FILE [options]\n\n"
        "Parses the rules of FILE ('-' for standard input), type-checks both sides of\n"
        "each and prints them one per line. Exits 1 if any rule is malformed.\n\noptions");
    std::string file, from, to;
    opts.add_options()("help,h", "show this help")("file", po::value(&file)->required(), "rule file to read")(
        "format", po::value(&from), "syntax of FILE: native | tensat (default: from the content)")(
        "to", po::value(&to), "syntax to print: native | tensat (default: same as --format)")(
        "multi", po::bool_switch(), "TENSAT: two consecutive lines form one two-output rule")(
        "canonical", po::bool_switch(), "rename variables and order nodes canonically")(
        "json", po::bool_switch(), "print {\"rules\": [{index, name, rule | error}], \"count\", \"failed\"}");
    po::positional_options_description pos;
    pos.add("file", 1);
    auto vm = parse_options("fmt", args, opts, pos);
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    if (!from.empty()) format_option(from, "--format");
    const std::string text = read_text_file(file);
    // Without --format the content decides between native and TENSAT text (anything else is
    // read as native, and the parse error carries a hint).
    RuleFormat in_format = RuleFormat::Native;
    if (!from.empty())
        in_format = format_option(from, "--format");
    else if (exporters::detect_format(text) == exporters::ExchangeFormat::Tensat)
        in_format = RuleFormat::Tensat;
    const exporters::ExchangeFormat asked =
        in_format == RuleFormat::Tensat ? exporters::ExchangeFormat::Tensat : exporters::ExchangeFormat::Native;
    RuleFormat out_format = to.empty() ? in_format : format_option(to, "--to");
    bool multi = vm["multi"].as<bool>();
    if (multi && in_format != RuleFormat::Tensat) throw UsageError("fmt: --multi applies to --format tensat only");
    // Each rule on its own: a malformed one is reported where it is, and the rest still printed.
    std::vector<ParsedRule> asts = parse_rules_each(text, file == "-" ? "<stdin>" : file, in_format, multi);
    int failures = 0;
    bool hinted = false;
    const bool json = vm["json"].as<bool>();
    nlohmann::json jrules = nlohmann::json::array();
    for (size_t i = 0; i < asts.size(); ++i) {
        nlohmann::json j{{"index", i + 1}};
        if (asts[i].error) {
            err << "error: " << asts[i].error->what() << "\n";
            if (!hinted) {
                hinted = true;
                if (std::string hint = exporters::format_mismatch_hint(text, asked); !hint.empty())
                    err << "hint: " << hint << "\n";
            }
            j["error"] = asts[i].error->what();
            jrules.push_back(j);
            ++failures;
            continue;
        }
        const RuleAst& ast = *asts[i].ast;
        if (!ast.name.empty()) j["name"] = ast.name;
        try {
            Rule rule = build_rule(ast);
            if (vm["canonical"].as<bool>()) rule = canonicalize(rule);
            std::string line;
            switch (out_format) {
                case RuleFormat::Native: line = print_native(rule); break;
                case RuleFormat::Tensat: line = print_tensat(rule); break;
            }
            if (json)
                j["rule"] = line;
            else
                out << line << "\n";
        } catch (const ParseError& e) {
            err << "error: " << e.what() << "\n";
            j["error"] = e.what();
            ++failures;
        } catch (const std::invalid_argument& e) {  // not expressible in the output syntax
            err << "error: " << ast.loc.to_string() << ": " << e.what() << "\n";
            j["error"] = ast.loc.to_string() + ": " + e.what();
            ++failures;
        }
        jrules.push_back(j);
    }
    if (json) out << nlohmann::json{{"rules", jrules}, {"count", asts.size()}, {"failed", failures}}.dump(2) << "\n";
    if (failures) err << failures << " of " << asts.size() << " rules failed\n";
    return failures ? kFailed : kOk;
}

}  // namespace rf::cli
