// Bad rule files of the binary and JSON formats, and files that are not there: a truncated TASO
// protobuf, random bytes, another protobuf message, JSON that is not FlexFlow's, a missing file,
// a directory, an ONNX model that is not one. Each is refused whole with the file named, a
// non-zero exit, and nothing imported or stored.
#include <catch2/catch.hpp>

#include "tests/reliability/reliability_util.h"

using namespace rf::reliability;

namespace {

std::string reference(const std::string& name) { return read_file(std::string(RF_REFERENCE_DIR) + "/" + name); }

std::function<std::string()> text(std::string s) {
    return [s] { return s; };
}

std::string random_bytes(size_t n, uint32_t seed) {
    std::string b(n, '\0');
    for (char& c : b) {
        seed = seed * 1664525u + 1013904223u;
        c = static_cast<char>(seed >> 24);
    }
    return b;
}

}  // namespace

TEST_CASE("reliability: bad TASO protobuf files are refused whole, with the file named", "[reliability]") {
    REQUIRE(reference("taso/graph_subst.pb").size() > 2000);
    const std::vector<std::string> import = {"import", "--db", "{DB}", "--format", "taso", "{F}"};
    run_bad_inputs(
        "taso-protobuf",
        {
            {"TASO file truncated to 1000 bytes",
             "truncated.pb",
             [] { return reference("taso/graph_subst.pb").substr(0, 1000); },
             import,
             1,
             {"{F}: not a TASO rule file", "truncated", "nothing was imported"}},
            {"TASO file cut after 1 byte",
             "one-byte.pb",
             [] { return reference("taso/graph_subst.pb").substr(0, 1); },
             import,
             1,
             {"{F}: not a TASO rule file"}},
            {"random bytes",
             "random.pb",
             [] { return random_bytes(4096, 3); },
             import,
             1,
             {"{F}: not a TASO rule file"}},
            {"random bytes after a valid prefix",
             "tail.pb",
             [] { return reference("taso/graph_subst.pb").substr(0, 500) + random_bytes(300, 5); },
             import,
             1,
             {"{F}: not a TASO rule file"}},
            {"a text file",
             "text.pb",
             text("relu(x) => x\n"),
             {"convert", "{F}", "--from", "taso", "--to", "tensat", "--out", "{F}.txt"},
             1,
             {"{F}: not a TASO rule file"}},
            // Field 1 holding a varint where RuleCollection has a message: another message type.
            {"another protobuf message",
             "foreign.pb",
             [] {
                 return std::string(
                     "\x08\x96\x01\x12\x03"
                     "abc",
                     8);
             },
             import,
             1,
             {"{F}: not a TASO rule file"}},
            {"an operator with a dangling operand",
             "dangling.pb",
             // rule { srcOp { type: 8 (RELU) input { opId: 5 tsId: 0 } } dstOp {...same} mappedOutput {0 0 0 0} }
             [] {
                 std::string input = std::string("\x12\x04\x08\x05\x10\x00", 6);
                 std::string op = std::string("\x08\x08", 2) + input;
                 std::string mapped = std::string("\x08\x00\x10\x00\x18\x00\x20\x00", 8);
                 std::string rule = "\x0a" + std::string(1, static_cast<char>(op.size())) + op + "\x12" +
                                    std::string(1, static_cast<char>(op.size())) + op + "\x1a" +
                                    std::string(1, static_cast<char>(mapped.size())) + mapped;
                 return "\x0a" + std::string(1, static_cast<char>(rule.size())) + rule;
             },
             import,
             1,
             {"rule 0", "nothing was imported"}},
        });
}

