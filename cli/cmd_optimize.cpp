// `ruleforge optimize --db F --model NAME|FILE.onnx|FILE.model [--out FILE.onnx] ...`: makes a
// model faster with a database's proved rules (applier/optimize_model.h does the work: cost-
// guided search, weight pre-computation, output check, interleaved end-to-end timing, never a
// slower graph) and writes the result as ONNX. This file only parses, selects the rules and
// prints.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "applier/executor.h"
#include "applier/match.h"
#include "applier/model.h"
#include "applier/onnx_export.h"
#include "applier/optimize_model.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "ruledb/database.h"

namespace rf::cli {

namespace {

struct OptimizeArgs {
    std::string db, model, out, device, cost_cache, clock;
    bool json = false, kept_only = false, include_unproved = false;
};

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The database's proved rules (all, or the kept ones), each forwards and, where it binds every
/// variable, backwards: the search may rewrite either way.
std::vector<applier::SearchRule> search_rules(const OptimizeArgs& a) {
    std::unique_ptr<ruledb::Database> db;
    try {
        ruledb::Database::Options dbo;
        dbo.create = false;
        dbo.read_only = true;
        db = std::make_unique<ruledb::Database>(a.db, dbo);
    } catch (const ruledb::DbError& e) {
        throw UsageError(std::string("optimize: ") + e.what());
    }
    ruledb::RuleFilter f;
    if (!a.include_unproved) f.status = ruledb::RuleStatus::Proved;
    if (a.kept_only) f.decision = ruledb::Decision::Kept;
    std::vector<applier::SearchRule> rules;
    for (const ruledb::RuleSummary& s : db->list_rules(f)) {
        Rule r = db->load_rule(s.id);
        r.preconditions = s.preconditions;
        const std::string label = std::to_string(s.id) + " " + r.name;
        try {
            rules.push_back({label + " rev", applier::reversed(r)});
        } catch (const std::invalid_argument&) {
            // not reversible: its right side drops a variable
        }
        rules.push_back({label + " fwd", std::move(r)});
    }
    return rules;
}

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return in ? a + " " + b + " " + c : "unknown";
}

nlohmann::json timing_json(const applier::Timing& t) {
    return {{"median_ms", t.median_ms}, {"q1_ms", t.q1_ms},   {"q3_ms", t.q3_ms}, {"spread_ms", t.spread_ms()},
            {"min_ms", t.min_ms},       {"max_ms", t.max_ms}, {"runs", t.runs}};
}

std::string ms(double v) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(2) << v << " ms";
    return o.str();
}

// The report as JSON (docs/cli.md lists its keys).
nlohmann::json optimize_json(const OptimizeArgs& a, const applier::Model& model, const std::string& device,
                             size_t rules, const applier::ModelOptimizeResult& r, const std::string& load_before) {
    const double cost_after = r.kept_original ? r.search.cost_before : r.search.cost_after;
    nlohmann::json steps = nlohmann::json::array();
    for (const applier::OptimizeStep& st : r.search.steps)
        steps.push_back({{"rule", st.rule}, {"site", st.site}, {"cost_ms", st.cost_after}});
    nlohmann::json doc{{"model", model.name},
                       {"device", device},
                       {"clock", a.clock},
                       {"rules", rules},
                       {"time_before_ms", r.time_before.median_ms},
                       {"time_after_ms", r.time_after.median_ms},
                       {"time_before_spread_ms", r.time_before.spread_ms()},
                       {"time_after_spread_ms", r.time_after.spread_ms()},
                       {"time_before", timing_json(r.time_before)},
                       {"time_after", timing_json(r.time_after)},
                       {"time_candidate", timing_json(r.time_candidate)},
                       {"candidate_faster_runs", r.candidate_wins},
                       {"speedup", r.time_before.median_ms / r.time_after.median_ms},
                       {"cost_before_ms", r.search.cost_before},
                       {"cost_after_ms", cost_after},
                       {"cost_candidate_ms", r.search.cost_after},
                       {"valid", r.check.ok},
                       {"max_rel_error", r.check.max_rel_error},
                       {"tolerance", r.check.tolerance},
                       {"kept_original", r.kept_original},
                       {"verdict", r.verdict},
                       {"rewrites", r.kept_original ? nlohmann::json::array() : steps},
                       {"candidate_rewrites", steps},
                       {"expanded", r.search.expanded},
                       {"candidates", r.search.candidates},
                       {"stopped", r.search.stopped},
                       {"weights_precomputed", r.chosen.folded},
                       {"operators_known", r.operators_known},
                       {"operators_measured", r.operators_measured},
                       {"load_average", load_before + " / " + load_average()}};
    if (!a.out.empty()) doc["out"] = a.out;
    return doc;
}

