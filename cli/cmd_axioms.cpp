// `ruleforge axioms`: lists the prover's axioms (prover/axioms.rf, built into the binary) with
// their names, statements and shape conditions, and the axiom-set version proofs record.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "prover/axiom_set.h"

namespace rf::cli {

int run_axioms(const std::vector<std::string>& args, std::ostream& out, std::ostream&) {
    po::options_description opts("ruleforge axioms [options]\n\n"
                                 "Lists the axioms the prover uses: name, statement (native rule syntax) and the\n"
                                 "shape condition under which it is assumed.\n\noptions");
    opts.add_options()("help,h", "show this help")("json", po::bool_switch(), "print JSON");
    auto vm = parse_options("axioms", args, opts, {});
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    const prover::AxiomSet& set = prover::builtin_axioms();
    if (vm["json"].as<bool>()) {
        nlohmann::json j{{"version", set.version}, {"source", set.source}, {"axioms", nlohmann::json::array()}};
        for (const prover::Axiom& a : set.axioms)
            j["axioms"].push_back({{"name", a.name}, {"statement", a.statement}, {"condition", a.condition}});
        out << j.dump(2) << "\n";
        return kOk;
    }
    out << "# " << set.axioms.size() << " axioms, " << set.version << " (" << set.source << ")\n";
    for (const prover::Axiom& a : set.axioms) {
        std::string stmt = a.statement;
        size_t w = stmt.find(" where ");
        if (w != std::string::npos) stmt = stmt.substr(0, w);
        out << a.name << "\n    " << stmt.substr(stmt.find(':') + 1 + (stmt[stmt.find(':') + 1] == ' ')) << "\n";
        if (!a.condition.empty()) out << "    if " << a.condition << "\n";
    }
    return kOk;
}

}  // namespace rf::cli
