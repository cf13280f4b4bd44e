// `ruleforge prove --db F`: proves every candidate and rule the database holds unproved, with
// the chosen back-ends, records each proof and prunes the kept rule set again.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "pipeline/prove_db.h"
#include "ruledb/db_error.h"
#include "support/stop.h"

namespace rf::cli {

int run_prove(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge prove --db F [options]\n\n"
        "Proves what the database F holds unproved: candidates no proof has settled (from\n"
        "`enumerate`, or a discover run that stopped) and rules that arrived unproved (`import`).\n"
        "Every proof is recorded with its back-end, time, axioms used and condition; a false rule\n"
        "gets the bounded checker's counterexample. Running it again continues with what is still\n"
        "open. Exit status 1 when some rule is refuted.\n\noptions");
    pipeline::ProveDbOptions o;
    std::string backend;
    opts.add_options()("help,h", "show this help")("db", po::value(&o.db_path)->required(),
                                                   "database file (must exist)")(
        "backend", po::value(&backend)->default_value(kDefaultBackend),
        "z3 | cvc5 | both (proved only if both prove it)")("timeout-ms", po::value(&o.timeout_ms)->default_value(4000),
                                                           "time limit per query and back-end")(
        "threads", po::value(&o.threads)->default_value(0), "worker threads (0: all cores)")(
        "retry-unknown", po::bool_switch(&o.retry_unknown), "also retry what earlier proofs left unknown")(
        "no-prune", po::bool_switch(), "do not minimise the kept rule set afterwards")(
        "json", po::bool_switch(), "print the summary as JSON")("quiet,q", po::bool_switch(), "no progress lines");
    auto vm = parse_options("prove", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    o.threads = checked_threads("prove", o.threads, err);
    if (o.timeout_ms < 1) throw UsageError("prove: --timeout-ms must be positive");
    o.backends = parse_backends("prove", backend);
    o.prune = !vm["no-prune"].as<bool>();
    o.progress = !vm["quiet"].as<bool>();
    o.command_line = command_line("prove", args);
    pipeline::ProveDbSummary s;
    // SIGINT/SIGTERM: the batch in flight is rolled back and the run marked interrupted.
    support::install_stop_handlers(support::StopMode::Cooperative);
    try {
        s = pipeline::prove_database(o);
    } catch (const support::Interrupted& e) {
        throw support::Interrupted(e.signal(), "prove: " + e.what() + "; continue with: ruleforge " + o.command_line);
    }
    if (vm["json"].as<bool>()) {
        out << s.to_json() << "\n";
    } else {
        out << "run " << s.run << ": tried " << s.candidates << " candidates and " << s.rules << " rules\n"
            << "  proved   " << s.proved << "\n  refuted  " << s.refuted << "\n  unknown  " << s.unknown << "\n";
        if (s.errors) out << "  errors   " << s.errors << "\n";
        out << "  kept     " << s.kept << " rules in the database\n"
            << "  time: prove " << std::fixed << std::setprecision(2) << s.prove_seconds << "s prune "
            << s.prune_seconds << "s\n";
    }
    return s.refuted || s.errors ? kFailed : kOk;
}

}  // namespace rf::cli
