// `apply` as one library call (pipeline/apply.h).
#include "pipeline/apply.h"

#include <cmath>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "applier/cost.h"
#include "applier/executor.h"
#include "applier/match.h"
#include "applier/model.h"
#include "applier/precompute.h"
#include "pipeline/proof_store.h"
#include "pipeline/prove_loop.h"
#include "prover/axiom_set.h"
#include "ruledb/database.h"
#include "support/stop.h"
#include "support/user_error.h"

namespace rf::pipeline {

namespace {

struct SelectedRule {
    ruledb::Id id = 0;
    ruledb::RuleStatus status = ruledb::RuleStatus::Unproved;
    Rule rule;  ///< with the preconditions of its weakest proof (ruledb RuleSummary::preconditions)
};

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

applier::Model load_model(const std::string& spec) {
    try {
        if (ends_with(spec, ".onnx") || ends_with(spec, ".model")) return applier::load_model_file(spec);
        return applier::build_model(spec);
    } catch (const std::exception& e) {  // an unknown name, a file that does not read as a model
        throw support::UserError(std::string("--model: ") + e.what());
    }
}

std::vector<SelectedRule> select_rules(ruledb::Database& db, const ApplyOptions& o) {
    std::vector<ruledb::Id> ids;
    if (o.rules) {
        std::stringstream ss(*o.rules);
        for (std::string item; std::getline(ss, item, ',');) {
            std::vector<ruledb::Id> m = db.match_rules(item);
            if (m.size() != 1)
                throw support::UserError("--rules: '" + item + "' " + (m.empty() ? "matches no rule" : "is ambiguous") +
                                         " in " + o.db_path);
            ids.push_back(m[0]);
        }
    } else {
        for (const ruledb::RuleSummary& s : db.list_rules()) ids.push_back(s.id);
    }
    std::vector<SelectedRule> rules;
    for (ruledb::Id id : ids) {
        auto d = db.rule_details(id);
        rules.push_back(SelectedRule{id, d->summary.status, db.load_rule(id)});
    }
    return rules;
}

/// `prove`: proves the selected rules that no proof settled yet and records the proofs, as
/// `discover` does, so that apply can run straight after `import`.
void prove_open_rules(ruledb::Database& db, std::vector<SelectedRule>& rules, int timeout_ms, ruledb::Id run,
                      ApplyReport& report) {
    std::vector<SelectedRule*> open;
    for (SelectedRule& s : rules)
        if (s.status == ruledb::RuleStatus::Unproved || s.status == ruledb::RuleStatus::Unknown) open.push_back(&s);
    ProofTally tally;
    ProveJob job;
    job.rule = [&](size_t i) -> const Rule& { return open[i]->rule; };
    job.name = [&](size_t i) { return "rule_" + std::to_string(open[i]->id); };
    job.store = [&](size_t i, const prover::RuleCheck& c) { store_rule_check(db, run, open[i]->id, c, tally); };
    job.stopped = [](size_t, int sig) {
        throw support::Interrupted(sig, "stopped by " + support::signal_name(sig) + " while proving");
    };
    job.check.timeout_ms = timeout_ms;
    prove_and_store(db, batches(open.size(), 64), job);
    size_t proved = 0;
    for (SelectedRule* s : open) {
        auto d = db.rule_details(s->id);
        s->status = d->summary.status;
        s->rule.preconditions = d->summary.preconditions;
        if (s->status == ruledb::RuleStatus::Proved) ++proved;
    }
    report.proved = proved;
    report.tried = open.size();
}

ruledb::ValidationRecord record_for(const SelectedRule& s, const std::string& model, const std::string& device,
                                    const applier::RuleReport& rep, const applier::SiteCheck& sc, ruledb::Id run) {
    ruledb::ValidationRecord v;
    v.rule = s.id;
    v.model = model;
    v.site = rep.direction + ":" + sc.site;
    v.device = device;
    v.max_abs_error = std::isfinite(sc.cmp.max_abs_error) ? sc.cmp.max_abs_error : 1e300;
    v.max_rel_error = std::isfinite(sc.cmp.max_rel_error) ? sc.cmp.max_rel_error : 1e300;
    v.status = sc.status == applier::SiteStatus::Valid      ? ruledb::ValidationStatus::Valid
               : sc.status == applier::SiteStatus::Mismatch ? ruledb::ValidationStatus::Invalid
                                                            : ruledb::ValidationStatus::Error;
    v.message = sc.message;
    if (sc.site.rfind("all:", 0) == 0) {
        v.time_before_ms = rep.time_before_ms;
        v.time_after_ms = rep.time_after_ms;
    }
    v.run = run;
    return v;
}

// Each selected rule in each asked direction: checked, its verdicts recorded, and when every
// rewrite held, offered to the search.
void check_rules(ruledb::Database& db, applier::ModelValidator& validator, const std::vector<SelectedRule>& rules,
                 const ApplyOptions& o, ApplyReport& report, std::vector<applier::SearchRule>& search_rules) {
    for (const SelectedRule& s : rules) {
        const bool proved = s.status == ruledb::RuleStatus::Proved;
        if (!proved && !o.include_unproved) {
            ++report.skipped_unproved;
            continue;
        }
        ++report.considered;
        bool any = false;
        for (bool reverse : {false, true}) {
            if ((reverse && o.direction == "fwd") || (!reverse && o.direction == "rev")) continue;
            applier::RuleReport rep;
            try {
                rep = validator.check_rule(s.rule, reverse);
            } catch (const std::invalid_argument&) {
                continue;  // not reversible: its right side drops a variable
            }
            if (rep.matched == 0) continue;
            any = true;
            report.sites += rep.matched;
            report.applied += rep.applied;
            report.mismatches += rep.mismatches;
            report.errors += rep.errors;
            db.atomically([&] {
                for (const applier::SiteCheck& sc : rep.sites)
                    db.record_validation(record_for(s, report.model, report.device, rep, sc, report.run));
            });
            if (rep.mismatches == 0 && rep.errors == 0)
                search_rules.push_back({std::to_string(s.id) + " " + s.rule.name + " " + rep.direction,
                                        reverse ? applier::reversed(s.rule) : s.rule});
            rep.rule = s.rule.name;
            report.rules.push_back(AppliedRule{s.id, s.status, std::move(rep)});
        }
        if (any) ++report.rules_matched;
    }
}

}  // namespace

std::string ApplyReport::to_json() const {
    nlohmann::json jrules = nlohmann::json::array();
    for (const AppliedRule& a : rules) {
        const applier::RuleReport& rep = a.report;
        nlohmann::json jsites = nlohmann::json::array();
        for (const applier::SiteCheck& sc : rep.sites) {
            nlohmann::json j{{"site", sc.site},
                             {"status", applier::site_status_name(sc.status)},
                             {"max_abs_error", sc.cmp.max_abs_error},
                             {"max_rel_error", sc.cmp.max_rel_error},
                             {"tolerance", sc.cmp.tolerance}};
            if (!sc.message.empty()) j["message"] = sc.message;
            jsites.push_back(j);
        }
        nlohmann::json j{{"id", a.id},
                         {"name", rep.rule},
                         {"status", ruledb::to_string(a.status)},
                         {"direction", rep.direction},
                         {"sites", rep.matched},
                         {"validated", rep.validated},
                         {"applied", rep.applied},
                         {"mismatches", rep.mismatches},
                         {"errors", rep.errors},
                         {"checks", jsites}};
        if (rep.time_before_ms) j["time_before_ms"] = *rep.time_before_ms;
        if (rep.time_after_ms) j["time_after_ms"] = *rep.time_after_ms;
        jrules.push_back(j);
    }
    nlohmann::json doc{{"model", model},
                       {"device", device},
                       {"seed", seed},
                       {"run", run},
                       {"rules", jrules},
                       {"summary",
                        {{"rules_considered", considered},
                         {"rules_matched", rules_matched},
                         {"sites", sites},
                         {"applied", applied},
                         {"mismatches", mismatches},
                         {"errors", errors},
                         {"skipped_unproved", skipped_unproved}}}};
    if (optimization) {
        const applier::OptimizeResult& res = optimization->result;
        nlohmann::json steps = nlohmann::json::array();
        for (const applier::OptimizeStep& st : res.steps)
            steps.push_back({{"rule", st.rule}, {"site", st.site}, {"cost_ms", st.cost_after}});
        doc["optimize"] = {{"steps", steps},
                           {"expanded", res.expanded},
                           {"candidates", res.candidates},
                           {"stopped", res.stopped},
                           {"cost_before_ms", res.cost_before},
                           {"cost_after_ms", res.cost_after},
                           {"time_before_ms", optimization->time_before_ms},
                           {"time_after_ms", optimization->time_after_ms},
                           {"max_rel_error", optimization->outputs.max_rel_error},
                           {"valid", optimization->outputs.ok},
                           {"operators_measured", optimization->operators_measured}};
    }
    return doc.dump(2);
}

ApplyReport apply_rules(const ApplyOptions& o) {
    std::unique_ptr<applier::Executor> ex;
    try {
        ex = applier::make_executor(o.device);
    } catch (const std::exception& e) {  // an unknown device, or one this build or machine lacks
        throw support::UserError("--device " + o.device + ": " + e.what());
    }
    applier::Model model = load_model(o.model);
    ruledb::Database db(o.db_path, ruledb::Database::Options{false});
    std::vector<SelectedRule> rules = select_rules(db, o);

    ApplyReport report;
    report.model = model.name;
    report.device = ex->name();
    report.seed = o.seed;
    report.reps = o.timing.reps;
    ruledb::RunSpec spec;
    spec.command = "ruleforge apply --model " + o.model + " --device " + o.device;
    spec.params_json = nlohmann::json{
        {"model", o.model},
        {"device", o.device},
        {"seed", o.seed},
        {"rules", o.rules.value_or("")},
        {"include_unproved", o.include_unproved},
        {"direction",
         o.direction}}.dump();
    spec.seeds = {o.seed};
    spec.axiom_version = prover::builtin_axioms().version;
    report.run = db.begin_run(spec);
    if (o.prove) prove_open_rules(db, rules, o.timeout_ms, report.run, report);

    applier::ValidateOptions vo;
    vo.seed = o.seed;
    vo.max_sites = o.max_sites == 0 ? SIZE_MAX : o.max_sites;
    vo.time = o.time;
    vo.timing = o.timing;
    std::unique_ptr<applier::ModelValidator> validator;
    try {
        validator = std::make_unique<applier::ModelValidator>(model.name, model.graph, *ex, vo,
                                                              applier::model_variables(model, vo.seed));
    } catch (const std::exception& e) {
        db.finish_run(report.run, ruledb::RunStatus::Failed);
        report.failure = e.what();
        return report;
    }

    std::vector<applier::SearchRule> search_rules;
    check_rules(db, *validator, rules, o, report, search_rules);

    if (o.optimize) {
        applier::CostModel cost(*ex, vo.timing, o.seed);
        applier::OptimizeOptions oo;
        oo.alpha = o.alpha;
        oo.budget = o.budget;
        ApplyOptimization opt;
        opt.result = applier::optimize(model.graph, search_rules, cost, oo);
        opt.outputs = validator->compare_with_model(opt.result.best);
        opt.time_before_ms = validator->time_before_ms();
        opt.time_after_ms = applier::time_graph(*ex, opt.result.best, validator->variables(), vo.timing).median_ms;
        opt.operators_measured = cost.measured();
        if (!opt.outputs.ok) ++report.mismatches;
        report.optimization = std::move(opt);
    }
    db.finish_run(report.run, ruledb::RunStatus::Finished);
    return report;
}

}  // namespace rf::pipeline
