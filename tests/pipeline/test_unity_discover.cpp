// `discover --preset unity`: discovery with FlexFlow/Unity's parallel operators finds and proves
// parallelization rules, exports them as FlexFlow JSON that loads back unchanged, and compares
// against FlexFlow's own substitution file.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ruledb/database.h"
#include "tests/ruledb/ruledb_test_util.h"
#include "tests/support/cli_run.h"

using namespace rf;
using rf::testing::run_cli;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("discover --preset unity: parallelization rules proved, exported to FlexFlow and read back",
          "[pipeline][parallel]") {
    const std::string db = ruledb::test::fresh_db("unity_discover");
    auto r = run_cli({"discover", "--db", db, "--preset", "unity", "--max-ops", "2", "--json", "-q"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["refuted"] == 0);
    CHECK(j["proved"].get<int>() >= 100);

    auto proved = run_cli({"list", "--db", db, "--status", "proved"});
    REQUIRE(proved.code == 0);
    // Unity's kinds: combine undoing a partition, a partition pushed through relu and through
    // element-wise operators, replicas of a copy summed.
    for (const char* rule : {"combine[dim=1,degree=2](repartition[dim=1,degree=2](v0)) => v0",
                             "relu(repartition[dim=2,degree=2](v0)) => repartition[dim=2,degree=2](relu(v0))",
                             "ewadd(repartition[dim=0,degree=2](v0), repartition[dim=0,degree=2](v1)) => "
                             "repartition[dim=0,degree=2](ewadd(v1, v0))",
                             "reduction[degree=2](replicate[degree=2](v0)) => ewadd(v0, v0)"})
        CHECK_THAT(proved.out, Catch::Contains(rule));

    // FlexFlow's layout, every written rule read back, and written again byte for byte.
    const std::string first = std::string(RF_BINARY_DIR) + "/unity_export_1.json";
    const std::string second = std::string(RF_BINARY_DIR) + "/unity_export_2.json";
    auto e = run_cli({"export", "--db", db, "--format", "flexflow", "--out", first});
    INFO(e.out << e.err);
    REQUIRE(e.code == 0);
    const auto doc = nlohmann::json::parse(slurp(first));
    CHECK(doc["_t"] == "RuleCollection");
    bool partition = false;
    for (const auto& rule : doc["rule"])
        for (const auto& op : rule["srcOp"])
            if (op["type"] == "OP_PARTITION") {
                partition = true;
                CHECK(op["para"][0]["key"] == "PM_PARALLEL_DIM");
                CHECK(op["para"][1]["key"] == "PM_PARALLEL_DEGREE");
            }
    CHECK(partition);
    const std::string back = ruledb::test::fresh_db("unity_back");
    auto i = run_cli({"import", "--db", back, "--format", "flexflow", first});
    INFO(i.out << i.err);
    REQUIRE(i.code == 0);
    CHECK_THAT(i.out, Catch::Contains("read " + std::to_string(doc["rule"].size()) + " of " +
                                      std::to_string(doc["rule"].size()) + " rules"));
    auto convert = run_cli({"convert", "--from", "flexflow", "--to", "flexflow", first, "--out", second});
    INFO(convert.out << convert.err);
    REQUIRE(convert.code == 0);
    CHECK(slurp(second) == slurp(first));

    // Compared with FlexFlow's file: some found, more derivable, the rest missing with a reason.
    auto c =
        run_cli({"compare", "--db", db, "--reference",
                 std::string(RF_REFERENCE_DIR) + "/flexflow/graph_subst_3_v2.json", "--format", "flexflow", "--json"});
    INFO(c.err);
    REQUIRE(c.code == 0);
    const auto s = nlohmann::json::parse(c.out)["summary"];
    CHECK(s["found"].get<int>() >= 20);
    CHECK(s["derivable"].get<int>() >= 150);
    CHECK(s["found"].get<int>() + s["derivable"].get<int>() + s["missing"].get<int>() == 640);
}
