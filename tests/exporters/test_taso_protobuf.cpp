// TASO protobuf import and export: the shipped 133-rule file and TASO's generator output are
// read in full (and agree with TENSAT's conversion of the same rules), exporting and reading
// back gives the same rules, only operators TASO's loader knows are written, and broken files
// are refused with the file, rule and operator named.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "exporters/taso_ops.h"
#include "exporters/taso_protobuf.h"
#include "ir/canonical.h"
#include "ir/native_text.h"
#include "ir/tensat_text.h"
#include "tests/exporters/test_util.h"

using namespace rf;
using namespace rf::exporters;
using namespace rf::exporters::testing;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

// Protobuf wire format by hand, to build files the exporter would never write.
std::string varint(uint64_t v) {
    std::string s;
    while (v >= 0x80) {
        s += static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    return s + static_cast<char>(v);
}
std::string int_field(int field, int32_t v) {
    return varint(static_cast<uint64_t>(field) << 3) + varint(static_cast<uint64_t>(static_cast<int64_t>(v)));
}
std::string msg_field(int field, const std::string& body) {
    return varint((static_cast<uint64_t>(field) << 3) | 2) + varint(body.size()) + body;
}
std::string tensor(int32_t op, int32_t ts) { return int_field(1, op) + int_field(2, ts); }
std::string op(int32_t type, std::vector<std::pair<int32_t, int32_t>> inputs,
               std::vector<std::pair<int32_t, int32_t>> params) {
    std::string s = int_field(1, type);
    for (auto [o, t] : inputs) s += msg_field(2, tensor(o, t));
    for (auto [k, v] : params) s += msg_field(3, int_field(1, k) + int_field(2, v));
    return s;
}
std::string map_output(int32_t s, int32_t d) {
    return int_field(1, s) + int_field(2, d) + int_field(3, 0) + int_field(4, 0);
}
// relu(x) => relu(x) with the given source operator in place of the source relu.
std::string one_rule_file(const std::string& src_op) {
    std::string rule = msg_field(1, src_op) + msg_field(2, op(8, {{-1, 0}}, {})) + msg_field(3, map_output(0, 0));
    return msg_field(1, rule);
}

}  // namespace

TEST_CASE("taso: graph_subst.pb imports all 133 rules and matches TENSAT's conversion", "[exporters][taso]") {
    ImportResult r = read_taso_rules(read_bytes(reference("taso/graph_subst.pb")), "graph_subst.pb");
    REQUIRE(r.total == 133);
    REQUIRE(r.rules.size() == 133);
    CHECK(r.unsupported.empty());
    CHECK(r.malformed.empty());
    // TENSAT's converted.txt / converted_multi.txt are the same rules in file order, split by output count.
    std::vector<std::string> single = lines_of(read_bytes(reference("tensat/converted.txt")));
    std::vector<std::string> multi = lines_of(read_bytes(reference("tensat/converted_multi.txt")));
    size_t s = 0, m = 0;
    for (const Rule& rule : r.rules) {
        INFO(rule.name << ": " << print_native(rule));
        if (rule.num_outputs() == 1) {
            REQUIRE(s < single.size());
            CHECK(print_tensat(rule) == single[s++]);
        } else {
            REQUIRE(rule.num_outputs() == 2);
            REQUIRE(m + 1 < multi.size());
            CHECK(print_tensat(rule) == multi[m] + "\n" + multi[m + 1]);
            m += 2;
        }
    }
    CHECK(s == 120);
    CHECK(m == 26);
}

TEST_CASE("taso: export then import gives the same 133 rules in order", "[exporters][taso]") {
    ImportResult r = read_taso_rules(read_bytes(reference("taso/graph_subst.pb")), "graph_subst.pb");
    ExportResult e = write_taso_rules(r.rules);
    CHECK(e.written == 133);
    CHECK(e.left_out.empty());
    ImportResult back = read_taso_rules(e.data, "exported.pb");
    REQUIRE(back.rules.size() == 133);
    for (size_t i = 0; i < 133; ++i) {
        INFO("rule " << i);
        CHECK(canonical_text(back.rules[i]) == canonical_text(r.rules[i]));
        CHECK(print_tensat(back.rules[i]) == print_tensat(r.rules[i]));  // variable numbers kept
    }
    // And a second export is byte-identical to the first.
    CHECK(write_taso_rules(back.rules).data == e.data);
}

TEST_CASE("taso: the exported file decodes with protoc and our .proto", "[exporters][taso]") {
    if (!have_tool("protoc")) {
        WARN("protoc not installed: skipping the decode check");
        return;
    }
    ImportResult r = read_taso_rules(read_bytes(reference("taso/graph_subst.pb")), "graph_subst.pb");
    std::string pb = temp_path("graph_subst_export.pb"), txt = temp_path("graph_subst_export.txt");
    write_bytes(pb, write_taso_rules(r.rules).data);
    std::string cmd = "protoc --proto_path=" + std::string(RF_SOURCE_DIR) +
                      "/exporters --decode=GraphSubst.RuleCollection taso_rules.proto < " + pb + " > " + txt + " 2>&1";
    INFO(cmd << "\n" << read_bytes(txt));
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::string decoded = read_bytes(txt);
    CHECK_THAT(decoded, Catch::Contains("mappedOutput {"));
    CHECK_THAT(decoded, Catch::Contains("opId: -1"));
    // protoc prints exactly what our own text printer prints.
    CHECK(decoded == taso_text_format(read_bytes(pb)));
}

