// `ruleforge check "LHS => RHS"` / `ruleforge check --file F`: prove given rules from the axioms
// with Z3, cvc5 or both; one line per rule (index, verdict, each back-end's verdict, the shape
// condition it holds under, time), or one JSON document with --json. Exits 1 if any rule is
// refuted or malformed; an unproved (unknown) rule is not an error.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include <omp.h>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "cli/result_json.h"
#include "exporters/format_detect.h"
#include "exporters/rule_formats.h"
#include "ir/native_text.h"
#include "ir/rule_file.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"

namespace rf::cli {

namespace {

std::string seconds_text(double s) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(3) << s << "s";
    return o.str();
}

const prover::ProofResult* result_of(const prover::RuleCheck& c, prover::BackendKind k) {
    for (const prover::ProofResult& r : c.results)
        if (r.backend == prover::backend_name(k)) return &r;
    return nullptr;
}

// The rules to check, as read; a rule that could not be read has its error at its index.
struct RulesToCheck {
    std::vector<RuleAst> asts;
    std::vector<std::optional<Rule>> prebuilt;
    std::vector<std::string> read_errors;
};

// Reads the rule given on the command line or the rules of `file`. Nothing when the answer is
// already an error (printed to `err`).
std::optional<RulesToCheck> read_rules_to_check(const std::string& rule_text, const std::string& file,
                                                const std::string& format, bool multi, bool taso_shapes,
                                                std::ostream& err) {
    // Native and TENSAT text are parsed here, rule by rule (a malformed rule is an error line of
    // its own); TASO protobuf and FlexFlow JSON come whole from exporters/ (prebuilt, with the
    // rules they could not read listed as errors at their position in the file).
    RulesToCheck in;
    std::vector<RuleAst>& asts = in.asts;
    std::vector<std::optional<Rule>>& prebuilt = in.prebuilt;
    std::vector<std::string>& read_errors = in.read_errors;
    try {
        if (!rule_text.empty()) {
            if (!format.empty() && format != "native" && format != "tensat")
                throw UsageError("check: a rule on the command line is native or tensat text");
            RuleFormat f = format == "tensat" ? RuleFormat::Tensat : RuleFormat::Native;
            if (multi && f != RuleFormat::Tensat) throw UsageError("check: --multi applies to --format tensat only");
            for (ParsedRule& r : parse_rules_each(rule_text, "<command line>", f, false)) {
                if (r.error) {  // one rule given: its error is the whole answer
                    err << "error: " << r.error->what() << "\n";
                    return std::nullopt;
                }
                asts.push_back(std::move(*r.ast));
            }
        } else {
            const std::string text = read_text_file(file);
            const std::string name = file == "-" ? "<stdin>" : file;
            const exporters::ExchangeFormat xf = exporters::resolve_read_format(text, name, format);
            if (multi && xf != exporters::ExchangeFormat::Tensat)
                throw UsageError("check: --multi applies to --format tensat only");
            if (taso_shapes && xf != exporters::ExchangeFormat::Taso)
                throw UsageError("check: --taso-shapes applies to --format taso");
            if (xf == exporters::ExchangeFormat::Native || xf == exporters::ExchangeFormat::Tensat) {
                // Each rule on its own: a malformed one is an error line at its position (with
                // its file:line:col), and the others are still checked.
                std::vector<ParsedRule> parsed = parse_rules_each(
                    text, name, xf == exporters::ExchangeFormat::Tensat ? RuleFormat::Tensat : RuleFormat::Native,
                    multi);
                asts.resize(parsed.size());
                read_errors.resize(parsed.size());
                bool hinted = false;
                for (size_t k = 0; k < parsed.size(); ++k) {
                    if (parsed[k].ast) {
                        asts[k] = std::move(*parsed[k].ast);
                        continue;
                    }
                    read_errors[k] = parsed[k].error->what();
                    if (!hinted) {
                        hinted = true;
                        if (std::string hint = exporters::format_mismatch_hint(text, xf); !hint.empty())
                            err << "hint: " << hint << "\n";
                    }
                }
            } else {
                exporters::ReadOptions ro;
                ro.taso_generator_shapes = taso_shapes;
                exporters::ImportResult read;
                try {
                    read = exporters::read_rule_bytes(text, name, xf, ro);
                } catch (const exporters::ImportError& e) {
                    err << "error: " << e.what() << "\n";
                    if (std::string hint = exporters::format_mismatch_hint(text, xf); !hint.empty())
                        err << "hint: " << hint << "\n";
                    return std::nullopt;
                }
                asts.resize(read.total);
                prebuilt.resize(read.total);
                read_errors.resize(read.total);
                for (size_t k = 0; k < read.rules.size(); ++k) {
                    asts[read.indices[k]].name = read.rules[k].name;
                    prebuilt[read.indices[k]] = std::move(read.rules[k]);
                }
                for (const exporters::Issue& i : read.malformed) {
                    asts.at(i.index).name = i.name;
                    read_errors.at(i.index) = "malformed: " + i.message;
                }
                for (const exporters::Issue& i : read.unsupported) {
                    asts.at(i.index).name = i.name;
                    read_errors.at(i.index) = "not expressible in ruleforge: " + i.message;
                }
            }
        }
    } catch (const ParseError& e) {
        err << "error: " << e.what() << "\n";
        return std::nullopt;
    }
    prebuilt.resize(asts.size());
    read_errors.resize(asts.size());
    return in;
}

// Checks every rule read, on `threads` threads; `natives` gets each rule's native text.
std::vector<prover::RuleCheck> check_rules(const RulesToCheck& in, const prover::CheckOptions& options, int threads,
                                           std::vector<std::string>& natives) {
    // Rules are independent: they are proved on all threads (one Checker, so one solver context
    // per back-end, per thread) and reported afterwards in file order.
    const size_t n = in.asts.size();
    std::vector<prover::RuleCheck> checks(n);
    natives.assign(n, {});
    // No more threads than rules: each thread builds its own solver contexts.
    const int nthreads =
        static_cast<int>(std::min<size_t>(threads > 0 ? threads : omp_get_max_threads(), std::max<size_t>(n, 1)));
#pragma omp parallel num_threads(nthreads)
    {
        prover::Checker checker(prover::builtin_axioms(), options);
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < n; ++i) {
            if (!in.read_errors[i].empty()) {
                checks[i].verdict = prover::Verdict::Error;
                checks[i].error = in.read_errors[i];
                continue;
            }
            try {
                Rule rule = in.prebuilt[i] ? *in.prebuilt[i] : build_rule(in.asts[i]);
                natives[i] = print_native(rule);
                checks[i] = checker.check(rule, "rule_" + std::to_string(i + 1));
            } catch (const ParseError& e) {
                checks[i].verdict = prover::Verdict::Error;
                checks[i].error = e.what();
            }
        }
    }
    return checks;
}

