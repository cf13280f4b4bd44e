// `ruleforge compare`: how a database's rules cover a reference rule set (TASO's, TENSAT's, a
// native file). For each reference rule it answers one of
//   found      the database stores the same equation (up to renaming, node order, swapped sides),
//   derivable  not stored, but the database's kept proved rules rewrite its left side to its right
//              side (ruledb/derivability.h, the same search the minimiser uses),
//   missing    with the reason: an operator the run's preset does not enumerate, a side beyond
//              the run's size bound, a candidate that was never proved, or simply not found.
//
// Reference rules carry symbolic shapes while discovered rules carry the concrete shapes of
// TASO's generator, so a rule is tried as read and then at concrete instances that give its
// variables the generator's shapes (and the role each shape has there); the answer says which
// instance matched. The comparison is a report, never an error: only unreadable inputs throw.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "exporters/report.h"
#include "ir/rule.h"
#include "ruledb/database.h"
#include "ruledb/derivability.h"

namespace rf::pipeline {

enum class CompareOutcome { Found, Derivable, Missing };
const char* to_string(CompareOutcome o);

struct CompareOptions {
    ruledb::DeriveBudget budget{};
    size_t max_instances = 64;  ///< concrete instances tried per reference rule
};

/// The answer for one reference rule.
struct RuleComparison {
    size_t index = 0;    ///< position in the reference file (0-based, as TASO numbers rules)
    std::string name{};  ///< the reference rule's name, if it has one
    CompareOutcome outcome = CompareOutcome::Missing;
    std::string instance{};  ///< found/derivable: "as read" or the shapes given ("x: act[2,4], ...")
    // found
    std::optional<ruledb::Id> rule{};
    std::string rule_name{};           ///< the stored rule's name, as list and show print it
    std::string status{}, decision{};  ///< of the stored rule
    // derivable
    std::vector<ruledb::Id> derived_by{};         ///< kept rules, in the order the derivation applies them
    std::vector<std::string> derived_by_names{};  ///< their names, in the same order
    int steps = 0;
    // missing
    std::string reason{};  ///< one of the reasons in the header comment
    std::string detail{};  ///< the operator, the sizes, the candidate id, ...
};

struct CompareReport {
    std::vector<RuleComparison> rules{};  ///< one per rule of the reference file, in file order
    size_t found = 0, derivable = 0, missing = 0;
    size_t total() const { return found + derivable + missing; }
    /// {"rules": [...], "summary": {"found", "derivable", "missing", "total"}}.
    std::string to_json() const;
};

/// The run parameters compare reads from the database (its discover runs): the operator
/// templates enumerated and the size bound. Unset when no discover run is recorded.
struct EnumerationBound {
    std::vector<std::string> templates{};  ///< template names (enumerator/preset.h)
    int max_ops = 0;
};
std::optional<EnumerationBound> enumeration_bound(ruledb::Database& db);

/// Concrete instances of `rule` with TASO's generator shapes (2-D activations [2,4], 2-D weights
/// [4,4], 4-D activations [2,4,5,5], 4-D weights [4,4,3,3] and the other generator kernels, a
/// scalar weight), each variable's role set to the role of its shape there; at most `limit`,
/// each labelled with the shapes given. A concrete rule yields itself. When no generator shape
/// fits, one instance from rf::concrete_instance, if any type-checks.
struct Instance {
    Rule rule;
    std::string label;
};
std::vector<Instance> generator_instances(const Rule& rule, size_t limit);

/// Compares the rules `reference` read (its unsupported and malformed rules are reported as
/// missing, so the report covers every rule of the file) with the database.
CompareReport compare(ruledb::Database& db, const exporters::ImportResult& reference,
                      const CompareOptions& options = {});

}  // namespace rf::pipeline
