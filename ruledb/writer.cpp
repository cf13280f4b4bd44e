#include "ruledb/writer.h"

#include <chrono>

namespace rf::ruledb {

Writer::Writer(const std::string& path, Options options)
    : d_db(path, Database::Options{true, options.busy_timeout_ms}), d_options(options) {
    if (d_options.batch_size == 0) d_options.batch_size = 1;
    if (d_options.capacity < d_options.batch_size) d_options.capacity = d_options.batch_size;
    d_thread = std::thread([this] { loop(); });
}

Writer::~Writer() {
    try {
        close();
    } catch (...) {
        // Reported by close() to callers who ask; a destructor must not throw.
    }
}

void Writer::rethrow_locked() {
    if (!d_error) return;
    std::exception_ptr e = d_error;
    if (!d_fatal) d_error = nullptr;  // a failed unit is reported once; a dead writer always
    std::rethrow_exception(e);
}

void Writer::submit(Unit unit) {
    std::unique_lock lock(d_mu);
    rethrow_locked();
    if (d_stop) throw std::logic_error("ruledb::Writer: submit() after close()");
    d_space.wait(lock, [&] { return d_queue.size() < d_options.capacity || d_fatal; });
    rethrow_locked();
    d_queue.push_back(std::move(unit));
    ++d_submitted;
    if (d_queue.size() >= d_options.batch_size) d_work.notify_one();
}

void Writer::flush() {
    std::unique_lock lock(d_mu);
    uint64_t target = d_submitted;
    ++d_flushing;
    d_work.notify_one();
    d_done.wait(lock, [&] { return d_finished >= target || d_fatal; });
    --d_flushing;
    rethrow_locked();
}

void Writer::close() {
    {
        std::unique_lock lock(d_mu);
        if (d_stop && !d_thread.joinable()) {
            rethrow_locked();
            return;
        }
        d_stop = true;
        d_work.notify_one();
    }
    if (d_thread.joinable()) d_thread.join();
    std::unique_lock lock(d_mu);
    rethrow_locked();
}

Writer::Stats Writer::stats() const {
    std::lock_guard lock(d_mu);
    return d_stats;
}

void Writer::loop() {
    for (;;) {
        std::deque<Unit> batch;
        {
            std::unique_lock lock(d_mu);
            d_work.wait(lock, [&] { return !d_queue.empty() || d_stop; });
            // Let a partial batch fill up for a while: fewer, larger transactions.
            auto full = [&] { return d_queue.size() >= d_options.batch_size || d_stop || d_flushing > 0; };
            if (!full()) d_work.wait_for(lock, std::chrono::milliseconds(d_options.max_delay_ms), full);
            if (d_queue.empty() && d_stop) return;
            size_t n = std::min(d_queue.size(), d_options.batch_size);
            for (size_t i = 0; i < n; ++i) {
                batch.push_back(std::move(d_queue.front()));
                d_queue.pop_front();
            }
            d_space.notify_all();
        }
        write_batch(batch);
        std::lock_guard lock(d_mu);
        if (d_fatal) {
            // The database is unusable: drop what is queued so waiting producers return.
            d_finished += d_queue.size();
            d_queue.clear();
            d_space.notify_all();
            d_done.notify_all();
            return;
        }
    }
}

void Writer::write_batch(std::deque<Unit>& batch) {
    uint64_t ok = 0, failed = 0;
    std::exception_ptr unit_error;
    try {
        d_db.atomically([&] {
            for (Unit& unit : batch) {
                try {
                    d_db.atomically([&] { unit(d_db); });
                    ++ok;
                } catch (const DbError& e) {
                    // Only a constraint violation is the unit's own fault; anything else means
                    // the transaction itself is in doubt, so the whole batch goes.
                    if (e.kind() != DbError::Kind::Constraint) throw;
                    ++failed;
                    if (!unit_error) unit_error = std::current_exception();
                } catch (const std::exception&) {
                    ++failed;
                    if (!unit_error) unit_error = std::current_exception();
                }
            }
        });
    } catch (...) {
        std::lock_guard lock(d_mu);
        d_stats.failed += batch.size();
        d_finished += batch.size();
        d_error = std::current_exception();
        d_fatal = true;
        d_done.notify_all();
        return;
    }
    std::lock_guard lock(d_mu);
    d_stats.committed += ok;
    d_stats.failed += failed;
    ++d_stats.transactions;
    d_finished += batch.size();
    // Moved, not copied: the thread that rethrows must hold the last reference (TSan cannot see
    // the reference count inside libstdc++, and a writer-side release would look like a race).
    if (unit_error && !d_error) d_error = std::move(unit_error);
    d_done.notify_all();
}

}  // namespace rf::ruledb
