// `ruleforge optimize`'s parts on small hand-built models: weight-only values pre-computed into
// weights (and left out of a graph's cost), the per-operator cost table kept in a file, the
// "faster beyond the spread" verdict, and optimize_model end to end -- three convolutions of one
// input summed become one; a zero budget returns the original; a rewrite the cost model likes
// but the executor runs slower is not handed back.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include "applier/models/net_builder.h"
#include "applier/optimize_model.h"
#include "applier/precompute.h"
#include "ir/native_text.h"
#include "tests/support/cli_run.h"

using namespace rf;

namespace {

Rule rule(const std::string& text) { return build_rule(parse_native_rule(text)); }

int count_ops(const Graph& g, OpKind op) {
    int n = 0;
    for (const Node& nd : g.nodes()) n += nd.op == op;
    return n;
}

/// relu(x @ (w1 @ w2)): the inner product depends on weights alone.
applier::Model weight_product() {
    applier::NetBuilder nb;
    ValueRef x = nb.input("x", {4, 16});
    ValueRef w = nb.matmul(nb.weight({16, 16}, "w1"), nb.weight({16, 16}, "w2"));
    return std::move(nb).finish("wp", {nb.relu(nb.matmul(x, w))});
}

/// conv(x, w1) + conv(x, w2) + conv(x, w3), 3x3 SAME.
applier::Model three_convs(int64_t c = 16, int64_t hw = 24) {
    applier::NetBuilder nb;
    ValueRef x = nb.input("x", {1, c, hw, hw});
    ValueRef s = nb.conv(x, 2 * c, 3, 3, 1, 1, Padding::Same);
    s = nb.add(s, nb.conv(x, 2 * c, 3, 3, 1, 1, Padding::Same));
    s = nb.add(s, nb.conv(x, 2 * c, 3, 3, 1, 1, Padding::Same));
    return std::move(nb).finish("three_convs", {s});
}

std::vector<applier::SearchRule> conv_linearity() {
    return {{"conv_lin fwd", rule("ewadd(conv2d(x, w1), conv2d(x, w2)) => conv2d(x, ewadd(w1, w2))")}};
}

/// The reference executor, slowed by 30 ms on every run of a graph that reads a pre-computed
/// weight: a rewrite the cost model (which times operators alone) finds cheaper but that runs
/// slower end to end.
class SlowFoldedExecutor final : public applier::Executor {
public:
    std::string name() const override { return "slow-folded"; }
    std::unique_ptr<applier::PreparedRun> prepare(const Graph& g, const std::vector<FloatTensor>& vars) override {
        bool folded = false;
        for (const Variable& v : g.variables()) folded = folded || v.name.rfind("folded", 0) == 0;
        return std::make_unique<Run>(d_ref->prepare(g, vars), folded);
    }

private:
    struct Run final : applier::PreparedRun {
        Run(std::unique_ptr<applier::PreparedRun> r, bool slow) : inner(std::move(r)), slow(slow) {}
        void execute() override {
            inner->execute();
            if (slow) std::this_thread::sleep_for(std::chrono::milliseconds(30));
        }
        std::vector<FloatTensor> outputs() override { return inner->outputs(); }
        std::unique_ptr<applier::PreparedRun> inner;
        bool slow;
    };
    std::unique_ptr<applier::Executor> d_ref = applier::make_reference_executor();
};

/// The reference executor, noting which storage each run reads its last operand from.
class RecordingExecutor final : public applier::Executor {
public:
    std::string name() const override { return "recording"; }
    std::unique_ptr<applier::PreparedRun> prepare(const Graph& g, const std::vector<FloatTensor>& vars) override {
        return std::make_unique<Run>(d_ref->prepare(g, vars), vars, seen);
    }
    std::set<const float*> seen;  ///< data of the last operand, over every execute()

private:
    struct Run final : applier::PreparedRun {
        Run(std::unique_ptr<applier::PreparedRun> r, const std::vector<FloatTensor>& v, std::set<const float*>& s)
            : inner(std::move(r)), vars(v), seen(s) {}
        void execute() override {
            inner->execute();
            seen.insert(vars.back().data.data());
        }
        std::vector<FloatTensor> outputs() override { return inner->outputs(); }
        std::unique_ptr<applier::PreparedRun> inner;
        const std::vector<FloatTensor>& vars;
        std::set<const float*>& seen;
    };
    std::unique_ptr<applier::Executor> d_ref = applier::make_reference_executor();
};

/// Runs nothing; a run of a one-operator graph takes a set time per operator: conv2d with a fused
/// ReLU 20 ms, conv2d without 6 ms, relu 1 ms (a fused figure that came out high).
class ScriptedExecutor final : public applier::Executor {
public:
    std::string name() const override { return "scripted"; }
    std::unique_ptr<applier::PreparedRun> prepare(const Graph& g, const std::vector<FloatTensor>&) override {
        int ms = 0;
        for (const Node& n : g.nodes()) {
            if (n.op == OpKind::Conv2d) ms += param::activation(n.params, n.op) == Activation::Relu ? 20 : 6;
            if (n.op == OpKind::Relu) ms += 1;
        }
        return std::make_unique<Run>(ms);
    }

private:
    struct Run final : applier::PreparedRun {
        explicit Run(int ms) : ms(ms) {}
        void execute() override { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }
        std::vector<FloatTensor> outputs() override { return {}; }
        int ms;
    };
};

}  // namespace

