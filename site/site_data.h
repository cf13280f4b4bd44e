// What the report's pages are written from: everything read from the database (read-only) and
// computed for the report (pictures, bounded checks, axiom validation), gathered once so that
// each page writer is a plain function of it. Internal to site/.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/rule.h"
#include "prover/axiom_set.h"
#include "prover/axiom_validation.h"
#include "prover/bounded_check.h"
#include "ruledb/queries.h"
#include "site/site.h"

namespace rf::site {

struct RuleView {
    ruledb::RuleDetails details;
    std::optional<Rule> rule;  ///< the stored text parsed back (nullopt: parse_error)
    std::string parse_error;
    std::map<ruledb::Id, std::string> strategies;  ///< by proof id, where the database has them
    std::optional<prover::BoundedCheck> bounded;   ///< run for this report
    std::string bounded_error;                     ///< the checker threw (ill-typed rule, ...)
    std::string svg;                               ///< both sides, inline SVG
    std::vector<ruledb::Id> subsumes;              ///< rules this one subsumes
    const ruledb::RuleSummary& summary() const { return details.summary; }
};

struct SiteData {
    SiteOptions options;
    ruledb::DbStats stats;
    std::vector<ruledb::RunInfo> runs;
    std::map<ruledb::Id, std::vector<ruledb::StageInfo>> stages;
    std::vector<RuleView> rules;
    std::vector<ruledb::CandidateDetails> unknown;  ///< candidates no back-end decided
    const prover::AxiomSet* axioms = nullptr;
    std::vector<prover::AxiomValidation> validations;  ///< empty when not validated
    std::map<std::string, int> axiom_uses;             ///< rules whose proofs use the axiom
};

/// The shape conditions shown for a rule, in the rule's own variable names. The one place that
/// decides where they come from (today: the conditions text the database stores).
std::vector<std::string> rule_conditions(const RuleView& rule);

// One function per page; each returns the page's HTML.
std::string index_page(const SiteData& data);
std::string runs_page(const SiteData& data);
std::string axioms_page(const SiteData& data);
std::string rule_page_html(const SiteData& data, const RuleView& rule);

}  // namespace rf::site
