#include "pipeline/distributed_prove.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <xxhash.h>

#include "ir/native_text.h"
#include "pipeline/distributed_codec.h"
#include "pipeline/prove_loop.h"
#include "support/stop.h"

namespace rf::pipeline {

namespace {

constexpr int kTagRequest = 11;
constexpr int kTagAssign = 12;

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Proved candidates waiting for their batch to complete (results arrive in any order, batches
// are stored in order).
struct Pending {
    std::vector<uint64_t> indices;
    std::vector<prover::RuleCheck> checks;
};

// The work queue rank 0 shares between remote requests and its own prover thread.
class Queue {
public:
    Queue(std::vector<uint64_t> order, size_t max_chunk, int ranks)
        : d_order(std::move(order)), d_max(std::max<size_t>(1, max_chunk)), d_ranks(ranks) {}

    // Guided chunks: a share of what is left (so early chunks are big and few, the last ones
    // small and many), at least one candidate per prover thread, at most one stored batch.
    std::vector<uint64_t> take(int threads) {
        std::lock_guard lock(d_mutex);
        const size_t left = d_order.size() - d_next;
        size_t n = (left + 2 * d_ranks - 1) / (2 * d_ranks);
        n = std::clamp<size_t>(n, static_cast<size_t>(std::max(1, threads)), d_max);
        n = std::min(n, left);
        std::vector<uint64_t> out(d_order.begin() + d_next, d_order.begin() + d_next + n);
        d_next += n;
        return out;
    }
    void close() {
        std::lock_guard lock(d_mutex);
        d_next = d_order.size();
    }

private:
    std::mutex d_mutex;
    std::vector<uint64_t> d_order;
    size_t d_next = 0;
    size_t d_max;
    int d_ranks;
};

// Rank 0's own prover: a thread (with its OpenMP team) taking chunks from the queue.
class LocalProver {
public:
    LocalProver(Queue& q, const std::vector<enumerator::Candidate>& c, const prover::CheckOptions& o, int threads)
        : d_queue(q) {
        d_work.threads = threads;
        d_thread = std::thread([this, &c, o, threads] {
            try {
                for (;;) {
                    std::vector<uint64_t> idx = d_queue.take(threads);
                    if (idx.empty()) break;
                    const auto t0 = Clock::now();
                    std::vector<prover::RuleCheck> checks = prove_indices(c, idx, o, threads);
                    std::lock_guard lock(d_mutex);
                    d_work.busy_seconds += since(t0);
                    d_work.candidates += idx.size();
                    ++d_work.chunks;
                    for (const auto& ch : checks) d_work.solver_seconds += ch.seconds;
                    d_done.push_back({std::move(idx), std::move(checks)});
                }
            } catch (...) {
                std::lock_guard lock(d_mutex);
                d_error = std::current_exception();
            }
            d_finished = true;
        });
    }
    ~LocalProver() {
        d_queue.close();  // on an error elsewhere: finish the chunk in hand, take no more
        if (d_thread.joinable()) d_thread.join();
    }
    // Results since the last call; rethrows the thread's error.
    std::vector<Pending> drain() {
        std::lock_guard lock(d_mutex);
        if (d_error) std::rethrow_exception(d_error);
        return std::exchange(d_done, {});
    }
    bool finished() const { return d_finished; }
    RankWork work() {
        std::lock_guard lock(d_mutex);
        return d_work;
    }

private:
    Queue& d_queue;
    std::mutex d_mutex;
    std::vector<Pending> d_done;
    std::exception_ptr d_error;
    RankWork d_work;
    std::atomic<bool> d_finished{false};
    std::thread d_thread;
};

}  // namespace

uint64_t candidate_digest(const std::vector<enumerator::Candidate>& candidates) {
    XXH3_state_t* st = XXH3_createState();
    XXH3_64bits_reset(st);
    for (const enumerator::Candidate& c : candidates) {
        const std::string t = print_native(c.rule);
        XXH3_64bits_update(st, t.data(), t.size() + 1);  // with the NUL: texts stay separate
    }
    const uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

std::vector<prover::RuleCheck> prove_indices(const std::vector<enumerator::Candidate>& candidates,
                                             const std::vector<uint64_t>& indices, const prover::CheckOptions& options,
                                             int threads) {
    for (uint64_t i : indices)
        if (i >= candidates.size())
            throw std::out_of_range("candidate index " + std::to_string(i) + " past the list's " +
                                    std::to_string(candidates.size()));
    return prove_parallel(
        indices.size(), [&](size_t k) -> const Rule& { return candidates[indices[k]].rule; },
        [&](size_t k) { return "candidate_" + std::to_string(indices[k]); }, options, threads);
}

std::vector<RankWork> coordinate_proving(Mpi& mpi, ruledb::Database& db,
                                         const std::vector<enumerator::Candidate>& candidates,
                                         const CoordinatorSetup& setup, ProofTally& tally,
                                         support::Progress& progress) {
    const uint64_t digest = candidate_digest(candidates);
    std::vector<uint64_t> order;
    for (const Span& span : setup.spans)
        for (size_t i = span.lo; i < span.hi; ++i) order.push_back(i);
    Queue queue(order, setup.batch, mpi.size());

    std::vector<RankWork> work(mpi.size());
    for (int r = 0; r < mpi.size(); ++r) work[r].rank = r;
    std::vector<uint64_t> sent_to(mpi.size(), 0), received_from(mpi.size(), 0);
    std::map<uint64_t, prover::RuleCheck> done;  // proved, not yet stored
    size_t next_span = 0;                        // position in setup.spans
    int serving = mpi.size() - 1;                // ranks not yet told to stop
    auto last_rank_line = Clock::now();

    auto accept = [&](std::vector<uint64_t>& idx, std::vector<prover::RuleCheck>& checks) {
        for (size_t k = 0; k < idx.size(); ++k) done.emplace(idx[k], std::move(checks[k]));
        progress.tick(idx.size());
    };
    // Stores every batch whose candidates are all in, in batch order, one transaction each, as
    // the single-process loop does (pipeline/prove_loop.h).
    ProveJob job;
    job.store = [&](size_t i, const prover::RuleCheck& c) {
        store_candidate_check(db, setup.run, candidates[i].rule, c, tally);
    };
    job.mark_done = [&](const Span& span) { db.mark_stage_done(setup.run, "prove", span_unit(span)); };
    // An interrupted solver's answer is never stored: a stop leaves the span open.
    job.stopped = [](size_t, int) { support::throw_if_stopped("while proving"); };
    size_t stored = 0;
    auto store_ready = [&] {
        bool any = false;
        while (next_span < setup.spans.size()) {
            const Span& span = setup.spans[next_span];
            const size_t lo = span.lo, hi = span.hi;
            auto first = done.find(lo);
            if (first == done.end() || static_cast<size_t>(std::distance(first, done.lower_bound(hi))) != hi - lo)
                break;
            std::vector<prover::RuleCheck> checks;
            checks.reserve(hi - lo);
            for (auto it = first; it != done.lower_bound(hi); ++it) checks.push_back(std::move(it->second));
            store_span(db, span, checks, job, stored);
            stored += span.size();
            done.erase(first, done.lower_bound(hi));
            ++next_span;
            any = true;
        }
        return any;
    };

    LocalProver local(queue, candidates, setup.check, setup.threads);
    for (int idle = 0;;) {
        bool moved = false;
        while (auto m = mpi.try_receive(Mpi::kAny, kTagRequest)) {
            moved = true;
            const int r = m->source;
            received_from[r] += m->bytes.size();
            wire::Request req = wire::decode_request(m->bytes);
            if (req.candidate_digest != digest)
                throw std::runtime_error("rank " + std::to_string(r) +
                                         " enumerated a different candidate list than rank 0 (another ruleforge "
                                         "build or other options?)");
            accept(req.indices, req.checks);
            work[r] = req.work;
            wire::Assignment a{queue.take(req.work.threads)};
            const std::vector<uint8_t> bytes = wire::encode(a);
            mpi.send(r, kTagAssign, bytes);
            sent_to[r] += bytes.size();
            if (a.indices.empty()) --serving;
        }
        for (Pending& p : local.drain()) {
            moved = true;
            accept(p.indices, p.checks);
        }
        moved = store_ready() || moved;
        if (setup.progress && since(last_rank_line) >= 10) {
            last_rank_line = Clock::now();
            work[0] = local.work();
            std::string line = "[discover] candidates proved per rank:";
            for (const RankWork& w : work) line += " " + std::to_string(w.rank) + ":" + std::to_string(w.candidates);
            std::fprintf(stderr, "%s\n", line.c_str());
        }
        support::throw_if_stopped("while proving");
        if (serving == 0 && local.finished() && next_span == setup.spans.size()) {
            local.drain();  // rethrows an error that ended the thread
            break;
        }
        if (moved) {
            idle = 0;
        } else {
            // Nothing arrived: sleep a little (a request waits at most ~10 ms for its answer).
            std::this_thread::sleep_for(std::chrono::microseconds(std::min(10000, 100 << std::min(idle++, 7))));
        }
    }
    work[0] = local.work();
    work[0].rank = 0;
    for (int r = 0; r < mpi.size(); ++r) {
        work[r].bytes_sent = received_from[r];  // what rank r sent to rank 0
        work[r].bytes_received = sent_to[r];
    }
    return work;
}

void serve_proving(Mpi& mpi, const std::vector<enumerator::Candidate>& candidates, const prover::CheckOptions& options,
                   int threads) {
    wire::Request req;
    req.candidate_digest = candidate_digest(candidates);
    req.work.rank = mpi.rank();
    req.work.threads = threads;
    for (;;) {
        const auto t0 = Clock::now();
        mpi.send(0, kTagRequest, wire::encode(req));
        wire::Assignment a = wire::decode_assignment(mpi.receive(0, kTagAssign).bytes);
        req.work.wait_seconds += since(t0);
        if (a.indices.empty()) return;
        const auto t1 = Clock::now();
        req.checks = prove_indices(candidates, a.indices, options, threads);
        if (support::stop_requested()) {
            // mpirun and Slurm signal every rank: rank 0 marks the run interrupted and ends the
            // job. Should it not (a signal sent to this rank alone), end it from here.
            std::this_thread::sleep_for(std::chrono::seconds(20));
            mpi.abort(128 + support::stop_signal());
        }
        req.work.busy_seconds += since(t1);
        req.work.candidates += a.indices.size();
        ++req.work.chunks;
        for (const auto& c : req.checks) req.work.solver_seconds += c.seconds;
        req.indices = std::move(a.indices);
    }
}

}  // namespace rf::pipeline
