// ruleforge JSON (every field of docs/json-schema.md present with its type, database metadata
// merged in) and Graphviz DOT (two clusters, inputs drawn once outside both; `dot` renders it).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "exporters/dot_rules.h"
#include "exporters/json_rules.h"
#include "ir/native_text.h"
#include "tests/exporters/test_util.h"

using namespace rf;
using namespace rf::exporters;
using namespace rf::exporters::testing;
using json = nlohmann::json;

namespace {

Rule parse(const std::string& text) { return build_rule(parse_native_rule(text)); }

// The structure ruleforge-rules.schema.json states, checked by hand (Debian has no C++ JSON
// Schema validator): every required key, with its type.
void check_rule_shape(const json& r) {
    INFO(r.dump());
    for (const char* key : {"native", "canonical", "hash"}) CHECK(r.at(key).is_string());
    CHECK(r.at("hash").get<std::string>().size() == 16);
    CHECK((r.at("name").is_string() || r.at("name").is_null()));
    CHECK((r.at("tensat").is_string() || r.at("tensat").is_null()));
    for (const char* key : {"index", "outputs", "lhs_ops", "rhs_ops"}) CHECK(r.at(key).is_number_integer());
    for (const char* key : {"operators", "variables", "conditions", "preconditions", "assumed", "proofs", "axioms"})
        CHECK(r.at(key).is_array());
    for (const json& v : r.at("variables")) {
        CHECK(v.at("name").is_string());
        CHECK((v.at("role") == "act" || v.at("role") == "weight"));
        for (const json& d : v.at("shape")) CHECK((d.is_number_integer() || d.is_string()));
    }
    CHECK((r.at("status").is_string() || r.at("status").is_null()));
    CHECK((r.at("decision").is_string() || r.at("decision").is_null()));
    CHECK((r.at("provenance").is_object() || r.at("provenance").is_null()));
    CHECK(r.size() == 19);  // no key beyond the schema's
}

}  // namespace

TEST_CASE("json: a document has the documented structure", "[exporters][json]") {
    std::vector<Rule> rules = {parse("conv_relu: relu(conv2d(x, w)) => conv2d[act=relu](x, w)"),
                               parse("k: matmul(x, const_imm[shape=[4,4]]()) => relu(x) where x: act[2,4]")};
    json doc = json::parse(write_json_rules(rules).data);
    CHECK(doc.at("format") == "ruleforge-rules");
    CHECK(doc.at("version") == 1);
    REQUIRE(doc.at("rules").size() == 2);
    for (const json& r : doc["rules"]) check_rule_shape(r);
    const json& r0 = doc["rules"][0];
    CHECK(r0["name"] == "conv_relu");
    CHECK(r0["tensat"] == "(relu (conv2d 1 1 0 0 ?x ?w))=>(conv2d 1 1 0 2 ?x ?w)");
    CHECK(r0["operators"] == json({"conv2d", "relu"}));
    CHECK(r0["variables"][1]["role"] == "weight");
    CHECK(r0["provenance"].is_null());
    // The native text reads back to the same rule.
    CHECK(print_native(parse(r0["native"].get<std::string>())) == r0["native"].get<std::string>());
    const json& r1 = doc["rules"][1];
    CHECK(r1["tensat"].is_null());  // TENSAT has no constants
    CHECK(r1["variables"][0]["shape"] == json({2, 4}));
}

TEST_CASE("json: database metadata fills status, proofs, axioms and provenance", "[exporters][json]") {
    std::vector<Rule> rules = {parse("ewadd(a, b) => ewadd(b, a)")};
    RuleRecordMeta m;
    m.database = "rules.db";
    m.rule_id = 7;
    m.run = 2;
    m.status = "proved";
    m.decision = "kept";
    m.proofs = {ProofEntry{"z3", "proved", 1.5, {"ewadd_comm"}, "", ""},
                ProofEntry{"cvc5", "timeout", 1000, {}, "", "60 s"}};
    std::vector<RuleRecordMeta> meta = {m};
    json r = json::parse(write_json_rules(rules, &meta).data)["rules"][0];
    check_rule_shape(r);
    CHECK(r["status"] == "proved");
    CHECK(r["decision"] == "kept");
    REQUIRE(r["proofs"].size() == 2);
    CHECK(r["proofs"][1]["reason"] == "60 s");
    CHECK(r["proofs"][0]["verdict"] == "proved");  // one key for a verdict, as check and audit print it
    CHECK_FALSE(r["proofs"][0].contains("status"));
    CHECK(r["proofs"][0]["condition"].is_null());
    CHECK(r["axioms"] == json({"ewadd_comm"}));
    CHECK(r["provenance"]["rule_id"] == 7);
    CHECK(r["provenance"]["candidate"].is_null());
    CHECK(r["provenance"]["database"] == "rules.db");
    CHECK(r["provenance"].size() == 10);
}

TEST_CASE("dot: two clusters, shared inputs drawn once outside both", "[exporters][dot]") {
    Rule rule = parse(
        "m: (matmul(x, w1), matmul(x, w2)) => (split[axis=1](matmul(x, concat[axis=1](w1, w2))).0, "
        "split[axis=1](matmul(x, concat[axis=1](w1, w2))).1)");
    std::string dot = rule_to_dot(rule, "m");
    CHECK_THAT(dot, Catch::StartsWith("digraph \"m\" {"));
    CHECK_THAT(dot, Catch::Contains("subgraph cluster_l {"));
    CHECK_THAT(dot, Catch::Contains("subgraph cluster_r {"));
    // Each variable is declared once, before the clusters, and used from both.
    size_t lhs = dot.find("subgraph cluster_l");
    for (const char* v : {"  v0 [", "  v1 [", "  v2 ["}) {
        size_t at = dot.find(v);
        REQUIRE(at != std::string::npos);
        CHECK(at < lhs);
        CHECK(dot.find(v, at + 1) == std::string::npos);
    }
    CHECK_THAT(dot, Catch::Contains("v0 -> l"));
    CHECK_THAT(dot, Catch::Contains("v0 -> r"));
    CHECK_THAT(dot, Catch::Contains("xlabel=\"out 1\""));  // left: the second matmul
    CHECK_THAT(dot,
               Catch::Contains("xlabel=\"out 0=.0, out 1=.1\""));  // right: one split gives both
    if (!have_tool("dot")) {
        WARN("graphviz (dot) not installed: skipping the rendering check");
        return;
    }
    std::string in = temp_path("rule.dot"), out = temp_path("rule.svg");
    write_bytes(in, dot);
    REQUIRE(std::system(("dot -Tsvg " + in + " -o " + out + " 2>&1").c_str()) == 0);
    CHECK_THAT(read_bytes(out), Catch::Contains("<svg"));
}
