// `ruleforge axioms`: lists the prover's axioms (prover/axioms.rf, built into the binary) with
// their names, statements and shape conditions, and the axiom-set version proofs record.
// `--validate` checks every axiom against the operators' meaning at every shape up to a bound
// and reports which axioms the others already prove (prover/axiom_validation.h).
#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "ir/rule_file.h"
#include "prover/axiom_set.h"
#include "prover/axiom_validation.h"

namespace rf::cli {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A progress callback that prints at most one line a second on err.
std::function<void(uint64_t, uint64_t)> progress_printer(std::ostream& err, const std::string& tag, bool enabled) {
    if (!enabled) return {};
    auto start = std::chrono::steady_clock::now();
    auto last = std::make_shared<std::chrono::steady_clock::time_point>(start);
    return [&err, tag, start, last](uint64_t done, uint64_t total) {
        auto now = std::chrono::steady_clock::now();
        if (done < total && now - *last < std::chrono::seconds(1)) return;
        *last = now;
        const double s = std::chrono::duration<double>(now - start).count();
        const double rate = s > 0 ? static_cast<double>(done) / s : 0;
        err << "[" << tag << "] " << done << "/" << total << ", " << static_cast<uint64_t>(rate) << "/s";
        if (done < total && rate > 0)
            err << ", ETA " << static_cast<uint64_t>(static_cast<double>(total - done) / rate) << " s";
        err << std::endl;
    };
}

void list_axioms(const prover::AxiomSet& set, bool json, std::ostream& out) {
    if (json) {
        nlohmann::json j{{"version", set.version}, {"source", set.source}, {"axioms", nlohmann::json::array()}};
        for (const prover::Axiom& a : set.axioms)
            j["axioms"].push_back({{"name", a.name},
                                   {"statement", a.statement},
                                   {"condition", a.condition},
                                   {"scope", prover::axiom_scope_name(a.scope)}});
        out << j.dump(2) << "\n";
        return;
    }
    out << "# " << set.axioms.size() << " axioms, " << set.version << " (" << set.source << ")\n";
    for (const prover::Axiom& a : set.axioms) {
        std::string stmt = a.statement;
        size_t w = stmt.find(" where ");
        if (w != std::string::npos) stmt = stmt.substr(0, w);
        out << a.name << "\n    " << stmt.substr(stmt.find(':') + 1 + (stmt[stmt.find(':') + 1] == ' ')) << "\n";
        if (!a.condition.empty()) out << "    if " << a.condition << "\n";
        if (a.scope != prover::AxiomScope::Whole)
            out << "    for tensors of "
                << (a.scope == prover::AxiomScope::Any ? "any distribution"
                                                       : "any distribution where the left side is defined")
                << "\n";
    }
}

// The validation report as JSON.
nlohmann::json validation_json(const prover::AxiomSet& set, const prover::AxiomValidationOptions& o,
                               const std::vector<prover::AxiomValidation>& vals,
                               const std::vector<prover::AxiomRedundancy>& red,
                               std::map<std::string, uint64_t>& by_status, uint64_t instances, double validate_seconds,
                               double redundancy_seconds) {
    nlohmann::json j{{"version", set.version},
                     {"source", set.source},
                     {"max_dim", o.max_dim},
                     {"max_rank", o.max_rank},
                     {"axioms", nlohmann::json::array()}};
    for (size_t i = 0; i < vals.size(); ++i) {
        const auto& v = vals[i];
        nlohmann::json a{{"name", v.name},           {"status", prover::validation_status_name(v.status)},
                         {"variants", v.variants},   {"assignments", v.assignments},
                         {"instances", v.instances}, {"field_proved", v.field_proved},
                         {"tested", v.tested},       {"note", v.note}};
        if (!v.counterexample.empty()) a["counterexample"] = v.counterexample;
        if (!red.empty())
            a["redundancy"] = {
                {"redundant", red[i].redundant}, {"derived_from", red[i].derived_from}, {"verdict", red[i].verdict}};
        j["axioms"].push_back(a);
    }
    j["summary"] = {{"axioms", vals.size()},
                    {"proved", by_status["proved"]},
                    {"tested", by_status["tested"]},
                    {"refuted", by_status["refuted"]},
                    {"errors", by_status["error"]},
                    {"instances", instances},
                    {"validate_seconds", validate_seconds},
                    {"redundancy_seconds", redundancy_seconds}};
    if (!red.empty()) {
        nlohmann::json r = nlohmann::json::array();
        for (const auto& x : red)
            if (x.redundant) r.push_back(x.name);
        j["summary"]["redundant"] = r;
    }
    return j;
}

}  // namespace