TEST_CASE("precompute: a weight-only value is computed once and becomes a weight", "[applier][optimize]") {
    applier::Model m = weight_product();
    const std::vector<char> wonly = applier::weight_only_nodes(m.graph);
    int weight_ops = 0;
    for (uint32_t i = 0; i < m.graph.nodes().size(); ++i) weight_ops += wonly[i] && m.graph.node(i).op != OpKind::Input;
    CHECK(weight_ops == 1);  // w1 @ w2, not x @ ... nor the relu

    auto ex = applier::make_reference_executor();
    const std::vector<FloatTensor> values = applier::model_variables(m, 3);
    applier::FoldedGraph f = applier::fold_weights(m.graph, values, *ex);
    CHECK(f.folded == 1);
    CHECK(f.graph.num_ops() == 2);  // x @ folded0, relu
    CHECK(count_ops(f.graph, OpKind::Matmul) == 1);
    REQUIRE(f.graph.variables().size() == 2);
    CHECK(f.graph.variables()[0].name == "folded0");
    CHECK(f.graph.variables()[0].role == Role::Weight);
    CHECK(f.graph.variables()[1].name == "x");
    const auto want = applier::run_graph(*ex, m.graph, values), got = applier::run_graph(*ex, f.graph, f.variables);
    CHECK(applier::compare_outputs(want, got, 1e-6).ok);
    CHECK(applier::compare_outputs(want, got, 1e-6).max_rel_error < 1e-6);
}

TEST_CASE("precompute: a model's own weight values are used, and checked against their type", "[applier][optimize]") {
    applier::Model m = weight_product();
    m.weights["w1"] = FloatTensor{{16, 16}, std::vector<float>(256, 0.25f)};
    auto values = applier::model_variables(m, 1);
    size_t w1 = 0;
    while (m.graph.variables()[w1].name != "w1") ++w1;
    CHECK(values[w1].data == std::vector<float>(256, 0.25f));
    CHECK(values[w1 == 1 ? 2 : 1].data != std::vector<float>(256, 0.25f));  // w2: random
    m.weights["w1"] = FloatTensor{{16, 15}, std::vector<float>(240, 0.25f)};
    CHECK_THROWS_WITH(applier::model_variables(m, 1), "weight w1: its value does not match its type [16,16]");
}