// The report as text.
void print_optimize_text(std::ostream& out, const OptimizeArgs& a, const applier::Model& model,
                         const std::string& device, size_t rules, const applier::ModelOptimizeResult& r,
                         const std::string& load_before) {
    const double cost_after = r.kept_original ? r.search.cost_before : r.search.cost_after;
    const size_t applied = r.kept_original ? 0 : r.search.steps.size();
    out << "optimize " << model.name << " on " << device << " with " << rules << " rules: " << applied << " rewrites ("
        << r.search.expanded << " graphs expanded, " << r.search.candidates
        << " candidates, stopped: " << r.search.stopped << ")\n"
        << "  predicted " << ms(r.search.cost_before) << " -> " << ms(cost_after) << " (cost model; "
        << r.operators_known << " operator instances, " << r.operators_measured << " timed now)\n"
        << "  measured  " << ms(r.time_before.median_ms) << " (spread " << ms(r.time_before.spread_ms()) << ") -> "
        << ms(r.time_after.median_ms) << " (spread " << ms(r.time_after.spread_ms()) << "), median of "
        << r.time_before.runs << " interleaved runs (" << a.clock << " clock); load average " << load_before << "\n"
        << "  outputs   " << (r.check.ok ? "match" : "MISMATCH") << " (max rel error " << r.check.max_rel_error
        << ", tolerance " << r.check.tolerance << ")\n"
        << "  result    " << r.verdict << "\n";
    if (!r.kept_original)
        for (const applier::OptimizeStep& st : r.search.steps) out << "  " << st.rule << " at " << st.site << "\n";
    if (!a.out.empty()) out << "wrote " << a.out << "\n";
}

}  // namespace

