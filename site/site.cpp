// write_site: reads the database read-only, computes what the pages show (pictures, bounded
// checks, axiom validation) and writes the pages into a staging directory swapped in at the end.
#include "site/site.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include "exporters/dot_rules.h"
#include "ruledb/database.h"
#include "site/assets.h"
#include "site/html.h"
#include "site/output_dir.h"
#include "site/site_data.h"
#include "site/svg.h"

namespace fs = std::filesystem;

namespace rf::site {

namespace {

SiteData read_database(const SiteOptions& o) {
    SiteData data;
    data.options = o;
    try {
        ruledb::Database db(o.db_path, ruledb::Database::Options{false, 5000, true});
        data.stats = db.stats();
        data.runs = db.runs();
        for (const ruledb::RunInfo& r : data.runs) data.stages[r.id] = db.stages(r.id);
        std::map<ruledb::Id, size_t> index;
        for (const ruledb::RuleSummary& s : db.list_rules()) {
            RuleView v;
            v.details = *db.rule_details(s.id);
            v.strategies = db.proof_strategies(s.id);
            try {
                v.rule = db.load_rule(s.id);
            } catch (const std::exception& e) {
                v.parse_error = e.what();
            }
            index[s.id] = data.rules.size();
            data.rules.push_back(std::move(v));
        }
        for (const RuleView& v : data.rules)
            for (ruledb::Id by : v.details.subsumed_by)
                if (auto it = index.find(by); it != index.end())
                    data.rules[it->second].subsumes.push_back(v.summary().id);
        for (ruledb::Id c : db.candidates_with_status({ruledb::CandidateStatus::Unknown}))
            if (auto d = db.candidate_details(c)) data.unknown.push_back(std::move(*d));
    } catch (const ruledb::DbError& e) {
        throw SiteError(e.what());
    }
    for (const RuleView& v : data.rules) {
        std::set<std::string> used;
        for (const ruledb::ProofInfo& p : v.details.proofs) used.insert(p.record.axioms.begin(), p.record.axioms.end());
        for (const std::string& a : used) ++data.axiom_uses[a];
    }
    return data;
}

void check_rules(SiteData& data, SiteSummary& summary) {
    for (RuleView& v : data.rules) {
        if (!v.rule) continue;
        try {
            v.bounded = prover::bounded_check(*v.rule);
            ++summary.bounded_checks;
            if (v.bounded->counterexample) ++summary.counterexamples;
        } catch (const std::exception& e) {
            v.bounded_error = e.what();
        }
    }
}

void draw_rules(SiteData& data, SiteSummary& summary, const std::string& work_dir) {
    std::vector<std::string> graphs;
    std::vector<RuleView*> drawn;
    for (RuleView& v : data.rules) {
        if (!v.rule) continue;
        graphs.push_back(exporters::rule_to_dot(*v.rule, "rule", "rule " + std::to_string(v.summary().id)));
        drawn.push_back(&v);
    }
    std::vector<std::string> svgs = render_svgs(graphs, data.options.dot_program, work_dir);
    for (size_t i = 0; i < drawn.size(); ++i) drawn[i]->svg = std::move(svgs[i]);
    summary.svgs = static_cast<int64_t>(svgs.size());
}

void write_file(const std::string& root, const std::string& rel, std::string_view text, SiteSummary& summary) {
    const fs::path path = fs::path(root) / rel;
    fs::create_directories(path.parent_path());
    std::ofstream f(path, std::ios::binary);
    f << text;
    f.close();
    if (!f) throw SiteError("cannot write '" + path.string() + "'");
    summary.files.push_back(rel);
}

}  // namespace

SiteSummary write_site(const SiteOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    SiteSummary summary;
    if (o.db_path.empty()) throw SiteError("--db: a database is required");
    // The database first: a missing or foreign file is reported before anything is created.
    SiteData data = read_database(o);
    OutputDir out(o.out_dir);
    draw_rules(data, summary, out.staging());
    if (o.bounded_check) check_rules(data, summary);
    data.axioms = &prover::builtin_axioms();
    if (o.validate_axioms) {
        prover::AxiomValidationOptions vo;
        vo.max_dim = o.axiom_max_dim;
        vo.max_rank = o.axiom_max_rank;
        vo.threads = o.threads;
        const auto tv = std::chrono::steady_clock::now();
        data.validations = prover::validate_axioms(*data.axioms, vo);
        summary.axiom_validation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - tv).count();
        summary.axioms_validated = true;
    }

    const std::string& root = out.staging();
    write_file(root, kMarkerFile, "ruleforge report of " + o.db_path + "\n", summary);
    write_file(root, "assets/report.css", report_css(), summary);
    write_file(root, "assets/report.js", report_js(), summary);
    write_file(root, "index.html", index_page(data), summary);
    write_file(root, "runs.html", runs_page(data), summary);
    write_file(root, "axioms.html", axioms_page(data), summary);
    for (const RuleView& v : data.rules) {
        write_file(root, rule_page(v.summary().id), rule_page_html(data, v), summary);
        ++summary.rule_pages;
    }
    std::sort(summary.files.begin(), summary.files.end());
    summary.rules = static_cast<int64_t>(data.rules.size());
    summary.axioms = static_cast<int64_t>(data.axioms->axioms.size());
    summary.unknown_candidates = static_cast<int64_t>(data.unknown.size());
    summary.runs = static_cast<int64_t>(data.runs.size());
    summary.replaced_previous = out.commit();
    summary.out_dir = o.out_dir;
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return summary;
}

}  // namespace rf::site
