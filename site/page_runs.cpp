// runs.html: each run's command, parameters, versions and seeds, and its stages: how many units
// each finished and when, relative to the run's start (the database records when each unit
// finished, which is what resume relies on; a stage's time is read from those instants).
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>

#include <nlohmann/json.hpp>

#include "prover/axiom_set.h"
#include "site/html.h"
#include "site/site_data.h"

namespace rf::site {

namespace {

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS(.fff)Z"; negative when it does not parse.
double parse_time(const std::string& iso) {
    std::tm tm{};
    double frac = 0;
    int sec = 0;
    if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                    &sec) != 6)
        return -1;
    if (size_t dot = iso.find('.'); dot != std::string::npos) frac = std::atof(("0" + iso.substr(dot)).c_str());
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_sec = sec;
    return static_cast<double>(timegm(&tm)) + frac;
}

std::string since(double start, const std::string& iso) {
    const double t = parse_time(iso);
    if (start < 0 || t < 0) return "";
    return fixed(t - start, 3) + " s";
}

std::string params_table(const std::string& params_json) {
    const nlohmann::json p = nlohmann::json::parse(params_json, nullptr, false);
    if (p.is_discarded() || !p.is_object()) return "<pre>" + esc(params_json) + "</pre>";
    if (p.empty()) return "<span class=\"note\">none recorded</span>";
    std::string s = "<table class=\"params\"><tbody>";
    for (const auto& [key, value] : p.items())
        s += "<tr><th>" + esc(key) + "</th><td class=\"mono\">" +
             esc(value.is_string() ? value.get<std::string>() : value.dump()) + "</td></tr>";
    return s + "</tbody></table>";
}

std::string stages_table(const ruledb::RunInfo& run, const std::vector<ruledb::StageInfo>& stages) {
    if (stages.empty()) return "<p class=\"note\">No stage recorded a finished unit.</p>\n";
    struct Stage {
        int units = 0;
        std::string first, last;
        std::vector<const ruledb::StageInfo*> with_stats;
    };
    std::map<std::string, Stage> by;
    std::vector<std::string> order;
    for (const ruledb::StageInfo& u : stages) {
        auto [it, fresh] = by.try_emplace(u.stage);
        if (fresh) order.push_back(u.stage);
        Stage& s = it->second;
        ++s.units;
        if (s.first.empty() || u.finished_at < s.first) s.first = u.finished_at;
        if (u.finished_at > s.last) s.last = u.finished_at;
        if (u.stats_json != "{}" && !u.stats_json.empty()) s.with_stats.push_back(&u);
    }
    const double start = parse_time(run.started_at);
    std::string out =
        "<table class=\"stages\"><thead><tr><th>stage</th><th>units</th><th>first unit done</th>"
        "<th>last unit done</th><th>statistics</th></tr></thead><tbody>\n";
    for (const std::string& name : order) {
        const Stage& s = by[name];
        std::string stats;
        for (const ruledb::StageInfo* u : s.with_stats) {
            const nlohmann::json j = nlohmann::json::parse(u->stats_json, nullptr, false);
            stats += "<details><summary>" + esc(u->unit) + "</summary><pre>" +
                     esc(j.is_discarded() ? u->stats_json : j.dump(1)) + "</pre></details>";
        }
        out += "<tr><td>" + esc(name) + "</td><td>" + std::to_string(s.units) + "</td><td>" + since(start, s.first) +
               "</td><td>" + since(start, s.last) + "</td><td>" + stats + "</td></tr>\n";
    }
    return out +
           "</tbody></table>\n<p class=\"note\">Times are from the run's start to when units "
           "finished.</p>\n";
}

}  // namespace

std::string runs_page(const SiteData& d) {
    std::string s = page_begin("Runs", "");
    if (d.runs.empty()) s += "<p>The database records no run (its rules were added without one).</p>\n";
    const std::string builtin = d.axioms ? d.axioms->version : "";
    for (const ruledb::RunInfo& r : d.runs) {
        s += "<h2 id=\"run-" + std::to_string(r.id) + "\">Run " + std::to_string(r.id) + " " +
             badge(ruledb::to_string(r.status)) + "</h2>\n<dl class=\"facts\">";
        s += "<dt>command</dt><dd class=\"mono\">" + esc(r.spec.command) + "</dd>";
        s += "<dt>started</dt><dd>" + esc(r.started_at) + "</dd>";
        s += "<dt>finished</dt><dd>" + esc(r.finished_at.empty() ? "(not finished)" : r.finished_at) + "</dd>";
        if (!r.finished_at.empty() && parse_time(r.started_at) >= 0 && parse_time(r.finished_at) >= 0)
            s += "<dt>wall time</dt><dd>" + fixed(parse_time(r.finished_at) - parse_time(r.started_at), 3) + " s</dd>";
        s += "<dt>tool version</dt><dd>" + esc(r.spec.tool_version) + "</dd>";
        s += "<dt>axiom set</dt><dd>" + esc(r.spec.axiom_version.empty() ? "(none recorded)" : r.spec.axiom_version);
        if (!r.spec.axiom_version.empty() && r.spec.axiom_version != builtin)
            s += " <span class=\"note\">(differs from this build's " + esc(builtin) +
                 ", shown on the axioms page)</span>";
        s += "</dd><dt>seeds</dt><dd>";
        for (uint64_t seed : r.spec.seeds) s += std::to_string(seed) + " ";
        s += "</dd><dt>uuid</dt><dd class=\"mono\">" + esc(r.uuid) + "</dd>";
        if (!r.merged_from.empty()) s += "<dt>merged from</dt><dd>" + esc(r.merged_from) + "</dd>";
        s += "</dl>\n<h3>Parameters</h3>\n" + params_table(r.spec.params_json) + "\n<h3>Stages</h3>\n";
        auto it = d.stages.find(r.id);
        s += stages_table(r, it == d.stages.end() ? std::vector<ruledb::StageInfo>{} : it->second);
    }
    return s + page_end("");
}

}  // namespace rf::site
