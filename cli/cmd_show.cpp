// `ruleforge show RULE --db F [--dot] [--json]`: one rule with its proofs per back-end, pruning
// decision and reason, duplicates folded into it, validations and provenance; --dot draws both
// sides with Graphviz.
#include <iostream>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "exporters/dot_rules.h"
#include "ruledb/database.h"
#include "ruledb/report.h"

namespace rf::cli {

int run_show(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge show RULE --db FILE [options]\n\n"
        "Shows one rule. RULE is a rule id, a prefix of its canonical hash (hex) or its\n"
        "name.\n\noptions");
    std::string db_path, spec;
    opts.add_options()("help,h", "show this help")(
        "rule", po::value(&spec)->required(), "rule id, hash prefix or name")("db", po::value(&db_path)->required(),
                                                                              "database file")(
        "dot", po::bool_switch(), "print a Graphviz picture of both sides instead")("json", po::bool_switch(),
                                                                                    "print JSON");
    po::positional_options_description pos;
    pos.add("rule", 1);
    auto vm = parse_options("show", args, opts, pos);
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    if (vm["dot"].as<bool>() && vm["json"].as<bool>()) throw UsageError("show: --dot and --json exclude each other");
    ruledb::Database db(db_path, ruledb::Database::Options{.create = false, .read_only = true});
    std::vector<ruledb::Id> ids = db.match_rules(spec);
    if (ids.empty()) {
        err << "error: no rule matches '" << spec << "' in '" << db_path << "'\n";
        return kFailed;
    }
    if (ids.size() > 1) {
        err << "error: '" << spec << "' matches " << ids.size() << " rules (ids";
        for (size_t i = 0; i < ids.size() && i < 10; ++i) err << " " << ids[i];
        err << (ids.size() > 10 ? " ..." : "") << "); give more hash digits\n";
        return kFailed;
    }
    auto details = db.rule_details(ids[0]);
    if (vm["dot"].as<bool>()) {
        Rule rule = db.load_rule(ids[0]);
        out << exporters::rule_to_dot(
            rule, "rule", "rule " + std::to_string(ids[0]) + " (" + details->summary.hash.substr(0, 12) + ")");
    } else if (vm["json"].as<bool>()) {
        out << ruledb::to_json(*details).dump(2) << "\n";
    } else {
        out << ruledb::rule_report(*details);
    }
    return kOk;
}

}  // namespace rf::cli
