// `ruleforge enumerate --db F`: the enumeration stage alone, stored in a database for a later
// `ruleforge prove --db F` (pipeline/prove_db.h).
//
// It records a run with the options that decide the result, then stores, in batches (index spans:
// a resume may use another batch size, pipeline/resume_spans.h) over
// the enumerator's deterministic order, every fingerprint class that has members (its
// representative and members, as graphs) and every candidate pair, with status `pending` and a
// link to the class it came from. Each batch and its "done" mark are one transaction, as in
// pipeline/discover.h: a run killed at any moment resumes with `resume = true`, skips the
// finished batches (enumeration is deterministic, so it is simply redone) and ends with the same
// database content as an uninterrupted run -- whatever the thread count. The classes are stored
// on a thread of their own while the enumerator extracts the candidates; the candidates after.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "enumerator/enumerator.h"

namespace rf::pipeline {

struct EnumerateDbOptions {
    std::string db_path;
    std::string command_line;  ///< recorded as the run's provenance
    std::string preset = "taso";
    std::string ops;  ///< comma-separated template names ("" = the preset's)
    int max_ops = 2;
    int max_outputs = 2;
    int threads = 0;  ///< 0: OpenMP's default
    bool resume = false;
    bool progress = true;  ///< progress lines on stderr
    int batch = 2048;      ///< classes or candidates per transaction (pipeline/enumerate_db.cpp: why 2048)
    /// Test hook: return after storing this many batches, leaving the run unfinished exactly as
    /// a kill between two transactions would (-1: never).
    int stop_after_batches = -1;
};

struct EnumerateDbSummary {
    int64_t run = 0;
    bool resumed = false;
    bool stopped = false;                             ///< stop_after_batches cut the run short
    uint64_t graphs = 0;                              ///< single- and two-output graphs enumerated
    uint64_t classes = 0;                             ///< every class (inputs and singletons included)
    uint64_t stored_classes = 0, stored_members = 0;  ///< classes with members, their members
    uint64_t candidates = 0, dropped_before_solver = 0;
    /// Candidates this run added to the database: fewer than `candidates` when one is already
    /// there, or equals another with its sides exchanged (ruledb keys the canonical orientation).
    uint64_t stored_candidates = 0;
    uint64_t batches_done = 0, batches_skipped = 0;  ///< skipped: stored by the run resumed
    /// The enumeration (its candidate phase overlaps the classes' store), then the rest of the
    /// store: together the whole run.
    double enumerate_seconds = 0, store_seconds = 0;
    std::vector<enumerator::LevelStats> levels;
    /// The enumeration's phases (enumerator.h), then "store classes" (its wall overlaps
    /// "candidates", so its CPU is both's) and "store" (from the end of the candidate phase:
    /// the rest of the classes, the candidates, the indexes): time and peak memory of each.
    std::vector<enumerator::PhaseProfile> profile;
    std::string to_json() const;
};

/// The enumeration of a preset up to `max_ops` operators, limited to the comma-separated `ops`
/// when not empty. Throws support::UserError for an unknown preset or operator.
enumerator::EnumConfig enumeration_config(const std::string& preset, int max_ops, const std::string& ops);

/// A profile as JSON: [{"phase", "size", "seconds", "peak_rss_bytes"}...] in the order run.
std::string profile_json(const std::vector<enumerator::PhaseProfile>& profile);

/// Runs (or resumes) an enumeration into a database. Throws support::UserError for bad
/// options (unknown preset or operator, a resume with no run to resume or other options) and
/// ruledb::DbError for database problems.
EnumerateDbSummary enumerate_into_database(const EnumerateDbOptions& options);

}  // namespace rf::pipeline
