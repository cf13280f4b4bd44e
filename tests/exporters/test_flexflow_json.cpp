// FlexFlow substitution JSON: the reference file's rules are read where the IR has their
// operators (parallel operators are counted as unsupported, by name), names survive, and what
// ruleforge writes has FlexFlow's layout and reads back to the same rules.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "exporters/flexflow_json.h"
#include "exporters/taso_protobuf.h"
#include "ir/canonical.h"
#include "tests/exporters/test_util.h"

using namespace rf;
using namespace rf::exporters;
using namespace rf::exporters::testing;

TEST_CASE("flexflow: the reference file: parallel operators unsupported by name, the rest read", "[exporters][flexflow]") {
    ImportResult r = read_flexflow_rules(read_bytes(reference("flexflow/graph_subst_3_v2.json")), "graph_subst_3_v2.json");
    CHECK(r.total == 640);
    // 504 rules use a parallel operator (OP_PARTITION, OP_COMBINE, OP_REPLICATE, OP_REDUCE); each
    // is reported with the first one it uses.
    REQUIRE(r.unsupported.size() == 504);
    size_t partition = 0, replicate = 0, reduce = 0, combine = 0;
    for (const Issue& i : r.unsupported) {
        INFO(i.message);
        CHECK_THAT(i.message, Catch::StartsWith("parallel operator OP_"));
        partition += i.message.find("OP_PARTITION") != std::string::npos;
        replicate += i.message.find("OP_REPLICATE") != std::string::npos;
        reduce += i.message.find("OP_REDUCE") != std::string::npos;
        combine += i.message.find("OP_COMBINE") != std::string::npos;
    }
    CHECK(partition + replicate + reduce + combine == 504);
    CHECK(partition == 214);
    CHECK(replicate == 218);
    CHECK(reduce == 72);
    CHECK(r.rules.size() + r.malformed.size() == 136);
    CHECK(r.rules.size() >= 59);
    for (size_t k = 0; k < r.rules.size(); ++k) CHECK(r.rules[k].name == "taso_rule_" + std::to_string(r.indices[k]));
    // FlexFlow's generator left some right-hand variables unbound on the left: reported, by rule.
    bool unbound = false;
    for (const Issue& i : r.malformed) unbound |= i.message.find("is not bound on the left") != std::string::npos;
    CHECK(unbound);
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
