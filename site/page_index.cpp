// index.html: the counts, the runs (details on runs.html), every rule in a filterable, sortable table, and the unknown
// candidates with the reasons their proofs gave (otherwise visible only in SQL).
#include <algorithm>
#include <set>

#include "site/html.h"
#include "site/site_data.h"

namespace rf::site {

namespace {

std::string counts_table(const std::map<std::string, int64_t>& counts) {
    if (counts.empty()) return "none";
    std::string s;
    for (const auto& [word, n] : counts) s += badge(word) + " " + std::to_string(n) + " &nbsp; ";
    return s;
}

std::string options_of(const std::set<std::string>& words) {
    std::string s = "<option value=\"\">any</option>";
    for (const std::string& w : words) s += "<option>" + esc(w) + "</option>";
    return s;
}

std::string rule_row(const RuleView& v) {
    const ruledb::RuleSummary& r = v.summary();
    std::string ops;
    for (const std::string& op : r.ops) ops += (ops.empty() ? "" : " ") + op;
    std::string decision = ruledb::to_string(r.decision);
    if (r.prune_reason) decision += std::string(" (") + ruledb::to_string(*r.prune_reason) + ")";
    const int size = std::max(r.lhs_ops, r.rhs_ops);
    std::string conds;
    for (const std::string& c : rule_conditions(v)) conds += (conds.empty() ? "" : "; ") + c;
    return "<tr data-status=\"" + std::string(ruledb::to_string(r.status)) + "\" data-decision=\"" +
           ruledb::to_string(r.decision) + "\" data-ops=\"" + esc(ops) + "\" data-size=\"" + std::to_string(size) +
           "\"><td data-key=\"" + std::to_string(r.id) + "\"><a href=\"" + rule_page(r.id) + "\">" +
           std::to_string(r.id) + "</a></td><td>" + badge(ruledb::to_string(r.status)) + "</td><td>" + esc(decision) +
           "</td><td>" + esc(ops) + "</td><td data-key=\"" + std::to_string(size) + "\">" + std::to_string(r.lhs_ops) +
           "/" + std::to_string(r.rhs_ops) + "</td><td class=\"mono\">" + (r.name.empty() ? "" : esc(r.name) + ": ") +
           esc(r.text) + "</td><td>" + esc(conds) + "</td></tr>\n";
}

std::string unknown_section(const SiteData& d) {
    std::string s = "<h2 id=\"unknown\">Unknown candidates (" + std::to_string(d.unknown.size()) + ")</h2>\n";
    if (d.unknown.empty()) return s + "<p>No candidate was left unknown.</p>\n";
    s += "<p class=\"note\">Candidates that no back-end proved or refuted; the reasons are the "
         "back-ends' own.</p>\n"
         "<table id=\"unknown-candidates\" class=\"sortable\"><thead><tr><th "
         "data-sort=\"num\">candidate</th>"
         "<th data-sort=\"text\">rule</th><th>back-end answers</th></tr></thead><tbody>\n";
    for (const ruledb::CandidateDetails& c : d.unknown) {
        std::string answers;
        for (const ruledb::ProofInfo& p : c.proofs) {
            answers += "<div>" + esc(p.record.backend) + " " + badge(ruledb::to_string(p.record.status)) + " " +
                       fixed(p.record.time_ms) + " ms";
            if (!p.record.reason.empty()) answers += ": " + esc(p.record.reason);
            answers += "</div>";
        }
        if (answers.empty()) answers = "<span class=\"note\">no proof recorded</span>";
        s += "<tr><td data-key=\"" + std::to_string(c.id) + "\">" + std::to_string(c.id) + "</td><td class=\"mono\">" +
             esc(c.text) + "</td><td>" + answers + "</td></tr>\n";
    }
    return s + "</tbody></table>\n";
}

}  // namespace

std::string index_page(const SiteData& d) {
    std::string s = page_begin("ruleforge report: " + d.options.db_path, "");
    const ruledb::DbStats& st = d.stats;
    s += "<h2 id=\"counts\">Counts</h2>\n<dl class=\"facts\">";
    s += "<dt>runs</dt><dd><a href=\"runs.html\">" + std::to_string(st.runs) + "</a></dd>";
    s += "<dt>graphs</dt><dd>" + std::to_string(st.graphs) + "</dd>";
    s += "<dt>classes</dt><dd>" + std::to_string(st.classes) + "</dd>";
    s += "<dt>candidates</dt><dd>" + std::to_string(st.candidates) + " " + counts_table(st.candidates_by_status) +
         "</dd>";
    s += "<dt>rules</dt><dd>" + std::to_string(st.rules) + " " + counts_table(st.rules_by_status) + "</dd>";
    s += "<dt>decisions</dt><dd>" + counts_table(st.rules_by_decision) + "</dd>";
    s += "<dt>pruned by</dt><dd>" + counts_table(st.pruned_by_reason) + "</dd>";
    s += "<dt>duplicates folded</dt><dd>" + std::to_string(st.duplicates) + "</dd>";
    s += "<dt>proofs</dt><dd>" + std::to_string(st.proofs) + "</dd>";
    s += "<dt>model validations</dt><dd>" + std::to_string(st.validations) + "</dd></dl>\n";

    s += "<h2 id=\"runs\">Runs (" + std::to_string(d.runs.size()) + ")</h2>\n";
    if (d.runs.empty())
        s += "<p>No run recorded.</p>\n";
    else {
        s += "<table "
             "id=\"run-table\"><thead><tr><th>run</th><th>status</th><th>command</"
             "th><th>parameters</th>"
             "<th>started</th><th>finished</th></tr></thead><tbody>\n";
        for (const ruledb::RunInfo& r : d.runs)
            s += "<tr><td><a href=\"runs.html#run-" + std::to_string(r.id) + "\">run " + std::to_string(r.id) +
                 "</a></td><td>" + badge(ruledb::to_string(r.status)) + "</td><td class=\"mono\">" +
                 esc(r.spec.command) + "</td><td class=\"mono\">" + esc(r.spec.params_json) + "</td><td>" +
                 esc(r.started_at) + "</td><td>" + esc(r.finished_at) + "</td></tr>\n";
        s += "</tbody></table>\n<p>Stage times and statistics per run: <a "
             "href=\"runs.html\">runs.html</a>.</p>\n";
    }

    std::set<std::string> statuses, decisions, ops;
    for (const RuleView& v : d.rules) {
        statuses.insert(ruledb::to_string(v.summary().status));
        decisions.insert(ruledb::to_string(v.summary().decision));
        ops.insert(v.summary().ops.begin(), v.summary().ops.end());
    }
    s += "<h2 id=\"rules-heading\">Rules (" + std::to_string(d.rules.size()) + ")</h2>\n";
    s += "<div class=\"filters\"><label>text <input id=\"f-text\" type=\"search\"></label>"
         "<label>status <select id=\"f-status\">" +
         options_of(statuses) +
         "</select></label>"
         "<label>decision <select id=\"f-decision\">" +
         options_of(decisions) +
         "</select></label>"
         "<label>operator <select id=\"f-op\">" +
         options_of(ops) +
         "</select></label>"
         "<label>size from <input id=\"f-min\" type=\"number\" min=\"0\"></label>"
         "<label>to <input id=\"f-max\" type=\"number\" min=\"0\"></label><span "
         "id=\"f-count\"></span></div>\n";
    s += "<table id=\"rules\" class=\"sortable\" data-count=\"" + std::to_string(d.rules.size()) +
         "\"><thead><tr><th data-sort=\"num\" data-key=\"id\">id</th><th data-sort=\"text\" "
         "data-key=\"status\">status"
         "</th><th data-sort=\"text\" data-key=\"decision\">decision</th><th data-sort=\"text\" "
         "data-key=\"ops\">"
         "operators</th><th data-sort=\"num\" data-key=\"size\">size (lhs/rhs)</th><th "
         "data-sort=\"text\" "
         "data-key=\"rule\">rule</th><th>conditions</th></tr></thead><tbody>\n";
    for (const RuleView& v : d.rules) s += rule_row(v);
    s += "</tbody></table>\n";
    s += unknown_section(d);
    return s + page_end("");
}

}  // namespace rf::site
