// The browser report: a static site (no server, no network) written from one database, for
// auditing rules by looking rather than by running `show`, `audit`, `list` and SQL in turn.
//
// index.html lists every rule (status, decision, operators, size; filterable and sortable by
// plain JavaScript shipped with the site), the counts and the unknown candidates with their
// reasons; runs.html each run's parameters and stage units; rules/rule-N.html one rule with an
// SVG picture of both sides, its shapes and conditions, every proof (back-end, strategy, verdict,
// time, axioms linked to axioms.html), a bounded check run now with any counterexample as
// tensors, the pruning decision with links to its subsumers, and its model validations;
// axioms.html each axiom's statement and validation status.
//
// The database is opened read-only and nothing is written outside the output directory. The
// site is built in a sibling staging directory and then swapped in whole, so a reader never sees
// half a report; an existing non-empty directory is replaced only when it holds a previous
// report (its marker file), never otherwise.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/user_error.h"

namespace rf::site {

/// A report that cannot be written as asked (Graphviz missing, an output directory that is
/// not a previous report, a database that cannot be read): what() says what and where.
class SiteError : public support::UserError {
public:
    using support::UserError::UserError;
};

struct SiteOptions {
    std::string db_path;
    std::string out_dir;
    std::string dot_program = "dot";  ///< Graphviz; looked up on PATH
    /// Run the bounded semantic checker on each rule (counterexamples as tensors).
    bool bounded_check = true;
    /// Validate the axioms for the axioms page; off: the page says "not validated in this report".
    bool validate_axioms = true;
    int axiom_max_dim = 2;  ///< reduced settings (the CLI's `axioms --validate` uses 4 and 4)
    int axiom_max_rank = 2;
    int threads = 0;  ///< for axiom validation; 0: OpenMP's default
};

struct SiteSummary {
    std::string out_dir;
    std::vector<std::string> files;  ///< written, relative to out_dir, sorted
    int64_t rules = 0, rule_pages = 0, svgs = 0, axioms = 0, unknown_candidates = 0, runs = 0;
    int64_t bounded_checks = 0, counterexamples = 0;
    bool axioms_validated = false;
    double axiom_validation_seconds = 0;
    bool replaced_previous = false;  ///< out_dir held a previous report, now replaced
    double seconds = 0;
};

/// The name of the marker file every report holds at its root.
inline constexpr const char* kMarkerFile = ".ruleforge-report";

/// Writes the site. Throws SiteError for a user error (nothing is left behind then).
SiteSummary write_site(const SiteOptions& options);

}  // namespace rf::site
