#include "pipeline/enumerate_db.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include <omp.h>
#include <nlohmann/json.hpp>

#include "pipeline/ordered_pipeline.h"
#include "pipeline/resume_spans.h"
#include "ruledb/database.h"
#include "support/progress.h"
#include "support/stop.h"
#include "support/user_error.h"

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
    if (!last) throw support::UserError("--resume: " + o.db_path + " has no unfinished enumerate run");
    if (nlohmann::json::parse(last->spec.params_json) != params)
        throw support::UserError("--resume: run " + std::to_string(last->id) + " used other options (" +
                                 last->spec.params_json + "); resume it with the same ones");
    db.resume_run(last->id);
    s.resumed = true;
    return last->id;
}

nlohmann::json levels_json(const std::vector<enumerator::LevelStats>& levels) {
    nlohmann::json out = nlohmann::json::array();
    for (const enumerator::LevelStats& l : levels)
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

ClassRows class_rows(const enumerator::EnumResult& er, size_t i) {
    enumerator::EnumClass c = er.get_class(i);
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
        throw support::UserError("--resume: run " + std::to_string(run) + ", stage " + stage + ": " + e.what());
    }
}

// SQLite's page cache for the load, 1 MiB per 1000 graph rows (members and representatives;
// the candidates, extracted while the classes are stored, add about one row each on top): the
// size-3 database is 21 MB for about 160 k rows, so it stays in the cache whole instead of its
// index pages being re-read from the OS at every insert; capped at 512 MiB (size 4: a 1 GB
// file, of which the unique text indexes are the part inserted at random places). The cache only
// grows as pages are used.
int store_cache_mib(const enumerator::EnumResult& er) {
    uint64_t rows = 0;
    for (size_t i = 0; i < er.num_classes(); ++i)
        if (const size_t n = er.class_size(i)) rows += n + 1;
    return static_cast<int>(std::clamp<uint64_t>(rows / 1000, 16, 512));
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

nlohmann::json profile_array(const std::vector<enumerator::PhaseProfile>& profile) {
    nlohmann::json out = nlohmann::json::array();
    for (const enumerator::PhaseProfile& p : profile)
        out.push_back({{"phase", p.phase},
                       {"size", p.size},
                       {"seconds", p.seconds},
                       {"cpu_seconds", p.cpu_seconds},
                       {"peak_rss_bytes", p.peak_rss_bytes}});
    return out;
}

}  // namespace

std::string profile_json(const std::vector<enumerator::PhaseProfile>& profile) { return profile_array(profile).dump(); }

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
                          {"profile", profile_array(profile)},
                          {"seconds", {{"enumerate", enumerate_seconds}, {"store", store_seconds}}}}
        .dump(2);
}

enumerator::EnumConfig enumeration_config(const std::string& preset, int max_ops, const std::string& ops) {
    try {
        enumerator::EnumConfig cfg = enumerator::preset_config(preset, max_ops);
        if (!ops.empty()) cfg.templates = enumerator::select_templates(cfg.templates, ops);
        return cfg;
    } catch (const std::invalid_argument& e) {  // the enumerator's word for a name it does not know
        throw support::UserError(e.what());
    }
}

namespace {

// What storing one run's classes and candidates shares: the database, the run, the
// enumeration, and the counts and hooks of the summary being filled.
struct StoreContext {
    ruledb::Database& db;
    ruledb::Id run;
    const enumerator::EnumResult& er;
    EnumerateDbSummary& s;
    Stopper& stop;
    support::Progress& progress;
    int threads;
    size_t ahead;
    /// The classes with members, in the enumerator's (deterministic) class order, and the
    /// database id of each (0 until stored): by position, not by class (22.7 M classes at
    /// size 4, of which 2 M have members).
    std::vector<size_t> with_members;
    std::vector<ruledb::Id> class_id;
    size_t visited = 0;  // spans looked at (stored or skipped) before the test hook stopped

