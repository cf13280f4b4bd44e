// `ruleforge export --db F --to taso|tensat|flexflow|json|dot|native|smt2 --out PATH`: the
// rules of a database in another tool's format, optionally only the proved or only the kept ones.
// The JSON format carries what the database knows of each rule: proofs per back-end, axioms used,
// pruning decision and provenance. smt2 writes a folder with one self-contained SMT-LIB2 file per
// rule, the query its proof answers (with the shape assumptions of its proof) as the encoder
// states it -- no solver runs here -- which the z3 and cvc5 binaries re-check on their own.
// A rule leaves with its conditions or not at all: native, json, dot and smt2 state them; taso,
// tensat and flexflow leave out the rules proved only under an added assumption (counted per
// reason) unless --include-conditional, which writes them with a warning.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "cli/result_json.h"
#include "cli/unknown_candidates.h"
#include "exporters/rule_formats.h"
#include "ir/output_file.h"
#include "prover/axiom_set.h"
#include "prover/smt2_file.h"
#include "ruledb/database.h"

namespace rf::cli {

namespace {

exporters::RuleRecordMeta meta_of(ruledb::Database& db, const ruledb::RuleSummary& s) {
    exporters::RuleRecordMeta m;
    m.database = db.path();
    m.rule_id = s.id;
    m.run = s.run;
    m.candidate = s.candidate;
    m.status = ruledb::to_string(s.status);
    m.decision = ruledb::to_string(s.decision);
    if (s.prune_reason) m.prune_reason = ruledb::to_string(*s.prune_reason);
    if (auto d = db.rule_details(s.id)) {
        m.prune_detail = d->prune_detail;
        m.subsumed_by = d->subsumed_by;
        for (const ruledb::ProofInfo& p : d->proofs) {
            std::vector<std::string> names;
            for (Precondition x : p.record.preconditions) names.push_back(precondition_name(x));
            m.proofs.push_back(exporters::ProofEntry{p.record.backend, ruledb::to_string(p.record.status),
                                                     p.record.time_ms, p.record.axioms, p.record.condition,
                                                     p.record.reason, names});
        }
        if (d->origin_run) {
            m.run_command = d->origin_run->spec.command;
            m.tool_version = d->origin_run->spec.tool_version;
            m.axiom_version = d->origin_run->spec.axiom_version;
        }
    }
    return m;
}

// What the database says of one rule to export as SMT-LIB2.
struct Smt2Rule {
    prover::Verdict verdict = prover::Verdict::Unknown;
    bool pointwise = false;  ///< proved by the pointwise strategy (its file is the scalar query)
};

Smt2Rule smt2_rule_of(ruledb::Database& db, const ruledb::RuleSummary& s) {
    Smt2Rule r;
    r.verdict = s.status == ruledb::RuleStatus::Proved    ? prover::Verdict::Proved
                : s.status == ruledb::RuleStatus::Refuted ? prover::Verdict::Refuted
                                                          : prover::Verdict::Unknown;
    if (auto d = db.rule_details(s.id))
        for (const ruledb::ProofInfo& p : d->proofs)
            if (p.record.status == ruledb::ProofStatus::Proved && p.record.reason.rfind("strategy pointwise", 0) == 0)
                r.pointwise = true;
    return r;
}

// Each rule's query as the encoder states it under the assumptions its proof recorded (no solver
// runs: the database already says what each answers), headed by the conditions it holds under
// in the rule's own names, written as DIR/<name>.smt2 (the rule's name, rule_<id> when it has none).
int export_smt2(const std::vector<Rule>& rules, const std::vector<ruledb::Id>& ids, const std::vector<Smt2Rule>& known,
                const std::string& dir, std::ostream& report) {
    std::filesystem::create_directories(dir);
    size_t proved = 0;
    std::vector<std::string> unproved;
    for (size_t i = 0; i < rules.size(); ++i) {
        // The rule's one name (as list and show print it) names its file, unless it cannot.
        const std::string& name = rules[i].name;
        const bool usable = !name.empty() && name.find_first_of("/\\ \t") == std::string::npos && name[0] != '.';
        const std::string stem = usable ? name : "rule_" + std::to_string(ids[i]);
        std::string head;
        for (const std::string& t : condition_texts(rules[i])) head += "; condition: " + t + "\n";
        prover::Query q;
        try {
            q = prover::proof_query(rules[i], prover::builtin_axioms(), stem, known[i].pointwise);
        } catch (const std::exception& e) {  // a rule the encoder cannot state
            throw UsageError("export: rule " + stem + ": " + e.what());
        }
        write_file_atomically((std::filesystem::path(dir) / (stem + ".smt2")).string(),
                              head + prover::smt2_file_text(q, known[i].verdict));
        if (known[i].verdict == prover::Verdict::Proved)
            ++proved;
        else
            unproved.push_back(stem);
    }
    report << "wrote " << rules.size() << " SMT-LIB2 files to " << dir << "/: " << proved
           << " are proved (z3 and cvc5 answer unsat)";
    if (!unproved.empty()) {
        report << "; not proved, so not expected unsat:";
        for (const std::string& id : unproved) report << " " << id;
    }
    report << "\n";
    return kOk;
}

}  // namespace

int run_export(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge export --db FILE --to FORMAT --out PATH [options]\n\n"
        "Writes the rules of a database as taso (TASO's protobuf), tensat (TENSAT text), flexflow\n"
        "(FlexFlow's substitution JSON), json (ruleforge's schema, with proofs and provenance), "
        "dot\n"
        "(Graphviz), native text, or smt2 (a folder with one SMT-LIB2 query per rule). Rules the\n"
        "format cannot express are left out and reported; so are, for taso, tensat and flexflow, "
        "the\n"
        "rules proved only under an added assumption, which those formats cannot "
        "state.\n\noptions");
    std::string db_path, format, format_alias, out_path, status;
    opts.add_options()("help,h", "show this help")("db", po::value(&db_path)->required(), "database file")(
        "to", po::value(&format), "format to write: taso | tensat | flexflow | json | dot | native | smt2")(
        "format", po::value(&format_alias), "the same as --to (older spelling)")(
        "out", po::value(&out_path)->required(), "file to write ('-' for standard output); a folder for smt2")(
        "status", po::value(&status), "only rules with this status: proved | refuted | unknown | unproved")(
        "kept-only", po::bool_switch(), "only the rules the minimal set keeps")(
        "multi", po::bool_switch(), "tensat: write the two-output rules (TENSAT keeps them in a file of their own)")(
        "details", po::bool_switch(), "list every left-out rule instead of grouping them by reason")(
        "include-conditional", po::bool_switch(),
        "taso, tensat, flexflow: also write the rules proved only under an added assumption "
        "(dense\n"
        "convolutions, equal shapes), which these formats cannot state; each is reported as a "
        "warning")("json", po::bool_switch(), "print the report as one JSON document (not with --to smt2)");
    auto vm = parse_options("export", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    if (!format_alias.empty()) {
        if (!format.empty() && format != format_alias)
            throw UsageError("export: --to and --format name different formats");
        format = format_alias;
    }
    if (format.empty()) throw UsageError("export: give the format to write with --to (see 'ruleforge export --help')");
    const bool smt2 = format == "smt2";
    auto fmt = smt2 ? std::optional{exporters::ExchangeFormat::Native} : exporters::exchange_format_from_name(format);
    if (!fmt)
        throw UsageError(
            "export: --to (or --format) must be taso, tensat, flexflow, json, dot, native or smt2, "
            "got '" +
            format + "'");
    if (smt2 && vm["json"].as<bool>()) throw UsageError("export: --json does not apply to --to smt2");
    if (smt2 && out_path == "-") throw UsageError("export: --to smt2 writes a folder: give --out DIR");
    bool multi = vm["multi"].as<bool>();
    if (multi && *fmt != exporters::ExchangeFormat::Tensat) throw UsageError("export: --multi applies to --to tensat");
    ruledb::RuleFilter filter;
    if (vm.count("status")) {
        filter.status = ruledb::rule_status_from(status);
        if (!filter.status)
            throw UsageError("export: --status must be proved, refuted, unknown or unproved, got '" + status + "'");
    }
    if (vm["kept-only"].as<bool>()) filter.decision = ruledb::Decision::Kept;

    // Refused before any work: --out naming the database (or another one) would destroy it.
    if (!smt2 && out_path != "-") check_output_path(out_path, {db_path});
    if (smt2 && std::filesystem::exists(out_path) && !std::filesystem::is_directory(out_path))
        throw UsageError("export: --format smt2 writes a folder, and '" + out_path + "' is a file; give --out DIR");
    std::vector<Rule> rules;
    std::vector<exporters::RuleRecordMeta> meta;
    std::vector<ruledb::Id> ids;
    std::vector<Smt2Rule> known;  // smt2: what the database says of each rule
    ruledb::Database db(db_path, ruledb::Database::Options{.create = false, .read_only = true});
    for (const ruledb::RuleSummary& s : db.list_rules(filter)) {
        Rule r = db.load_rule(s.id);
        r.name = s.name.empty() ? "rule_" + std::to_string(s.id) : s.name;
        rules.push_back(std::move(r));
        ids.push_back(s.id);
        if (*fmt == exporters::ExchangeFormat::Json) meta.push_back(meta_of(db, s));
        if (smt2) known.push_back(smt2_rule_of(db, s));
    }
    // The candidates left unknown are no rules yet, but `--status unknown` asks for them.
    if (filter.status == ruledb::RuleStatus::Unknown && !filter.decision)
        for (UnknownCandidate& c : unknown_candidates(db)) {
            ids.push_back(c.id);
            if (*fmt == exporters::ExchangeFormat::Json) {
                exporters::RuleRecordMeta m;
                m.database = db.path();
                m.candidate = c.id;
                m.status = "unknown";
                m.decision = "undecided";
                meta.push_back(m);
            }
            rules.push_back(std::move(c.rule));
            known.push_back(Smt2Rule{});
        }
    if (smt2) return export_smt2(rules, ids, known, out_path, out);
    exporters::WriteOptions options;
    options.multi = multi;
    options.include_conditional = vm["include-conditional"].as<bool>();
    if (*fmt == exporters::ExchangeFormat::Json) options.meta = &meta;
    exporters::ExportResult written = exporters::write_rules(rules, *fmt, options);
    for (exporters::Issue& i : written.left_out) i.index = static_cast<size_t>(ids.at(i.index));  // database ids
    for (exporters::Issue& i : written.warnings) i.index = static_cast<size_t>(ids.at(i.index));
    std::ostream& report = out_path == "-" ? err : out;
    if (out_path == "-") {
        out << written.data;
    } else {
        write_file_atomically(out_path, written.data, {db_path});
    }
    if (vm["json"].as<bool>()) {
        report << nlohmann::json{{"database", db_path},
                                 {"selected", rules.size()},
                                 {"output", out_path},
                                 {"to", format},
                                 {"written", written.written},
                                 {"left_out", issues_json(written.left_out)},
                                 {"warnings", issues_json(written.warnings)}}
                      .dump(2)
               << "\n";
        return kOk;
    }
    report << "selected " << rules.size() << " rules from " << db_path << "\n";
    exporters::print_export_report(report, out_path == "-" ? "<stdout>" : out_path, format, written,
                                   vm["details"].as<bool>());
    return kOk;
}

}  // namespace rf::cli
