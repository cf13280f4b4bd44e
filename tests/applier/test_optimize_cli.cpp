// `ruleforge optimize` as a user runs it: the errors a user can cause (each names what is wrong),
// --device cuda without a GPU, a zero budget that hands back the original with both timings, and
// --out writing an ONNX model that reads back with the model's input and output names.
#include <catch2/catch.hpp>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "applier/executor.h"
#include "applier/onnx_import.h"
#include "tests/support/cli_run.h"

using namespace rf;
using rf::testing::run_cli;
using rf::testing::temp_file;

namespace {

std::string rules_db(const std::string& name) {
    const std::string db = std::string(RF_BINARY_DIR) + "/" + name;
    for (const char* suffix : {"", "-wal", "-shm", ".costs"}) std::remove((db + suffix).c_str());
    REQUIRE(run_cli({"import", "--db", db, "--format", "native",
                     temp_file(name + ".rf", "ewadd(conv2d(x, w1), conv2d(x, w2)) => conv2d(x, ewadd(w1, w2))\n")})
                .code == 0);
    REQUIRE(run_cli({"prove", "--db", db}).code == 0);
    return db;
}

}  // namespace

TEST_CASE("optimize: usage errors name what is wrong", "[applier][cli][optimize]") {
    const std::string db = rules_db("optimize_usage.db");
    auto h = run_cli({"optimize", "--help"});
    CHECK(h.code == 0);
    CHECK_THAT(h.out, Catch::Contains("--time-limit"));
    CHECK_THAT(run_cli({"--help"}).out, Catch::Contains("\n  optimize"));
    auto b = run_cli({"optimize", "--db", db, "--model", "squeezenet", "--budget", "-1"});
    CHECK(b.code == 2);
    CHECK_THAT(b.err, Catch::Contains("--budget must be >= 0"));
    auto o = run_cli({"optimize", "--db", db, "--model", "squeezenet", "--out", "x.pb"});
    CHECK(o.code == 2);
    CHECK_THAT(o.err, Catch::Contains("--out must name a .onnx file, got 'x.pb'"));
    auto c = run_cli({"optimize", "--db", db, "--model", "squeezenet", "--clock", "sundial"});
    CHECK(c.code == 2);
    CHECK_THAT(c.err, Catch::Contains("--clock must be wall or cpu, got 'sundial'"));
    auto m = run_cli({"optimize", "--db", db, "--model", "alexnet"});
    CHECK(m.code == 2);
    CHECK_THAT(m.err, Catch::Contains("unknown model 'alexnet'"));
    auto d = run_cli({"optimize", "--db", std::string(RF_BINARY_DIR) + "/no_such.db", "--model", "squeezenet"});
    CHECK(d.code == 2);
    try {
        applier::make_cuda_executor();
    } catch (const std::exception&) {
        auto g = run_cli({"optimize", "--db", db, "--model", "squeezenet", "--device", "cuda"});
        CHECK(g.code == 2);
        CHECK_THAT(g.err, Catch::Contains(applier::built_with_cuda() ? "no CUDA device" : "built without CUDA"));
    }
}

TEST_CASE("optimize: --budget 0 returns the original, timed against itself, and writes it as ONNX",
          "[applier][cli][optimize]") {
    const std::string db = rules_db("optimize_budget0.db");
    const std::string out = std::string(RF_BINARY_DIR) + "/optimize_budget0.onnx";
    std::remove(out.c_str());
    auto r = run_cli({"optimize", "--db", db, "--model", "squeezenet", "--budget", "0", "--reps", "3", "--warmup", "0",
                      "--clock", "cpu", "--out", out, "--json"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["kept_original"] == true);
    CHECK(j["rewrites"].empty());
    CHECK(j["stopped"] == "budget");
    CHECK(j["valid"] == true);
    CHECK(j["max_rel_error"] == 0);
    CHECK(j["cost_after_ms"] == j["cost_before_ms"]);
    CHECK(j["time_before"]["runs"] == 3);
    CHECK(j["time_after"]["runs"] == 3);
    CHECK(j["time_before_ms"].get<double>() > 0);
    CHECK(j["out"] == out);
    CHECK_THAT(j["verdict"].get<std::string>(), Catch::Contains("the original is returned"));

    applier::Model back = applier::load_onnx_model(out);
    REQUIRE(back.graph.variables().size() > 1);
    CHECK(back.output_names == std::vector<std::string>{"output0"});
    CHECK(back.weights.size() + 1 == back.graph.variables().size());  // every weight has its value
}

TEST_CASE("optimize: a cost table that cannot be kept is a warning, not a failure", "[applier][cli][optimize]") {
    const std::string db = rules_db("optimize_nocache.db");
    auto r = run_cli({"optimize", "--db", db, "--model", "squeezenet", "--budget", "0", "--reps", "1", "--warmup", "0",
                      "--cost-cache", "/nonexistent/dir/costs"});
    CHECK(r.code == 0);
    CHECK_THAT(r.err, Catch::Contains("warning: optimize: the cost table was not kept: "
                                      "/nonexistent/dir/costs.tmp: cannot write"));
}
