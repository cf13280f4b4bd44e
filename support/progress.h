// Progress lines on stderr for long runs (enumeration, proving): size level, items done, rate,
// classes, ETA.
// Disabled, it is one branch per call; enabled, it prints at most once a second, from whichever
// thread calls `tick` (the counter is atomic, the printing serialised).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace rf::support {

class Progress {
public:
    /// Lines read "[tag] size N phase: done/total unit, rate unit/s, ETA".
    explicit Progress(bool enabled, std::string tag = "enumerate", std::string unit = "graphs")
        : d_enabled(enabled), d_tag(std::move(tag)), d_default_unit(unit), d_unit(std::move(unit)) {}
    /// Starts a phase of `total` items (0: unknown) at size level `level` (0: none); `unit` names the
    /// items when they are not the constructor's.
    void start(int level, const std::string& phase, uint64_t total, const std::string& unit = "");
    /// Counts `n` items done; prints when a second has passed since the last line.
    void tick(uint64_t n = 1) {
        if (!d_enabled) return;
        d_done.fetch_add(n, std::memory_order_relaxed);
        maybe_print(false);
    }
    /// A final line for the phase with its rate, and the class count so far.
    void finish(uint64_t classes);
    /// A final line for the phase with its count and time.
    void finish();

private:
    void maybe_print(bool force);
    bool d_enabled;
    std::string d_tag, d_default_unit, d_unit;
    int d_level = 0;
    std::string d_phase;
    uint64_t d_total = 0;
    std::atomic<uint64_t> d_done{0};
    std::chrono::steady_clock::time_point d_start, d_last;
    std::mutex d_mutex;
};

}  // namespace rf::support
