// `ruleforge apply` end to end on a real model: TASO's rules imported, one proved on the way
// (--prove), applied to SqueezeNet with no mismatch and the verdicts stored; a deliberately
// wrong rule, forced with --include-unproved, caught as a mismatch and stored as invalid; and
// the errors a user can cause (unknown model, no GPU).
#include <catch2/catch.hpp>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "applier/executor.h"
#include "ruledb/database.h"
#include "tests/support/cli_run.h"

using namespace rf;
using rf::testing::run_cli;
using rf::testing::temp_file;

namespace {

const std::string kRef = RF_REFERENCE_DIR;

std::string fresh_db(const std::string& name) {
    std::string path = std::string(RF_BINARY_DIR) + "/" + name;
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    return path;
}

}  // namespace

TEST_CASE("apply: --help and usage errors", "[applier][cli]") {
    auto h = run_cli({"apply", "--help"});
    CHECK(h.code == 0);
    CHECK_THAT(h.out, Catch::Contains("--include-unproved"));
    CHECK_THAT(h.out, Catch::Contains("--optimize"));
    CHECK_THAT(run_cli({"--help"}).out, Catch::Contains("\n  apply"));
    std::string db = fresh_db("applier_usage.db");
    REQUIRE(run_cli({"import", "--db", db, "--format", "native",
                     temp_file("applier_usage.rf", "relu(conv2d(x, w)) => conv2d[act=relu](x, w)\n")})
                .code == 0);
    auto m = run_cli({"apply", "--db", db, "--model", "alexnet"});
    CHECK(m.code == 2);
    CHECK_THAT(m.err, Catch::Contains("unknown model 'alexnet'"));
    auto d = run_cli({"apply", "--db", db, "--model", "squeezenet", "--device", "tpu"});
    CHECK(d.code == 2);
    CHECK_THAT(d.err, Catch::Contains("unknown device 'tpu'"));
    auto r = run_cli({"apply", "--db", db, "--model", "squeezenet", "--rules", "999"});
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains("'999' matches no rule"));
}

TEST_CASE("apply: --device cuda says why it cannot run", "[applier][cli]") {
    try {
        applier::make_cuda_executor();
    } catch (const std::exception& e) {
        std::string db = fresh_db("applier_cuda.db");
        REQUIRE(run_cli({"import", "--db", db, "--format", "native",
                         temp_file("applier_cuda.rf", "relu(conv2d(x, w)) => conv2d[act=relu](x, w)\n")})
                    .code == 0);
        auto r = run_cli({"apply", "--db", db, "--model", "squeezenet", "--device", "cuda"});
        CHECK(r.code == 2);
        CHECK_THAT(r.err, Catch::Contains(applier::built_with_cuda() ? "no CUDA device" : "built without CUDA"));
        return;
    }
    WARN("a GPU is present: the CUDA executor is tested in test_cuda.cpp");
}

TEST_CASE("apply: a proved TASO rule on SqueezeNet, no mismatch, verdicts stored", "[applier][cli]") {
    std::string db = fresh_db("applier_taso.db");
    REQUIRE(run_cli({"import", "--db", db, "--format", "taso", kRef + "/taso/graph_subst.pb"}).code == 0);
    // taso_64: relu(conv2d(x, w)) => conv2d[act=relu](x, w). SqueezeNet fuses every ReLU, so the
    // rule applies right to left at each of its 25 stride-1 SAME convolutions.
    auto r = run_cli({"apply", "--db", db, "--model", "squeezenet", "--rules", "6ddf8b3d", "--prove", "--max-sites",
                      "2", "--reps", "1", "--warmup", "0", "--json"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["summary"]["mismatches"] == 0);
    CHECK(j["summary"]["errors"] == 0);
    CHECK(j["summary"]["applied"] == 25);
    REQUIRE(j["rules"].size() == 1);
    CHECK(j["rules"][0]["direction"] == "rev");
    CHECK(j["rules"][0]["status"] == "proved");
    CHECK(j["rules"][0]["validated"] == 2);
    CHECK(j["rules"][0].contains("time_before_ms"));
    ruledb::Database d(db);
    auto id = d.match_rules("6ddf8b3d");
    REQUIRE(id.size() == 1);
    auto details = d.rule_details(id[0]);
    CHECK(details->summary.status == ruledb::RuleStatus::Proved);
    REQUIRE(details->validations.size() == 3);  // two sites alone, then all together
    for (const auto& v : details->validations) {
        CHECK(v.record.model == "squeezenet");
        CHECK(v.record.status == ruledb::ValidationStatus::Valid);
    }
    CHECK(details->validations.back().record.site == "rev:all:25");
    CHECK(details->validations.back().record.time_after_ms.has_value());
}

TEST_CASE("apply: a wrong rule forced onto SqueezeNet is a stored mismatch", "[applier][cli]") {
    std::string db = fresh_db("applier_wrong.db");
    REQUIRE(run_cli({"import", "--db", db, "--format", "native",
                     temp_file("applier_wrong.rf", "drop_relu: conv2d[act=relu](x, w) => conv2d(x, w)\n")})
                .code == 0);
    // Unproved rules are skipped unless forced.
    auto skip = run_cli({"apply", "--db", db, "--model", "squeezenet", "--json", "--no-time"});
    REQUIRE(skip.code == 0);
    auto js = nlohmann::json::parse(skip.out);
    CHECK(js["summary"]["skipped_unproved"] == 1);
    CHECK(js["summary"]["sites"] == 0);

    // ruledb stores a rule in its canonical orientation, here conv2d(x, w) => conv2d[act=relu](x, w);
    // SqueezeNet's fused convolutions match it right to left.
    auto r =
        run_cli({"apply", "--db", db, "--model", "squeezenet", "--include-unproved", "--max-sites", "1", "--no-time"});
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::Contains("drop_relu rev sites=25 applied=0 mismatches=2"));
    CHECK_THAT(r.err, Catch::Contains("mismatch: rule 1 (drop_relu) on squeezenet at rev:n"));
    ruledb::Database d(db);
    auto details = d.rule_details(1);
    REQUIRE(details->validations.size() == 2);
    for (const auto& v : details->validations) {
        CHECK(v.record.status == ruledb::ValidationStatus::Invalid);
        CHECK(v.record.max_rel_error > 1e-2);
    }
}