TEST_CASE("cost: weight-only operators cost nothing, and the table is kept in a file", "[applier][optimize]") {
    auto ex = applier::make_reference_executor();
    applier::CostModel cost(*ex, applier::TimingOptions{0, 1});
    applier::NetBuilder nb;
    ValueRef x = nb.input("x", {4, 16});
    Graph plain = std::move(nb).finish("p", {nb.relu(nb.matmul(x, nb.weight({16, 16}, "w")))}).graph;
    const double with_product = cost.graph_cost(weight_product().graph);
    CHECK(cost.measured() == 2);  // matmul [4,16]x[16,16] and relu; not w1 @ w2
    CHECK(with_product == cost.graph_cost(plain));

    const std::string path = std::string(RF_BINARY_DIR) + "/cost_table_test.costs";
    std::remove(path.c_str());
    cost.save(path);
    applier::CostModel again(*ex, applier::TimingOptions{0, 1});
    again.load(path);
    CHECK(again.known() == 2);
    CHECK(again.graph_cost(plain) == with_product);  // the same answer, nothing re-timed
    CHECK(again.measured() == 0);
    // Another device's entries are kept, not used.
    auto cpu = applier::make_cpu_executor();
    applier::CostModel other(*cpu, applier::TimingOptions{0, 1});
    other.load(path);
    CHECK(other.known() == 0);

    std::ofstream(path) << "reference\tfast\tmatmul x\n";
    CHECK_THROWS_WITH(again.load(path), path + ":1: not '<device>\\t<ms>\\t<operator>'");
    std::remove(path.c_str());
}

TEST_CASE("cost: a weight operand is timed cold, an activation as it is", "[applier][optimize]") {
    // x @ w with a 1 MiB weight: in a model the weight comes from memory on every run, so the
    // operator's runs rotate over copies of it (NasRNN's merges looked cheaper timed hot).
    RecordingExecutor ex;
    applier::CostModel cost(ex, applier::TimingOptions{0, 3});
    applier::NetBuilder nb;
    ValueRef x = nb.input("x", {1, 512});
    Graph weighted = std::move(nb).finish("w", {nb.matmul(x, nb.weight({512, 512}, "w"))}).graph;
    cost.graph_cost(weighted);
    CHECK(ex.seen.size() >= 3);  // a different copy of w in every timed run
    ex.seen.clear();
    applier::NetBuilder nb2;
    ValueRef x2 = nb2.input("x", {1, 512});
    Graph activations = std::move(nb2).finish("a", {nb2.matmul(x2, nb2.input("y", {512, 512}))}).graph;
    cost.graph_cost(activations);
    CHECK(ex.seen.size() == 1);
    CHECK(cost.measured() == 2);  // same shapes, another instance: the key marks the weight

    const std::string path = std::string(RF_BINARY_DIR) + "/cost_cold_test.costs";
    std::remove(path.c_str());
    cost.save(path);
    std::ifstream in(path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text.find("matmul [1,512] w[512,512] -> [1,512]") != std::string::npos);
    CHECK(text.find("matmul [1,512] [512,512] -> [1,512]") != std::string::npos);
    std::remove(path.c_str());
}

