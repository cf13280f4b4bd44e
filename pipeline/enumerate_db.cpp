#include "pipeline/enumerate_db.h"

#include <chrono>
#include <optional>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <omp.h>

#include "support/progress.h"
#include "pipeline/resume_spans.h"
#include "ruledb/database.h"
#include "support/stop.h"

namespace rf::pipeline {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Everything that changes what is stored; threads, batch size and progress do not.
nlohmann::json params_of(const EnumerateDbOptions& o) {
    return {{"preset", o.preset}, {"ops", o.ops}, {"max_ops", o.max_ops}, {"max_outputs", o.max_outputs}};
}

ruledb::Id open_run(ruledb::Database& db, const EnumerateDbOptions& o, EnumerateDbSummary& s) {
    const nlohmann::json params = params_of(o);
    if (!o.resume) {
        ruledb::RunSpec spec;
        spec.command = o.command_line.empty() ? "enumerate" : o.command_line;
        spec.params_json = params.dump();
        return db.begin_run(spec);
    }
    auto last = db.last_unfinished_run("enumerate");
    if (!last) throw std::invalid_argument("--resume: " + o.db_path + " has no unfinished enumerate run");
    if (nlohmann::json::parse(last->spec.params_json) != params)
        throw std::invalid_argument("--resume: run " + std::to_string(last->id) + " used other options (" +
                                    last->spec.params_json + "); resume it with the same ones");
    db.resume_run(last->id);
    s.resumed = true;
    return last->id;
}

nlohmann::json levels_json(const std::vector<LevelStats>& levels) {
    nlohmann::json out = nlohmann::json::array();
    for (const LevelStats& l : levels)
        out.push_back({{"size", l.size},
                       {"graphs", l.graphs},
                       {"pair_graphs", l.pair_graphs},
                       {"new_classes", l.new_classes},
                       {"joined", l.joined},
                       {"overflows", l.overflows},
                       {"candidates", l.candidates},
                       {"dropped", l.drops.total()}});
    return out;
}

// One class ready to store: computed on worker threads, written by the calling thread.
struct ClassRows {
    std::string fingerprint;
    ruledb::GraphEntry rep;
    std::vector<ruledb::GraphEntry> members;
};

ClassRows class_rows(const EnumResult& er, size_t i) {
    EnumClass c = er.get_class(i);
    ClassRows r;
    r.fingerprint = c.fingerprint.to_string();
    r.rep = ruledb::describe_graph(c.representative);
    for (const Graph& m : c.members) r.members.push_back(ruledb::describe_graph(m));
    return r;
}

// The spans of [0, n) a stage of the run has stored or not (pipeline/resume_spans.h).
std::vector<Span> spans_of(ruledb::Database& db, ruledb::Id run, const std::string& stage, size_t n, int batch) {
    try {
        return plan_spans(db.done_units(run, stage), n, static_cast<size_t>(batch));
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("--resume: run " + std::to_string(run) + ", stage " + stage + ": " + e.what());
    }
}

class Stopper {
public:
    explicit Stopper(int limit) : d_limit(limit) {}
    /// True once the test hook's number of stored batches is reached.
    bool reached() const { return d_limit >= 0 && d_stored >= d_limit; }
    void stored() { ++d_stored; }

private:
    int d_limit, d_stored = 0;
};

}  // namespace

std::string EnumerateDbSummary::to_json() const {
    return nlohmann::json{{"run", run},
                          {"resumed", resumed},
                          {"stopped", stopped},
                          {"graphs", graphs},
                          {"classes", classes},
                          {"stored_classes", stored_classes},
                          {"stored_members", stored_members},
                          {"candidates", candidates},
                          {"stored_candidates", stored_candidates},
                          {"dropped_before_solver", dropped_before_solver},
                          {"batches_done", batches_done},
                          {"batches_skipped", batches_skipped},
                          {"levels", levels_json(levels)},
                          {"seconds", {{"enumerate", enumerate_seconds}, {"store", store_seconds}}}}
        .dump(2);
}

