// `ruleforge report --db F --out DIR [--json]`: the static browser report of a database (site/):
// index, a page per rule, the runs and the axioms. Reads the database read-only and writes only
// the report directory.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "site/site.h"

namespace rf::cli {

int run_report(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
    po::options_description opts(
        "ruleforge report --db FILE --out DIR [options]\n\n"
        "Writes a static HTML report of a database (no server; opens offline in a browser):\n"
        "DIR/index.html lists every rule (filter and sort by status, decision, operator, size),\n"
        "the counts and the unknown candidates with their reasons; runs.html the runs' parameters\n"
        "and stages; rules/rule-N.html each rule with a picture of both sides (Graphviz `dot`),\n"
        "its shapes and conditions, every proof with its axioms, a bounded check with any\n"
        "counterexample, its pruning decision and model validations; axioms.html the axioms and\n"
        "their validation status. The database is opened read-only. DIR must be new, empty or a\n"
        "previous report, which is replaced at once.\n\noptions");
    site::SiteOptions o;
    opts.add_options()("help,h", "show this help")("db", po::value(&o.db_path)->required(), "database file")(
        "out", po::value(&o.out_dir)->required(), "report directory")("no-bounded-check", po::bool_switch(),
                                                                      "do not run the bounded checker on each rule")(
        "no-validate-axioms", po::bool_switch(), "do not validate the axioms (the page says so)")(
        "axiom-max-dim", po::value(&o.axiom_max_dim)->default_value(2),
        "axiom validation: dimensions 1..N (`axioms --validate` uses 4)")(
        "axiom-max-rank", po::value(&o.axiom_max_rank)->default_value(2),
        "axiom validation: ranks up to N for rank-generic variables (`axioms --validate` uses 4)")(
        "threads,j", po::value(&o.threads)->default_value(0), "threads for axiom validation (0: all cores)")(
        "dot", po::value(&o.dot_program)->default_value("dot"), "the Graphviz program")(
        "json", po::bool_switch(), "print what was written as JSON");
    auto vm = parse_options("report", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    o.bounded_check = !vm["no-bounded-check"].as<bool>();
    o.validate_axioms = !vm["no-validate-axioms"].as<bool>();
    if (o.axiom_max_dim < 1 || o.axiom_max_dim > 8)
        throw UsageError("report: --axiom-max-dim must be in 1..8, got " + std::to_string(o.axiom_max_dim));
    if (o.axiom_max_rank < 0 || o.axiom_max_rank > 6)
        throw UsageError("report: --axiom-max-rank must be in 0..6, got " + std::to_string(o.axiom_max_rank));
    if (o.threads < 0) throw UsageError("report: --threads must not be negative");
    const site::SiteSummary s = site::write_site(o);
    if (vm["json"].as<bool>()) {
        nlohmann::json j{{"out", s.out_dir},
                         {"index", s.out_dir + "/index.html"},
                         {"files", s.files},
                         {"rules", s.rules},
                         {"rule_pages", s.rule_pages},
                         {"svgs", s.svgs},
                         {"runs", s.runs},
                         {"unknown_candidates", s.unknown_candidates},
                         {"axioms", s.axioms},
                         {"axioms_validated", s.axioms_validated},
                         {"axiom_validation_seconds", s.axiom_validation_seconds},
                         {"bounded_checks", s.bounded_checks},
                         {"counterexamples", s.counterexamples},
                         {"replaced_previous", s.replaced_previous},
                         {"seconds", s.seconds}};
        out << j.dump(2) << "\n";
    } else {
        out << "wrote " << s.files.size() << " files to " << s.out_dir << " (" << s.rules << " rules, " << s.svgs
            << " pictures, " << s.axioms << " axioms" << (s.axioms_validated ? " validated" : "") << ", "
            << s.unknown_candidates << " unknown candidates"
            << (s.replaced_previous ? "; replaced the previous report" : "") << "): open " << s.out_dir
            << "/index.html\n";
    }
    return kOk;
}

}  // namespace rf::cli
