#include "cli/options.h"

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

std::vector<prover::BackendKind> parse_backends(const std::string& command, const std::string& value) {
    if (value == "both") return {prover::BackendKind::Z3, prover::BackendKind::Cvc5};
    auto k = prover::backend_from_name(value);
    if (!k) throw UsageError(command + ": --backend must be z3, cvc5 or both, got '" + value + "'");
    return {*k};
}

}  // namespace rf::cli
