// `discover --distributed` under mpirun, end to end: with 2 and 3 ranks (and without mpirun) it
// stores the rule set of a single-process run; a user error ends every rank cleanly; a rank
// killed mid-proof leaves a sound database that `--resume` completes to the same rule set.
// The ranks are real processes of the built binary (mpirun cannot run inside this test runner).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ruledb/database.h"
#include "tests/support/cli_run.h"

using namespace rf;

namespace {

// Small enough for ~10 s on two cores, big enough for several chunks per rank (batch 8).
const std::vector<std::string> kSmall = {
    "--max-ops", "2", "--ops", "matmul,ewadd,relu,smul,transpose", "--batch", "8", "-q", "--threads", "1"};

// Each test process (CTest runs the cases of this file in parallel processes) keeps its
// databases and logs in a directory of its own, removed when the process ends normally (a crash
// leaves it behind to look at).
const std::string& scratch() {
    struct Dir {
        std::string path = std::string(RF_BINARY_DIR) + "/test-mpi-" + std::to_string(::getpid());
        Dir() { std::filesystem::create_directories(path); }
        ~Dir() {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    };
    static const Dir dir;
    return dir.path;
}

std::string fresh_db(const std::string& name) {
    std::string path = scratch() + "/" + name;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    return path;
}

std::vector<std::string> discover_args(const std::string& db, bool resume) {
    std::vector<std::string> a = {std::string(RF_BINARY_DIR) + "/cli/ruleforge", "discover", "--distributed", "--db",
                                  db};
    a.insert(a.end(), kSmall.begin(), kSmall.end());
    if (resume) a.push_back("--resume");
    return a;
}

std::vector<std::string> under_mpirun(int ranks, std::vector<std::string> args) {
    std::vector<std::string> a = {RF_MPIEXEC, "--allow-run-as-root", "--oversubscribe", "-np", std::to_string(ranks)};
    a.insert(a.end(), args.begin(), args.end());
    return a;
}

// Starts `args` with stdout and stderr into `log`.
pid_t spawn(std::vector<std::string> args, const std::string& log) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    // Containers often forbid the cross-memory attach OpenMPI's shared-memory transport tries.
    setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 0);
#if defined(__SANITIZE_ADDRESS__)
    // Sanitizer build: Open MPI 4.1.4 itself leaks in MPI_Init and MPI_Finalize (a six-line
    // MPI_Init_thread + MPI_Finalize program shows the same 20 KB), partly in components it has
    // dlclose'd, so no suppression by name can match. Leak checking is off for the ranks only;
    // ASan's memory errors and UBSan stay on, and the single-process tests check leaks.
    const char* asan = std::getenv("ASAN_OPTIONS");
    setenv("ASAN_OPTIONS", (std::string(asan ? asan : "") + (asan && *asan ? ":" : "") + "detect_leaks=0").c_str(), 1);
#endif
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
}

int exit_code(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int run_process(const std::vector<std::string>& args, std::string* output) {
    const std::string log = scratch() + "/mpirun.log";
    int code = exit_code(spawn(args, log));
    if (output) *output = read_file(log);
    return code;
}

// Canonical text, status and decision of every rule: what "the same rule set" means.
std::vector<std::string> rule_set(const std::string& db_path) {
    ruledb::Database db(db_path);
    std::vector<std::string> out;
    for (const ruledb::RuleSummary& r : db.list_rules())
        out.push_back(r.text + " | " + ruledb::to_string(r.status) + " | " + ruledb::to_string(r.decision));
    std::sort(out.begin(), out.end());
    return out;
}

const std::vector<std::string>& reference_rules() {
    static const std::vector<std::string> rules = [] {
        const std::string db = fresh_db("mpi_reference.db");
        std::vector<std::string> args = {"discover", "--db", db};
        args.insert(args.end(), kSmall.begin(), kSmall.end());
        const testing::CliRun r = testing::run_cli(args);
        if (r.code != 0) FAIL("single-process discover failed: " << r.out << r.err);
        return rule_set(db);
    }();
    return rules;
}

// The pid of MPI rank `rank` among mpirun's children (OpenMPI puts the rank in the environment).
pid_t rank_pid(pid_t mpirun, int rank) {
    const std::string want = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        std::getline(stat, line);
        const size_t close = line.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 2));
        char state;
        pid_t ppid = 0;
        rest >> state >> ppid;
        if (ppid != mpirun) continue;
        std::string env = read_file((entry.path() / "environ").string());
        std::replace(env.begin(), env.end(), '\0', '\n');
        if (("\n" + env).find("\n" + want + "\n") != std::string::npos) return std::stoi(name);
    }
    return 0;
}

}  // namespace