// Prints one line (or JSON object) per rule and the summary; the exit code.
int report_checks(const RulesToCheck& in, const std::vector<prover::RuleCheck>& checks,
                  const std::vector<std::string>& natives, bool json, std::ostream& out, std::ostream& err) {
    const std::vector<RuleAst>& asts = in.asts;
    const prover::AxiomSet& axioms = prover::builtin_axioms();
    nlohmann::json jrules = nlohmann::json::array();
    int counts[4] = {0, 0, 0, 0};
    std::map<std::string, int> unknown_reasons;
    int disagreements = 0;
    for (size_t i = 0; i < asts.size(); ++i) {
        const size_t index = i + 1;
        const prover::RuleCheck& c = checks[i];
        const std::string& rule_native = natives[i];
        ++counts[static_cast<int>(c.verdict)];
        if (c.verdict == prover::Verdict::Unknown) ++unknown_reasons[c.unknown_reason()];
        if (c.disagreement) ++disagreements;
        if (json) {
            nlohmann::json j = rule_check_json(c);
            j["index"] = index;
            if (!asts[i].name.empty()) j["name"] = asts[i].name;
            if (!rule_native.empty()) j["rule"] = rule_native;
            jrules.push_back(j);
            continue;
        }
        out << index << " " << prover::verdict_name(c.verdict);
        for (prover::BackendKind k : {prover::BackendKind::Z3, prover::BackendKind::Cvc5}) {
            const prover::ProofResult* r = result_of(c, k);
            out << " " << prover::backend_name(k) << "=" << (r ? prover::verdict_name(*r) : "-");
        }
        std::string cond = c.condition_text();
        if (!cond.empty()) out << " [condition: " << cond << "]";
        out << " " << seconds_text(c.seconds);
        if (!asts[i].name.empty()) out << " " << asts[i].name;  // last: the columns before stay put
        out << "\n";
        if (c.verdict == prover::Verdict::Refuted) out << "  counterexample: " << c.counterexample << "\n";
        if (c.verdict == prover::Verdict::Error) err << "error: rule " << index << ": " << c.error << "\n";
        if (c.disagreement)
            err << "warning: rule " << index << ": the back-ends disagree (one proved it, another did not)\n";
    }
    if (json) {
        out << nlohmann::json{{"axioms", axioms.version},
                              {"rules", jrules},
                              {"summary",
                               {{"proved", counts[0]},
                                {"refuted", counts[1]},
                                {"unknown", counts[2]},
                                {"error", counts[3]},
                                {"disagreements", disagreements},
                                {"unknown_reasons", unknown_reasons}}}}
                   .dump(2)
            << "\n";
    } else if (asts.size() > 1) {
        err << counts[0] << " proved, " << counts[1] << " refuted, " << counts[2] << " unknown, " << counts[3]
            << " error (of " << asts.size() << "; axioms " << axioms.version << ")\n";
        for (const auto& [why, k] : unknown_reasons) err << "  unknown: " << k << " x " << why << "\n";
    }
    return counts[1] + counts[3] > 0 ? kFailed : kOk;
}

}  // namespace

