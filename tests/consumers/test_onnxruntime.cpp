// The optimized ONNX model checked by a real consumer: ONNX Runtime (npm onnxruntime-node,
// installed into tests/consumers/onnxruntime by scripts/install-deps.sh). Models with real
// weights are built here -- three convolutions of one input summed; three projections of one
// input; an attention head with LayerNormalization and Softmax (issue 22), applied and
// validated first -- optimized with `ruleforge optimize --out`, and run next to the originals by
// tests/consumers/onnxruntime/compare.js: outputs within 1e-4 (normwise relative), the
// convolution-branch model at least 1.5x faster in ONNX Runtime and the other not slower (0.85:
// the noise floor on the shared test machine), by process CPU time with one thread on both sides
// (on the shared machine wall time mostly measures waiting for a core). A missing
// node or package fails the test: the check is not optional.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "onnx.pb.h"
#include "tests/support/cli_run.h"
#include "tests/support/onnx_builder.h"

using namespace rf;
using rf::testing::run_cli;
using rf::testing::temp_file;

namespace {

const std::string kConsumer = std::string(RF_SOURCE_DIR) + "/tests/consumers/onnxruntime";

struct OnnxFile : testing::OnnxBuilder {
    int seed = 1;
    OnnxFile() : OnnxBuilder(7) { g->set_name("consumer"); }
    /// Deterministic weights of about unit variance per output (scaled by 1 / sqrt(fan-in)).
    void weight(const std::string& name, std::vector<int64_t> dims, int64_t fan_in) {
        int64_t n = 1;
        for (int64_t d : dims) n *= d;
        std::vector<float> v(static_cast<size_t>(n));
        const float scale = 1.7f / std::sqrt(static_cast<float>(fan_in));
        for (int64_t i = 0; i < n; ++i)
            v[static_cast<size_t>(i)] = scale * std::sin(0.37f * static_cast<float>(i) + static_cast<float>(seed));
        ++seed;
        initializer(name, dims, v);
    }
    std::string save(const std::string& name) const {
        const std::string path = std::string(RF_BINARY_DIR) + "/" + name;
        std::ofstream f(path, std::ios::binary);
        m.SerializeToOstream(&f);
        return path;
    }
};

void pads1(onnx::NodeProto* n) {
    auto* a = n->add_attribute();
    a->set_name("pads");
    a->set_type(onnx::AttributeProto::INTS);
    for (int k = 0; k < 4; ++k) a->add_ints(1);
}

std::string conv_branches() {
    OnnxFile o;
    o.input("x", {1, 64, 56, 56});
    for (int k = 1; k <= 3; ++k) {
        o.weight("w" + std::to_string(k), {64, 64, 3, 3}, 64 * 9);
        pads1(o.node("Conv", {"x", "w" + std::to_string(k)}, "c" + std::to_string(k)));
    }
    o.node("Add", {"c1", "c2"}, "s");
    o.node("Add", {"s", "c3"}, "y");
    o.output("y");
    return o.save("consumer_conv_branches.onnx");
}

std::string projections() {
    OnnxFile o;
    o.input("tokens", {128, 256});
    for (const char* p : {"q", "k", "v"}) {
        o.weight(std::string("W") + p, {256, 256}, 256);
        o.node("MatMul", {"tokens", std::string("W") + p}, p);
        o.output(p);
    }
    return o.save("consumer_projections.onnx");
}

void ints_attr(onnx::NodeProto* n, const char* name, std::vector<int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
}

/// One attention head block at opset 17 (issue 22): LayerNormalization, Q/K/V projections with
/// bias, two heads split by Reshape/Transpose, scores divided by sqrt(dk), Softmax, context,
/// heads joined, output projection, residual.
std::string attention_head() {
    OnnxFile o;
    o.m.set_ir_version(8);
    o.m.mutable_opset_import(0)->set_version(17);
    constexpr int64_t kSeq = 64, kHidden = 128, kHeads = 2, kDk = 64;
    o.input("x", {kSeq, kHidden});
    o.weight("gamma", {kHidden}, 1);
    o.weight("beta", {kHidden}, 1);
    o.node("LayerNormalization", {"x", "gamma", "beta"}, "ln");
    auto ints = [&](const std::string& name, std::vector<int64_t> v) {
        auto* t = o.g->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::INT64);
        t->add_dims(static_cast<int64_t>(v.size()));
        for (int64_t x : v) t->add_int64_data(x);
    };
    ints("heads", {kSeq, kHeads, kDk});
    ints("joined", {kSeq, kHidden});
    o.initializer("sqrt_dk", {}, {8.f});
    for (const std::string p : {"q", "k", "v"}) {
        o.weight("W" + p, {kHidden, kHidden}, kHidden);
        o.weight("b" + p, {kHidden}, 16);
        o.node("MatMul", {"ln", "W" + p}, p + "_mm");
        o.node("Add", {p + "_mm", "b" + p}, p);
        o.node("Reshape", {p, "heads"}, p + "_r");
        ints_attr(o.node("Transpose", {p + "_r"}, p + "_h"), "perm",
                  p == "k" ? std::vector<int64_t>{1, 2, 0} : std::vector<int64_t>{1, 0, 2});
    }
    o.node("MatMul", {"q_h", "k_h"}, "scores");
    o.node("Div", {"scores", "sqrt_dk"}, "scaled");
    o.node("Softmax", {"scaled"}, "probs");
    o.node("MatMul", {"probs", "v_h"}, "ctx");
    ints_attr(o.node("Transpose", {"ctx"}, "ctx_t"), "perm", {1, 0, 2});
    o.node("Reshape", {"ctx_t", "joined"}, "ctx_r");
    o.weight("Wo", {kHidden, kHidden}, kHidden);
    o.node("MatMul", {"ctx_r", "Wo"}, "proj");
    o.node("Add", {"x", "proj"}, "y");
    o.output("y");
    return o.save("consumer_attention_head.onnx");
}

