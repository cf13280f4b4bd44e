// `apply` as one library call: load a model and a database's rules, optionally prove the open
// ones, check every rewrite numerically against the original (applier/validate.h), record each
// verdict in the database, and optionally run the cost-guided search. The command line only
// parses options into ApplyOptions and prints the ApplyReport (text, or to_json()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "applier/optimize.h"
#include "applier/validate.h"
#include "ir/rule.h"
#include "ruledb/records.h"

namespace rf::pipeline {

struct ApplyOptions {
    std::string db_path;
    std::string model;                 ///< a built-in model's name, or a .onnx / .model file
    std::string device = "cpu";        ///< cpu | reference | cuda
    std::optional<std::string> rules;  ///< comma-separated rule ids or hash prefixes; none: every rule
    std::string direction = "both";    ///< fwd | rev | both
    bool include_unproved = false;     ///< also apply rules that are not proved
    bool prove = false;                ///< first prove the selected rules no proof has settled
    int timeout_ms = 4000;             ///< per query, with `prove`
    size_t max_sites = 0;              ///< one-site checks per rule and direction (0: all)
    uint64_t seed = 1;
    applier::TimingOptions timing{};  ///< warm-up and timed runs per measurement
    bool time = true;                 ///< time the model before and after
    bool optimize = false;            ///< run the cost-guided search with the applicable rules
    double alpha = 1.0;
    int budget = 50;
};

/// One rule in one direction that matched the model.
struct AppliedRule {
    ruledb::Id id = 0;
    ruledb::RuleStatus status = ruledb::RuleStatus::Unproved;
    applier::RuleReport report;  ///< report.rule is the rule's name
};

/// The cost-guided search (ApplyOptions::optimize).
struct ApplyOptimization {
    applier::OptimizeResult result;
    applier::Comparison outputs;                   ///< the best graph's outputs against the model's
    double time_before_ms = 0, time_after_ms = 0;  ///< measured end to end, median
    size_t operators_measured = 0;
};

struct ApplyReport {
    std::string model, device;
    uint64_t seed = 0;
    ruledb::Id run = 0;
    int reps = 0;                         ///< timed runs per measurement (for the text line)
    std::optional<size_t> proved, tried;  ///< with `prove`: open rules proved of those tried
    /// The model itself cannot be checked (its own outputs are not finite): nothing was applied.
    std::optional<std::string> failure;
    std::vector<AppliedRule> rules;
    size_t considered = 0, skipped_unproved = 0, rules_matched = 0, sites = 0, applied = 0, mismatches = 0, errors = 0;
    std::optional<ApplyOptimization> optimization;

    /// A rewrite mismatched or failed (or the model could not be checked).
    bool failed() const { return failure || mismatches + errors > 0; }
    /// The JSON document of `apply --json` (docs/json-schema.md).
    std::string to_json() const;
};

/// Runs `apply`. Throws support::UserError for a model, device, database or --rules that cannot
/// be used (the run is not begun then); every other outcome is in the report.
ApplyReport apply_rules(const ApplyOptions& options);

}  // namespace rf::pipeline
