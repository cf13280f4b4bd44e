// rules/rule-N.html: everything known about one rule -- a picture of both sides, its shapes and
// conditions in its own variable names, every recorded proof (back-end, strategy, verdict, time,
// axioms linked to the axioms page), the bounded check run for this report with any
// counterexample as tables of tensors, the pruning decision with links to the rules that
// subsume it, the texts folded into it, and its model validations.
#include <cstdio>
#include <numeric>

#include "ir/eval.h"
#include "ir/native_text.h"
#include "site/html.h"
#include "site/site_data.h"

namespace rf::site {

namespace {

const std::string kRoot = "../";

std::string rule_link(ruledb::Id id) {
    return "<a href=\"" + kRoot + rule_page(id) + "\">rule " + std::to_string(id) + "</a>";
}

std::string run_link(const std::optional<ruledb::Id>& run) {
    if (!run) return "";
    return "<a href=\"" + kRoot + "runs.html#run-" + std::to_string(*run) + "\">run " + std::to_string(*run) + "</a>";
}

std::string axiom_links(const std::vector<std::string>& axioms) {
    std::string s;
    for (const std::string& a : axioms)
        s += (s.empty() ? "" : ", ") +
             ("<a href=\"" + kRoot + "axioms.html#" + axiom_anchor(a) + "\">" + esc(a) + "</a>");
    return s;
}

std::string rational(int64_t num, int64_t den) {
    if (den == 1) return std::to_string(num);
    const int64_t g = std::gcd(num < 0 ? -num : num, den);
    if (g > 1) {
        num /= g;
        den /= g;
    }
    return den == 1 ? std::to_string(num) : std::to_string(num) + "/" + std::to_string(den);
}

// A tensor as a table: one row per index of all but the last dimension, one column per index
// of the last.
std::string tensor_table(const ExactTensor& t) {
    const int64_t cols = t.dims.empty() ? 1 : t.dims.back();
    const int64_t rows = cols == 0 ? 0 : static_cast<int64_t>(t.num.size()) / cols;
    constexpr int64_t kMaxCells = 4096;
    std::string s = "<table class=\"tensor\"><tbody>";
    for (int64_t r = 0; r < rows && r * cols < kMaxCells; ++r) {
        s += "<tr>";
        if (t.dims.size() > 1) {
            std::string index;
            int64_t rest = r;
            for (size_t k = t.dims.size() - 1; k-- > 0;) {
                index = std::to_string(rest % t.dims[k]) + (index.empty() ? "" : ",") + index;
                rest /= t.dims[k];
            }
            s += "<th>[" + index + ",:]</th>";
        }
        for (int64_t c = 0; c < cols; ++c) s += "<td>" + rational(t.num[r * cols + c], t.den) + "</td>";
        s += "</tr>";
    }
    s += "</tbody></table>";
    if (static_cast<int64_t>(t.num.size()) > kMaxCells) s += "<p class=\"note\">(first elements only)</p>";
    return s;
}

std::string dims_text(const std::vector<int64_t>& dims) {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
    return s + "]";
}

std::string facts(const SiteData&, const RuleView& v) {
    const ruledb::RuleSummary& r = v.summary();
    const ruledb::RuleDetails& d = v.details;
    std::string s = "<dl class=\"facts\">";
    s += "<dt>rule</dt><dd class=\"mono\">" + (r.name.empty() ? "" : esc(r.name) + ": ") + esc(r.text) + "</dd>";
    s += "<dt>hash</dt><dd class=\"mono\">" + esc(r.hash) + "</dd>";
    std::string ops;
    for (const std::string& op : r.ops) ops += (ops.empty() ? "" : ", ") + op;
    s += "<dt>size</dt><dd>" + std::to_string(r.lhs_ops) + " &rArr; " + std::to_string(r.rhs_ops) + " operators (" +
         esc(ops) + ")</dd>";
    s += "<dt>status</dt><dd>" + badge(ruledb::to_string(r.status)) + "</dd>";
    s += "<dt>decision</dt><dd id=\"decision\">" + badge(ruledb::to_string(r.decision));
    if (r.prune_reason) s += " " + esc(ruledb::to_string(*r.prune_reason));
    if (!d.subsumed_by.empty()) {
        s += " by ";
        for (size_t i = 0; i < d.subsumed_by.size(); ++i) s += (i ? ", " : "") + rule_link(d.subsumed_by[i]);
    }
    if (!d.prune_detail.empty()) s += "<div>derivation: <span class=\"mono\">" + esc(d.prune_detail) + "</span></div>";
    s += "</dd>";
    if (!v.subsumes.empty()) {
        s += "<dt>subsumes</dt><dd>";
        for (size_t i = 0; i < v.subsumes.size(); ++i) s += (i ? ", " : "") + rule_link(v.subsumes[i]);
        s += "</dd>";
    }
    s += "<dt>provenance</dt><dd>" + (r.run ? run_link(r.run) : std::string("no run recorded"));
    if (r.candidate) s += ", candidate " + std::to_string(*r.candidate);
    s += "</dd></dl>\n";
    return s;
}

std::string shapes(const RuleView& v) {
    std::string s = "<h2 id=\"shapes\">Shapes and conditions</h2>\n";
    if (!v.rule) return s + "<p class=\"note\">The stored text does not parse: " + esc(v.parse_error) + "</p>\n";
    s += "<table "
         "class=\"shapes\"><thead><tr><th>variable</th><th>role</th><th>shape</th></tr></"
         "thead><tbody>";
    for (const Variable& x : v.rule->variables())
        s += "<tr><td class=\"mono\">" + esc(x.name) + "</td><td>" + role_name(x.role) + "</td><td class=\"mono\">" +
             esc(x.type.to_string()) + "</td></tr>";
    s += "</tbody></table>\n<p>Declared: <code>" + esc(print_native(*v.rule)) + "</code></p>\n";
    const std::vector<std::string> conds = rule_conditions(v);
    if (conds.empty()) return s + "<p>Conditions: none (the rule holds at every shape its sides type-check at).</p>\n";
    s += "<p>Conditions:</p><ul id=\"conditions\">";
    for (const std::string& c : conds) s += "<li class=\"mono\">" + esc(c) + "</li>";
    return s + "</ul>\n";
}

std::string proofs(const RuleView& v) {
    std::string s = "<h2 id=\"proofs\">Proofs</h2>\n";
    if (v.details.proofs.empty()) return s + "<p>No proof recorded.</p>\n";
    s += "<table id=\"proof-table\" class=\"sortable\"><thead><tr><th "
         "data-sort=\"num\">proof</th><th>of</th>"
         "<th data-sort=\"text\">back-end</th><th data-sort=\"text\">strategy</th><th "
         "data-sort=\"text\">verdict</th>"
         "<th data-sort=\"num\">time (ms)</th><th>axioms used</th><th>condition</th><th>reason / "
         "counterexample</th>"
         "<th>run</th><th>query</th></tr></thead><tbody>\n";
    for (const ruledb::ProofInfo& p : v.details.proofs) {
        const ruledb::ProofRecord& q = p.record;
        auto strategy = v.strategies.find(p.id);
        std::string why = esc(q.reason);
        if (!q.counterexample.empty())
            why += (why.empty() ? "" : "<br>") + ("<span class=\"mono\">" + esc(q.counterexample) + "</span>");
        std::string query;
        if (q.query.rfind("file:", 0) == 0)
            query = "<span class=\"mono\">" + esc(q.query) + "</span>";
        else if (!q.query.empty())
            query = "<details><summary>SMT-LIB2</summary><pre>" + esc(q.query) + "</pre></details>";
        s += "<tr><td data-key=\"" + std::to_string(p.id) + "\">" + std::to_string(p.id) + "</td><td>" +
             (p.on_candidate ? "candidate" : "rule") + "</td><td>" + esc(q.backend) + "</td><td>" +
             (strategy == v.strategies.end() ? "<span class=\"note\">not recorded</span>" : esc(strategy->second)) +
             "</td><td>" + badge(ruledb::to_string(q.status)) + "</td><td data-key=\"" + fixed(q.time_ms, 3) + "\">" +
             fixed(q.time_ms) + "</td><td>" + axiom_links(q.axioms) + "</td><td class=\"mono\">" + esc(q.condition) +
             "</td><td>" + why + "</td><td>" + run_link(q.run) + "</td><td>" + query + "</td></tr>\n";
    }
    return s + "</tbody></table>\n";
}

std::string bounded(const SiteData& d, const RuleView& v) {
    std::string s = "<h2 id=\"bounded\">Bounded check</h2>\n";
    if (!d.options.bounded_check) return s + "<p class=\"note\">Not run for this report.</p>\n";
    if (!v.bounded_error.empty()) return s + "<p>" + badge("error") + " " + esc(v.bounded_error) + "</p>\n";
    if (!v.bounded) return s + "<p class=\"note\">Not run: the stored text does not parse.</p>\n";
    const prover::BoundedCheck& b = *v.bounded;
    s += "<p>Exact evaluation of both sides at small shapes and random inputs, independent of the "
         "axioms: " +
         badge(prover::outcome_name(b.outcome)) + " after " + std::to_string(b.instances) + " shape assignments and " +
         std::to_string(b.evaluations) + " evaluations";
    if (b.overflows) s += " (" + std::to_string(b.overflows) + " draws skipped on overflow)";
    s += ".";
    if (!b.note.empty()) s += " " + esc(b.note);
    s += "</p>\n";
    if (!b.counterexample || !v.rule) return s;
    const prover::Counterexample& cx = *b.counterexample;
    s += "<div id=\"counterexample\"><h3>Counterexample</h3>\n<p>Output " + std::to_string(cx.output) + ", element " +
         std::to_string(cx.element) + ": left side <code>" + esc(cx.lhs_value) + "</code>, right side <code>" +
         esc(cx.rhs_value) + "</code> (function seed " + std::to_string(cx.function_seed) + ").</p>\n";
    if (!cx.symbols.empty()) {
        s += "<p>Shape symbols:";
        for (const auto& [sym, value] : cx.symbols)
            s += " d" + std::to_string(sym) + " = " + std::to_string(value) + ";";
        s += "</p>\n";
    }
    const auto& vars = v.rule->variables();
    for (size_t i = 0; i < cx.inputs.size() && i < vars.size(); ++i)
        s += "<h4 class=\"mono\">" + esc(vars[i].name) + " " + dims_text(cx.inputs[i].dims) + "</h4>\n" +
             tensor_table(cx.inputs[i]) + "\n";
    // Both sides' differing output, recomputed from these inputs by the reference evaluator.
    try {
        const Rule at = instantiate(*v.rule, cx.symbols);
        const std::vector<ExactTensor> left = evaluate_exact(at.lhs, cx.inputs, cx.function_seed);
        const std::vector<ExactTensor> right = evaluate_exact(at.rhs, cx.inputs, cx.function_seed);
        if (cx.output < left.size() && cx.output < right.size())
            s += "<h4>left side, output " + std::to_string(cx.output) + " " + dims_text(left[cx.output].dims) +
                 "</h4>\n" + tensor_table(left[cx.output]) + "\n<h4>right side, output " + std::to_string(cx.output) +
                 " " + dims_text(right[cx.output].dims) + "</h4>\n" + tensor_table(right[cx.output]) + "\n";
    } catch (const std::exception& e) {
        s += "<p class=\"note\">The outputs could not be recomputed: " + esc(e.what()) + "</p>\n";
    }
    return s + "</div>\n";
}

std::string sources(const RuleView& v) {
    if (v.details.sources.size() <= 1) return "";
    std::string s =
        "<h2 id=\"sources\">Texts folded into this "
        "rule</h2>\n<table><thead><tr><th>text</th><th>kind</th>"
        "<th>run</th></tr></thead><tbody>";
    for (const ruledb::SourceInfo& src : v.details.sources)
        s += "<tr><td class=\"mono\">" + esc(src.text) + "</td><td>" + ruledb::to_string(src.kind) + "</td><td>" +
             run_link(src.run) + "</td></tr>";
    return s + "</tbody></table>\n";
}

std::string validations(const RuleView& v) {
    std::string s = "<h2 id=\"validations\">Model validations</h2>\n";
    if (v.details.validations.empty()) return s + "<p>None recorded (<code>ruleforge apply</code> records them).</p>\n";
    s += "<table class=\"sortable\"><thead><tr><th data-sort=\"text\">model</th><th>site</th><th "
         "data-sort=\"text\">"
         "device</th><th data-sort=\"text\">status</th><th data-sort=\"num\">max abs error</th><th "
         "data-sort=\"num\">"
         "max rel error</th><th data-sort=\"num\">time before (ms)</th><th data-sort=\"num\">time "
         "after (ms)</th>"
         "<th>message</th><th>run</th></tr></thead><tbody>\n";
    auto opt = [](const std::optional<double>& t) { return t ? fixed(*t, 3) : std::string(); };
    for (const ruledb::ValidationInfo& x : v.details.validations) {
        const ruledb::ValidationRecord& r = x.record;
        char abs_err[32], rel_err[32];
        std::snprintf(abs_err, sizeof abs_err, "%.3g", r.max_abs_error);
        std::snprintf(rel_err, sizeof rel_err, "%.3g", r.max_rel_error);
        s += "<tr><td>" + esc(r.model) + "</td><td class=\"mono\">" + esc(r.site) + "</td><td>" + esc(r.device) +
             "</td><td>" + badge(ruledb::to_string(r.status)) + "</td><td>" + abs_err + "</td><td>" + rel_err +
             "</td><td>" + opt(r.time_before_ms) + "</td><td>" + opt(r.time_after_ms) + "</td><td>" + esc(r.message) +
             "</td><td>" + run_link(r.run) + "</td></tr>\n";
    }
    return s + "</tbody></table>\n";
}

}  // namespace

std::string rule_page_html(const SiteData& d, const RuleView& v) {
    std::string s = page_begin("Rule " + std::to_string(v.summary().id), kRoot);
    s += facts(d, v);
    s += "<h2 id=\"picture\">Both sides</h2>\n<div class=\"picture\">" +
         (v.svg.empty() ? "<p class=\"note\">No picture: the stored text does not parse.</p>" : v.svg) + "</div>\n";
    s += shapes(v);
    s += proofs(v);
    s += bounded(d, v);
    s += sources(v);
    s += validations(v);
    return s + page_end(kRoot);
}

}  // namespace rf::site
