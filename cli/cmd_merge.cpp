// `ruleforge merge OUT.db SHARD.db...`: copies the databases of separate runs or MPI ranks into
// one, without duplicates (rows are matched by canonical text, runs by UUID) and with provenance
// (copied runs record the shard they came from). Each shard goes in one transaction, so a kill
// leaves OUT with whole shards only; merging a shard twice adds nothing.
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/options.h"
#include "ruledb/database.h"

namespace rf::cli {

namespace {

std::string counts_line(const ruledb::MergeCounts& c) {
    return "runs +" + std::to_string(c.runs) + ", graphs +" + std::to_string(c.graphs) + ", classes +" +
           std::to_string(c.classes) + ", candidates +" + std::to_string(c.candidates) + ", rules +" +
           std::to_string(c.rules) + " (" + std::to_string(c.rules_present) + " already present), proofs +" +
           std::to_string(c.proofs) + ", validations +" + std::to_string(c.validations);
}

nlohmann::json counts_json(const ruledb::MergeCounts& c) {
    return {{"runs", c.runs},
            {"graphs", c.graphs},
            {"classes", c.classes},
            {"candidates", c.candidates},
            {"rules", c.rules},
            {"rules_present", c.rules_present},
            {"proofs", c.proofs},
            {"validations", c.validations},
            {"duplicates", c.duplicates}};
}

}  // namespace

int run_merge(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description opts(
        "ruleforge merge OUT.db SHARD.db... [options]\n\n"
        "Merges ruleforge databases into OUT.db (created if missing) without duplicates,\n"
        "keeping each run's provenance.\n\noptions");
    std::vector<std::string> files;
    opts.add_options()("help,h", "show this help")("files", po::value(&files)->multitoken(), "OUT.db then the shards")(
        "json", po::bool_switch(), "print JSON");
    po::positional_options_description pos;
    pos.add("files", -1);
    auto vm = parse_options("merge", args, opts, pos);
    if (vm.count("help")) {
        out << opts << "\n";
        return kOk;
    }
    if (files.size() < 2)
        throw UsageError("merge: needs OUT.db and at least one SHARD.db (see 'ruleforge merge --help')");
    bool json = vm["json"].as<bool>();
    nlohmann::json report = {{"out", files[0]}, {"shards", nlohmann::json::array()}};
    ruledb::MergeCounts total;
    size_t merged = 0;
    try {
        // Check every shard before writing anything, so a typo in the last one costs nothing.
        for (size_t i = 1; i < files.size(); ++i) {
            std::error_code ec;
            if (std::filesystem::equivalent(files[0], files[i], ec))
                throw UsageError("merge: '" + files[i] + "' is OUT.db itself");
            ruledb::Database check(files[i], ruledb::Database::Options{false});
        }
        ruledb::Database db(files[0]);
        for (size_t i = 1; i < files.size(); ++i) {
            ruledb::MergeCounts c = db.merge_from(files[i]);
            total += c;
            ++merged;
            if (json)
                report["shards"].push_back({{"shard", files[i]}, {"added", counts_json(c)}});
            else
                out << files[i] << ": " << counts_line(c) << "\n";
        }
        report["total"] = counts_json(total);
        report["rules_in_out"] = db.stats().rules;
        if (json)
            out << report.dump(2) << "\n";
        else
            out << "merged " << files.size() - 1 << " shard" << (files.size() > 2 ? "s" : "") << " into " << files[0]
                << ": " << report["rules_in_out"].get<int64_t>() << " rules\n";
    } catch (const ruledb::DbError& e) {
        err << "error: merge: " << e.what() << "\n";
        if (merged)
            err << "(the " << merged << " shard" << (merged > 1 ? "s" : "")
                << " merged before this error are kept whole in '" << files[0] << "')\n";
        return kUsage;
    }
    return kOk;
}

}  // namespace rf::cli
