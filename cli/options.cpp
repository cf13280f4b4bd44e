#include "cli/options.h"

#include <omp.h>

#include <algorithm>
#include <ostream>

#include "cli/command.h"

namespace rf::cli {

po::variables_map parse_options(const std::string& command, const std::vector<std::string>& args,
                                const po::options_description& opts,
                                const po::positional_options_description& positional) {
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(opts).positional(positional).run(), vm);
        if (vm.count("help")) return vm;
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(command + ": " + e.what() + " (see 'ruleforge " + command + " --help')");
    }
    return vm;
}

std::string command_line(const std::string& command, const std::vector<std::string>& args) {
    std::string s = command;
    for (const std::string& a : args) s += " " + a;
    return s;
}

int checked_threads(const std::string& command, int requested, std::ostream& err) {
    if (requested < 0) throw UsageError(command + ": --threads must not be negative");
    const int cpus = std::max(1, omp_get_num_procs());
    if (requested <= cpus) return requested;
    err << "warning: " << command << ": --threads " << requested << " is more than the " << cpus
        << " CPUs this process may use; using " << cpus << "\n";
    return cpus;
}

std::vector<prover::BackendKind> parse_backends(const std::string& command, const std::string& value) {
    if (value == "both") return {prover::BackendKind::Z3, prover::BackendKind::Cvc5};
    auto k = prover::backend_from_name(value);
    if (!k) throw UsageError(command + ": --backend must be z3, cvc5 or both, got '" + value + "'");
    return {*k};
}

}  // namespace rf::cli
