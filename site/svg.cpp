// Running Graphviz for the report's pictures (see svg.h).
#include "site/svg.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "site/site.h"

extern char** environ;

namespace rf::site {

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs `program -Tsvg in > out`, stderr to `log`; returns the exit status, or throws when the
// program cannot be started.
int run_dot(const std::string& program, const std::string& in, const std::string& out, const std::string& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    // Standard output, not -o: with -o, dot writes only one of several graphs to the file.
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> args = {program, "-Tsvg", in};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        throw SiteError("cannot run Graphviz '" + program + "' (" + std::strerror(rc) +
                        "): the report draws rules with it; install graphviz (scripts/install-deps.sh)");
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw SiteError(std::string("waiting for Graphviz: ") + std::strerror(errno));
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace

std::vector<std::string> render_svgs(const std::vector<std::string>& graphs, const std::string& dot_program,
                                     const std::string& work_dir) {
    if (graphs.empty()) return {};
    const std::string in = work_dir + "/pictures.dot", out = work_dir + "/pictures.svg", log = work_dir + "/dot.log";
    {
        std::ofstream f(in, std::ios::binary);
        for (const std::string& g : graphs) f << g << "\n";
        if (!f) throw SiteError("cannot write '" + in + "'");
    }
    const int status = run_dot(dot_program, in, out, log);
    const std::string text = slurp(out), messages = slurp(log);
    std::filesystem::remove(in);
    std::filesystem::remove(out);
    std::filesystem::remove(log);
    // posix_spawnp reports a missing program as success on some libcs; the child then exits 127.
    if (status == 127)
        throw SiteError("cannot run Graphviz '" + dot_program +
                        "' (not found): the report draws rules with it; install graphviz "
                        "(scripts/install-deps.sh)");
    if (status != 0)
        throw SiteError("Graphviz '" + dot_program + "' failed (exit status " + std::to_string(status) +
                        "): " + messages.substr(0, 500));
    // dot writes one complete SVG document per graph, one after the other.
    std::vector<std::string> svgs;
    size_t pos = text.find("<svg");
    while (pos != std::string::npos) {
        const size_t end = text.find("</svg>", pos);
        if (end == std::string::npos) break;
        svgs.push_back(text.substr(pos, end + 6 - pos));
        pos = text.find("<svg", end);
    }
    if (svgs.size() != graphs.size())
        throw SiteError("Graphviz '" + dot_program + "' returned " + std::to_string(svgs.size()) + " pictures for " +
                        std::to_string(graphs.size()) + " graphs");
    return svgs;
}

}  // namespace rf::site
