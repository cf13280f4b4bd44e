// `ruleforge apply --db F --model NAME|FILE [--device cpu|reference|cuda] [--rules IDS] [--json]`:
// applies a database's rules to a model, one site at a time and at all compatible sites together,
// checks each rewrite numerically against the original (applier/validate.h), records every
// verdict in the database, and with --optimize runs the cost-guided search and reports the
// model's end-to-end time before and after. By default only proved rules are applied, each only
// where the assumptions of its proof hold; --include-unproved forces the others (to test them).
#include <cmath>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "applier/executor.h"
#include "applier/model.h"
#include "applier/optimize.h"
#include "applier/validate.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "pipeline/proof_store.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"
#include "ruledb/database.h"

namespace rf::cli {

namespace {

struct SelectedRule {
    ruledb::Id id = 0;
    ruledb::RuleStatus status = ruledb::RuleStatus::Unproved;
    Rule rule;  ///< with the preconditions of its weakest proof (ruledb RuleSummary::preconditions)
};

std::string ms_text(double ms) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(3) << ms << "ms";
    return o.str();
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// --prove: proves the selected rules that no proof settled yet and records the proofs, as
/// `discover` does, so that apply can run straight after `import`.
void prove_open_rules(ruledb::Database& db, std::vector<SelectedRule>& rules, int timeout_ms, ruledb::Id run,
                      std::ostream& err) {
    prover::CheckOptions options;
    options.timeout_ms = timeout_ms;
    prover::Checker checker(prover::builtin_axioms(), options);
    size_t proved = 0, tried = 0;
    for (SelectedRule& s : rules) {
        if (s.status != ruledb::RuleStatus::Unproved && s.status != ruledb::RuleStatus::Unknown) continue;
        ++tried;
        prover::RuleCheck c = checker.check(s.rule, "rule_" + std::to_string(s.id));
        pipeline::ProofTally tally;
        db.atomically([&] { pipeline::store_rule_check(db, run, s.id, c, tally); });
        auto d = db.rule_details(s.id);
        s.status = d->summary.status;
        s.rule.preconditions = d->summary.preconditions;
        if (s.status == ruledb::RuleStatus::Proved) ++proved;
    }
    err << "proved " << proved << " of " << tried << " open rules\n";
}

Model load_model(const std::string& spec) {
    try {
        if (ends_with(spec, ".onnx") || ends_with(spec, ".model")) return load_model_file(spec);
        return build_model(spec);
    } catch (const std::exception& e) {
        throw UsageError(std::string("apply: --model: ") + e.what());
    }
}

ruledb::ValidationRecord record_for(const SelectedRule& s, const std::string& model, const std::string& device,
                                    const RuleReport& rep, const SiteCheck& sc, ruledb::Id run) {
    ruledb::ValidationRecord v;
    v.rule = s.id;
    v.model = model;
    v.site = rep.direction + ":" + sc.site;
    v.device = device;
    v.max_abs_error = std::isfinite(sc.cmp.max_abs_error) ? sc.cmp.max_abs_error : 1e300;
    v.max_rel_error = std::isfinite(sc.cmp.max_rel_error) ? sc.cmp.max_rel_error : 1e300;
    v.status = sc.status == SiteStatus::Valid      ? ruledb::ValidationStatus::Valid
               : sc.status == SiteStatus::Mismatch ? ruledb::ValidationStatus::Invalid
                                                   : ruledb::ValidationStatus::Error;
    v.message = sc.message;
    if (sc.site.rfind("all:", 0) == 0) {
        v.time_before_ms = rep.time_before_ms;
        v.time_after_ms = rep.time_after_ms;
    }
    v.run = run;
    return v;
}

}  // namespace

int run_apply(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge apply --db FILE --model NAME|FILE.onnx|FILE.model [options]\n\n"
        "Applies the database's proved rules to a model: finds every site of each rule (both\n"
        "directions), rewrites each site alone and all compatible sites together, runs the original\n"
        "and the rewritten model on the same seeded random inputs and weights, and compares the\n"
        "outputs within a float32 tolerance (docs/applier.md). Every verdict is stored in the\n"
        "database. One line per rule and direction that matched:\n"
        "  <id> <name> <fwd|rev> sites=N applied=N mismatches=N errors=N before=T after=T\n"
        "Exits 1 if any rewrite mismatched or failed.\n\noptions");
    std::string db_path, model_spec, device, rules_spec, direction;
    uint64_t seed = 1;
    int reps = 5, warmup = 1, budget = 50, timeout_ms = 4000;
    size_t max_sites = 0;
    double alpha = 1.0;
    opts.add_options()
        ("help,h", "show this help")
        ("db", po::value(&db_path)->required(), "database file")
        ("model", po::value(&model_spec)->required(), "built-in model name, or a .onnx / .model file")
        ("device", po::value(&device)->default_value("cpu"), "cpu (OpenBLAS) | reference (plain evaluator) | cuda")
        ("rules", po::value(&rules_spec), "comma-separated rule ids or hash prefixes (default: every rule)")
        ("include-unproved", po::bool_switch(), "also apply rules that are not proved (to test them)")
        ("prove", po::bool_switch(), "first prove the selected rules no proof has settled, recording the proofs")
        ("timeout-ms", po::value(&timeout_ms)->default_value(4000), "--prove: time limit per query")
        ("direction", po::value(&direction)->default_value("both"), "fwd | rev | both")
        ("max-sites", po::value(&max_sites)->default_value(0), "sites checked one at a time per rule and direction (0: all)")
        ("seed", po::value(&seed)->default_value(1), "seed of the random inputs and weights")
        ("reps", po::value(&reps)->default_value(5), "timed runs per measurement (median reported)")
        ("warmup", po::value(&warmup)->default_value(1), "untimed runs before each measurement")
        ("no-time", po::bool_switch(), "do not time the model before and after")
        ("optimize", po::bool_switch(), "run the cost-guided search with the applicable rules")
        ("alpha", po::value(&alpha)->default_value(1.0), "--optimize: keep graphs costing < alpha * best")
        ("budget", po::value(&budget)->default_value(50), "--optimize: graphs expanded at most")
        ("json", po::bool_switch(), "print one JSON document");
    auto vm = parse_options("apply", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    if (direction != "fwd" && direction != "rev" && direction != "both")
        throw UsageError("apply: --direction must be fwd, rev or both, got '" + direction + "'");
    if (reps < 1 || warmup < 0) throw UsageError("apply: --reps must be >= 1 and --warmup >= 0");
    if (alpha < 1.0) throw UsageError("apply: --alpha must be >= 1");
    const bool json = vm["json"].as<bool>(), include_unproved = vm["include-unproved"].as<bool>();

    std::unique_ptr<Executor> ex;
    try {
        ex = make_executor(device);
    } catch (const std::exception& e) {
        throw UsageError(std::string("apply: --device ") + device + ": " + e.what());
    }
    Model model = load_model(model_spec);

    std::unique_ptr<ruledb::Database> db;
    try {
        db = std::make_unique<ruledb::Database>(db_path, ruledb::Database::Options{false});
    } catch (const ruledb::DbError& e) {
        throw UsageError(std::string("apply: ") + e.what());
    }
    std::vector<ruledb::Id> ids;
    if (vm.count("rules")) {
        std::stringstream ss(rules_spec);
        for (std::string item; std::getline(ss, item, ',');) {
            std::vector<ruledb::Id> m = db->match_rules(item);
            if (m.size() != 1)
                throw UsageError("apply: --rules: '" + item + "' " + (m.empty() ? "matches no rule" : "is ambiguous") +
                                 " in " + db_path);
            ids.push_back(m[0]);
        }
    } else {
        for (const ruledb::RuleSummary& s : db->list_rules()) ids.push_back(s.id);
    }
    std::vector<SelectedRule> rules;
    for (ruledb::Id id : ids) {
        auto d = db->rule_details(id);
        SelectedRule s{id, d->summary.status, db->load_rule(id)};
        rules.push_back(std::move(s));
    }

    ruledb::RunSpec spec;
    spec.command = "ruleforge apply --model " + model_spec + " --device " + device;
    spec.params_json = nlohmann::json{{"model", model_spec}, {"device", device}, {"seed", seed}, {"rules", rules_spec},
                                      {"include_unproved", include_unproved}, {"direction", direction}}
                           .dump();
    spec.seeds = {seed};
    spec.axiom_version = prover::builtin_axioms().version;
    const ruledb::Id run = db->begin_run(spec);
    if (vm["prove"].as<bool>()) prove_open_rules(*db, rules, timeout_ms, run, err);

    ValidateOptions vo;
    vo.seed = seed;
    vo.max_sites = max_sites == 0 ? SIZE_MAX : max_sites;
    vo.time = !vm["no-time"].as<bool>();
    vo.timing = TimingOptions{warmup, reps};
    std::unique_ptr<ModelValidator> validator;
    try {
        validator = std::make_unique<ModelValidator>(model.name, model.graph, *ex, vo);
    } catch (const std::exception& e) {
        db->finish_run(run, ruledb::RunStatus::Failed);
        err << "error: apply: " << e.what() << "\n";
        return kFailed;
    }

    nlohmann::json jrules = nlohmann::json::array();
    size_t considered = 0, skipped_unproved = 0, rules_matched = 0, sites = 0, applied = 0, mismatches = 0, errors = 0;
    std::vector<SearchRule> search_rules;
    for (const SelectedRule& s : rules) {
        const bool proved = s.status == ruledb::RuleStatus::Proved;
        if (!proved && !include_unproved) {
            ++skipped_unproved;
            continue;
        }
        ++considered;
        bool any = false;
        for (bool reverse : {false, true}) {
            if ((reverse && direction == "fwd") || (!reverse && direction == "rev")) continue;
            RuleReport rep;
            try {
                rep = validator->check_rule(s.rule, reverse);
            } catch (const std::invalid_argument&) {
                continue;  // not reversible: its right side drops a variable
            }
            if (rep.matched == 0) continue;
            any = true;
            sites += rep.matched;
            applied += rep.applied;
            mismatches += rep.mismatches;
            errors += rep.errors;
            db->atomically([&] {
                for (const SiteCheck& sc : rep.sites)
                    db->record_validation(record_for(s, model.name, ex->name(), rep, sc, run));
            });
            if (rep.mismatches == 0 && rep.errors == 0)
                search_rules.push_back({std::to_string(s.id) + " " + s.rule.name + " " + rep.direction,
                                        reverse ? reversed(s.rule) : s.rule});
            if (json) {
                nlohmann::json jsites = nlohmann::json::array();
                for (const SiteCheck& sc : rep.sites) {
                    nlohmann::json j{{"site", sc.site},
                                     {"status", site_status_name(sc.status)},
                                     {"max_abs_error", sc.cmp.max_abs_error},
                                     {"max_rel_error", sc.cmp.max_rel_error},
                                     {"tolerance", sc.cmp.tolerance}};
                    if (!sc.message.empty()) j["message"] = sc.message;
                    jsites.push_back(j);
                }
                nlohmann::json j{{"id", s.id},           {"name", s.rule.name},       {"status", ruledb::to_string(s.status)},
                                 {"direction", rep.direction}, {"sites", rep.matched}, {"validated", rep.validated},
                                 {"applied", rep.applied},  {"mismatches", rep.mismatches}, {"errors", rep.errors},
                                 {"checks", jsites}};
                if (rep.time_before_ms) j["time_before_ms"] = *rep.time_before_ms;
                if (rep.time_after_ms) j["time_after_ms"] = *rep.time_after_ms;
                jrules.push_back(j);
                continue;
            }
            out << s.id << " " << s.rule.name << " " << rep.direction << " sites=" << rep.matched << " applied=" << rep.applied
                << " mismatches=" << rep.mismatches << " errors=" << rep.errors;
            if (rep.time_before_ms && rep.time_after_ms)
                out << " before=" << ms_text(*rep.time_before_ms) << " after=" << ms_text(*rep.time_after_ms);
            out << "\n";
            for (const SiteCheck& sc : rep.sites)
                if (sc.status != SiteStatus::Valid)
                    err << (sc.status == SiteStatus::Mismatch ? "mismatch" : "error") << ": rule " << s.id << " ("
                        << s.rule.name << ") on " << model.name << " at " << rep.direction << ":" << sc.site << ": "
                        << sc.message << "\n";
        }
        if (any) ++rules_matched;
    }

    nlohmann::json jopt;
    if (vm["optimize"].as<bool>()) {
        CostModel cost(*ex, vo.timing, seed);
        OptimizeOptions oo;
        oo.alpha = alpha;
        oo.budget = budget;
        OptimizeResult res = optimize(model.graph, search_rules, cost, oo);
        Comparison cmp = validator->compare_with_model(res.best);
        const double before = validator->time_before_ms();
        const double after = time_graph(*ex, res.best, validator->variables(), vo.timing).median_ms;
        if (!cmp.ok) ++mismatches;
        nlohmann::json steps = nlohmann::json::array();
        for (const OptimizeStep& st : res.steps) steps.push_back({{"rule", st.rule}, {"site", st.site}, {"cost_ms", st.cost_after}});
        jopt = {{"steps", steps},           {"expanded", res.expanded},     {"candidates", res.candidates},
                {"stopped", res.stopped},   {"cost_before_ms", res.cost_before}, {"cost_after_ms", res.cost_after},
                {"time_before_ms", before}, {"time_after_ms", after},       {"max_rel_error", cmp.max_rel_error},
                {"valid", cmp.ok},          {"operators_measured", cost.measured()}};
        if (!json) {
            out << "optimize: " << res.steps.size() << " rewrites, " << res.expanded << " graphs expanded, "
                << res.candidates << " candidates (" << res.stopped << "); cost model " << ms_text(res.cost_before)
                << " -> " << ms_text(res.cost_after) << "; measured end to end " << ms_text(before) << " -> "
                << ms_text(after) << " (median of " << reps << "); outputs "
                << (cmp.ok ? "match" : "MISMATCH: " + cmp.detail) << "\n";
            for (const OptimizeStep& st : res.steps) out << "  " << st.rule << " at " << st.site << "\n";
        }
    }
    db->finish_run(run, ruledb::RunStatus::Finished);

    if (json) {
        nlohmann::json doc{{"model", model.name},
                           {"device", ex->name()},
                           {"seed", seed},
                           {"run", run},
                           {"rules", jrules},
                           {"summary",
                            {{"rules_considered", considered}, {"rules_matched", rules_matched}, {"sites", sites},
                             {"applied", applied}, {"mismatches", mismatches}, {"errors", errors},
                             {"skipped_unproved", skipped_unproved}}}};
        if (!jopt.is_null()) doc["optimize"] = jopt;
        out << doc.dump(2) << "\n";
    } else {
        err << model.name << " on " << ex->name() << ": " << considered << " rules considered (" << skipped_unproved
            << " unproved skipped), " << rules_matched << " matched, " << sites << " sites, " << applied << " applied, "
            << mismatches << " mismatches, " << errors << " errors\n";
    }
    return mismatches + errors > 0 ? kFailed : kOk;
}

}  // namespace rf::cli