TEST_CASE("discover --distributed: 2 and 3 ranks store the single-process rule set", "[mpi]") {
    const auto& reference = reference_rules();
    REQUIRE(reference.size() > 20);
    for (int ranks : {2, 3}) {
        INFO(ranks << " ranks");
        const std::string db = fresh_db("mpi_ranks.db");
        std::string out;
        std::vector<std::string> args = discover_args(db, false);
        args.push_back("--json");
        REQUIRE(run_process(under_mpirun(ranks, args), &out) == 0);
        INFO(out);
        CHECK(rule_set(db) == reference);
        ruledb::Database d(db);
        CHECK(d.integrity_check().empty());
        REQUIRE(d.runs().size() == 1);
        CHECK(d.runs()[0].status == ruledb::RunStatus::Finished);
        // One summary (rank 0's), with every rank's share of the proving.
        const size_t at = out.find('{');
        REQUIRE(at != std::string::npos);
        const auto j = nlohmann::json::parse(out.substr(at));
        REQUIRE(j.contains("distributed"));
        CHECK(j["distributed"]["ranks"] == ranks);
        REQUIRE(j["distributed"]["per_rank"].size() == static_cast<size_t>(ranks));
        uint64_t proved = 0;
        for (const auto& w : j["distributed"]["per_rank"]) proved += w["candidates"].get<uint64_t>();
        CHECK(proved == j["candidates"].get<uint64_t>());
        CHECK(j["distributed"]["bytes"]["prove"].get<uint64_t>() > 0);
        // The enumeration is shared (enumerator/work_exchange.h): every level's phases crossed
        // between the ranks, and every rank did a share.
        for (const char* phase :
             {"enumerate size 1 generate", "enumerate size 2 generate", "enumerate size 2 fingerprint",
              "enumerate size 2 classes", "enumerate size 1 representatives", "enumerate candidates"}) {
            INFO(phase);
            REQUIRE(j["distributed"]["bytes"].contains(phase));
            CHECK(j["distributed"]["bytes"][phase].get<uint64_t>() > 0);
        }
        for (const auto& w : j["distributed"]["per_rank"]) CHECK(w["enumerate_seconds"].get<double>() > 0);
        CHECK(j["distributed"]["enumeration_imbalance"].get<double>() >= 1.0);
    }
}

TEST_CASE("discover --distributed without mpirun runs as one rank", "[mpi]") {
    const auto& reference = reference_rules();
    const std::string db = fresh_db("mpi_single.db");
    std::string out;
    REQUIRE(run_process(discover_args(db, false), &out) == 0);
    INFO(out);
    CHECK(rule_set(db) == reference);
}

TEST_CASE("discover --distributed: a user error ends every rank with the error", "[mpi]") {
    const std::string db = fresh_db("mpi_usage.db");
    std::string out;
    CHECK(run_process(under_mpirun(2, discover_args(db, true)), &out) != 0);
    CHECK_THAT(out, Catch::Contains("no unfinished discover run"));
}

TEST_CASE("discover --distributed: a killed rank leaves a sound database, and --resume completes it", "[mpi]") {
    const auto& reference = reference_rules();
    const std::string db = fresh_db("mpi_killed.db");
    const std::string log = scratch() + "/mpirun-killed.log";
    const pid_t mpirun = spawn(under_mpirun(3, discover_args(db, false)), log);
    REQUIRE(mpirun > 0);
    // Kill rank 1 once rank 0 has stored a first proved batch: mid-proof, work in flight.
    bool killed = false;
    for (int i = 0; i < 600 && !killed; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!std::filesystem::exists(db)) continue;
        try {
            ruledb::Database d(db);
            auto run = d.last_unfinished_run("discover");
            if (!run || d.done_units(run->id, "prove").empty()) continue;
        } catch (const ruledb::DbError&) {
            continue;  // busy: try again
        }
        if (pid_t victim = rank_pid(mpirun, 1)) killed = kill(victim, SIGKILL) == 0;
    }
    const int code = exit_code(mpirun);
    INFO(read_file(log));
    REQUIRE(killed);
    CHECK(code != 0);  // mpirun ends the job when a rank dies

    {
        ruledb::Database d(db);
        CHECK(d.integrity_check().empty());
        REQUIRE(d.last_unfinished_run("discover"));
    }
    std::string out;
    REQUIRE(run_process(under_mpirun(2, discover_args(db, true)), &out) == 0);
    INFO(out);
    CHECK(rule_set(db) == reference);
    ruledb::Database d(db);
    CHECK(d.integrity_check().empty());
    REQUIRE(d.runs().size() == 1);
    CHECK(d.runs()[0].status == ruledb::RunStatus::Finished);
}