TEST_CASE("reliability: bad FlexFlow JSON files are refused whole, with the file named", "[reliability]") {
    const std::vector<std::string> import = {"import", "--db", "{DB}", "--format", "flexflow", "{F}"};
    run_bad_inputs(
        "flexflow-json",
        {
            {"not JSON", "text.json", text("relu(x) => x\n"), import, 1, {"{F}: not JSON", "nothing was imported"}},
            {"truncated JSON",
             "truncated.json",
             [] { return reference("flexflow/graph_subst_3_v2.json").substr(0, 5000); },
             import,
             1,
             {"{F}: not JSON"}},
            {"JSON without a rule array",
             "norules.json",
             text("{\"a\": 1}\n"),
             import,
             1,
             {"{F}: not a FlexFlow substitution file"}},
            {"a rule of the wrong structure",
             "wrong.json",
             text("{\"rule\": [{\"srcOp\": 5}]}\n"),
             import,
             1,
             {"rule 0", "srcOp is not an array", "nothing was imported"}},
            {"random bytes", "random.json", [] { return random_bytes(2000, 9); }, import, 1, {"{F}: not JSON"}},
        });
}

TEST_CASE("reliability: missing files and directories are named, exit 2", "[reliability]") {
    run_bad_inputs(
        "missing-files",
        {
            {"missing rule file (fmt)",
             "",
             nullptr,
             {"fmt", "/nonexistent/rules.rf"},
             2,
             {"cannot read '/nonexistent/rules.rf'", "No such file"}},
            {"missing rule file (check)",
             "",
             nullptr,
             {"check", "--file", "/nonexistent/rules.rf"},
             2,
             {"cannot read '/nonexistent/rules.rf'"}},
            {"missing rule file (import)",
             "",
             nullptr,
             {"import", "--db", "{DB}", "--format", "taso", "/nonexistent/x.pb"},
             2,
             {"cannot read '/nonexistent/x.pb'"}},
            {"missing rule file (convert)",
             "",
             nullptr,
             {"convert", "/nonexistent/x.pb", "--from", "taso", "--to", "tensat", "--out", "/dev/null"},
             2,
             {"/nonexistent/x.pb"}},
            {"a directory as the rule file", "", nullptr, {"fmt", std::string(RF_BINARY_DIR)}, 2, {"is a directory"}},
            {"a directory as the rule file (import)",
             "",
             nullptr,
             {"import", "--db", "{DB}", "--format", "native", std::string(RF_BINARY_DIR)},
             2,
             {"is a directory"}},
            {"missing reference file (compare)",
             "",
             nullptr,
             {"compare", "--db", "{DB}", "--reference", "/nonexistent/r.pb"},
             2,
             {"/nonexistent/r.pb"}},
            {"unwritable export path",
             "",
             nullptr,
             {"export", "--db", "{DB}", "--format", "tensat", "--out", "/nonexistent/dir/x.txt"},
             2,
             {"cannot write '/nonexistent/dir/x.txt'"}},
        });
}

TEST_CASE("reliability: bad ONNX model files are refused by apply, with the file named, exit 2", "[reliability]") {
    const std::string model = read_file(std::string(RF_SOURCE_DIR) + "/fuzz/corpus/onnx/m1.onnx");
    REQUIRE(model.size() > 100);
    const std::vector<std::string> apply = {"apply", "--db", "{DB}", "--model", "{F}"};
    run_bad_inputs(
        "onnx",
        {
            {"ONNX model truncated to 100 bytes",
             "truncated.onnx",
             [&] { return model.substr(0, 100); },
             apply,
             2,
             {"{F}: not an ONNX model"}},
            {"ONNX model cut after 1 byte",
             "one-byte.onnx",
             [&] { return model.substr(0, 1); },
             apply,
             2,
             {"{F}: not an ONNX model"}},
            {"random bytes as an ONNX model",
             "random.onnx",
             [] { return random_bytes(4096, 7); },
             apply,
             2,
             {"{F}: not an ONNX model"}},
            {"a text file as an ONNX model", "text.onnx", text("relu(x) => x\n"), apply, 2, {"{F}: not an ONNX model"}},
            {"missing ONNX model",
             "",
             nullptr,
             {"apply", "--db", "{DB}", "--model", "/nonexistent/m.onnx"},
             2,
             {"/nonexistent/m.onnx: cannot open: No such file or directory"}},
        });
}
