// The stop request behind support/stop.h: an async-signal-safe handler, a watcher thread woken
// through a pipe, and the registry of interrupt hooks it calls.
#include "support/stop.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <map>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace rf::support {

namespace {

std::atomic<int> g_signal{0};
std::atomic<bool> g_cooperative{false};
int g_wake[2] = {-1, -1};  // the handler writes a byte to [1]; the watcher reads [0]

std::mutex g_hooks_mutex;
std::map<unsigned long, std::function<void()>> g_hooks;
unsigned long g_next_hook = 0;

void run_hooks() {
    std::lock_guard lock(g_hooks_mutex);
    for (auto& [id, interrupt] : g_hooks) interrupt();
}

void watch() {
    for (;;) {
        char c;
        const ssize_t r = read(g_wake[0], &c, 1);
        if (r == 1)
            run_hooks();
        else if (r < 0 && errno == EINTR)
            continue;
        else
            return;
    }
}

// Only async-signal-safe calls here: atomics, write(2), _exit(2).
extern "C" void on_stop_signal(int sig) {
    if (!g_cooperative.load()) _exit(128 + sig);
    const int saved = errno;
    int none = 0;
    g_signal.compare_exchange_strong(none, sig);
    static const char note[] = "\nruleforge: stopping after the work in flight (the same signal again stops at once)\n";
    ssize_t ignored = write(STDERR_FILENO, note, sizeof note - 1);
    const char byte = 1;
    ignored = write(g_wake[1], &byte, 1);
    (void)ignored;
    errno = saved;
}

void start_watcher() {
    if (pipe2(g_wake, O_CLOEXEC) != 0) return;  // no watcher: the stages still see the flag
    fcntl(g_wake[1], F_SETFL, O_NONBLOCK);      // the handler must never block
    std::thread(watch).detach();
}

}  // namespace

void install_stop_handlers(StopMode mode) {
    static std::once_flag once;
    std::call_once(once, start_watcher);
    g_cooperative = mode == StopMode::Cooperative;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    // A second signal of the same kind gets the default action: the user who insists is obeyed.
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

int stop_signal() { return g_signal.load(); }

void request_stop(int sig) {
    int none = 0;
    g_signal.compare_exchange_strong(none, sig);
    run_hooks();
}

void clear_stop_request() { g_signal = 0; }

std::string signal_name(int sig) {
    switch (sig) {
        case SIGINT: return "SIGINT";
        case SIGTERM: return "SIGTERM";
        default: return "signal " + std::to_string(sig);
    }
}

void throw_if_stopped(const std::string& what) {
    if (const int sig = stop_signal()) throw Interrupted(sig, what);
}

StopHook::StopHook(std::function<void()> interrupt) {
    std::lock_guard lock(g_hooks_mutex);
    d_id = g_next_hook++;
    // A request that came before this hook existed still reaches it (the watcher ran already).
    if (g_signal.load()) interrupt();
    g_hooks.emplace(d_id, std::move(interrupt));
}

StopHook::~StopHook() {
    std::lock_guard lock(g_hooks_mutex);
    g_hooks.erase(d_id);
}

}  // namespace rf::support
