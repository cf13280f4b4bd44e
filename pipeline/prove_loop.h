// The one parallel prove-and-store loop of every command that proves (discover, distributed
// discover, prove, apply --prove): a span of items is proved on an OpenMP team, one
// prover::Checker per thread, then stored in one transaction with its resume mark, in span
// order. A stop requested while a span was proving stores none of it (an interrupted solver
// answers "unknown", which must never be recorded as a verdict): the caller's `stopped` says
// what is stored and throws support::Interrupted.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "ir/rule.h"
#include "pipeline/resume_spans.h"
#include "prover/checker.h"
#include "ruledb/database.h"
#include "support/progress.h"

namespace rf::pipeline {

/// What the loop proves and how it stores each answer. Indices are positions in the caller's list.
struct ProveJob {
    /// The rule at index i, and the name its queries go by (candidate_<i>, rule_<id>).
    std::function<const Rule&(size_t)> rule;
    std::function<std::string(size_t)> name;
    /// Stores index i's check; called inside the span's transaction, in index order.
    std::function<void(size_t, const prover::RuleCheck&)> store;
    /// Marks a span done inside its transaction, after its items (a resumable stage); may be empty.
    std::function<void(const Span&)> mark_done;
    /// A stop was requested: `stored` items of the spans are stored. Must throw.
    std::function<void(size_t stored, int signal)> stopped;
    prover::CheckOptions check;
    int threads = 0;                        ///< 0: OpenMP's default
    support::Progress* progress = nullptr;  ///< ticked once per item proved
};

/// Proves `count` items on `threads` OpenMP threads (0: the default), item k being rule_at(k)
/// named name_at(k); the checks come back in item order.
std::vector<prover::RuleCheck> prove_parallel(size_t count, const std::function<const Rule&(size_t)>& rule_at,
                                              const std::function<std::string(size_t)>& name_at,
                                              const prover::CheckOptions& check, int threads,
                                              support::Progress* progress = nullptr);

/// Stores one proved span (checks[k] is item span.lo + k) and its mark in one transaction;
/// calls job.stopped first when a stop was requested, so nothing an interrupted solver said is
/// stored. `stored`: the items stored before this span (for job.stopped's report).
void store_span(ruledb::Database& db, const Span& span, const std::vector<prover::RuleCheck>& checks,
                const ProveJob& job, size_t stored);

/// The loop: proves and stores the spans in order. Returns the items stored.
size_t prove_and_store(ruledb::Database& db, const std::vector<Span>& spans, const ProveJob& job);

/// Items [0, n) in spans of at most `batch` (a stage that keeps no resume marks).
std::vector<Span> batches(size_t n, size_t batch);

}  // namespace rf::pipeline