int run_check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge check \"LHS => RHS\" | --file F [options]\n\n"
        "Proves rules from the axioms (ruleforge axioms) with SMT solvers. One line per\n"
        "rule: <index> <proved|refuted|unknown|error> z3=<verdict> cvc5=<verdict>\n"
        "[condition: ...] <time> [name]. A rule that does not follow as stated is\n"
        "retried assuming dense convolutions, then shared shapes per role; the\n"
        "assumptions are printed as its condition. Reads native, tensat, taso and\n"
        "flexflow files. Exits 1 if any rule is refuted or malformed.\n\noptions");
    std::string rule_text, file, format, backend, smt2_dir;
    int timeout_ms = 4000, threads = 0;
    opts.add_options()("help,h", "show this help")("rule", po::value(&rule_text), "one rule in native syntax")(
        "file", po::value(&file), "rule file to read ('-' for standard input)")(
        "format", po::value(&format),
        "format of --file: native | tensat | taso | flexflow (default: from the content)")(
        "taso-shapes", po::bool_switch(), "taso: give variables the roles and shapes of TASO's generator inputs")(
        "multi", po::bool_switch(), "TENSAT: two consecutive lines form one two-output rule")(
        "backend", po::value(&backend)->default_value(kDefaultBackend),
        "z3 | cvc5 | both (proved only if both prove it)")("timeout-ms", po::value(&timeout_ms)->default_value(4000),
                                                           "time limit per query and back-end")(
        "threads", po::value(&threads)->default_value(0), "rules proved in parallel (0: all cores)")(
        "smt2-dir", po::value(&smt2_dir), "write each rule's query as DIR/rule_<index>.smt2")(
        "no-assume", po::bool_switch(), "do not retry under the standard shape assumptions")(
        "no-bounded", po::bool_switch(), "skip the bounded semantic checker (no refutations then)")(
        "json", po::bool_switch(), "print one JSON document instead of lines");
    po::positional_options_description pos;
    pos.add("rule", 1);
    auto vm = parse_options("check", args, opts, pos);
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    if (rule_text.empty() == file.empty())
        throw UsageError("check: give either one rule or --file F (see 'ruleforge check --help')");
    if (timeout_ms < 1) throw UsageError("check: --timeout-ms must be positive");
    threads = checked_threads("check", threads, err);
    if (!format.empty()) {
        auto f = exporters::exchange_format_from_name(format);
        if (!f || !exporters::can_read(*f))
            throw UsageError("check: --format must be native, tensat, taso or flexflow, got '" + format + "'");
    }
    bool multi = vm["multi"].as<bool>();
    const bool taso_shapes = vm["taso-shapes"].as<bool>();

    prover::CheckOptions options;
    options.backends = parse_backends("check", backend);
    options.timeout_ms = timeout_ms;
    options.smt2_dir = smt2_dir;
    options.strengthen = !vm["no-assume"].as<bool>();
    options.bounded = !vm["no-bounded"].as<bool>();

    std::optional<RulesToCheck> in = read_rules_to_check(rule_text, file, format, multi, taso_shapes, err);
    if (!in) return kFailed;
    std::vector<std::string> natives;
    const std::vector<prover::RuleCheck> checks = check_rules(*in, options, threads, natives);
    return report_checks(*in, checks, natives, vm["json"].as<bool>(), out, err);
}

}  // namespace rf::cli
