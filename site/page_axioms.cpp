// axioms.html: each axiom of this build's set (the ones rule pages link to) with its statement,
// shape condition, scope, how many rules' proofs use it, and its validation status from a run of
// the axiom validator made for this report (at the reduced bound it states), or a plain
// "not validated in this report".
#include "site/html.h"
#include "site/site_data.h"

namespace rf::site {

std::string axioms_page(const SiteData& d) {
    std::string s = page_begin("Axioms", "");
    const prover::AxiomSet& set = *d.axioms;
    const bool validated = !d.validations.empty();
    s += "<p>" + std::to_string(set.axioms.size()) + " axioms, version <code>" + esc(set.version) + "</code> (" +
         esc(set.source) + "). ";
    if (validated)
        s += "Validated for this report against the operators' meaning at every shape with "
             "dimensions 1.." +
             std::to_string(d.options.axiom_max_dim) + " and ranks up to " + std::to_string(d.options.axiom_max_rank) +
             " (<code>ruleforge axioms --validate</code> checks up to 4 and 4).";
    else
        s += "Not validated in this report (<code>ruleforge axioms --validate</code> validates "
             "them).";
    s += "</p>\n<table id=\"axioms\" class=\"sortable\"><thead><tr><th "
         "data-sort=\"text\">axiom</th><th>statement</th>"
         "<th>condition</th><th data-sort=\"text\">scope</th><th data-sort=\"num\">rules using "
         "it</th>"
         "<th data-sort=\"text\">validation</th></tr></thead><tbody>\n";
    for (size_t i = 0; i < set.axioms.size(); ++i) {
        const prover::Axiom& a = set.axioms[i];
        auto uses = d.axiom_uses.find(a.name);
        const int n = uses == d.axiom_uses.end() ? 0 : uses->second;
        std::string validation = "<span class=\"note\">not validated in this report</span>";
        if (validated && i < d.validations.size() && d.validations[i].name == a.name) {
            const prover::AxiomValidation& v = d.validations[i];
            validation = badge(prover::validation_status_name(v.status)) + " " + std::to_string(v.instances) +
                         " instances (" + std::to_string(v.field_proved) + " decided in the field, " +
                         std::to_string(v.tested) + " tested), " + fixed(v.seconds, 3) + " s";
            if (!v.counterexample.empty()) validation += "<div class=\"mono\">" + esc(v.counterexample) + "</div>";
            if (!v.note.empty()) validation += "<div class=\"note\">" + esc(v.note) + "</div>";
        }
        s += "<tr id=\"" + axiom_anchor(a.name) + "\"><td class=\"mono\">" + esc(a.name) + "</td><td class=\"mono\">" +
             esc(a.statement) + "</td><td>" + esc(a.condition) + "</td><td>" + prover::axiom_scope_name(a.scope) +
             "</td><td data-key=\"" + std::to_string(n) + "\">" + std::to_string(n) + "</td><td>" + validation +
             "</td></tr>\n";
    }
    s += "</tbody></table>\n";
    // Proofs may name axioms this build no longer has (a database from an older axiom set).
    std::string missing;
    for (const auto& [name, n] : d.axiom_uses)
        if (!set.find(name))
            missing += "<li id=\"" + axiom_anchor(name) + "\"><code>" + esc(name) + "</code>, used by " +
                       std::to_string(n) + " rules</li>";
    if (!missing.empty())
        s += "<h2>Axioms named by stored proofs but not in this build's set</h2>\n<ul>" + missing + "</ul>\n";
    return s + page_end("");
}

}  // namespace rf::site