    /// The database id of enumerator class `c` (nullopt for -1, a two-output pair's).
    std::optional<ruledb::Id> id_of_class(int64_t c) const {
        if (c < 0) return std::nullopt;
        auto it = std::lower_bound(with_members.begin(), with_members.end(), static_cast<size_t>(c));
        if (it == with_members.end() || *it != static_cast<size_t>(c)) return std::nullopt;
        const ruledb::Id id = class_id[static_cast<size_t>(it - with_members.begin())];
        return id != 0 ? std::optional<ruledb::Id>(id) : std::nullopt;
    }
};

// Stores the classes with members, span by span; fills each one's database id in `class_id`.
// A span is one transaction. The default span (--batch 2048, it was 256) makes fewer, larger
// ones: every transaction writes each page it changed into the WAL again, and the graphs' text
// index changes leaves all over the file, so at size 3 the store's CPU fell by about 8 % (the
// whole run's 8.0 -> 7.4 CPU-s, docs/PERFORMANCE.md). A kill loses at most the open span.
void store_classes(StoreContext& cx, const std::vector<Span>& class_spans) {
    ordered_pipeline<std::vector<ClassRows>>(
        class_spans.size(), cx.threads, cx.ahead,
        [&](size_t si) {
            const Span& span = class_spans[si];
            // A finished span is only looked up (by fingerprint), for the candidates' links.
            std::vector<ClassRows> rows(span.hi - span.lo);
            for (size_t k = span.lo; k < span.hi; ++k) {
                if (span.done)
                    rows[k - span.lo].fingerprint = cx.er.class_fingerprint(cx.with_members[k]).to_string();
                else
                    rows[k - span.lo] = class_rows(cx.er, cx.with_members[k]);
            }
            return rows;
        },
        [&](size_t si, std::vector<ClassRows>& rows) {
            if (cx.stop.reached()) return false;
            support::throw_if_stopped("while storing the classes");
            const Span& span = class_spans[si];
            if (span.done) {
                for (size_t k = span.lo; k < span.hi; ++k)
                    cx.class_id[k] = cx.db.find_class(rows[k - span.lo].fingerprint).value_or(0);
                ++cx.s.batches_skipped;
            } else {
                cx.db.atomically([&] {
                    for (size_t k = span.lo; k < span.hi; ++k) {
                        const ClassRows& r = rows[k - span.lo];
                        cx.class_id[k] = cx.db.load_class(r.fingerprint, r.rep, r.members, cx.run);
                    }
                    cx.db.mark_stage_done(cx.run, "classes", span_unit(span));
                });
                ++cx.s.batches_done;
                cx.stop.stored();
            }
            cx.progress.tick();
            ++cx.visited;
            return true;
        });
}

// Stores the candidates, span by span, linked to their classes' ids.
void store_candidates(StoreContext& cx, const std::vector<Span>& cand_spans) {
    ordered_pipeline<std::vector<ruledb::RuleEntry>>(
        cand_spans.size(), cx.threads, cx.ahead,
        [&](size_t si) {
            const Span& span = cand_spans[si];
            std::vector<ruledb::RuleEntry> entries;
            if (span.done) return entries;
            entries.reserve(span.hi - span.lo);
            // The enumerator's rules are canonical: their keys are not canonicalised again.
            for (size_t i = span.lo; i < span.hi; ++i)
                entries.push_back(ruledb::describe_canonical_rule(cx.er.candidates[i].rule));
            return entries;
        },
        [&](size_t si, std::vector<ruledb::RuleEntry>& entries) {
            if (cx.stop.reached()) return false;
            support::throw_if_stopped("while storing the candidates");
            cx.progress.tick();
            ++cx.visited;
            const Span& span = cand_spans[si];
            if (span.done) {
                ++cx.s.batches_skipped;
                return true;
            }
            cx.db.atomically([&] {
                for (size_t i = span.lo; i < span.hi; ++i) {
                    const std::optional<ruledb::Id> cls = cx.id_of_class(cx.er.candidates[i].class_index);
                    if (cx.db.load_candidate(entries[i - span.lo], cls, cx.run).inserted) ++cx.s.stored_candidates;
                }
                cx.db.mark_stage_done(cx.run, "candidates", span_unit(span));
            });
            ++cx.s.batches_done;
            cx.stop.stored();
            return true;
        });
}

// The classes stored on a thread of their own while the calling thread extracts the
// candidates. The store's writer is one SQLite connection on one thread, so storing after the
// enumeration left a core idle for most of the store (size 3: 1.24 s of wall for about as many
// CPU-seconds on 2 cores); the candidate extraction, on OpenMP threads, uses that core instead.
// The thread touches only the database, the context and the result's classes, which the
// extraction only reads (enumerator.h); its exception, if any, is rethrown by join().
class ClassStoreThread {
public:
    ClassStoreThread(StoreContext& cx, const std::vector<Span>& spans)
        : d_thread([this, &cx, &spans] {
              try {
                  const enumerator::PhaseStart t = enumerator::PhaseStart::now();
                  store_classes(cx, spans);
                  d_profile = enumerator::phase_profile("store classes", 0, t);
              } catch (...) {
                  d_error = std::current_exception();
              }
          }) {}
    ~ClassStoreThread() {
        if (d_thread.joinable()) d_thread.join();
    }
    ClassStoreThread(const ClassStoreThread&) = delete;
    ClassStoreThread& operator=(const ClassStoreThread&) = delete;
    /// Waits for the classes; their phase profile (its wall overlaps the candidates'; its CPU
    /// is the whole process's meanwhile; its peak memory the process's so far, read now, so
    /// that the profile's peaks, in which this phase comes after the candidates', never fall).
    enumerator::PhaseProfile join() {
        d_thread.join();
        if (d_error) std::rethrow_exception(d_error);
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        d_profile.peak_rss_bytes = static_cast<uint64_t>(ru.ru_maxrss) * 1024;  // Linux reports KiB
        return d_profile;
    }

private:
    std::exception_ptr d_error;
    enumerator::PhaseProfile d_profile;
    std::thread d_thread;  // last: it starts once the members above exist
};

// The totals of a finished enumeration.
void count_enumeration(const enumerator::EnumResult& er, EnumerateDbSummary& s) {
    s.levels = er.levels;
    s.profile = er.profile;
    for (const enumerator::LevelStats& l : er.levels) {
        s.graphs += l.graphs + l.pair_graphs;
        s.dropped_before_solver += l.drops.total();
    }
    s.classes = er.num_classes();
    s.candidates = er.candidates.size();
}

}  // namespace

