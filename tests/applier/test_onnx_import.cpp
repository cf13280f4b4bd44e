// ONNX import: small models written here with the generated ModelProto classes, serialized to a
// temporary .onnx file and read back through load_model_file; and every refusal names the op
// type and the node.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "applier/model.h"
#include "applier/onnx_import.h"
#include "onnx.pb.h"
#include "tests/applier/model_counts.h"

using namespace rf;

namespace {

void set_shape(onnx::ValueInfoProto* v, const std::string& name, std::vector<int64_t> dims) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

struct OnnxModel {
    onnx::ModelProto m;
    onnx::GraphProto* g;
    OnnxModel() : g(m.mutable_graph()) {
        m.set_ir_version(8);
        m.add_opset_import()->set_version(13);
        g->set_name("test");
    }
    void input(const std::string& name, std::vector<int64_t> dims) { set_shape(g->add_input(), name, dims); }
    void output(const std::string& name) { g->add_output()->set_name(name); }
    void init(const std::string& name, std::vector<int64_t> dims) {
        auto* t = g->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        int64_t n = 1;
        for (int64_t d : dims) t->add_dims(d), n *= d;
        for (int64_t i = 0; i < n; ++i) t->add_float_data(0.5f);
    }
    void init_ints(const std::string& name, std::vector<int64_t> v) {
        auto* t = g->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::INT64);
        t->add_dims(static_cast<int64_t>(v.size()));
        for (int64_t x : v) t->add_int64_data(x);
    }
    onnx::NodeProto* node(const std::string& op, const std::string& name, std::vector<std::string> in,
                          std::vector<std::string> out) {
        auto* n = g->add_node();
        n->set_op_type(op);
        n->set_name(name);
        for (auto& s : in) n->add_input(s);
        for (auto& s : out) n->add_output(s);
        return n;
    }
    applier::Model load() const {
        auto path =
            std::filesystem::temp_directory_path() / ("rf_test_" + std::to_string(std::random_device{}()) + ".onnx");
        {
            std::ofstream f(path, std::ios::binary);
            REQUIRE(m.SerializeToOstream(&f));
        }
        struct Remove {
            std::filesystem::path p;
            ~Remove() { std::filesystem::remove(p); }
        } cleanup{path};
        return applier::load_model_file(path.string());
    }
    std::string error() const {
        try {
            applier::import_onnx(m.SerializeAsString(), "m.onnx", "m");
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "(no error)";
    }
};

void ints(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
}
void int1(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
}

}  // namespace

TEST_CASE("applier: a small CNN round-trips through an ONNX file", "[applier]") {
    OnnxModel o;
    o.input("x", {1, 3, 8, 8});
    o.init("w1", {8, 3, 3, 3});
    o.init("b1", {8});
    o.init("w2", {8, 1, 3, 3});  // depthwise: group 8
    o.init("fc", {32, 10});
    o.init_ints("shape", {1, -1});
    auto* c1 = o.node("Conv", "conv1", {"x", "w1", "b1"}, {"c1"});
    ints(c1, "pads", {1, 1, 1, 1});
    ints(c1, "kernel_shape", {3, 3});
    o.node("Relu", "relu1", {"c1"}, {"r1"});
    auto* c2 = o.node("Conv", "dw", {"r1", "w2"}, {"c2"});
    int1(c2, "group", 8);
    ints(c2, "strides", {2, 2});
    ints(c2, "pads", {0, 0, 1, 1});  // SAME_UPPER at stride 2 on 8: total 1, after
    auto* p = o.node("MaxPool", "pool", {"c2"}, {"p"});
    ints(p, "kernel_shape", {2, 2});
    ints(p, "strides", {2, 2});
    o.node("Add", "res", {"p", "p"}, {"a"});
    o.node("Reshape", "flat", {"a", "shape"}, {"f"});
    o.node("MatMul", "fc", {"f", "fc"}, {"y"});
    o.output("y");

    applier::Model m = o.load();
    CHECK(m.name.rfind("rf_test_", 0) == 0);
    const Graph& g = m.graph;
    CHECK(test::op_counts(g) ==
          std::map<std::string, int>{
              {"conv2d", 2}, {"ewadd", 2}, {"relu", 1}, {"poolmax", 1}, {"reshape", 1}, {"matmul", 1}});
    REQUIRE(g.outputs().size() == 1);
    CHECK(g.type(g.outputs()[0]).to_string() == "[1,10]");
    // x is the one activation; w1, b1 (as a full-shape bias), w2 and fc are weights; the shape
    // constant is not a tensor operand.
    REQUIRE(g.variables().size() == 5);
    CHECK(g.variables()[0].name == "x");
    CHECK(g.variables()[0].role == Role::Activation);
    std::vector<std::string> weights;
    for (const Variable& v : g.variables())
        if (v.role == Role::Weight) weights.push_back(v.name + v.type.to_string());
    CHECK(weights == std::vector<std::string>{"w1[8,3,3,3]", "b1[1,8,8,8]", "w2[8,1,3,3]", "fc[32,10]"});
    for (const Node& n : g.nodes())
        if (n.op == OpKind::Conv2d) CHECK(param::padding(n.params, OpKind::Conv2d) == Padding::Same);
}

