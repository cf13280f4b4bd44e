// `ruleforge fmt FILE`: parse rules, type-check both sides, print them back normalised (the
// user's variable names and operand order kept) or, with --canonical, in canonical form.
#include <iostream>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
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
    po::options_description opts("ruleforge fmt FILE [options]\n\n"
                                 "Parses the rules of FILE ('-' for standard input), type-checks both sides of\n"
                                 "each and prints them one per line. Exits 1 if any rule is malformed.\n\noptions");
    std::string file, from, to;
    opts.add_options()
        ("help,h", "show this help")
        ("file", po::value(&file)->required(), "rule file to read")
        ("format", po::value(&from)->default_value("native"), "syntax of FILE: native | tensat")
        ("to", po::value(&to), "syntax to print: native | tensat (default: same as --format)")
        ("multi", po::bool_switch(), "TENSAT: two consecutive lines form one two-output rule")
        ("canonical", po::bool_switch(), "rename variables and order nodes canonically");
    po::positional_options_description pos;
    pos.add("file", 1);
    auto vm = parse_options("fmt", args, opts, pos);
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    RuleFormat in_format = format_option(from, "--format");
    RuleFormat out_format = to.empty() ? in_format : format_option(to, "--to");
    bool multi = vm["multi"].as<bool>();
    if (multi && in_format != RuleFormat::Tensat) throw UsageError("fmt: --multi applies to --format tensat only");

    std::string text;
    try {
        text = read_text_file(file);
    } catch (const std::runtime_error& e) {
        throw UsageError(std::string("fmt: ") + e.what());
    }
    // Each rule on its own: a malformed one is reported where it is, and the rest still printed.
    std::vector<ParsedRule> asts = parse_rules_each(text, file == "-" ? "<stdin>" : file, in_format, multi);
    int failures = 0;
    for (const ParsedRule& parsed : asts) {
        if (parsed.error) {
            err << "error: " << parsed.error->what() << "\n";
            ++failures;
            continue;
        }
        const RuleAst& ast = *parsed.ast;
        try {
            Rule rule = build_rule(ast);
            if (vm["canonical"].as<bool>()) rule = canonicalize(rule);
            switch (out_format) {
                case RuleFormat::Native: out << print_native(rule) << "\n"; break;
                case RuleFormat::Tensat: out << print_tensat(rule) << "\n"; break;
            }
        } catch (const ParseError& e) {
            err << "error: " << e.what() << "\n";
            ++failures;
        } catch (const std::invalid_argument& e) {  // not expressible in the output syntax
            err << "error: " << ast.loc.to_string() << ": " << e.what() << "\n";
            ++failures;
        }
    }
    if (failures) err << failures << " of " << asts.size() << " rules failed\n";
    return failures ? kFailed : kOk;
}

}  // namespace rf::cli
