// `ruleforge list --db F [--status S] [--op NAME] [--max-ops N] [--json]`: the stored rules that
// pass the filters, one per line or as JSON.
#include <iostream>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "cli/unknown_candidates.h"
#include "ir/native_text.h"
#include "ir/op_kind.h"
#include "ruledb/database.h"
#include "ruledb/report.h"

namespace rf::cli {

int run_list(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
    po::options_description opts(
        "ruleforge list --db FILE [options]\n\n"
        "Lists the rules of a ruleforge database, filtered.\n\noptions");
    std::string db_path, status, op;
    int max_ops = -1, min_ops = -1;
    opts.add_options()("help,h", "show this help")("db", po::value(&db_path)->required(), "database file")(
        "status", po::value(&status),
        "proved | refuted | unknown | unproved (truth), or kept | pruned | undecided (decision)")(
        "op", po::value(&op), "only rules using this operator (e.g. conv2d)")(
        "max-ops", po::value(&max_ops), "only rules whose sides have at most N operators")(
        "min-ops", po::value(&min_ops), "only rules with a side of at least N operators")(
        "json", po::bool_switch(), "print JSON: {\"rules\": [...], \"count\": N}");
    auto vm = parse_options("list", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    ruledb::RuleFilter filter;
    if (vm.count("status")) {
        if (auto s = ruledb::rule_status_from(status))
            filter.status = s;
        else if (auto d = ruledb::decision_from(status))
            filter.decision = d;
        else
            throw UsageError(
                "list: --status must be proved, refuted, unknown, unproved, kept, pruned or "
                "undecided, got '" +
                status + "'");
    }
    if (vm.count("op")) {
        if (!op_from_name(op)) throw UsageError("list: --op: unknown operator '" + op + "'");
        filter.op = op;
    }
    if (vm.count("max-ops")) {
        if (max_ops < 0) throw UsageError("list: --max-ops must be >= 0, got " + std::to_string(max_ops));
        filter.max_ops = max_ops;
    }
    if (vm.count("min-ops")) {
        if (min_ops < 0) throw UsageError("list: --min-ops must be >= 0, got " + std::to_string(min_ops));
        filter.min_ops = min_ops;
    }
    ruledb::Database db(db_path, ruledb::Database::Options{.create = false, .read_only = true});
    const std::vector<ruledb::RuleSummary> rules = db.list_rules(filter);
    std::vector<UnknownCandidate> candidates;  // --status unknown: the candidates left unknown too
    if (filter.status == ruledb::RuleStatus::Unknown) candidates = unknown_candidates(db);
    if (vm["json"].as<bool>()) {
        nlohmann::json j = {{"rules", nlohmann::json::array()}, {"count", rules.size()}};
        for (const auto& r : rules) j["rules"].push_back(ruledb::to_json(r));
        if (filter.status == ruledb::RuleStatus::Unknown) {
            j["candidates"] = nlohmann::json::array();
            for (const auto& c : candidates)
                j["candidates"].push_back(
                    {{"id", c.id}, {"name", c.rule.name}, {"status", "unknown"}, {"rule", print_native(c.rule)}});
        }
        out << j.dump(2) << "\n";
        return kOk;
    }
    out << ruledb::rule_table_header() << "\n";
    for (const auto& r : rules) out << ruledb::rule_table_row(r) << "\n";
    out << rules.size() << (rules.size() == 1 ? " rule" : " rules") << "\n";
    if (!candidates.empty()) {
        out << candidates.size()
            << " unknown candidates (no proof either way; `prove --retry-unknown` retries them):\n";
        for (const auto& c : candidates) out << print_native(c.rule) << "\n";  // opens with its name
    }
    return kOk;
}

}  // namespace rf::cli
