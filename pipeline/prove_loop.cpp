// The parallel prove-and-store loop (pipeline/prove_loop.h).
#include "pipeline/prove_loop.h"

#include <algorithm>

#include <omp.h>

#include "prover/axiom_set.h"
#include "support/stop.h"

namespace rf::pipeline {

std::vector<prover::RuleCheck> prove_parallel(size_t count, const std::function<const Rule&(size_t)>& rule_at,
                                              const std::function<std::string(size_t)>& name_at,
                                              const prover::CheckOptions& check, int threads,
                                              support::Progress* progress) {
    std::vector<prover::RuleCheck> checks(count);
    if (count == 0) return checks;
    const prover::AxiomSet& axioms = prover::builtin_axioms();
    const int team = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel num_threads(team)
    {
        prover::Checker checker(axioms, check);  // solver contexts are per thread
#pragma omp for schedule(dynamic, 1)
        for (size_t k = 0; k < count; ++k) {
            checks[k] = checker.check(rule_at(k), name_at(k));
            if (progress) progress->tick();
        }
    }
    return checks;
}

void store_span(ruledb::Database& db, const Span& span, const std::vector<prover::RuleCheck>& checks,
                const ProveJob& job, size_t stored) {
    if (const int sig = support::stop_signal()) {
        job.stopped(stored, sig);
        throw support::Interrupted(sig, "stopped by " + support::signal_name(sig));  // `stopped` did not throw
    }
    db.atomically([&] {
        for (size_t i = span.lo; i < span.hi; ++i) job.store(i, checks[i - span.lo]);
        if (job.mark_done) job.mark_done(span);
    });
}

size_t prove_and_store(ruledb::Database& db, const std::vector<Span>& spans, const ProveJob& job) {
    size_t stored = 0;
    for (const Span& span : spans) {
        const size_t lo = span.lo;
        std::vector<prover::RuleCheck> checks = prove_parallel(
            span.size(), [&](size_t k) -> const Rule& { return job.rule(lo + k); },
            [&](size_t k) { return job.name(lo + k); }, job.check, job.threads, job.progress);
        store_span(db, span, checks, job, stored);
        stored += span.size();
    }
    return stored;
}

std::vector<Span> batches(size_t n, size_t batch) {
    std::vector<Span> out;
    for (size_t lo = 0; lo < n; lo += std::max<size_t>(batch, 1))
        out.push_back({lo, std::min(n, lo + std::max<size_t>(batch, 1)), false});
    return out;
}

}  // namespace rf::pipeline
