// `ruleforge audit RULE`: everything ruleforge knows about why one rule is (or is not) true -- its
// shapes and conditions, each back-end's verdict, time and axioms used, the bounded checker's
// verdict and counterexample, and the SMT-LIB2 query as a file any solver re-checks.
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "cli/result_json.h"
#include "ir/native_text.h"
#include "ir/rank_generic.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"
#include "ruledb/database.h"

namespace rf::cli {

namespace {

// RULE is a rule id or hash prefix when --db is given, else rule text in native syntax.
Rule rule_to_audit(const std::string& spec, const std::string& db_path) {
    // Rule text that does not parse and a database that cannot be read are user errors, which
    // run_cli reports as `error: audit: ...`.
    if (db_path.empty()) return build_rule(parse_native_rule(spec, "<command line>"));
    ruledb::Database db(db_path, ruledb::Database::Options{.create = false, .read_only = true});
    std::vector<ruledb::Id> ids = db.match_rules(spec);
    if (ids.empty()) throw UsageError("audit: no rule '" + spec + "' in " + db_path);
    if (ids.size() > 1)
        throw UsageError("audit: '" + spec + "' matches " + std::to_string(ids.size()) + " rules in " + db_path);
    Rule r = db.load_rule(ids[0]);
    // The rule's one name, as list and export print it: its own, else rule_<id>.
    auto details = db.rule_details(ids[0]);
    r.name = details && !details->summary.name.empty() ? details->summary.name : "rule_" + std::to_string(ids[0]);
    return r;
}

std::string outcome_text(const prover::ProofResult& r) {
    std::string s = std::string(prover::verdict_name(r));
    if (const auto* p = std::get_if<prover::Proved>(&r.outcome)) {
        if (p->strategy == "e-matching") {
            s += ", axioms used:";
            for (const std::string& a : p->axioms_used) s += " " + a;
            s += " (strategy: e-matching)";
        } else {
            s += " by the " + p->strategy + " strategy, identity: " + p->detail;
        }
    } else if (const auto* u = std::get_if<prover::Unknown>(&r.outcome)) {
        s += " (" + u->reason + ")";
    }
    return s;
}

}  // namespace

int run_audit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge audit RULE [--db F] [options]\n\n"
        "Proves one rule with each back-end and the bounded checker and explains the\n"
        "result. RULE is a rule id or hash prefix of the database F, or, without --db,\n"
        "a rule in native syntax. Exits 1 when the rule is refuted or the audit fails.\n\noptions");
    std::string spec, db_path, backend, smt2;
    int timeout_ms = 4000;
    opts.add_options()("help,h", "show this help")(
        "rule", po::value(&spec)->required(), "rule id, hash prefix, or rule text")("db", po::value(&db_path),
                                                                                    "database to read the rule from")(
        "backend", po::value(&backend)->default_value(kDefaultBackend), "z3 | cvc5 | both")(
        "timeout-ms", po::value(&timeout_ms)->default_value(4000), "time limit per query and back-end")(
        "smt2", po::value(&smt2), "write the query to this SMT-LIB2 file")(
        "json", po::bool_switch(), "print one JSON document (the keys of check --json) instead of lines");
    po::positional_options_description pos;
    pos.add("rule", 1);
    auto vm = parse_options("audit", args, opts, pos);
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    prover::CheckOptions o;
    o.backends = parse_backends("audit", backend);
    if (timeout_ms < 1) throw UsageError("audit: --timeout-ms must be positive");
    o.timeout_ms = timeout_ms;
    std::string query_name = "audit";
    if (!smt2.empty()) {
        std::filesystem::path p(smt2);
        o.smt2_dir = p.has_parent_path() ? p.parent_path().string() : ".";
        query_name = p.stem().string();
        if (p.extension() != ".smt2") throw UsageError("audit: --smt2 must name a .smt2 file, got '" + smt2 + "'");
    }

    Rule rule = rule_to_audit(spec, db_path);
    const prover::AxiomSet& axioms = prover::builtin_axioms();
    prover::Checker checker(axioms, o);
    prover::RuleCheck c = checker.check(rule, query_name);
    const int code = c.verdict == prover::Verdict::Refuted || c.verdict == prover::Verdict::Error ? kFailed : kOk;
    if (vm["json"].as<bool>()) {
        nlohmann::json j = rule_check_json(c);
        j["rule"] = print_native(rule);
        if (!rule.name.empty()) j["name"] = rule.name;
        j["axioms"] = axioms.version;
        out << j.dump(2) << "\n";
        return code;
    }

    out << "rule      " << print_native(rule) << "\n";
    out << "shapes   ";
    for (const Variable& v : rule.variables()) out << " " << v.name << ": " << role_name(v.role) << v.type.to_string();
    out << "\n";
    if (const RankGenerality g = rank_generality(rule); g.generic())
        out << "ranks     every rank >= " << g.min_rank << " (typed at " << g.rank
            << "; the proof covers all, ir/rank_generic.h)\n";
    for (const std::string& cond : rule.conditions) out << "condition " << cond << "  (from the typing)\n";
    for (const std::string& a : c.assumed) out << "assumed   " << a << "  (needed by the proof)\n";
    for (const prover::ProofResult& r : c.results)
        out << r.backend << std::string(10 - std::min<size_t>(9, r.backend.size()), ' ') << outcome_text(r) << "  ("
            << std::fixed << std::setprecision(1) << r.seconds * 1000 << " ms)\n";
    if (!c.bounded.empty())
        out << "bounded   " << c.bounded << " (exact evaluation at small shapes, independent of the axioms)\n";
    if (!c.counterexample.empty()) out << "counterexample " << c.counterexample << "\n";
    if (c.disagreement) out << "warning   the back-ends disagree\n";
    out << "verdict   " << prover::verdict_name(c.verdict) << "  (axioms " << axioms.version << ")\n";
    if (!c.smt2_path.empty()) out << "query     " << c.smt2_path << "\n";
    if (c.verdict == prover::Verdict::Error) err << "error: " << c.error << "\n";
    return code;
}

}  // namespace rf::cli