int run_axioms(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge axioms [options]\n\n"
        "Lists the axioms the prover uses: name, statement (native rule syntax) and the shape\n"
        "condition under which it is assumed. With --validate, checks each axiom against the\n"
        "operators' meaning (the reference evaluator, not the SMT encoding) at every shape whose\n"
        "dimensions are 1..--max-dim, and reports which axioms follow from the others. Exit "
        "status\n"
        "1 when an axiom is refuted or cannot be checked.\n\noptions");
    opts.add_options()("help,h", "show this help")("json", po::bool_switch(), "print JSON")(
        "axioms", po::value<std::string>(), "read the axioms from this file instead of the built-in set")(
        "validate", po::bool_switch(), "validate every axiom (and report redundancy)")(
        "max-dim", po::value<int>()->default_value(4), "largest value of a dimension symbol (TASO: 4)")(
        "max-rank", po::value<int>()->default_value(4), "largest rank tried for rank-generic variables")(
        "draws", po::value<int>()->default_value(6), "exact random draws for instances that need relu/max semantics")(
        "seed", po::value<uint64_t>()->default_value(1), "random seed")(
        "threads,j", po::value<int>()->default_value(0), "threads (0: all cores)")("no-redundancy", po::bool_switch(),
                                                                                   "skip the redundancy report")(
        "timeout-ms", po::value<int>()->default_value(2000), "solver limit per redundancy query")(
        "quiet,q", po::bool_switch(), "no progress lines");
    auto vm = parse_options("axioms", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    prover::AxiomSet file_set;
    if (vm.count("axioms")) {
        const std::string path = vm["axioms"].as<std::string>();
        file_set = prover::parse_axiom_set(read_text_file(path), path);
        file_set.source = path;
    }
    const prover::AxiomSet& set = vm.count("axioms") ? file_set : prover::builtin_axioms();
    const bool json = vm["json"].as<bool>();
    if (!vm["validate"].as<bool>()) {
        list_axioms(set, json, out);
        return kOk;
    }
    prover::AxiomValidationOptions o;
    o.max_dim = vm["max-dim"].as<int>();
    o.max_rank = vm["max-rank"].as<int>();
    o.exact_draws = vm["draws"].as<int>();
    o.seed = vm["seed"].as<uint64_t>();
    o.threads = vm["threads"].as<int>();
    if (o.max_dim < 1 || o.max_dim > 8) throw UsageError("--max-dim must be in 1..8, got " + std::to_string(o.max_dim));
    if (o.max_rank < 0 || o.max_rank > 6)
        throw UsageError("--max-rank must be in 0..6, got " + std::to_string(o.max_rank));
    if (o.exact_draws < 1) throw UsageError("--draws must be at least 1");
    if (o.threads < 0) throw UsageError("--threads must not be negative");
    const int timeout_ms = vm["timeout-ms"].as<int>();
    if (timeout_ms < 1) throw UsageError("--timeout-ms must be positive");
    const bool quiet = vm["quiet"].as<bool>();
    o.progress = progress_printer(err, "validate", !quiet);

    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<prover::AxiomValidation> vals = prover::validate_axioms(set, o);
    const double validate_seconds = seconds_since(t0);
    std::vector<prover::AxiomRedundancy> red;
    double redundancy_seconds = 0;
    if (!vm["no-redundancy"].as<bool>()) {
        const auto t1 = std::chrono::steady_clock::now();
        red = prover::find_redundant_axioms(set, timeout_ms, o.threads, progress_printer(err, "redundancy", !quiet));
        redundancy_seconds = seconds_since(t1);
    }

    std::map<std::string, uint64_t> by_status;
    uint64_t instances = 0;
    for (const auto& v : vals) {
        ++by_status[prover::validation_status_name(v.status)];
        instances += v.instances;
    }
    const bool failed = by_status["refuted"] + by_status["error"] > 0;
    if (json) {
        out << validation_json(set, o, vals, red, by_status, instances, validate_seconds, redundancy_seconds).dump(2)
            << "\n";
        return failed ? kFailed : kOk;
    }
    out << "# " << vals.size() << " axioms (" << set.version << "), every shape with dimensions 1.." << o.max_dim
        << ", ranks 0.." << o.max_rank << " for rank-generic variables\n";
    out << std::left << std::setw(30) << "axiom" << std::setw(9) << "status" << std::right << std::setw(9) << "variants"
        << std::setw(11) << "instances" << std::setw(11) << "field" << std::setw(9) << "tested"
        << "\n";
    for (const auto& v : vals) {
        out << std::left << std::setw(30) << v.name << std::setw(9) << prover::validation_status_name(v.status)
            << std::right << std::setw(9) << v.variants << std::setw(11) << v.instances << std::setw(11)
            << v.field_proved << std::setw(9) << v.tested << "\n";
        if (!v.counterexample.empty()) out << "    counterexample: " << v.counterexample << "\n";
        if (!v.note.empty()) out << "    note: " << v.note << "\n";
    }
    out << "summary: " << vals.size() << " axioms: " << by_status["proved"] << " proved at every shape, "
        << by_status["tested"] << " tested (need relu/max semantics), " << by_status["refuted"] << " refuted, "
        << by_status["error"] << " errors; " << instances << " instances in " << std::fixed << std::setprecision(1)
        << validate_seconds << " s\n";
    if (!red.empty()) {
        int n = 0;
        for (const auto& x : red) {
            if (!x.redundant) continue;
            ++n;
            out << "redundant: " << x.name << " follows from";
            for (const auto& d : x.derived_from) out << " " << d;
            out << "\n";
        }
        out << "redundancy: " << n << " of " << red.size() << " axioms follow from the others (z3, " << timeout_ms
            << " ms per query, " << std::fixed << std::setprecision(1) << redundancy_seconds << " s)\n";
    }
    return failed ? kFailed : kOk;
}

}  // namespace rf::cli