TEST_CASE("applier: ONNX Gemm, Transpose, Concat, Flatten, pooling and BatchNorm map to the IR", "[applier]") {
    OnnxModel o;
    o.input("x", {1, 4, 6, 6});
    o.input("h", {2, 5});
    o.init("wg", {7, 5});
    o.init("bg", {7});
    for (const char* s : {"s", "b", "mean", "var"}) o.init(s, {4});
    o.node("BatchNormalization", "bn", {"x", "s", "b", "mean", "var"}, {"n"});
    auto* ap = o.node("AveragePool", "avg", {"n"}, {"a"});
    ints(ap, "kernel_shape", {3, 3});
    ints(ap, "pads", {1, 1, 1, 1});
    int1(ap, "count_include_pad", 1);
    o.node("GlobalAveragePool", "gap", {"a"}, {"ga"});
    auto* cat = o.node("Concat", "cat", {"a", "a"}, {"cc"});
    int1(cat, "axis", -3);
    o.node("Flatten", "fl", {"ga"}, {"flat"});
    auto* gm = o.node("Gemm", "gemm", {"h", "wg", "bg"}, {"gy"});
    int1(gm, "transB", 1);
    o.node("Sigmoid", "sg", {"gy"}, {"sy"});
    o.node("Tanh", "th", {"sy"}, {"ty"});
    auto* tr = o.node("Transpose", "tr", {"ty"}, {"tt"});
    (void)tr;  // default perm: reversed axes
    o.node("Identity", "id", {"tt"}, {"out2"});
    o.output("cc");
    o.output("flat");
    o.output("out2");
    applier::Model m = o.load();
    const Graph& g = m.graph;
    std::vector<std::string> shapes;
    for (const ValueRef& v : g.outputs()) shapes.push_back(g.type(v).to_string());
    CHECK(shapes == std::vector<std::string>{"[1,8,6,6]", "[1,4]", "[7,2]"});
    CHECK(test::op_counts(g) == std::map<std::string, int>{{"conv2d", 1},
                                                           {"ewadd", 2},
                                                           {"poolavg", 2},
                                                           {"concat", 1},
                                                           {"reshape", 1},
                                                           {"transpose", 2},
                                                           {"matmul", 1},
                                                           {"sigmoid", 1},
                                                           {"tanh", 1}});
}

