// `ruleforge enumerate`: enumerates every graph up to a size bound, groups them into exact
// fingerprint classes and extracts candidate rules; prints counts per size level (text or JSON)
// and, with --out, writes the candidates in native syntax; --verify checks the classes against
// the reference path (enumerator/reference_check.h). With --db it stores the classes and
// the pending candidates in a database instead (pipeline/enumerate_db.h), for `prove --db`.
#include <sys/resource.h>

#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "enumerator/enumerator.h"
#include "enumerator/reference_check.h"
#include "ir/native_text.h"
#include "ir/output_file.h"
#include "pipeline/enumerate_db.h"
#include "support/stop.h"

namespace rf::cli {

namespace {

double peak_rss_mb() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;  // Linux reports KiB
}

nlohmann::json drops_json(const enumerator::DropCounts& d) {
    return {{"common_subgraph", d.common_subgraph}, {"common_outermost_op", d.common_outermost_op},
            {"common_output", d.common_output},     {"unbound_variable", d.unbound_variable},
            {"single_rules", d.single_rules},       {"renaming", d.renaming}};
}

void print_stored(const pipeline::EnumerateDbSummary& s, const std::string& db, std::ostream& out) {
    out << "run " << s.run << (s.resumed ? " (resumed)" : "") << " into " << db << "\n"
        << "  graphs enumerated      " << s.graphs << "\n"
        << "  classes                " << s.classes << " (" << s.stored_classes << " with members stored, "
        << s.stored_members << " members)\n"
        << "  candidates             " << s.candidates << " (" << s.stored_candidates
        << " new in the database, pending; " << s.dropped_before_solver << " dropped before any solver)\n"
        << "  batches                " << s.batches_done << " stored, " << s.batches_skipped << " already stored\n"
        << "  time: enumerate " << std::fixed << std::setprecision(2) << s.enumerate_seconds << "s store "
        << s.store_seconds << "s\n"
        << "next: ruleforge prove --db " << db << "\n";
}

// `enumerate --db`: the enumeration stored into a database (pipeline/enumerate_db.h).
int run_enumerate_db(pipeline::EnumerateDbOptions o, bool json, std::ostream& out) {
    pipeline::EnumerateDbSummary s;
    // SIGINT/SIGTERM: the batch in flight is rolled back and the run marked interrupted.
    support::install_stop_handlers(support::StopMode::Cooperative);
    try {
        s = pipeline::enumerate_into_database(o);
    } catch (const support::Interrupted& e) {
        throw support::Interrupted(e.signal(), "enumerate: " + e.what() + "; continue it with: ruleforge " +
                                                   o.command_line + (o.resume ? "" : " --resume"));
    }
    if (json)
        out << s.to_json() << "\n";
    else
        print_stored(s, o.db_path, out);
    return kOk;
}

// The --json form of an in-memory enumeration: totals, levels, profile, the reference check.
nlohmann::json enumeration_json(const std::string& preset, int max_ops, int threads, const enumerator::EnumConfig& cfg,
                                const enumerator::EnumResult& res, double rss, bool verify,
                                const enumerator::ReferenceReport& check) {
    nlohmann::json j;
    j["preset"] = preset;
    j["max_ops"] = max_ops;
    j["threads"] = threads;
    j["templates"] = cfg.templates.size();
    j["variables"] = cfg.plan.symbolic_variables().size();
    j["seconds"] = res.seconds;
    j["peak_rss_mb"] = rss;
    j["classes"] = res.num_classes();
    j["candidates"] = res.candidates.size();
    for (const enumerator::LevelStats& l : res.levels)
        j["levels"].push_back({{"size", l.size},
                               {"graphs", l.graphs},
                               {"pair_graphs", l.pair_graphs},
                               {"new_classes", l.new_classes},
                               {"joined", l.joined},
                               {"full_evaluations", l.full_evaluations},
                               {"hash_collisions", l.hash_collisions},
                               {"overflows", l.overflows},
                               {"candidates", l.candidates},
                               {"drops", drops_json(l.drops)},
                               {"seconds", l.seconds}});
    j["profile"] = nlohmann::json::parse(pipeline::profile_json(res.profile));
    if (verify)
        j["reference_check"] = {{"classes", check.classes},       {"graphs", check.graphs},
                                {"overflowed", check.overflowed}, {"problems", check.problems},
                                {"examples", check.examples},     {"seconds", check.seconds}};
    return j;
}

}  // namespace