TEST_CASE("taso: generated_size3.pb imports 619 rules with TASO's generator shapes", "[exporters][taso]") {
    std::string bytes = read_bytes(reference("taso/generated_size3.pb"));
    ImportResult r = read_taso_rules(bytes, "generated_size3.pb", TasoReadOptions{true});
    CHECK(r.total == 619);
    CHECK(r.rules.size() == 619);
    CHECK(r.unsupported.empty());
    for (const Issue& i : r.malformed) FAIL_CHECK("rule " << i.index << ": " << i.message);
    for (const Rule& rule : r.rules) CHECK(rule.is_concrete());
    // Variables carry the generator's roles and shapes.
    CHECK(print_native(r.rules[0]) ==
          "taso_0: matmul(matmul(input_1, input_4), input_5) => matmul(input_1, matmul(input_4, "
          "input_5)) "
          "where input_1: act[2,4], input_4: weight[4,4], input_5: weight[4,4]");

    // TASO's loader knows no pooling and no constants: those rules are left out, with the reason.
    ExportResult e = write_taso_rules(r.rules);
    CHECK(e.written == 451);
    REQUIRE(e.left_out.size() == 168);
    size_t pools = 0, constants = 0;
    for (const Issue& i : e.left_out) {
        pools += i.message.find("POOL2D") != std::string::npos;
        constants += i.message.find("CONSTANT_") != std::string::npos;
    }
    CHECK(pools == 68);
    CHECK(constants == 100);
    ImportResult back = read_taso_rules(e.data, "exported.pb", TasoReadOptions{true});
    CHECK(back.rules.size() == 451);
    CHECK(back.malformed.empty());
}

TEST_CASE("taso: garbage, truncated and foreign files are refused with the file named", "[exporters][taso]") {
    std::string bytes = read_bytes(reference("taso/graph_subst.pb"));
    auto refused = [](const std::string& data) {
        try {
            read_taso_rules(data, "bad.pb");
        } catch (const ImportError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK_THAT(refused(bytes.substr(0, bytes.size() / 2)), Catch::StartsWith("bad.pb: not a TASO rule file"));
    CHECK_THAT(refused(bytes.substr(0, 1001)), Catch::StartsWith("bad.pb: not a TASO rule file"));
    CHECK_THAT(refused("(matmul 0 ?input_1 ?input_4)=>(matmul 0 ?input_4 ?input_1)\n"),
               Catch::StartsWith("bad.pb: not a TASO rule file"));
    std::string noise;
    for (int i = 0; i < 4096; ++i) noise += static_cast<char>((i * 7919 + 13) % 251);
    CHECK_THAT(refused(noise), Catch::StartsWith("bad.pb: not a TASO rule file"));
}

TEST_CASE("taso: unknown operators and parameters are reported by rule and operator", "[exporters][taso]") {
    auto malformed = [](const std::string& file) {
        ImportResult r = read_taso_rules(file, "bad.pb");
        REQUIRE(r.total == 1);
        REQUIRE(r.malformed.size() == 1);
        CHECK(r.malformed[0].index == 0);
        return r.malformed[0].message;
    };
    CHECK(malformed(one_rule_file(op(99, {{-1, 0}}, {}))) ==
          "srcOp 0 (unknown type 99): unknown TASO operator type 99");
    CHECK(malformed(one_rule_file(op(3, {{-1, 0}, {-2, 0}}, {{6, 1}, {7, 1}, {9, 0}}))) ==
          "srcOp 0 (CONV2D): missing parameter PAD (8)");
    CHECK(malformed(one_rule_file(op(8, {{-1, 0}}, {{77, 1}}))) == "srcOp 0 (RELU): unknown parameter key 77");
    CHECK(malformed(one_rule_file(op(15, {{-1, 0}}, {{10, 2}, {12, 3}, {13, 0}}))) ==
          "srcOp 0 (TRANSPOSE): parameter PERM = 3 is not a permutation of 2 axes");
    CHECK(malformed(one_rule_file(op(8, {{4, 0}}, {}))) ==
          "srcOp 0 (RELU): operand opId 4 does not name an earlier operator (0 before it)");
    // A TASO operator the IR does not have is unsupported, not malformed.
    ImportResult r = read_taso_rules(one_rule_file(op(11, {{-1, 0}}, {})), "bn.pb");
    REQUIRE(r.unsupported.size() == 1);
    CHECK(r.unsupported[0].message == "operator BATCHNORM: not in ruleforge's IR");
}

TEST_CASE("taso: permutations are one integer, base ndim, most significant first", "[exporters][taso]") {
    CHECK(encode_permutation({1, 0}) == 2);
    CHECK(encode_permutation({0, 2, 1}) == 7);
    CHECK(encode_permutation({3, 2, 1, 0}) == 3 * 64 + 2 * 16 + 1 * 4);
    for (std::vector<int32_t> p : {std::vector<int32_t>{1, 0}, {0, 2, 1}, {2, 0, 3, 1}, {0}})
        CHECK(decode_permutation(encode_permutation(p), static_cast<int32_t>(p.size())) == p);
    CHECK_FALSE(decode_permutation(3, 2).has_value());  // [1,1]
    CHECK_FALSE(decode_permutation(4, 2).has_value());  // too large
    CHECK_FALSE(decode_permutation(-1, 2).has_value());
}
