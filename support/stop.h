// A stop request: SIGINT or SIGTERM asks every long-running stage to stop cleanly.
//
// The signal handler only records the signal (an atomic) and wakes a watcher thread through a
// pipe; the watcher calls the interrupt hooks that solver calls register while they run (Z3's
// context interrupt), since a solver's own API must not be called from a signal handler. The
// stages check stop_requested() between units of work and throw Interrupted, so the unit in
// flight is rolled back and nothing an interrupted solver said is recorded as a verdict.
//
// Commands that check the request install the cooperative mode; every other command gets the
// immediate mode (exit 128 + signal at once: they hold no transaction that SQLite would not roll
// back). In both modes a second signal of the same kind ends the process at once.
#pragma once

#include <functional>
#include <string>

namespace rf::support {

enum class StopMode {
    Immediate,    ///< the handler exits with 128 + signal
    Cooperative,  ///< the handler records the request; the stages stop at their next check
};

/// Installs (or switches) the SIGINT and SIGTERM handlers. Safe to call again.
void install_stop_handlers(StopMode mode);

/// The signal that requested a stop (SIGINT, SIGTERM), or 0.
int stop_signal();
inline bool stop_requested() { return stop_signal() != 0; }

/// Requests a stop as the signal `sig` would (the handler calls it; tests may too).
void request_stop(int sig);
/// Forgets a request (tests that run several stops in one process). Registered hooks stay.
void clear_stop_request();

/// "SIGINT", "SIGTERM", or "signal N".
std::string signal_name(int sig);

/// A stage stopped because a stop was requested. Deliberately not a std::exception: the many
/// `catch (const std::exception&)` that turn a failure into a value (a solver error becomes
/// Unknown, a failed rule becomes an error line) must not swallow a stop.
class Interrupted {
public:
    Interrupted(int sig, std::string what) : d_signal(sig), d_what(std::move(what)) {}
    int signal() const { return d_signal; }
    /// The process exit code for it: 128 + signal (130 for SIGINT, 143 for SIGTERM).
    int exit_code() const { return 128 + d_signal; }
    const std::string& what() const { return d_what; }

private:
    int d_signal;
    std::string d_what;
};

/// Throws Interrupted (with `what`, e.g. "discover stopped after 3 of 7 batches") if a stop
/// was requested.
void throw_if_stopped(const std::string& what);

/// While alive, `interrupt` is called (on the watcher thread) when a stop is requested, or at
/// once if one already was. Used around a blocking solver call; `interrupt` must be safe to call
/// from another thread while that call runs (Z3_interrupt is).
class StopHook {
public:
    explicit StopHook(std::function<void()> interrupt);
    ~StopHook();
    StopHook(const StopHook&) = delete;
    StopHook& operator=(const StopHook&) = delete;

private:
    unsigned long d_id;
};

}  // namespace rf::support