int run_optimize(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge optimize --db FILE --model NAME|FILE.onnx|FILE.model [--out FILE.onnx] "
        "[options]\n\n"
        "Makes a model faster with the database's proved rules: TASO's cost-guided backtracking\n"
        "search over a per-operator cost model measured on the device (kept in a cache file), "
        "then\n"
        "weight-only values pre-computed, the outputs checked against the original's, and both\n"
        "graphs timed end to end, interleaved. The rewritten graph is returned only when it is\n"
        "valid and faster beyond the spread of the timings; otherwise the original is, and the\n"
        "report says why. --out writes the returned graph as ONNX (opset 13, weights as\n"
        "initializers). docs/optimize.md has figures.\n\noptions");
    OptimizeArgs a;
    applier::ModelOptimizeOptions mo;
    int reps = 21, warmup = 2;
    opts.add_options()("help,h", "show this help")("db", po::value(&a.db)->required(), "database file")(
        "model", po::value(&a.model)->required(), "built-in model name, or a .onnx / .model file")(
        "out", po::value(&a.out), "write the returned graph as an ONNX model")(
        "device", po::value(&a.device)->default_value("cpu"), "cpu (OpenBLAS) | reference | cuda")(
        "budget", po::value(&mo.search.budget)->default_value(50), "graphs expanded at most (0: return the original)")(
        "alpha", po::value(&mo.search.alpha)->default_value(1.0), "keep graphs costing < alpha * best (>= 1)")(
        "time-limit", po::value(&mo.search.time_limit_s)->default_value(0), "seconds of search at most (0: none)")(
        "kept-only", po::bool_switch(&a.kept_only), "only the rules a discovery kept (not those it pruned)")(
        "include-unproved", po::bool_switch(&a.include_unproved),
        "also rules no proof settled (outputs are still checked)")(
        "cost-cache", po::value(&a.cost_cache), "per-operator cost file (default: DB.costs; '' for none)")(
        "seed", po::value(&mo.seed)->default_value(1),
        "seed of random inputs and of weights the model has no values for")(
        "reps", po::value(&reps)->default_value(21), "end-to-end runs of each graph, interleaved")(
        "warmup", po::value(&warmup)->default_value(2), "untimed runs of each graph first")(
        "clock", po::value(&a.clock)->default_value("wall"),
        "wall | cpu: time by this process's CPU time (a shared machine; with OMP_NUM_THREADS=1)")(
        "json", po::bool_switch(&a.json), "print one JSON document");
    auto vm = parse_options("optimize", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    if (mo.search.budget < 0) throw UsageError("optimize: --budget must be >= 0");
    if (mo.search.alpha < 1.0) throw UsageError("optimize: --alpha must be >= 1");
    if (mo.search.time_limit_s < 0) throw UsageError("optimize: --time-limit must be >= 0");
    if (reps < 1 || warmup < 0) throw UsageError("optimize: --reps must be >= 1 and --warmup >= 0");
    if (vm.count("out") && !ends_with(a.out, ".onnx"))
        throw UsageError("optimize: --out must name a .onnx file, got '" + a.out + "'");
    if (a.clock != "wall" && a.clock != "cpu")
        throw UsageError("optimize: --clock must be wall or cpu, got '" + a.clock + "'");
    if (a.clock == "cpu" && a.device == "cuda")
        throw UsageError("optimize: --clock cpu cannot time a GPU; use --clock wall");
    mo.timing = applier::TimingOptions{warmup, reps, a.clock == "cpu"};
    mo.operator_timing.cpu_clock = a.clock == "cpu";
    mo.cost_cache = vm.count("cost-cache") ? a.cost_cache : a.db + ".costs";
    mo.search.progress = [&err](int expanded, size_t candidates, double best, double seconds) {
        err << "optimize: " << static_cast<int>(seconds) << " s, " << expanded << " graphs expanded, " << candidates
            << " candidates, best predicted " << ms(best) << "\n";
    };

    std::unique_ptr<applier::Executor> ex;
    try {
        ex = applier::make_executor(a.device);
    } catch (const std::exception& e) {
        throw UsageError("optimize: --device " + a.device + ": " + e.what());
    }
    applier::Model model;
    try {
        model = ends_with(a.model, ".onnx") || ends_with(a.model, ".model") ? applier::load_model_file(a.model)
                                                                            : applier::build_model(a.model);
    } catch (const std::exception& e) {
        throw UsageError(std::string("optimize: --model: ") + e.what());
    }
    const std::vector<applier::SearchRule> rules = search_rules(a);
    const std::string load_before = load_average();
    applier::ModelOptimizeResult r = applier::optimize_model(model, rules, *ex, mo);
    if (!a.out.empty()) applier::write_onnx(a.out, r.chosen.graph, r.chosen.variables, model.output_names);
    for (const std::string& w : r.warnings) err << "warning: optimize: " << w << "\n";

    if (a.json)
        out << optimize_json(a, model, ex->name(), rules.size(), r, load_before).dump(2) << "\n";
    else
        print_optimize_text(out, a, model, ex->name(), rules.size(), r, load_before);
    return r.check.ok ? kOk : kFailed;
}

}  // namespace rf::cli
