// `ruleforge apply --db F --model NAME|FILE [--device cpu|reference|cuda] [--rules IDS] [--json]`:
// applies a database's rules to a model, one site at a time and at all compatible sites together,
// checks each rewrite numerically against the original (applier/validate.h), records every
// verdict in the database, and with --optimize runs the cost-guided search and reports the
// model's end-to-end time before and after. By default only proved rules are applied, each only
// where the assumptions of its proof hold; --include-unproved forces the others (to test them).
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "pipeline/apply.h"

namespace rf::cli {

namespace {

std::string ms_text(double ms) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(3) << ms << "ms";
    return o.str();
}

// One line per rule and direction on `out`, each failed check on `err`; the search's result;
// the summary on `err`.
void print_text(const pipeline::ApplyReport& r, std::ostream& out, std::ostream& err) {
    for (const pipeline::AppliedRule& a : r.rules) {
        const applier::RuleReport& rep = a.report;
        out << a.id << " " << rep.rule << " " << rep.direction << " sites=" << rep.matched << " applied=" << rep.applied
            << " mismatches=" << rep.mismatches << " errors=" << rep.errors;
        if (rep.time_before_ms && rep.time_after_ms)
            out << " before=" << ms_text(*rep.time_before_ms) << " after=" << ms_text(*rep.time_after_ms);
        out << "\n";
        for (const applier::SiteCheck& sc : rep.sites)
            if (sc.status != applier::SiteStatus::Valid)
                err << (sc.status == applier::SiteStatus::Mismatch ? "mismatch" : "error") << ": rule " << a.id << " ("
                    << rep.rule << ") on " << r.model << " at " << rep.direction << ":" << sc.site << ": " << sc.message
                    << "\n";
    }
    if (const auto& opt = r.optimization) {
        const applier::OptimizeResult& res = opt->result;
        out << "optimize: " << res.steps.size() << " rewrites, " << res.expanded << " graphs expanded, "
            << res.candidates << " candidates (" << res.stopped << "); cost model " << ms_text(res.cost_before)
            << " -> " << ms_text(res.cost_after) << "; measured end to end " << ms_text(opt->time_before_ms) << " -> "
            << ms_text(opt->time_after_ms) << " (median of " << r.reps << "); outputs "
            << (opt->outputs.ok ? "match" : "MISMATCH: " + opt->outputs.detail) << "\n";
        for (const applier::OptimizeStep& st : res.steps) out << "  " << st.rule << " at " << st.site << "\n";
    }
    err << r.model << " on " << r.device << ": " << r.considered << " rules considered (" << r.skipped_unproved
        << " unproved skipped), " << r.rules_matched << " matched, " << r.sites << " sites, " << r.applied
        << " applied, " << r.mismatches << " mismatches, " << r.errors << " errors\n";
}

}  // namespace

int run_apply(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge apply --db FILE --model NAME|FILE.onnx|FILE.model [options]\n\n"
        "Applies the database's proved rules to a model: finds every site of each rule (both\n"
        "directions), rewrites each site alone and all compatible sites together, runs the "
        "original\n"
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
    opts.add_options()("help,h", "show this help")("db", po::value(&db_path)->required(), "database file")(
        "model", po::value(&model_spec)->required(), "built-in model name, or a .onnx / .model file")(
        "device", po::value(&device)->default_value("cpu"), "cpu (OpenBLAS) | reference (plain evaluator) | cuda")(
        "rules", po::value(&rules_spec), "comma-separated rule ids or hash prefixes (default: every rule)")(
        "include-unproved", po::bool_switch(), "also apply rules that are not proved (to test them)")(
        "prove", po::bool_switch(), "first prove the selected rules no proof has settled, recording the proofs")(
        "timeout-ms", po::value(&timeout_ms)->default_value(4000), "--prove: time limit per query")(
        "direction", po::value(&direction)->default_value("both"), "fwd | rev | both")(
        "max-sites", po::value(&max_sites)->default_value(0),
        "sites checked one at a time per rule and direction (0: all)")("seed", po::value(&seed)->default_value(1),
                                                                       "seed of the random inputs and weights")(
        "reps", po::value(&reps)->default_value(5), "timed runs per measurement (median reported)")(
        "warmup", po::value(&warmup)->default_value(1), "untimed runs before each measurement")(
        "no-time", po::bool_switch(), "do not time the model before and after")(
        "optimize", po::bool_switch(), "run the cost-guided search with the applicable rules")(
        "alpha", po::value(&alpha)->default_value(1.0), "--optimize: keep graphs costing < alpha * best")(
        "budget", po::value(&budget)->default_value(50), "--optimize: graphs expanded at most")(
        "json", po::bool_switch(), "print one JSON document");
    auto vm = parse_options("apply", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    if (direction != "fwd" && direction != "rev" && direction != "both")
        throw UsageError("apply: --direction must be fwd, rev or both, got '" + direction + "'");
    if (reps < 1 || warmup < 0) throw UsageError("apply: --reps must be >= 1 and --warmup >= 0");
    if (alpha < 1.0) throw UsageError("apply: --alpha must be >= 1");
    pipeline::ApplyOptions o;
    o.db_path = db_path;
    o.model = model_spec;
    o.device = device;
    if (vm.count("rules")) o.rules = rules_spec;
    o.direction = direction;
    o.include_unproved = vm["include-unproved"].as<bool>();
    o.prove = vm["prove"].as<bool>();
    o.timeout_ms = timeout_ms;
    o.max_sites = max_sites;
    o.seed = seed;
    o.timing = applier::TimingOptions{warmup, reps};
    o.time = !vm["no-time"].as<bool>();
    o.optimize = vm["optimize"].as<bool>();
    o.alpha = alpha;
    o.budget = budget;
    const pipeline::ApplyReport r = pipeline::apply_rules(o);
    if (r.tried) err << "proved " << *r.proved << " of " << *r.tried << " open rules\n";
    if (r.failure) {
        err << "error: apply: " << *r.failure << "\n";
        return kFailed;
    }
    if (vm["json"].as<bool>())
        out << r.to_json() << "\n";
    else
        print_text(r, out, err);
    return r.failed() ? kFailed : kOk;
}

}  // namespace rf::cli
