#include "enumerator/preset.h"

#include <stdexcept>
#include <string>

#include "enumerator/term_store.h"

namespace rf::enumerator {

namespace {

enum Sym : SymbolId { kN2, kC2, kN4, kC4, kH, kW };

Variable var(const std::string& name, Role role, std::vector<Dim> dims) {
    Variable v;
    v.name = name;
    v.role = role;
    v.type = make_type(std::move(dims));
    return v;
}

OpTemplate tmpl(std::string name, OpKind op, Params p, int arity) {
    OpTemplate t;
    t.name = std::move(name);
    t.op = op;
    t.params = p;
    t.arity = arity;
    return t;
}

OpTemplate conv(const std::string& name, int kh, int kw, Activation act) {
    OpTemplate t = tmpl(name, OpKind::Conv2d, param::conv2d(1, 1, Padding::Same, act), 2);
    t.kernel = {kh, kw};
    t.data_not_weight_var = true;
    return t;
}

OpTemplate concat(const std::string& name, int rank, int axis) {
    OpTemplate t = tmpl(name, OpKind::Concat, param::axis_param(axis), 2);
    t.rank = rank;
    return t;
}

}  // namespace

fingerprint::ShapePlan taso_plan(uint64_t seed) {
    const Dim N2 = Dim::symbol(kN2), C2 = Dim::symbol(kC2), N4 = Dim::symbol(kN4), C4 = Dim::symbol(kC4),
              H = Dim::symbol(kH), W = Dim::symbol(kW);
    std::vector<Variable> vars;
    for (const char* n : {"x1", "x2", "x3"}) vars.push_back(var(n, Role::Activation, {N2, C2}));
    for (const char* n : {"w1", "w2", "w3"}) vars.push_back(var(n, Role::Weight, {C2, C2}));
    for (const char* n : {"i1", "i2", "i3"}) vars.push_back(var(n, Role::Activation, {N4, C4, H, W}));
    for (const char* n : {"w4", "w5", "w6"}) vars.push_back(var(n, Role::Weight, {C4, C4, 3, 3}));
    for (const char* n : {"w7", "w8", "w9"}) vars.push_back(var(n, Role::Weight, {C4, C4, 1, 3}));
    for (const char* n : {"w10", "w11", "w12"}) vars.push_back(var(n, Role::Weight, {C4, C4, 3, 1}));
    vars.push_back(var("w13", Role::Weight, {C4, 1, 3, 3}));
    vars.push_back(var("s0", Role::Weight, {}));
    // Point 0 is the cheapest world (it is evaluated for every graph; the others only when a
    // fingerprint hit needs confirming); TASO's own shape is the base; the third moves every
    // size away from both, including batch vs channel coincidences (TASO: 2 + 2 == 4).
    std::vector<fingerprint::Instantiation> insts(3);
    insts[0].values = {{kN2, 2}, {kC2, 3}, {kN4, 1}, {kC4, 2}, {kH, 3}, {kW, 4}};
    insts[1].values = {{kN2, 2}, {kC2, 4}, {kN4, 2}, {kC4, 4}, {kH, 5}, {kW, 5}};
    insts[1].draws = 2;
    insts[2].values = {{kN2, 3}, {kC2, 5}, {kN4, 3}, {kC4, 3}, {kH, 4}, {kW, 6}};
    return fingerprint::ShapePlan(std::move(vars), std::move(insts), 1, seed);
}

std::vector<OpTemplate> taso_templates() {
    std::vector<OpTemplate> t;
    OpTemplate mm = tmpl("matmul", OpKind::Matmul, param::matmul(Activation::None), 2);
    mm.distinct_operands = true;
    mm.max_rank = 3;  // TASO's matmul; rank-4 batches came with issue 22
    t.push_back(mm);
    t.push_back(tmpl("ewadd", OpKind::EwAdd, Params{}, 2));
    t.push_back(tmpl("ewmul", OpKind::EwMul, Params{}, 2));
    t.push_back(conv("conv3x3", 3, 3, Activation::None));
    t.push_back(conv("conv3x3_relu", 3, 3, Activation::Relu));
    t.push_back(conv("conv1x1", 1, 1, Activation::None));
    t.push_back(conv("conv1x1_relu", 1, 1, Activation::Relu));
    t.push_back(conv("conv1x3", 1, 3, Activation::None));
    t.push_back(conv("conv1x3_relu", 1, 3, Activation::Relu));
    t.push_back(tmpl("poolavg3x3", OpKind::PoolAvg, param::pool(3, 3, 1, 1, Padding::Same, Activation::None), 1));
    t.push_back(tmpl("poolmax3x3", OpKind::PoolMax, param::pool(3, 3, 1, 1, Padding::Same, Activation::None), 1));
    t.push_back(tmpl("const_pool", OpKind::ConstPool, param::shape_list({4, 1, 3, 3}), 0));
    t.push_back(tmpl("const_iconv", OpKind::ConstIconv, param::shape_list({4, 4, 3, 3}), 0));
    t.push_back(tmpl("const_imm", OpKind::ConstImm, param::shape_list({4, 4}), 0));
    t.push_back(tmpl("const_one", OpKind::ConstOne, param::shape_list({2, 4, 5, 5}), 0));
    // TASO's enlarge is unary with a fixed 3x3 target; ours takes the target kernel as an
    // operand, so the template pairs a variable kernel with a 3x3 variable kernel.
    OpTemplate en = tmpl("enlarge3x3", OpKind::Enlarge, Params{}, 2);
    en.kernel = {3, 3};
    en.operands_are_variables = true;
    en.resize_only = true;
    t.push_back(en);
    OpTemplate sm = tmpl("smul", OpKind::Smul, Params{}, 2);
    sm.distinct_operands = true;
    t.push_back(sm);
    t.push_back(tmpl("relu", OpKind::Relu, Params{}, 1));
    t.push_back(concat("concat2d_1", 2, 1));
    t.push_back(concat("concat2d_0", 2, 0));
    t.push_back(concat("concat4d_1", 4, 1));
    t.push_back(concat("concat4d_0", 4, 0));
    t.push_back(tmpl("split_1", OpKind::Split, param::axis_param(1), 1));
    t.push_back(tmpl("split_0", OpKind::Split, param::axis_param(0), 1));
    t.push_back(tmpl("transpose", OpKind::Transpose, param::transpose({1, 0}, false), 1));
    t.push_back(tmpl("transpose_shuffle", OpKind::Transpose, param::transpose({1, 0}, true), 1));
    return t;
}

bool operand_shapes_fit(const OpTemplate& t, const TensorType& a, const TensorType* b) {
    if (t.rank >= 0 && static_cast<int>(a.rank()) != t.rank) return false;
    if (t.max_rank >= 0 && static_cast<int>(a.rank()) > t.max_rank) return false;
    if (b && !t.broadcast && t.arity == 2 && op_info(t.op).has(kElementwise) && a.dims != b->dims) return false;
    if (t.kernel[0] == 0 || !b) return true;
    if (b->rank() != 4) return false;
    for (size_t k = 0; k < 2; ++k)
        if (b->dims[2 + k].is_concrete() && b->dims[2 + k].value() != t.kernel[k]) return false;
    return true;
}

std::vector<OpTemplate> full_templates() {
    std::vector<OpTemplate> t = taso_templates();
    t.push_back(tmpl("sigmoid", OpKind::Sigmoid, Params{}, 1));
    t.push_back(tmpl("tanh", OpKind::Tanh, Params{}, 1));
    OpTemplate mm = tmpl("matmul_relu", OpKind::Matmul, param::matmul(Activation::Relu), 2);
    mm.distinct_operands = true;
    mm.max_rank = 3;
    t.push_back(mm);
    t.push_back(conv("conv3x1", 3, 1, Activation::None));
    t.push_back(conv("conv3x1_relu", 3, 1, Activation::Relu));
    return t;
}

fingerprint::ShapePlan unity_plan(uint64_t seed) {
    const Dim B = Dim::symbol(kN4), N = Dim::symbol(kN2), C = Dim::symbol(kC2);
    std::vector<Variable> vars;
    for (const char* n : {"x1", "x2"}) vars.push_back(var(n, Role::Activation, {B, N, C}));
    for (const char* n : {"w1", "w2"}) vars.push_back(var(n, Role::Weight, {B, C, C}));
    // Sizes divide by 8, so three partitions of one dimension still cut it evenly; the second
    // and third instantiations tell the three dimensions apart.
    std::vector<fingerprint::Instantiation> insts(3);
    insts[0].values = {{kN4, 8}, {kN2, 8}, {kC2, 8}};
    insts[1].values = {{kN4, 8}, {kN2, 8}, {kC2, 16}};
    insts[1].draws = 2;
    insts[2].values = {{kN4, 16}, {kN2, 8}, {kC2, 8}};
    return fingerprint::ShapePlan(std::move(vars), std::move(insts), 1, seed);
}

std::vector<OpTemplate> unity_templates() {
    std::vector<OpTemplate> t;
    for (Activation act : {Activation::None, Activation::Relu}) {
        OpTemplate mm = tmpl(act == Activation::None ? "matmul" : "matmul_relu", OpKind::Matmul, param::matmul(act), 2);
        mm.distinct_operands = true;
        t.push_back(mm);
    }
    t.push_back(tmpl("ewadd", OpKind::EwAdd, Params{}, 2));
    t.push_back(tmpl("ewmul", OpKind::EwMul, Params{}, 2));
    t.push_back(tmpl("relu", OpKind::Relu, Params{}, 1));
    for (int axis : {0, 1, 2}) {
        t.push_back(concat("concat3d_" + std::to_string(axis), 3, axis));
        t.push_back(tmpl("split3d_" + std::to_string(axis), OpKind::Split, param::axis_param(axis), 1));
    }
    for (int dim : {0, 1, 2}) {
        t.push_back(tmpl("repartition_" + std::to_string(dim), OpKind::Repartition,
                         param::partition(OpKind::Repartition, dim, 2), 1));
        t.push_back(
            tmpl("combine_" + std::to_string(dim), OpKind::Combine, param::partition(OpKind::Combine, dim, 2), 1));
    }
    t.push_back(tmpl("replicate", OpKind::Replicate, param::replica(2), 1));
    t.push_back(tmpl("reduction", OpKind::Reduction, param::replica(2), 1));
    return t;
}

fingerprint::ShapePlan transformer_plan(uint64_t seed) {
    const Dim N = Dim::symbol(kN2), D = Dim::symbol(kC2);
    std::vector<Variable> vars;
    for (const char* n : {"x1", "x2"}) vars.push_back(var(n, Role::Activation, {N, D}));
    vars.push_back(var("r1", Role::Activation, {N, Dim(1)}));  // per row: a mean, a mask column
    vars.push_back(var("c1", Role::Activation, {Dim(1), D}));  // per column: a bias, a norm's scale
    for (const char* n : {"w1", "w2"}) vars.push_back(var(n, Role::Weight, {D, D}));
    vars.push_back(var("s0", Role::Weight, {}));
    // N and D apart from each other and from 1 (a size 1 would make a row input broadcast like
    // an activation); the third swaps which is larger.
    std::vector<fingerprint::Instantiation> insts(3);
    insts[0].values = {{kN2, 2}, {kC2, 3}};
    insts[1].values = {{kN2, 3}, {kC2, 4}};
    insts[1].draws = 2;
    insts[2].values = {{kN2, 4}, {kC2, 2}};
    return fingerprint::ShapePlan(std::move(vars), std::move(insts), 1, seed);
}

std::vector<OpTemplate> transformer_templates() {
    std::vector<OpTemplate> t;
    OpTemplate mm = tmpl("matmul", OpKind::Matmul, param::matmul(Activation::None), 2);
    mm.distinct_operands = true;
    t.push_back(mm);
    t.push_back(tmpl("transpose", OpKind::Transpose, param::transpose({1, 0}, false), 1));
    t.push_back(concat("concat2d_0", 2, 0));
    t.push_back(concat("concat2d_1", 2, 1));
    t.push_back(tmpl("split_0", OpKind::Split, param::axis_param(0), 1));
    t.push_back(tmpl("split_1", OpKind::Split, param::axis_param(1), 1));
    // Element-wise binary operators broadcast the [N,1] and [1,D] inputs (issue 22).
    for (auto [name, op] : {std::pair{"ewadd", OpKind::EwAdd},
                            {"ewmul", OpKind::EwMul},
                            {"ewsub", OpKind::EwSub},
                            {"ewdiv", OpKind::EwDiv}}) {
        OpTemplate b = tmpl(name, op, Params{}, 2);
        b.broadcast = true;
        t.push_back(b);
    }
    OpTemplate sm = tmpl("smul", OpKind::Smul, Params{}, 2);
    sm.distinct_operands = true;
    t.push_back(sm);
    t.push_back(tmpl("exp", OpKind::Exp, Params{}, 1));
    t.push_back(tmpl("sqrt", OpKind::Sqrt, Params{}, 1));
    t.push_back(tmpl("gelu", OpKind::Gelu, Params{}, 1));
    for (int axis : {0, 1}) {
        const std::string a = std::to_string(axis);
        t.push_back(tmpl("reduce_sum_" + a, OpKind::ReduceSum, param::axis_param(axis), 1));
        t.push_back(tmpl("reduce_mean_" + a, OpKind::ReduceMean, param::axis_param(axis), 1));
        t.push_back(tmpl("softmax_" + a, OpKind::Softmax, param::axis_param(axis), 1));
    }
    t.push_back(tmpl("layernorm_1", OpKind::LayerNorm, param::axis_param(1), 1));
    t.push_back(tmpl("rmsnorm_1", OpKind::RmsNorm, param::axis_param(1), 1));
    return t;
}

EnumConfig preset_config(const std::string& preset, int max_ops) {
    // Checked here, before any caller opens a database or records a run (a --max-ops 99 once
    // left a run 'running' forever: enumerate() refused it only after the run was stored).
    if (max_ops < 1 || max_ops > kMaxOps)
        throw std::invalid_argument("--max-ops must be between 1 and " + std::to_string(kMaxOps) + ", got " +
                                    std::to_string(max_ops) + " (the largest graph the enumerator builds)");
    EnumConfig c;
    c.plan = taso_plan();
    if (preset == "taso")
        c.templates = taso_templates();
    else if (preset == "full")
        c.templates = full_templates();
    else if (preset == "unity") {
        c.templates = unity_templates();
        c.plan = unity_plan();
    } else if (preset == "transformer") {
        c.templates = transformer_templates();
        c.plan = transformer_plan();
    } else
        throw std::invalid_argument("unknown preset '" + preset + "' (known: taso, full, unity, transformer)");
    c.max_ops = max_ops;
    return c;
}

std::vector<OpTemplate> select_templates(const std::vector<OpTemplate>& all, const std::string& list) {
    std::vector<std::string> names;
    size_t start = 0;
    while (start <= list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        if (end > start) names.push_back(list.substr(start, end - start));
        start = end + 1;
    }
    std::vector<OpTemplate> out;
    for (const OpTemplate& t : all)
        for (const std::string& n : names)
            if (t.name == n) out.push_back(t);
    for (const std::string& n : names) {
        bool known = false;
        for (const OpTemplate& t : all) known |= t.name == n;
        if (!known) {
            std::string msg = "unknown operator template '" + n + "' (known:";
            for (const OpTemplate& t : all) msg += " " + t.name;
            throw std::invalid_argument(msg + ")");
        }
    }
    return out;
}

}  // namespace rf::enumerator
