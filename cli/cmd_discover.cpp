// `ruleforge discover --db F --max-ops N`: enumerate, store, prove and keep rules in one go, with
// progress on stderr and a closing summary; `--resume` continues a run that stopped;
// `--distributed` under mpirun shares the work between the ranks (pipeline/distributed_discover.h).
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "enumerator/term_store.h"
#include "pipeline/discover.h"
#include "ruledb/db_error.h"
#include "support/stop.h"

namespace rf::cli {

namespace {

void print_summary(const pipeline::DiscoverSummary& s, std::ostream& out) {
    if (s.already_finished) {
        // Nothing ran: the database's totals, no enumeration or time figures.
        out << "run " << s.run << " had finished already: nothing to resume\n"
            << "  proved                 " << s.proved << "\n"
            << "  refuted                " << s.refuted << "\n"
            << "  unknown                " << s.unknown << "\n"
            << "  rules                  " << s.rules << " (kept " << s.kept << ")\n";
        return;
    }
    // This run's counts first, then the database's totals (earlier runs included), apart.
    out << "run " << s.run << (s.resumed ? " (resumed)" : "") << "\n"
        << "  graphs enumerated      " << s.graphs << "\n"
        << "  classes                " << s.classes << "\n"
        << "  candidates             " << s.candidates << " (" << s.dropped_before_solver
        << " dropped before any solver)\n"
        << "  proved                 " << s.run_proved << "\n"
        << "  refuted                " << s.run_refuted << "\n"
        << "  unknown                " << s.run_unknown << "\n";
    for (const auto& [why, k] : s.unknown_reasons) out << "    " << k << " x " << why << "\n";
    if (s.errors) out << "  errors                 " << s.errors << "\n";
    out << "database totals (all runs)\n"
        << "  candidates proved      " << s.proved << "\n"
        << "  candidates refuted     " << s.refuted << "\n"
        << "  candidates unknown     " << s.unknown << "\n";
    out << "  rules                  " << s.rules << " (kept " << s.kept << ")\n";
    for (const auto& [reason, k] : s.pruned) out << "  pruned: " << reason << "  " << k << "\n";
    if (!s.per_rank.empty()) {
        out << "  ranks                  " << s.ranks << " (load imbalance, busiest rank / mean: enumeration "
            << std::fixed << std::setprecision(2) << pipeline::enumeration_imbalance(s.per_rank) << ", proving "
            << pipeline::load_imbalance(s.per_rank) << ")\n";
        for (const pipeline::RankWork& w : s.per_rank)
            out << "    rank " << w.rank << ": enumeration " << std::setprecision(2) << w.enumerate_seconds
                << "s + exchanges " << w.exchange_seconds << "s; " << w.candidates << " candidates proved in "
                << w.chunks << " chunks, busy " << w.busy_seconds << "s, waiting " << w.wait_seconds << "s, "
                << w.threads << " threads, " << w.bytes_sent + w.bytes_received << " bytes to/from rank 0\n";
        out << "  bytes sent, all ranks together:\n";
        for (const pipeline::Traffic& t : s.traffic) out << "    " << t.phase << ": " << t.bytes << "\n";
    }
    out << "  time:";
    for (const pipeline::StageTime& t : s.stages)
        out << " " << t.stage << " " << std::fixed << std::setprecision(2) << t.seconds << "s";
    out << "\n";
}

}  // namespace

int run_discover(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge discover --db F --max-ops N [options]\n\n"
        "Enumerates operator graphs up to N operators, groups them by exact fingerprint,\n"
        "proves each candidate rule and stores everything in the database F. A run that\n"
        "stopped (killed, out of time) continues with --resume.\n\noptions");
    pipeline::DiscoverOptions o;
    std::string backend;
    opts.add_options()("help,h", "show this help")("db", po::value(&o.db_path)->required(),
                                                   "database file (created if missing)")(
        "max-ops", po::value(&o.max_ops)->required(), "largest graph size, in operators")(
        "preset", po::value(&o.preset)->default_value("taso"),
        "operator templates and inputs: taso | full | unity (parallel operators, docs/parallel.md) "
        "| transformer (docs/transformer.md)")("ops", po::value(&o.ops),
                                               "keep only these templates (comma-separated names)")(
        "threads", po::value(&o.threads)->default_value(0), "worker threads (0: all cores)")(
        "backend", po::value(&backend)->default_value(kDefaultBackend),
        "z3 | cvc5 | both (proved only if both prove it)")("timeout-ms", po::value(&o.timeout_ms)->default_value(4000),
                                                           "time limit per query and back-end")(
        "resume", po::bool_switch(&o.resume),
        "continue the last unfinished discover run in the database (exactly where it stopped, "
        "whatever --batch; a finished run: nothing to do, exit 0)")(
        "batch", po::value(&o.batch)->default_value(128), "candidates per transaction (what a stop rolls back)")(
        "distributed", po::bool_switch(&o.distributed),
        "under mpirun: the ranks share enumeration and proving; rank 0 alone writes the database")(
        "json", po::bool_switch(), "print the summary as JSON")("quiet,q", po::bool_switch(), "no progress lines");
    auto vm = parse_options("discover", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    if (o.max_ops < 1) throw UsageError("discover: --max-ops must be at least 1");
    if (o.max_ops > enumerator::kMaxOps)  // refused before the database is opened: no run is recorded
        throw UsageError("discover: --max-ops must be between 1 and " + std::to_string(enumerator::kMaxOps) + ", got " +
                         std::to_string(o.max_ops) + " (the largest graph the enumerator builds)");
    o.threads = checked_threads("discover", o.threads, err);
    if (o.timeout_ms < 1) throw UsageError("discover: --timeout-ms must be positive");
    if (o.batch < 1) throw UsageError("discover: --batch must be positive");
    o.backends = parse_backends("discover", backend);
    o.progress = !vm["quiet"].as<bool>();
    o.command_line = command_line("discover", args);
    pipeline::DiscoverSummary s;
    // SIGINT/SIGTERM: the batch in flight is rolled back and the run marked interrupted.
    support::install_stop_handlers(support::StopMode::Cooperative);
    try {
        s = pipeline::discover(o);
    } catch (const support::Interrupted& e) {
        throw support::Interrupted(e.signal(), "discover: " + e.what() + "; continue it with: ruleforge " +
                                                   o.command_line + (o.resume ? "" : " --resume"));
    }
    if (s.rank != 0) return kOk;  // a distributed run's other ranks: rank 0 reports for all
    if (vm["json"].as<bool>())
        out << s.to_json() << "\n";
    else
        print_summary(s, out);
    return kOk;
}

}  // namespace rf::cli