int run_enumerate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge enumerate --max-ops N [--db F [--resume]] [options]\n\n"
        "Enumerates every graph of up to N operators over the preset's operator templates\n"
        "and input variables, groups them by exact fingerprint and prints per size level\n"
        "the graphs enumerated, classes, candidate rules and drops by reason. With --db,\n"
        "stores the classes that have members and the candidates (pending) in F, for\n"
        "`ruleforge prove --db F`; a run that stopped continues with --resume.\n\noptions");
    int max_ops = 0, threads = 0, max_outputs = 2, batch = 2048;
    std::string preset, ops, out_file, db;
    opts.add_options()("help,h", "show this help")("max-ops", po::value(&max_ops)->required(),
                                                   "largest graph size (operators), 1..6")(
        "preset", po::value(&preset)->default_value("taso"),
        "taso (TASO's 26 templates, 20 inputs) | full | unity (parallel operators)")(
        "ops", po::value(&ops), "comma-separated template names to keep (default: all of the preset)")(
        "threads", po::value(&threads)->default_value(0), "OpenMP threads (0: all cores)")(
        "max-outputs", po::value(&max_outputs)->default_value(2), "1: single-output rules only; 2: also two-output")(
        "out", po::value(&out_file), "write the candidate rules, one per line, in native syntax")(
        "db", po::value(&db), "store classes and candidates in this database (created if missing)")(
        "resume", po::bool_switch(), "with --db: continue the last unfinished enumerate run")(
        "batch", po::value(&batch)->default_value(2048), "with --db: classes or candidates per transaction")(
        "verify", po::bool_switch(),
        "check the classes against the reference path: every graph rebuilt\n"
        "and evaluated whole at every point (slow; exit 1 on a difference)")(
        "json", po::bool_switch(), "print the figures as JSON")("quiet,q", po::bool_switch(),
                                                                "no progress lines on stderr");
    auto vm = parse_options("enumerate", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    if (max_ops < 1 || max_ops > 6) throw UsageError("enumerate: --max-ops must be between 1 and 6");
    if (max_outputs < 1 || max_outputs > 2) throw UsageError("enumerate: --max-outputs must be 1 or 2");
    threads = checked_threads("enumerate", threads, err);
    if (batch < 1) throw UsageError("enumerate: --batch must be positive");
    if (db.empty() && vm["resume"].as<bool>()) throw UsageError("enumerate: --resume needs --db");
    if (!db.empty() && !out_file.empty()) throw UsageError("enumerate: --out and --db exclude each other");
    const bool verify = vm["verify"].as<bool>();
    if (!db.empty() && verify)
        throw UsageError("enumerate: --verify and --db exclude each other (verify a run without --db)");
    if (!db.empty()) {
        pipeline::EnumerateDbOptions o;
        o.db_path = db;
        o.preset = preset;
        o.ops = ops;
        o.max_ops = max_ops;
        o.max_outputs = max_outputs;
        o.threads = threads;
        o.batch = batch;
        o.resume = vm["resume"].as<bool>();
        o.progress = !vm["quiet"].as<bool>();
        o.command_line = command_line("enumerate", args);
        return run_enumerate_db(o, vm["json"].as<bool>(), out);
    }
    if (!out_file.empty()) check_output_path(out_file);  // before the enumeration, which may take long
    enumerator::EnumConfig cfg = pipeline::enumeration_config(preset, max_ops, ops);
    cfg.threads = threads;
    cfg.max_outputs = max_outputs;
    cfg.progress = !vm["quiet"].as<bool>();
    enumerator::EnumResult res = enumerator::enumerate(cfg);

    if (!out_file.empty()) {
        std::ostringstream f;
        f << "# ruleforge enumerate --preset " << preset << " --max-ops " << max_ops << ": " << res.candidates.size()
          << " candidate rules (unproved)\n";
        for (const enumerator::Candidate& c : res.candidates) f << print_native(c.rule) << "\n";
        write_file_atomically(out_file, f.str());
    }
    enumerator::ReferenceReport check;
    if (verify) {
        if (cfg.progress)
            err << "verify: evaluating every graph of " << res.num_classes() << " classes whole at every point\n";
        check = enumerator::check_against_reference(res, cfg);
    }
    const int code = verify && !check.ok() ? kFailed : kOk;
    const double rss = peak_rss_mb();
    if (vm["json"].as<bool>()) {
        out << enumeration_json(preset, max_ops, threads, cfg, res, rss, verify, check).dump(2) << "\n";
        return code;
    }
    out << "preset " << preset << ": " << cfg.templates.size() << " templates, " << cfg.plan.symbolic_variables().size()
        << " variables, " << cfg.plan.points().size() << " evaluation points\n";
    out << "size      graphs  pair-graphs  new-classes      joined  candidates  "
           "dropped(subgraph/outer/output/unbound/singles/renaming)  seconds\n";
    for (const enumerator::LevelStats& l : res.levels)
        out << std::setw(4) << l.size << std::setw(12) << l.graphs << std::setw(13) << l.pair_graphs << std::setw(13)
            << l.new_classes << std::setw(12) << l.joined << std::setw(12) << l.candidates << "  "
            << l.drops.common_subgraph << "/" << l.drops.common_outermost_op << "/" << l.drops.common_output << "/"
            << l.drops.unbound_variable << "/" << l.drops.single_rules << "/" << l.drops.renaming << std::setw(10)
            << std::fixed << std::setprecision(2) << l.seconds << "\n";
    out << "total: " << res.num_classes() << " classes, " << res.candidates.size() << " candidates, " << std::fixed
        << std::setprecision(2) << res.seconds << " s, peak memory " << std::setprecision(0) << rss << " MB\n";
    if (verify) {
        out << "reference check: " << check.graphs << " graphs of " << check.classes
            << " classes evaluated whole at every point in " << std::setprecision(2) << check.seconds << " s: ";
        if (check.ok())
            out << "the classes are the partition the reference values induce\n";
        else
            out << check.problems << " problem(s)\n";
        for (const std::string& e : check.examples) out << "  " << e << "\n";
    }
    return code;
}

}  // namespace rf::cli
