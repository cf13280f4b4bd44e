// FlexFlow substitution JSON: the reference file's rules are read where the IR can type them
// (parallel operators included), names survive, and what ruleforge writes has FlexFlow's layout
// and reads back to the same rules.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "exporters/flexflow_json.h"
#include "exporters/taso_protobuf.h"
#include "ir/canonical.h"
#include "tests/exporters/test_util.h"

using namespace rf;
using namespace rf::exporters;
using namespace rf::exporters::testing;

TEST_CASE(
    "flexflow: the reference file: parallel operators read, inputs distributed where a rule needs "
    "it",
    "[exporters][flexflow]") {
    ImportResult r =
        read_flexflow_rules(read_bytes(reference("flexflow/graph_subst_3_v2.json")), "graph_subst_3_v2.json");
    CHECK(r.total == 640);
    CHECK(r.rules.size() == 377);
    for (size_t k = 0; k < r.rules.size(); ++k) CHECK(r.rules[k].name == "taso_rule_" + std::to_string(r.indices[k]));
    // Rules no tried input distribution types (a reduction of a tensor that also feeds a
    // partition, ...): not expressible, with the first type error.
    REQUIRE(r.unsupported.size() == 176);
    for (const Issue& i : r.unsupported)
        CHECK_THAT(i.message, Catch::StartsWith("no distribution of the inputs tried types both sides"));
    // FlexFlow's generator left right-hand variables unbound on the left, dimensions that cannot
    // be positive, and splits without a concat: reported, by rule.
    REQUIRE(r.malformed.size() == 87);
    size_t unbound = 0, non_positive = 0, split = 0;
    for (const Issue& i : r.malformed) {
        unbound += i.message.find("is not bound on the left") != std::string::npos;
        non_positive += i.message.find("to be zero or negative") != std::string::npos;
        split += i.message.find("no concat boundary") != std::string::npos;
    }
    CHECK(unbound == 70);
    CHECK(non_positive == 15);
    CHECK(split == 2);
    // taso_rule_151 reduces its replicated input: typed with that input replicated twice.
    bool found = false;
    for (size_t k = 0; k < r.rules.size(); ++k)
        if (r.indices[k] == 151) {
            found = true;
            CHECK(r.rules[k].variables().at(0).type.replicas == 2);
        }
    CHECK(found);
}

TEST_CASE("flexflow: parallel operators keep their dimension and degree through export and import",
          "[exporters][flexflow][parallel]") {
    const std::string text = R"({"rule": [
        {"name": "push", "srcOp": [
            {"type": "OP_PARTITION", "input": [{"opId": -1, "tsId": 0}], "para": [{"key": "PM_PARALLEL_DIM", "value": 0}, {"key": "PM_PARALLEL_DEGREE", "value": 2}]},
            {"type": "OP_RELU", "input": [{"opId": 0, "tsId": 0}], "para": []}],
         "dstOp": [
            {"type": "OP_RELU", "input": [{"opId": -1, "tsId": 0}], "para": []},
            {"type": "OP_PARTITION", "input": [{"opId": 0, "tsId": 0}], "para": [{"key": "PM_PARALLEL_DIM", "value": 0}, {"key": "PM_PARALLEL_DEGREE", "value": 2}]}],
         "mappedOutput": [{"srcOpId": 1, "srcTsId": 0, "dstOpId": 1, "dstTsId": 0}]},
        {"name": "sum", "srcOp": [
            {"type": "OP_REPLICATE", "input": [{"opId": -1, "tsId": 0}], "para": [{"key": "PM_PARALLEL_DIM", "value": 1}, {"key": "PM_PARALLEL_DEGREE", "value": 2}]},
            {"type": "OP_REDUCE", "input": [{"opId": 0, "tsId": 0}], "para": [{"key": "PM_PARALLEL_DIM", "value": 1}, {"key": "PM_PARALLEL_DEGREE", "value": 2}]}],
         "dstOp": [{"type": "OP_EW_ADD", "input": [{"opId": -1, "tsId": 0}, {"opId": -1, "tsId": 0}], "para": []}],
         "mappedOutput": [{"srcOpId": 1, "srcTsId": 0, "dstOpId": 0, "dstTsId": 0}]},
        {"name": "reduce_input", "srcOp": [
            {"type": "OP_REDUCTION", "input": [{"opId": -1, "tsId": 0}], "para": [{"key": "PM_PARALLEL_DIM", "value": 0}, {"key": "PM_PARALLEL_DEGREE", "value": 2}]},
            {"type": "OP_RELU", "input": [{"opId": 0, "tsId": 0}], "para": []}],
         "dstOp": [
            {"type": "OP_REDUCTION", "input": [{"opId": -1, "tsId": 0}], "para": [{"key": "PM_PARALLEL_DIM", "value": 0}, {"key": "PM_PARALLEL_DEGREE", "value": 2}]},
            {"type": "OP_RELU", "input": [{"opId": 0, "tsId": 0}], "para": []}],
         "mappedOutput": [{"srcOpId": 1, "srcTsId": 0, "dstOpId": 1, "dstTsId": 0}]},
        {"name": "bad", "srcOp": [
            {"type": "OP_COMBINE", "input": [{"opId": -1, "tsId": 0}], "para": [{"key": "PM_PARALLEL_DIM", "value": 0}, {"key": "PM_PARALLEL_DEGREE", "value": 1}]}],
         "dstOp": [], "mappedOutput": []}]})";
    ImportResult r = read_flexflow_rules(text, "parallel.json");
    REQUIRE(r.rules.size() == 3);
    CHECK_THAT(canonical_text(r.rules[0]), Catch::Contains("repartition[dim=0,degree=2]"));
    CHECK_THAT(canonical_text(r.rules[1]), Catch::Contains("reduction[degree=2](replicate[degree=2]("));
    // A reduction of an input needs replicas: the input is typed with two.
    CHECK(r.rules[2].variables().at(0).type.replicas == 2);
    REQUIRE(r.malformed.size() == 1);
    CHECK_THAT(r.malformed[0].message, Catch::Contains("PM_PARALLEL_DEGREE missing or not in [2, 1024]"));

    ExportResult e = write_flexflow_rules(r.rules);
    REQUIRE(e.written == 3);
    nlohmann::json doc = nlohmann::json::parse(e.data);
    const auto& part = doc["rule"][0]["srcOp"][0];
    CHECK(part["type"] == "OP_PARTITION");
    CHECK(part["para"][0]["key"] == "PM_PARALLEL_DIM");
    CHECK(part["para"][0]["value"] == 0);
    CHECK(part["para"][1]["key"] == "PM_PARALLEL_DEGREE");
    CHECK(part["para"][1]["value"] == 2);
    CHECK(doc["rule"][1]["srcOp"][0]["type"] == "OP_REPLICATE");
    CHECK(doc["rule"][1]["srcOp"][1]["type"] == "OP_REDUCE");
    ImportResult back = read_flexflow_rules(e.data, "exported.json");
    REQUIRE(back.rules.size() == 3);
    for (size_t i = 0; i < 3; ++i) CHECK(canonical_text(back.rules[i]) == canonical_text(r.rules[i]));
}

