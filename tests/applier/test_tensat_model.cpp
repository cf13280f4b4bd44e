// TENSAT's serialized benchmark graphs (../shared/reference/tensat/*.model) load into the IR
// with the operator counts of the files (counted from the type lines: `awk 'NR%4==2'`), and
// malformed files fail with the file, the line and what is wrong.
#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>

#include "applier/model.h"
#include "applier/tensat_model.h"
#include "tests/applier/model_counts.h"

using namespace rf;
using Counts = std::map<std::string, int>;

namespace {

std::string ref(const char* file) { return std::string(RF_REFERENCE_DIR) + "/tensat/" + file; }

std::string error_of(const std::string& text) {
    std::istringstream in(text);
    try {
        applier::parse_tensat_model(in, "t.model", "t");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("applier: TENSAT's model files load with their operator counts", "[applier]") {
    struct Case {
        const char* file;
        int ops;
        Counts counts;
        std::string output;
    };
    const std::vector<Case> cases = {
        // 94 OP_CONV2D, 5 OP_POOL2D_MAX, 9 OP_POOL2D_AVG, 30 OP_CONCAT (binary concats).
        {"inceptionv3.model", 138, {{"conv2d", 94}, {"poolmax", 5}, {"poolavg", 9}, {"concat", 30}}, "[1,2048,1,1]"},
        // 26 convs, 26 separate relus, 8 concats; the OP_DROPOUT is the identity.
        {"squeezenet.model",
         65,
         {{"conv2d", 26}, {"poolmax", 3}, {"poolavg", 1}, {"relu", 26}, {"concat", 8}, {"reshape", 1}},
         "[1,1000]"},
        // VGG-19: 16 convs; the classifier transposes [out,in] weights; 2 dropouts vanish.
        {"vgg.model",
         48,
         {{"conv2d", 16}, {"poolmax", 5}, {"relu", 18}, {"reshape", 3}, {"transpose", 3}, {"matmul", 3}},
         "[1,1000]"},
        // 54 convs + 53 batch norms, each a depthwise 1x1 conv and a bias ewadd; 10 residual adds.
        {"mobilenetv2.model",
         208,
         {{"conv2d", 54 + 53}, {"ewadd", 10 + 53}, {"relu", 36}, {"poolavg", 1}, {"reshape", 1}},
         "[1,1000]"},
    };
    for (const Case& c : cases) {
        INFO(c.file);
        auto t0 = std::chrono::steady_clock::now();
        applier::Model m = applier::load_model_file(ref(c.file));
        auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        UNSCOPED_INFO(c.file << " loaded in " << ms << " ms");
        CHECK(m.graph.num_ops() == c.ops);
        CHECK(test::op_counts(m.graph) == c.counts);
        REQUIRE(m.graph.outputs().size() == 1);
        CHECK(m.graph.type(m.graph.outputs()[0]).to_string() == c.output);
        CHECK(test::count_role(m.graph, Role::Activation) == 1);
        CHECK(m.graph.variables()[0].type.to_string() ==
              (std::string(c.file) == "inceptionv3.model" ? "[1,3,299,299]" : "[1,3,224,224]"));
    }
}

TEST_CASE("applier: a small TENSAT model maps every field", "[applier]") {
    // input 1x4x8x8, weight 6x4x3x3, conv stride 2 SAME relu, max-pool 2x2 VALID, concat with
    // itself, then a matmul after reshape and transpose.
    const std::string text =
        "1\n0\n10:0\n1,4,8,8\n"
        "2\n1\n11:0\n6,4,3,3\n"
        "3\n3\n1:0,2:0\n1,4,8,8,6,4,3,3,2,2,0,2,1,1\n"
        "4\n6\n3:0,2:0\n1,6,4,4,6,2,2,2,2,1,0,0,0\n"
        "5\n12\n4:0,4:0\n1\n"
        "6\n14\n5:0\n12,4\n"
        "7\n1\n11:0\n5,4\n"
        "8\n15\n7:0\n2,1,0,1\n"
        "9\n18\n6:0,8:0\n2,2\n";
    std::istringstream in(text);
    applier::Model m = applier::parse_tensat_model(in, "small.model", "small");
    const Graph& g = m.graph;
    REQUIRE(g.outputs().size() == 1);
    CHECK(g.type(g.outputs()[0]).to_string() == "[12,5]");
    const Node& mm = g.node(g.outputs()[0].node);
    CHECK(mm.op == OpKind::Matmul);
    CHECK(param::activation(mm.params, OpKind::Matmul) == Activation::Relu);
    int convs = 0;
    for (const Node& n : g.nodes()) {
        if (n.op != OpKind::Conv2d) continue;
        ++convs;
        CHECK(param::stride(n.params, OpKind::Conv2d) == std::array<int32_t, 2>{2, 2});
        CHECK(param::padding(n.params, OpKind::Conv2d) == Padding::Same);
        CHECK(param::activation(n.params, OpKind::Conv2d) == Activation::Relu);
    }
    CHECK(convs == 1);
    // The pooling "weight" operand (guid 2 again) is not data: the conv weight is the only weight.
    CHECK(test::count_role(g, Role::Weight) == 2);
}

TEST_CASE("applier: malformed TENSAT model files name the line", "[applier]") {
    const std::string in = "1\n0\n10:0\n1,4,8,8\n";
    CHECK(error_of(in + "2\n21\n1:0\n2\n") == "t.model:6: unsupported TASO operator type 21 (OP_MERGE_GCONV)");
    CHECK(error_of(in + "2\n99\n1:0\n2\n") == "t.model:6: unsupported TASO operator type 99 (unknown)");
    CHECK(error_of(in + "2\n8\n") ==
          "t.model:6: truncated record: the file has 6 lines, not a multiple of 4 "
          "(guid, type, operands, parameters)");
    CHECK(error_of(in + "x\n8\n1:0\n1,4,8,8\n") == "t.model:5: expected an operator id, got 'x'");
    CHECK(error_of(in + "2\n8\n7:0\n1,4,8,8\n") == "t.model:7: operand 7:0 refers to no earlier operator");
    CHECK(error_of(in + "2\n8\n1;0\n1,4,8,8\n") == "t.model:7: expected operands as id:output, got '1;0'");
    CHECK(error_of(in + "2\n3\n1:0\n1,4,8,8\n") == "t.model:7: OP_CONV2D needs operand 2, has 1");
    CHECK(error_of(in + "2\n1\n11:0\n6,3,3,3\n3\n3\n1:0,2:0\n1,4,8,8,6,3,3,3,1,1,0,0,1,1\n")
              .rfind("t.model:9: OP_CONV2D 3: conv2d: input channels 4 not a multiple of weight "
                     "channels 3",
                     0) == 0);
    CHECK(error_of(in + "2\n6\n1:0\n1,4,9,9,6,2,2,2,2,1,0,0,0\n") ==
          "t.model:8: OP_POOL2D_MAX: parameters say operand [1,4,9,9], operand is [1,4,8,8]");
    CHECK(error_of(in + "2\n6\n1:0\n1,4,8,8,6,2,2,2,2,5,0,0,0\n") ==
          "t.model:8: padding must be 0 (SAME) or 1 (VALID), got 5");
    CHECK(error_of(in + "2\n13\n1:0\n1,2,2\n") ==
          "t.model:5: OP_SPLIT 2: split: input [1,4,8,8] has no concat boundary on axis 1");
    CHECK(error_of("") == "t.model: no operators");
    CHECK_THROWS_WITH(applier::load_model_file("/nonexistent/x.model"),
                      "/nonexistent/x.model: cannot open: No such file or directory");
    CHECK_THROWS_WITH(applier::load_model_file("x.pb"),
                      "x.pb: unknown model file type '.pb' (expected .model or .onnx)");
}