TEST_CASE("optimize: a rewrite predicted cheaper by less than min_gain is not the best", "[applier][optimize]") {
    // relu(conv(x, w)) => conv[act=relu](x, w) over a cost table with set figures: conv 1 ms
    // either way, the separate relu `relu_ms`. The fused graph gains relu_ms / (1 + relu_ms).
    applier::NetBuilder nb;
    ValueRef x = nb.input("x", {1, 4, 8, 8});
    const Graph g = std::move(nb).finish("rc", {nb.relu(nb.conv(x, 8, 3, 3, 1, 1, Padding::Same))}).graph;
    const std::vector<applier::SearchRule> rules = {{"fuse", rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w)")}};
    auto ex = applier::make_reference_executor();
    const std::string path = std::string(RF_BINARY_DIR) + "/cost_min_gain_test.costs";
    std::remove(path.c_str());
    {  // the instance keys, as the cost model writes them
        applier::CostModel keys(*ex, applier::TimingOptions{0, 1});
        applier::OptimizeOptions any;
        any.min_gain = 0;
        keys.graph_cost(applier::optimize(g, rules, keys, any).best);
        keys.save(path);
    }
    std::vector<std::string> lines;
    {
        std::ifstream in(path);
        for (std::string line; std::getline(in, line);) lines.push_back(line.substr(line.rfind('\t') + 1));
    }
    REQUIRE(lines.size() == 3);  // conv2d, relu, conv2d[act=relu]
    auto table = [&](double relu_ms) {
        std::ofstream out(path, std::ios::trunc);
        for (const std::string& key : lines)
            out << "reference\t" << (key.rfind("relu", 0) == 0 ? relu_ms : 1.0) << "\t" << key << "\n";
    };
    auto steps = [&](double relu_ms, double min_gain) {
        table(relu_ms);
        applier::CostModel cost(*ex, applier::TimingOptions{0, 1});
        cost.load(path);
        applier::OptimizeOptions o;
        o.min_gain = min_gain;
        const applier::OptimizeResult r = applier::optimize(g, rules, cost, o);
        CHECK(cost.measured() == 0);  // every figure from the table
        return r.steps.size();
    };
    CHECK(steps(0.002, 0.005) == 0);  // 0.2% cheaper: below what the timings tell apart
    CHECK(steps(0.1, 0.005) == 1);    // 9% cheaper
    CHECK(steps(0.002, 0) == 1);      // without the threshold, any gain counts
    std::remove(path.c_str());
}

TEST_CASE("cost: a fused activation costs no more than the operator and the activation apart", "[applier][optimize]") {
    ScriptedExecutor ex;
    applier::CostModel cost(ex, applier::TimingOptions{0, 1});
    applier::NetBuilder nb;
    ValueRef x = nb.input("x", {1, 4, 8, 8});
    const Graph fused = std::move(nb).finish("f", {nb.conv(x, 8, 3, 3, 1, 1, Padding::Same, Activation::Relu)}).graph;
    const double c = cost.graph_cost(fused);
    INFO("conv2d[act=relu] costs " << c << " ms");
    CHECK(c < 15);  // 6 + 1, not the 20 measured
    CHECK(c >= 7);
    // So splitting the ReLU off is no gain the search could take.
    const std::vector<applier::SearchRule> split = {{"split", rule("conv2d[act=relu](x, w) => relu(conv2d(x, w))")}};
    applier::OptimizeOptions o;
    o.min_gain = 0;
    CHECK(applier::optimize(fused, split, cost, o).steps.empty());
}

TEST_CASE("timing: measurably faster means a lower median and most paired runs won", "[applier][optimize]") {
    auto paired = [](double before, double after, int wins, int runs) {
        applier::PairedTiming t;
        t.a.median_ms = before, t.b.median_ms = after, t.a.runs = t.b.runs = runs, t.b_faster = wins;
        return t;
    };
    CHECK(applier::measurably_faster(paired(10, 5, 21, 21)));
    CHECK(applier::measurably_faster(paired(10, 9.5, 17, 21)));
    CHECK_FALSE(applier::measurably_faster(paired(10, 9.5, 16, 21)));  // p = 0.013: could be a tie
    CHECK_FALSE(applier::measurably_faster(paired(10, 10, 11, 21)));
    CHECK_FALSE(applier::measurably_faster(paired(10, 11, 21, 21)));  // won every pair, yet a higher median
    CHECK(applier::sign_test_p(0, 10) == Approx(1.0));
    CHECK(applier::sign_test_p(10, 10) == Approx(1.0 / 1024));
    CHECK(applier::sign_test_p(9, 10) == Approx(11.0 / 1024));
    const applier::Timing s = applier::summarize({5, 1, 4, 2, 3});
    CHECK(s.median_ms == 3);
    CHECK(s.q1_ms == 2);
    CHECK(s.q3_ms == 4);
    CHECK(s.min_ms == 1);
    CHECK(s.max_ms == 5);
    CHECK(s.spread_ms() == 2);
}

TEST_CASE("optimize_model: three convolutions of one input summed become one, measured faster", "[applier][optimize]") {
    applier::Model m = three_convs();
    auto ex = applier::make_cpu_executor();
    applier::ModelOptimizeOptions o;
    // CPU time: on the shared 2-core machine the tests run on, wall time lost a third of the
    // pairs to preemption even at a 3x difference in work.
    o.timing = applier::TimingOptions{1, 31, true};  // 31 pairs: a loaded machine still loses a fifth of them
    o.operator_timing.cpu_clock = true;
    applier::ModelOptimizeResult r = applier::optimize_model(m, conv_linearity(), *ex, o);
    INFO(r.verdict);
    CHECK(r.search.steps.size() == 2);
    CHECK(r.check.ok);
    CHECK(r.check.max_rel_error < 1e-5);
    CHECK(r.search.cost_after < r.search.cost_before / 2);
    REQUIRE_FALSE(r.kept_original);
    CHECK(count_ops(r.chosen.graph, OpKind::Conv2d) == 1);
    CHECK(r.chosen.graph.num_ops() == 1);  // w1 + w2 + w3 pre-computed
    CHECK(r.chosen.folded == 1);
    CHECK(r.time_after.median_ms < r.time_before.median_ms);
}

TEST_CASE("optimize_model: a zero budget returns the original, timed against itself", "[applier][optimize]") {
    applier::Model m = three_convs(8, 16);
    auto ex = applier::make_cpu_executor();
    applier::ModelOptimizeOptions o;
    o.search.budget = 0;
    o.timing = applier::TimingOptions{1, 9};
    applier::ModelOptimizeResult r = applier::optimize_model(m, conv_linearity(), *ex, o);
    CHECK(r.search.steps.empty());
    CHECK(r.kept_original);
    CHECK(r.chosen.graph == r.before.graph);
    CHECK(r.search.cost_after == r.search.cost_before);
    CHECK(r.time_before.runs == 9);
    CHECK(r.time_after.runs == 9);
    CHECK_THAT(r.verdict, Catch::Contains("the original is returned"));
}

TEST_CASE("optimize_model: a rewrite measured slower end to end is not handed back", "[applier][optimize]") {
    applier::Model m = three_convs(4, 8);
    SlowFoldedExecutor ex;
    applier::ModelOptimizeOptions o;
    o.timing = applier::TimingOptions{0, 5};
    applier::ModelOptimizeResult r = applier::optimize_model(m, conv_linearity(), ex, o);
    CHECK(r.search.steps.size() == 2);
    CHECK(r.search.cost_after < r.search.cost_before);  // the cost model prefers the rewrite
    CHECK(r.time_candidate.median_ms > r.time_before.median_ms + 20);
    CHECK(r.kept_original);
    CHECK(r.chosen.graph == r.before.graph);
    CHECK_THAT(r.verdict, Catch::Contains("not measurably faster"));
    CHECK(r.time_after.median_ms < r.time_candidate.median_ms);  // what is handed back is the original
}

TEST_CASE("timing: the CPU clock leaves out time spent off the processor", "[applier][optimize]") {
    // A run that sleeps 30 ms: 30 ms of wall time, almost no CPU time.
    applier::NetBuilder nb;
    ValueRef x = nb.input("folded_input", {4, 4});
    Graph g = std::move(nb).finish("s", {nb.relu(x)}).graph;
    SlowFoldedExecutor ex;
    const std::vector<FloatTensor> values = applier::random_variables(g, 1);
    CHECK(applier::time_graph(ex, g, values, applier::TimingOptions{0, 3, false}).median_ms >= 30);
    CHECK(applier::time_graph(ex, g, values, applier::TimingOptions{0, 3, true}).median_ms < 5);
}
