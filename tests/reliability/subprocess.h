// Running the real `ruleforge` binary in a child process for the reliability tests, so a crash
// shows as a signal rather than a dead test runner, under simulated hostile conditions: a
// file-size limit standing in for a full disk, an unprivileged user for a read-only file.
#pragma once

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace rf::reliability {

/// What a run of the binary did: its exit code, or the signal that ended it.
struct Outcome {
    int code = -1;   ///< exit status, -1 when a signal ended it
    int signal = 0;  ///< the terminating signal, 0 when it exited
    std::string out, err;
};

/// Hostile conditions applied in the child just before exec.
struct Conditions {
    rlim_t max_file_bytes = RLIM_INFINITY;  ///< RLIMIT_FSIZE: writes past it fail like a full disk
    bool unprivileged = false;              ///< run as nobody, so files the test owns are read-only (even as root)
    std::string stdin_text;                 ///< fed to standard input
};

/// A scratch directory for one test case, emptied first; readable by nobody too.
inline std::string scratch_dir(const std::string& name) {
    std::filesystem::path dir = std::filesystem::path(RF_BINARY_DIR) / "reliability-tests" / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

inline const std::string& ruleforge_binary() {
    static const std::string path = std::string(RF_BINARY_DIR) + "/cli/ruleforge";
    return path;
}

/// Runs `ruleforge args...` in a child process under `c`; waits for it.
inline Outcome run_ruleforge(const std::vector<std::string>& args, const Conditions& c = {}) {
    static int counter = 0;
    std::string base = std::string(RF_BINARY_DIR) + "/reliability-tests/run-" + std::to_string(::getpid()) + "-" +
                       std::to_string(counter++);
    std::filesystem::create_directories(std::string(RF_BINARY_DIR) + "/reliability-tests");
    write_file(base + ".in", c.stdin_text);
    pid_t pid = fork();
    if (pid == 0) {
        int in = open((base + ".in").c_str(), O_RDONLY);
        int out = open((base + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open((base + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0) _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        if (c.max_file_bytes != RLIM_INFINITY) {
            // Ignored, SIGXFSZ makes write() fail with EFBIG instead of killing: a full disk.
            signal(SIGXFSZ, SIG_IGN);
            rlimit l{c.max_file_bytes, c.max_file_bytes};
            setrlimit(RLIMIT_FSIZE, &l);
        }
        if (c.unprivileged && geteuid() == 0) {
            if (setgid(65534) != 0 || setuid(65534) != 0) _exit(125);
        }
        std::vector<char*> argv{const_cast<char*>(ruleforge_binary().c_str())};
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    Outcome o;
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status))
        o.code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        o.signal = WTERMSIG(status);
    o.out = read_file(base + ".out");
    o.err = read_file(base + ".err");
    for (const char* ext : {".in", ".out", ".err"}) std::filesystem::remove(base + ext);
    return o;
}

/// Starts `ruleforge args...` in the background, output discarded (standard error kept in
/// `stderr_log` when one is given); the caller kills or waits.
inline pid_t spawn_ruleforge(const std::vector<std::string>& args, const std::string& stderr_log = "") {
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        int err = stderr_log.empty() ? null : open(stderr_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(null, 0);
        dup2(null, 1);
        dup2(err, 2);
        std::vector<char*> argv{const_cast<char*>(ruleforge_binary().c_str())};
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

/// SIGKILLs `pid` (if still running) and reaps it; true when the kill ended it, false when it had
/// already exited on its own.
inline bool kill_and_reap(pid_t pid) {
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

}  // namespace rf::reliability