TEST_CASE("applier: ONNX nodes the IR cannot express are errors naming the node", "[applier]") {
    auto base = [] {
        OnnxModel o;
        o.input("x", {1, 4, 8, 8});
        o.init("w", {4, 4, 3, 3});
        o.output("y");
        return o;
    };
    {
        OnnxModel o = base();
        o.node("LRN", "lrn", {"x"}, {"y"});
        CHECK(o.error() == "m.onnx: LRN node 'lrn': operator type 'LRN' has no counterpart in the IR");
    }
    {
        OnnxModel o = base();
        ints(o.node("Conv", "c", {"x", "w"}, {"y"}), "pads", {2, 2, 0, 0});
        CHECK(o.error() ==
              "m.onnx: Conv node 'c': pads [2,2,0,0] are neither VALID nor SAME (which would be "
              "[1,1,1,1])");
    }
    {
        OnnxModel o = base();
        ints(o.node("Conv", "c", {"x", "w"}, {"y"}), "dilations", {2, 2});
        CHECK(o.error() == "m.onnx: Conv node 'c': dilations other than 1 are not supported");
    }
    {
        OnnxModel o = base();
        int1(o.node("Conv", "", {"x", "w"}, {"y"}), "foo", 1);
        CHECK(o.error() == "m.onnx: Conv node #0: attribute 'foo' is not supported");
    }
    {
        OnnxModel o = base();
        auto* p = o.node("AveragePool", "ap", {"x"}, {"y"});
        ints(p, "kernel_shape", {3, 3});
        ints(p, "pads", {1, 1, 1, 1});
        CHECK(o.error() ==
              "m.onnx: AveragePool node 'ap': count_include_pad=0 with padding: the IR's average "
              "pooling counts the padding");
    }
    {
        OnnxModel o = base();
        o.input("z", {1, 3, 1, 1});
        o.node("Add", "add", {"x", "z"}, {"y"});
        CHECK(o.error() ==
              "m.onnx: Add node 'add': ewadd: sizes of axis 1 differ: 4 vs 3 (inputs [1,4,8,8], [1,3,1,1])");
    }
    {
        OnnxModel o = base();
        auto* s = o.node("Split", "sp", {"x"}, {"y", "y2"});
        int1(s, "axis", 1);
        CHECK(o.error() == "m.onnx: Split node 'sp': split: input [1,4,8,8] has no concat boundary on axis 1");
    }
    {
        OnnxModel o = base();
        o.node("Relu", "r", {"nowhere"}, {"y"});
        CHECK(o.error() == "m.onnx: Relu node 'r': tensor 'nowhere' is not defined before it is used");
    }
    {
        OnnxModel o;
        auto* in = o.g->add_input();
        in->set_name("x");
        in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_param("N");
        o.node("Relu", "r", {"x"}, {"y"});
        o.output("y");
        CHECK(o.error() ==
              "m.onnx: graph input 'x' has a symbolic or non-positive dimension 'N'; the IR needs "
              "concrete shapes (export with fixed sizes)");
    }
    {
        OnnxModel o = base();
        o.node("Relu", "r", {"x"}, {"r"});
        CHECK(o.error() == "m.onnx: graph output: tensor 'y' is not defined before it is used");
    }
}

TEST_CASE("applier: truncated or random bytes are a clean ONNX error", "[applier]") {
    OnnxModel o;
    o.input("x", {1, 4});
    o.node("Relu", "r", {"x"}, {"y"});
    o.output("y");
    const std::string bytes = o.m.SerializeAsString();
    for (size_t cut : {bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
        INFO("cut at " << cut);
        CHECK_THROWS_AS(applier::import_onnx(bytes.substr(0, cut), "m.onnx", "m"), std::runtime_error);
    }
    std::mt19937_64 rng(42);
    int rejected = 0;
    for (int trial = 0; trial < 200; ++trial) {
        std::string junk(64 + rng() % 256, '\0');
        for (char& c : junk) c = static_cast<char>(rng());
        try {
            applier::import_onnx(junk, "junk.onnx", "junk");
        } catch (const std::runtime_error& e) {
            ++rejected;
            CHECK(std::string(e.what()).rfind("junk.onnx: ", 0) == 0);
        }
    }
    CHECK(rejected == 200);
    CHECK_THROWS_WITH(applier::load_model_file("/nonexistent/m.onnx"),
                      "/nonexistent/m.onnx: cannot open: No such file or directory");
}
