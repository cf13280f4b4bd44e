#include "support/progress.h"

#include <cstdio>

namespace rf::support {

void Progress::start(int level, const std::string& phase, uint64_t total, const std::string& unit) {
    if (!d_enabled) return;
    d_unit = unit.empty() ? d_default_unit : unit;
    d_level = level;
    d_phase = phase;
    d_total = total;
    d_done = 0;
    d_start = d_last = std::chrono::steady_clock::now();
}

void Progress::maybe_print(bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - d_last < std::chrono::seconds(1)) return;
    std::unique_lock lock(d_mutex, std::try_to_lock);
    if (!lock.owns_lock()) return;
    if (!force && now - d_last < std::chrono::seconds(1)) return;
    d_last = now;
    const double secs = std::chrono::duration<double>(now - d_start).count();
    const uint64_t done = d_done.load();
    const double rate = secs > 0 ? done / secs : 0;
    // Level 0: a phase that is not per size (pruning, proving a database's rules).
    const std::string size = d_level > 0 ? "size " + std::to_string(d_level) + " " : "";
    std::fprintf(stderr, "[%s] %s%s: %llu", d_tag.c_str(), size.c_str(), d_phase.c_str(),
                 static_cast<unsigned long long>(done));
    if (d_total) std::fprintf(stderr, "/%llu", static_cast<unsigned long long>(d_total));
    std::fprintf(stderr, " %s, %.0f %s/s", d_unit.c_str(), rate, d_unit.c_str());
    if (d_total && rate > 0 && done < d_total) std::fprintf(stderr, ", ETA %.1f s", (d_total - done) / rate);
    std::fprintf(stderr, "\n");
}

void Progress::finish(uint64_t classes) {
    if (!d_enabled) return;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - d_start).count();
    std::fprintf(stderr, "[%s] size %d %s: %llu %s in %.2f s, %llu classes so far\n", d_tag.c_str(), d_level,
                 d_phase.c_str(), static_cast<unsigned long long>(d_done.load()), d_unit.c_str(), secs,
                 static_cast<unsigned long long>(classes));
}

void Progress::finish() {
    if (!d_enabled) return;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - d_start).count();
    std::fprintf(stderr, "[%s] %s: %llu %s in %.2f s\n", d_tag.c_str(), d_phase.c_str(),
                 static_cast<unsigned long long>(d_done.load()), d_unit.c_str(), secs);
}

}  // namespace rf::support