struct Shell {
    int code;
    std::string out;
};

/// Runs `cmd` with sh; its standard output, and its standard error too when `with_err`.
Shell shell(const std::string& cmd, bool with_err = true) {
    Shell s{-1, {}};
    FILE* p = popen((cmd + (with_err ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
    if (!p) return s;
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) s.out.append(buf, n);
    const int status = pclose(p);
    s.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return s;
}

std::string rules_db() {
    const std::string db = std::string(RF_BINARY_DIR) + "/consumer_rules.db";
    for (const char* suffix : {"", "-wal", "-shm", ".costs"}) std::remove((db + suffix).c_str());
    const std::string rules = temp_file(
        "consumer_rules.rf",
        "conv_linear: ewadd(conv2d(x, w1), conv2d(x, w2)) => conv2d(x, ewadd(w1, w2))\n"
        "matmul_merge: (matmul(x, w1), matmul(x, w2)) => (split[axis=1](matmul(x, concat[axis=1](w1, w2))).0, "
        "split[axis=1](matmul(x, concat[axis=1](w1, w2))).1)\n"
        "ln_gain_comm: ewmul(layernorm[axis=1](x), g) => ewmul(g, layernorm[axis=1](x)) where x: act[d0,d1], g: "
        "act[d0,d1]\n");
    REQUIRE(run_cli({"import", "--db", db, "--format", "native", rules}).code == 0);
    auto p = run_cli({"prove", "--db", db});
    INFO(p.out << p.err);
    REQUIRE(p.code == 0);
    return db;
}

nlohmann::json optimize_and_compare(const std::string& db, const std::string& model, const std::string& input,
                                    const std::string& min_speedup) {
    const std::string out = model.substr(0, model.size() - 5) + ".optimized.onnx";
    // One thread, as ONNX Runtime runs below: with two OpenBLAS threads the per-call cost of a
    // small matrix product made merging the projections pay in ruleforge's executor, though not
    // in single-threaded ONNX Runtime. A separate process, so the variables take effect.
    auto r = shell("OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 '" + std::string(RF_BINARY_DIR) +
                       "/cli/ruleforge' optimize --db '" + db + "' --model '" + model + "' --out '" + out +
                       "' --json --reps 15 --clock cpu",
                   false);
    INFO(r.out);
    REQUIRE(r.code == 0);
    const auto report = nlohmann::json::parse(r.out);
    CHECK(report["valid"] == true);
    auto c = shell("cd '" + kConsumer + "' && node compare.js '" + model + "' '" + out + "' --input " + input +
                   " --reps 21 --clock cpu --min-speedup " + min_speedup);
    INFO("ruleforge: " << r.out << "\nonnxruntime: " << c.out);
    CHECK(c.code == 0);
    const auto line = c.out.find("{\"max_rel_error\"");
    REQUIRE(line != std::string::npos);
    auto j = nlohmann::json::parse(c.out.substr(line, c.out.find('\n', line) - line));
    j["ruleforge"] = report;
    return j;
}

}  // namespace

TEST_CASE("onnxruntime: optimized models load, agree and are faster in ONNX Runtime", "[consumers][onnxruntime]") {
    // Fail, never skip, when the consumer is missing: scripts/install-deps.sh installs it.
    const Shell node = shell("node --version");
    INFO("node: " << node.out);
    REQUIRE(node.code == 0);
    INFO("run scripts/install-deps.sh (npm ci --ignore-scripts in " << kConsumer << ")");
    REQUIRE(std::filesystem::exists(kConsumer + "/node_modules/onnxruntime-node/package.json"));

    const std::string db = rules_db();
    SECTION("three convolutions of one input summed: one convolution, >= 1.5x") {
        auto j = optimize_and_compare(db, conv_branches(), "x=1,64,56,56", "1.5");
        INFO(j.dump());
        CHECK(j["ruleforge"]["rewrites"].size() == 2);
        CHECK(j["max_rel_error"].get<double>() <= 1e-4);
        CHECK(j["cpu_speedup"].get<double>() >= 1.5);
    }
    SECTION("an attention head with LayerNormalization and Softmax: applies, validates, agrees") {
        const std::string head = attention_head();
        auto a = run_cli({"apply", "--db", db, "--model", head, "--no-time", "--json"});
        INFO(a.out << a.err);
        REQUIRE(a.code == 0);
        const auto applied = nlohmann::json::parse(a.out);
        CHECK(applied["summary"]["mismatches"] == 0);
        CHECK(applied["summary"]["errors"] == 0);
        CHECK(applied["summary"]["rules_matched"] == 2);  // the projections merge; the norm's gain commutes
        // Exported at opset 13 (layer norm decomposed, softmax and the rest as written), run next
        // to the opset-17 original. The cost search keeps the original here (merging three
        // 128-wide projections does not pay on the CPU), so this checks the export of issue
        // 22's operators; the merged graph's values were validated by `apply` above.
        auto j = optimize_and_compare(db, head, "x=64,128", "0");
        INFO(j.dump());
        CHECK(j["max_rel_error"].get<double>() <= 1e-4);
    }
    SECTION("three projections of one input: not slower") {
        // 0.85: one model file against itself measured 0.94-1.08 in ONNX Runtime at load
        // average 17 on the 2-core test machine (sub-millisecond runs).
        auto j = optimize_and_compare(db, projections(), "tokens=128,256", "0.85");
        INFO(j.dump());
        CHECK(j["max_rel_error"].get<double>() <= 1e-4);
    }
}