EnumerateDbSummary enumerate_into_database(const EnumerateDbOptions& o) {
    if (o.max_ops < 1) throw std::invalid_argument("--max-ops must be at least 1");
    if (o.batch < 1) throw std::invalid_argument("--batch must be positive");
    EnumConfig cfg = preset_config(o.preset, o.max_ops);
    if (!o.ops.empty()) cfg.templates = select_templates(cfg.templates, o.ops);
    cfg.threads = o.threads;
    cfg.max_outputs = o.max_outputs;
    cfg.progress = o.progress;

    EnumerateDbSummary s;
    ruledb::Database db(o.db_path);
    const ruledb::Id run = open_run(db, o, s);
    s.run = run;
    try {
        auto t0 = Clock::now();
        const EnumResult er = enumerate(cfg);
        support::throw_if_stopped("while enumerating");
        s.enumerate_seconds = since(t0);
        s.levels = er.levels;
        for (const LevelStats& l : er.levels) {
            s.graphs += l.graphs + l.pair_graphs;
            s.dropped_before_solver += l.drops.total();
        }
        s.classes = er.num_classes();
        s.candidates = er.candidates.size();

        auto t1 = Clock::now();
        const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
        Stopper stop(o.stop_after_batches);

        // Classes with members, in the enumerator's (deterministic) class order.
        std::vector<size_t> with_members;
        for (size_t i = 0; i < er.num_classes(); ++i)
            if (er.class_size(i) > 0) with_members.push_back(i);
        s.stored_classes = with_members.size();
        for (size_t i : with_members) s.stored_members += er.class_size(i);
        // The database id of each class a candidate refers to, filled batch by batch.
        std::vector<std::optional<ruledb::Id>> class_id(er.num_classes());

        const std::vector<Span> class_spans = spans_of(db, run, "classes", with_members.size(), o.batch);
        const std::vector<Span> cand_spans = spans_of(db, run, "candidates", er.candidates.size(), o.batch);
        support::Progress progress(o.progress, "enumerate", "batches");
        progress.start(o.max_ops, "store", class_spans.size() + cand_spans.size());
        size_t visited = 0;  // spans looked at (stored or skipped) before the test hook stopped
        for (const Span& span : class_spans) {
            if (stop.reached()) break;
            support::throw_if_stopped("while storing the classes");
            const size_t lo = span.lo, hi = span.hi;
            const bool skip = span.done;
            // A finished span is only looked up (by fingerprint), for the candidates' links.
            std::vector<ClassRows> rows(hi - lo);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
            for (size_t k = lo; k < hi; ++k) {
                if (skip)
                    rows[k - lo].fingerprint = er.class_fingerprint(with_members[k]).to_string();
                else
                    rows[k - lo] = class_rows(er, with_members[k]);
            }
            if (skip) {
                for (size_t k = lo; k < hi; ++k) class_id[with_members[k]] = db.find_class(rows[k - lo].fingerprint);
                ++s.batches_skipped;
            } else {
                db.atomically([&] {
                    for (size_t k = lo; k < hi; ++k) {
                        const ClassRows& r = rows[k - lo];
                        const ruledb::Id id = db.add_class(r.fingerprint, r.rep, run).id;
                        for (const ruledb::GraphEntry& m : r.members) db.add_class_member(id, m, run);
                        class_id[with_members[k]] = id;
                    }
                    db.mark_stage_done(run, "classes", span_unit(span));
                });
                ++s.batches_done;
                stop.stored();
            }
            progress.tick();
            ++visited;
        }
        for (const Span& span : cand_spans) {
            if (stop.reached()) break;
            support::throw_if_stopped("while storing the candidates");
            progress.tick();
            ++visited;
            if (span.done) {
                ++s.batches_skipped;
                continue;
            }
            const size_t lo = span.lo, hi = span.hi;
            std::vector<ruledb::RuleEntry> entries(hi - lo);
#pragma omp parallel for schedule(dynamic, 4) num_threads(threads)
            for (size_t i = lo; i < hi; ++i) entries[i - lo] = ruledb::describe_rule(er.candidates[i].rule);
            db.atomically([&] {
                for (size_t i = lo; i < hi; ++i) {
                    const int64_t c = er.candidates[i].class_index;
                    if (db.add_candidate(entries[i - lo], c >= 0 ? class_id[c] : std::nullopt, run).inserted)
                        ++s.stored_candidates;
                }
                db.mark_stage_done(run, "candidates", span_unit(span));
            });
            ++s.batches_done;
            stop.stored();
        }
        progress.finish();
        s.store_seconds = since(t1);
        if (visited < class_spans.size() + cand_spans.size()) {
            s.stopped = true;  // left running, as a kill would leave it
            return s;
        }
        db.mark_stage_done(run, "enumerate", "levels", levels_json(er.levels).dump());
        db.finish_run(run, ruledb::RunStatus::Finished);
    } catch (const support::Interrupted& e) {
        // Every stored span is whole (the one in flight rolled back); --resume continues.
        db.finish_run(run, ruledb::RunStatus::Interrupted);
        throw support::Interrupted(e.signal(), "stopped by " + support::signal_name(e.signal()) + " " + e.what() +
                                                   "; run " + std::to_string(run) + " is marked interrupted");
    } catch (...) {
        db.finish_run(run, ruledb::RunStatus::Failed);
        throw;
    }
    return s;
}

}  // namespace rf::pipeline