EnumerateDbSummary enumerate_into_database(const EnumerateDbOptions& o) {
    if (o.max_ops < 1) throw support::UserError("--max-ops must be at least 1");
    if (o.batch < 1) throw support::UserError("--batch must be positive");
    enumerator::EnumConfig cfg = enumeration_config(o.preset, o.max_ops, o.ops);
    cfg.threads = o.threads;
    cfg.max_outputs = o.max_outputs;
    cfg.progress = o.progress;

    EnumerateDbSummary s;
    ruledb::Database db(o.db_path);
    const ruledb::Id run = open_run(db, o, s);
    s.run = run;
    try {
        auto t0 = Clock::now();
        enumerator::EnumResult er = enumerator::enumerate_classes(cfg);
        support::throw_if_stopped("while enumerating");

        const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
        Stopper stop(o.stop_after_batches);
        db.tune_for_load(store_cache_mib(er));
        support::Progress progress(o.progress, "enumerate", "batches");
        // Worker threads compute the canonical rows of the next spans while the writer puts one
        // into the database (pipeline/ordered_pipeline.h); `ahead` bounds the rows held.
        StoreContext cx{db, run, er, s, stop, progress, threads, 2 * static_cast<size_t>(threads), {}, {}};
        for (size_t i = 0; i < er.num_classes(); ++i)
            if (er.class_size(i) > 0) cx.with_members.push_back(i);
        s.stored_classes = cx.with_members.size();
        for (size_t i : cx.with_members) s.stored_members += er.class_size(i);
        cx.class_id.assign(cx.with_members.size(), 0);
        const std::vector<Span> class_spans = spans_of(db, run, "classes", cx.with_members.size(), o.batch);
        progress.start(o.max_ops, "store classes", class_spans.size());
        enumerator::PhaseProfile class_phase;
        {
            ClassStoreThread classes(cx, class_spans);
            enumerator::enumerate_candidates(er);
            s.enumerate_seconds = since(t0);
            count_enumeration(er, s);
            class_phase = classes.join();
        }
        const enumerator::PhaseStart store_start = enumerator::PhaseStart::now();
        const std::vector<Span> cand_spans = spans_of(db, run, "candidates", er.candidates.size(), o.batch);
        progress.finish();
        progress.start(o.max_ops, "store candidates", cand_spans.size());
        store_candidates(cx, cand_spans);
        const size_t visited = cx.visited;
        progress.finish();
        s.profile.push_back(class_phase);
        s.profile.push_back(enumerator::phase_profile("store", 0, store_start));
        s.store_seconds = s.profile.back().seconds;
        if (visited < class_spans.size() + cand_spans.size()) {
            s.stopped = true;  // left running, as a kill would leave it
            return s;
        }
        db.end_load();
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
