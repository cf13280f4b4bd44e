// Items computed on worker threads and consumed in order on the calling thread: the enumerator's
// store computes the canonical rows of batch k + 1, k + 2... while the caller writes batch k into
// SQLite (one connection, one thread).
//
// Plain threads rather than an OpenMP loop per batch: between two such loops OpenMP's workers
// spin-wait, and beside a single writer thread that spinning took a third of the store's CPU
// (perf, size 3 on 2 cores). Here a worker that has nothing to do sleeps on a condition variable.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace rf::pipeline {

/// Runs produce(i) for i in [0, n) on `workers` threads, at most `ahead` items beyond the one
/// being consumed, and consume(i, item) for i = 0, 1, ... on the calling thread, in order.
/// consume returns false to stop early (the items in flight are finished and dropped). The
/// first exception of a producer is rethrown here; one from consume stops the workers first.
template <class Item>
void ordered_pipeline(size_t n, int workers, size_t ahead, const std::function<Item(size_t)>& produce,
                      const std::function<bool(size_t, Item&)>& consume) {
    if (workers < 1) workers = 1;
    if (ahead < 1) ahead = 1;
    std::mutex mu;
    std::condition_variable ready, room;
    std::vector<std::optional<Item>> slot(n);
    size_t next = 0, consumed = 0;
    bool stop = false;
    std::exception_ptr error;
    auto work = [&] {
        for (;;) {
            size_t i;
            {
                std::unique_lock lock(mu);
                room.wait(lock, [&] { return stop || next >= n || next < consumed + ahead; });
                if (stop || next >= n) return;
                i = next++;
            }
            try {
                Item item = produce(i);
                std::lock_guard lock(mu);
                slot[i] = std::move(item);
            } catch (...) {
                std::lock_guard lock(mu);
                if (!error) error = std::current_exception();
                stop = true;
            }
            ready.notify_all();
        }
    };
    std::vector<std::thread> threads;
    auto finish = [&] {
        {
            std::lock_guard lock(mu);
            stop = true;
        }
        room.notify_all();
        for (std::thread& t : threads) t.join();
        threads.clear();
    };
    for (int t = 0; t < workers; ++t) threads.emplace_back(work);
    try {
        for (size_t k = 0; k < n; ++k) {
            std::optional<Item> item;
            {
                std::unique_lock lock(mu);
                ready.wait(lock, [&] { return slot[k].has_value() || error; });
                if (error) break;
                item = std::move(slot[k]);
                slot[k].reset();
            }
            if (!consume(k, *item)) break;
            {
                std::lock_guard lock(mu);
                consumed = k + 1;
            }
            room.notify_all();
        }
    } catch (...) {
        finish();
        throw;
    }
    finish();
    if (error) std::rethrow_exception(error);
}

}  // namespace rf::pipeline
