// The benchmark suite's drivers stay runnable: `scripts/bench.sh --smoke` runs each benchmark
// once at its smallest setting and every record it writes has the fields the report reads.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

TEST_CASE("bench: every benchmark runs in its smoke setting and writes a full record", "[bench]") {
    const std::string out = std::string(RF_BINARY_DIR) + "/bench-smoke";
    std::filesystem::remove_all(out);
    const std::string cmd = std::string("cd '") + RF_SOURCE_DIR + "' && bash scripts/bench.sh --smoke --binary '" +
                            RF_BINARY_DIR + "/cli/ruleforge' --out '" + out + "' > '" + out + ".log' 2>&1";
    INFO(cmd);
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::ifstream in(out + "/bench.jsonl");
    std::set<std::string> names;
    std::string line;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line);
        names.insert(j["name"].get<std::string>());
        if (j["name"] == "enumerate_taso_speedup") {
            // The two-process ceiling is measured in the same rounds as the speedup.
            INFO(line);
            REQUIRE(j.contains("two_process_throughput"));
            CHECK(j["two_process_throughput"].get<double>() > 0);
            CHECK(j["two_process_round_ratios"].size() == j["round_ratios"].size());
        }
        if (j["name"].get<std::string>().find("speedup") != std::string::npos) continue;
        for (const char* k : {"parameters", "median", "min", "max", "repetitions", "machine"}) {
            INFO(line);
            CHECK(j.contains(k));
        }
        CHECK(j["min"].get<double>() <= j["median"].get<double>());
        CHECK(j["median"].get<double>() <= j["max"].get<double>());
        if (j["name"] == "prove_taso") {
            CHECK(j["proved"].get<int>() == 6);  // the first 5 single-output rules and 1 two-output
            CHECK(j["per_rule"]["p50"].get<double>() <= j["per_rule"]["max"].get<double>());
        }
        if (j["name"] == "enumerate_reference_check") {
            CHECK(j["problems"].get<int>() == 0);
            CHECK(j["graphs"].get<int>() == 392);  // TASO's 372 size-1 graphs and 20 inputs
        }
        if (j["name"] == "prove_candidates") {
            // Size 1 has 2 candidates (`ruleforge enumerate --max-ops 1`): each gets a verdict.
            CHECK(j["rules"].get<int>() == 2);
            CHECK(j["proved"].get<int>() + j["unknown"].get<int>() + j["refuted"].get<int>() == 2);
        }
    }
    CHECK(names.count("enumerate_taso"));
    CHECK(names.count("enumerate_taso_speedup"));
    CHECK(names.count("enumerate_reference_check"));
    CHECK(names.count("prove_taso"));
    CHECK(names.count("prove_candidates"));
    CHECK(names.count("axioms_validate"));
}
