// `ruleforge export --db F --format taso|tensat|flexflow|json|dot|native --out PATH`: the rules
// of a database in another tool's format, optionally only the proved or only the kept ones. The
// JSON format carries what the database knows of each rule: proofs per back-end, axioms used,
// pruning decision and provenance.
#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "exporters/rule_formats.h"
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
        for (const ruledb::ProofInfo& p : d->proofs)
            m.proofs.push_back(exporters::ProofEntry{p.record.backend, ruledb::to_string(p.record.status), p.record.time_ms,
                                                     p.record.axioms, p.record.condition, p.record.reason});
        if (d->origin_run) {
            m.run_command = d->origin_run->spec.command;
            m.tool_version = d->origin_run->spec.tool_version;
            m.axiom_version = d->origin_run->spec.axiom_version;
        }
    }
    return m;
}

}  // namespace

int run_export(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge export --db FILE --format FORMAT --out PATH [options]\n\n"
        "Writes the rules of a database as taso (TASO's protobuf), tensat (TENSAT text), flexflow\n"
        "(FlexFlow's substitution JSON), json (ruleforge's schema, with proofs and provenance), dot\n"
        "(Graphviz) or native text. Rules the format cannot express are left out and reported.\n\noptions");
    std::string db_path, format, out_path, status;
    opts.add_options()
        ("help,h", "show this help")
        ("db", po::value(&db_path)->required(), "database file")
        ("format", po::value(&format)->required(), "taso | tensat | flexflow | json | dot | native")
        ("out", po::value(&out_path)->required(), "file to write ('-' for standard output)")
        ("status", po::value(&status), "only rules with this status: proved | refuted | unknown | unproved")
        ("kept-only", po::bool_switch(), "only the rules the minimal set keeps")
        ("multi", po::bool_switch(), "tensat: write the two-output rules (TENSAT keeps them in a file of their own)")
        ("details", po::bool_switch(), "list every left-out rule instead of grouping them by reason");
    auto vm = parse_options("export", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    auto fmt = exporters::exchange_format_from_name(format);
    if (!fmt) throw UsageError("export: --format must be taso, tensat, flexflow, json, dot or native, got '" + format + "'");
    bool multi = vm["multi"].as<bool>();
    if (multi && *fmt != exporters::ExchangeFormat::Tensat) throw UsageError("export: --multi applies to --format tensat");
    ruledb::RuleFilter filter;
    if (vm.count("status")) {
        filter.status = ruledb::rule_status_from(status);
        if (!filter.status)
            throw UsageError("export: --status must be proved, refuted, unknown or unproved, got '" + status + "'");
    }
    if (vm["kept-only"].as<bool>()) filter.decision = ruledb::Decision::Kept;

    std::vector<Rule> rules;
    std::vector<exporters::RuleRecordMeta> meta;
    std::vector<ruledb::Id> ids;
    try {
        ruledb::Database db(db_path, ruledb::Database::Options{false});
        for (const ruledb::RuleSummary& s : db.list_rules(filter)) {
            Rule r = db.load_rule(s.id);
            r.name = s.name.empty() ? "rule_" + std::to_string(s.id) : s.name;
            rules.push_back(std::move(r));
            ids.push_back(s.id);
            if (*fmt == exporters::ExchangeFormat::Json) meta.push_back(meta_of(db, s));
        }
    } catch (const ruledb::DbError& e) {
        throw UsageError(std::string("export: ") + e.what());
    }
    exporters::WriteOptions options;
    options.multi = multi;
    if (*fmt == exporters::ExchangeFormat::Json) options.meta = &meta;
    exporters::ExportResult written = exporters::write_rules(rules, *fmt, options);
    for (exporters::Issue& i : written.left_out) i.index = static_cast<size_t>(ids.at(i.index));  // database ids
    std::ostream& report = out_path == "-" ? err : out;
    if (out_path == "-") {
        out << written.data;
    } else {
        std::ofstream f(out_path, std::ios::binary | std::ios::trunc);
        f << written.data;
        f.close();
        if (!f) throw UsageError("export: cannot write '" + out_path + "'");
    }
    report << "selected " << rules.size() << " rules from " << db_path << "\n";
    exporters::print_export_report(report, out_path == "-" ? "<stdout>" : out_path, format, written,
                                   vm["details"].as<bool>());
    return kOk;
}

}  // namespace rf::cli