TEST_CASE("flexflow: export has FlexFlow's layout and reads back to the same rules", "[exporters][flexflow]") {
    ImportResult taso = read_taso_rules(read_bytes(reference("taso/graph_subst.pb")), "graph_subst.pb");
    ExportResult e = write_flexflow_rules(taso.rules);
    CHECK(e.written == 133);
    CHECK(e.left_out.empty());
    nlohmann::json doc = nlohmann::json::parse(e.data);
    CHECK(doc["_t"] == "RuleCollection");
    REQUIRE(doc["rule"].size() == 133);
    const auto& rule0 = doc["rule"][0];
    CHECK(rule0["_t"] == "Rule");
    CHECK(rule0["name"] == "taso_0");
    CHECK(rule0["srcOp"][0]["_t"] == "Operator");
    CHECK(rule0["srcOp"][0]["type"] == "OP_LINEAR");
    CHECK(rule0["srcOp"][0]["input"][0]["_t"] == "Tensor");
    CHECK(rule0["srcOp"][0]["input"][0]["opId"] == -1);
    CHECK(rule0["srcOp"][0]["para"][0]["key"] == "PM_ACTI");
    CHECK(rule0["mappedOutput"][0]["_t"] == "MapOutput");
    ImportResult back = read_flexflow_rules(e.data, "exported.json");
    REQUIRE(back.rules.size() == 133);
    for (size_t i = 0; i < 133; ++i) CHECK(canonical_text(back.rules[i]) == canonical_text(taso.rules[i]));
}

TEST_CASE("flexflow: not JSON, or no rule array, is refused, and a broken rule is malformed", "[exporters][flexflow]") {
    CHECK_THROWS_WITH(read_flexflow_rules("{\"rule\": [", "bad.json"), Catch::StartsWith("bad.json: not JSON"));
    CHECK_THROWS_WITH(read_flexflow_rules("{\"rules\": []}", "bad.json"), Catch::Contains("no \"rule\" array"));
    ImportResult r = read_flexflow_rules(
        R"({"rule": [{"name": "r", "srcOp": [{"type": "OP_RELU", "input": [{"opId": -1}], "para": []}],
                      "dstOp": [], "mappedOutput": []},
                     {"name": "s", "srcOp": [{"type": "OP_FROB", "input": [], "para": []}], "dstOp": [], "mappedOutput": []},
                     {"name": "t", "srcOp": [{"type": "RELU", "input": [], "para": []}], "dstOp": [], "mappedOutput": []}]})",
        "small.json");
    REQUIRE(r.malformed.size() == 2);
    CHECK(r.malformed[0].message == "srcOp 0 (OP_RELU): missing field \"tsId\"");
    CHECK(r.malformed[1].message == "srcOp 0 (RELU): unknown operator type 'RELU'");
    REQUIRE(r.unsupported.size() == 1);
    CHECK(r.unsupported[0].message == "FlexFlow operator OP_FROB is not in ruleforge's IR");
}
