// Ties the prover's shape formulas (prover/op_symbols.cpp) to the IR's shape rules
// (ir/shape_rules.cpp), so the two statements of each operator's shapes cannot drift apart. For
// every operator with a formula, on many sampled operand shapes, well- and ill-typed, the
// formulas are evaluated on concrete tensors and must agree with try_infer_output_types:
//   - where the IR accepts the operands, every formula holds of the IR's result shape, and one of
//     them pins it (the same formula fails for a different result shape);
//   - where the IR rejects them, no formula claims a result shape (every guard is false).
// Whole (undistributed) tensors only: the parallel operators have formulas only in distributed
// queries, and reshape has none by design (its nodes get ground shape facts).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <variant>

#include "ir/shape_rules.h"
#include "prover/op_symbols.h"

using namespace rf;
using namespace rf::prover;

namespace {

constexpr int kMaxRank = 4;

// A concrete tensor for the evaluator: d_k for k < kMaxRank (0 beyond its rank).
using Dims = std::array<int64_t, kMaxRank>;

Dims dims_of(const TensorType& t) {
    Dims d{};
    for (size_t k = 0; k < t.rank(); ++k) d[k] = t.dims[k].value();
    return d;
}

// Evaluates the prover's formulas with its bound tensor variables standing for the operands and
// every application of the operator's symbol standing for the result `result`.
class Evaluator {
public:
    Evaluator(const Terms& t, const DimFuncs& d, FuncId op) : d_t(t), d_op(op) {
        for (int k = 0; k < d.max_rank(); ++k) d_dim_index[d.d[k]] = k;
    }
    std::vector<Dims> operands;
    Dims result{};
    int64_t split_position = 0;

    bool holds(TermId formula) { return std::get<bool>(eval(formula)); }

private:
    // A tensor is an operand's index, or -1 for the result.
    using Value = std::variant<bool, int64_t, int>;

    static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

    Value eval(TermId id) {
        const TermNode& n = d_t.node(id);
        auto num = [&](size_t i) { return std::get<int64_t>(eval(n.kids[i])); };
        auto truth = [&](size_t i) { return std::get<bool>(eval(n.kids[i])); };
        switch (n.op) {
            case TermOp::App: {
                if (n.func == d_op) return -1;
                auto it = d_dim_index.find(n.func);
                REQUIRE(it != d_dim_index.end());  // only d0..d{R-1} and the operator itself
                const int tensor = std::get<int>(eval(n.kids[0]));
                return tensor < 0 ? result[it->second] : operands.at(tensor)[it->second];
            }
            case TermOp::Var:
                if (n.sort == Sort::Int) return split_position;
                return std::stoi(n.name.substr(1));  // "x0", "x1", ...
            case TermOp::IntLit: return n.value;
            case TermOp::True: return true;
            case TermOp::False: return false;
            case TermOp::Eq: {
                Value a = eval(n.kids[0]), b = eval(n.kids[1]);
                return a == b;
            }
            case TermOp::Distinct: return eval(n.kids[0]) != eval(n.kids[1]);
            case TermOp::Not: return !truth(0);
            case TermOp::And:
                for (size_t i = 0; i < n.kids.size(); ++i)
                    if (!truth(i)) return false;
                return true;
            case TermOp::Or:
                for (size_t i = 0; i < n.kids.size(); ++i)
                    if (truth(i)) return true;
                return false;
            case TermOp::Implies: return !truth(0) || truth(1);
            case TermOp::Le: return num(0) <= num(1);
            case TermOp::Add: {
                int64_t s = 0;
                for (size_t i = 0; i < n.kids.size(); ++i) s += num(i);
                return s;
            }
            case TermOp::Sub: return num(0) - num(1);
            case TermOp::MulConst: return n.value * num(0);
            case TermOp::DivConst: return floor_div(num(0), n.value);
            case TermOp::ModConst: return num(0) - n.value * floor_div(num(0), n.value);
            // The operator's formulas quantify once, at the top, over its operands: the sample
            // binds them.
            case TermOp::Forall: return eval(d_t.quantifier(id).body);
            case TermOp::RealLit:
            case TermOp::Mul: break;
        }
        FAIL("unexpected term in a shape formula");
        return false;
    }

    const Terms& d_t;
    FuncId d_op;
    std::map<FuncId, int> d_dim_index;
};

TensorType random_type(std::mt19937& rng, int rank) {
    TensorType t;
    for (int k = 0; k < rank; ++k) t.dims.push_back(Dim(std::uniform_int_distribution<int>(1, 6)(rng)));
    return t;
}

// An operand list for `op` that is often well-typed: later operands start as copies of the first
// one (with a dimension changed now and then), conv2d and enlarge get channel- and kernel-shaped
// partners; and sometimes entirely random ranks and sizes.
std::vector<TensorType> sample_operands(std::mt19937& rng, OpKind op, int arity, const Params& p) {
    auto coin = [&](int in) { return std::uniform_int_distribution<int>(0, in - 1)(rng) == 0; };
    auto rank = [&] { return std::uniform_int_distribution<int>(0, kMaxRank)(rng); };
    std::vector<TensorType> in;
    if (arity == 0) return in;
    const bool wild = coin(4);
    const int r0 = wild ? rank()
                   : (op == OpKind::Conv2d || op == OpKind::PoolAvg || op == OpKind::PoolMax || op == OpKind::Enlarge)
                       ? 4
                   : op == OpKind::Matmul    ? 2 + coin(2)
                   : op == OpKind::Transpose ? static_cast<int>(param::list(p).size())
                                             : rank();
    in.push_back(random_type(rng, r0));
    if (op == OpKind::Split && !wild && param::axis(p) < r0) {
        const int axis = param::axis(p);
        const int64_t left = std::uniform_int_distribution<int>(1, 4)(rng);
        auto tree = std::make_shared<SplitTree>();
        tree->left_size = Dim(left);
        in[0].dims[axis] = Dim(left + std::uniform_int_distribution<int>(1, 4)(rng));
        in[0].set_split(axis, tree);
    }
    for (int i = 1; i < arity; ++i) {
        TensorType t = wild ? random_type(rng, rank()) : in[0];
        if (!wild && op == OpKind::Matmul && r0 >= 2) {
            t = random_type(rng, r0);
            if (!coin(4)) t.dims[r0 - 2] = in[0].dims[r0 - 1];
            if (r0 == 3 && !coin(4)) t.dims[0] = in[0].dims[0];
        } else if (!wild && op == OpKind::Conv2d) {
            t = random_type(rng, 4);  // [o, c/g, kh, kw]
            const int64_t c = in[0].dims[1].value();
            t.dims[1] = coin(3) ? Dim(1) : coin(2) ? Dim(c) : t.dims[1];
            if (coin(2)) t.dims[0] = Dim(c);
        } else if (!wild && op == OpKind::Enlarge) {
            t = random_type(rng, 4);
            for (int k : {2, 3})
                if (!coin(4)) t.dims[k] = in[0].dims[k] + Dim(2 * std::uniform_int_distribution<int>(0, 2)(rng));
        } else if (!wild && op == OpKind::Smul) {
            t = random_type(rng, coin(4) ? rank() : 0);
        } else if (!wild && t.rank() > 0 && coin(3)) {
            const size_t k = std::uniform_int_distribution<size_t>(0, t.rank() - 1)(rng);
            t.dims[k] = Dim(std::uniform_int_distribution<int>(1, 6)(rng));
        }
        in.push_back(t);
    }
    return in;
}

// Parameters to try for each operator: every stride, padding and axis the enumerator's presets
// use, and a few more.
std::vector<Params> sample_params(std::mt19937& rng, OpKind op) {
    std::vector<Params> out;
    switch (op) {
        case OpKind::Conv2d:
            for (int s : {1, 2})
                for (Padding pad : {Padding::Same, Padding::Valid})
                    out.push_back(param::conv2d(s, s, pad, Activation::None));
            out.push_back(param::conv2d(1, 2, Padding::Valid, Activation::Relu));
            break;
        case OpKind::Matmul: out.push_back(param::matmul(Activation::None)); break;
        case OpKind::PoolAvg:
        case OpKind::PoolMax:
            for (int k : {1, 2, 3})
                for (int s : {1, 2})
                    for (Padding pad : {Padding::Same, Padding::Valid})
                        out.push_back(param::pool(k, k + (s - 1), s, s, pad, Activation::None));
            break;
        case OpKind::Transpose:
            for (int r = 1; r <= kMaxRank; ++r)
                for (int i = 0; i < 3; ++i) {
                    std::vector<int32_t> perm(r);
                    for (int k = 0; k < r; ++k) perm[k] = k;
                    std::shuffle(perm.begin(), perm.end(), rng);
                    out.push_back(param::transpose(perm, false));
                }
            break;
        case OpKind::Concat:
        case OpKind::Split:
            for (int a = 0; a < kMaxRank; ++a) out.push_back(param::axis_param(a));
            break;
        case OpKind::ConstImm: out = {param::shape_list({3, 3}), param::shape_list({5, 5})}; break;
        case OpKind::ConstIconv: out = {param::shape_list({4, 4, 3, 3}), param::shape_list({2, 1, 1, 3})}; break;
        case OpKind::ConstOne:
            out = {param::shape_list({2, 4, 5, 5}), param::shape_list({3}), param::shape_list({})};
            break;
        case OpKind::ConstPool: out = {param::shape_list({4, 1, 3, 3})}; break;
        case OpKind::EwAdd:
        case OpKind::EwSub:
        case OpKind::EwMul:
        case OpKind::EwDiv:
        case OpKind::Smul:
        case OpKind::Relu:
        case OpKind::Sigmoid: RF_UNARY_ELEMENTWISE_CASES
        case OpKind::Tanh:
        case OpKind::Enlarge: out.push_back(Params{}); break;
        // No formula in a whole-tensor query (see the file comment).
        case OpKind::Input:
        case OpKind::Reshape:
        case OpKind::Repartition:
        case OpKind::Combine:
        case OpKind::Replicate:
        case OpKind::Reduction:
        case OpKind::ReduceSum:  // no formula yet (prover/op_symbols.cpp)
        case OpKind::ReduceMean:
        case OpKind::Softmax:
        case OpKind::LayerNorm:
        case OpKind::RmsNorm: break;
    }
    return out;
}

Dims perturbed(Dims d) {
    d[0] += 1;  // a rank-0 result becomes rank 1: a different shape either way
    return d;
}

struct Tally {
    int accepted = 0, rejected = 0;
};

}  // namespace

TEST_CASE("the prover's shape formulas agree with the IR's shape rules on sampled shapes", "[prover][shape]") {
    std::mt19937 rng(20);
    std::map<OpKind, Tally> tally;
    for (OpKind op : all_op_kinds()) {
        const OpInfo& info = op_info(op);
        for (const Params& p : sample_params(rng, op)) {
            for (int arity = info.min_arity; arity <= std::min(info.max_arity, 3); ++arity) {
                for (int output = 0; output < info.num_outputs; ++output) {
                    Terms t;
                    DimFuncs d = DimFuncs::declare(t, kMaxRank);
                    OpSig sig{op, p, arity, output};
                    const std::vector<TermId> formulas = shape_rule_formulas(t, d, sig);
                    REQUIRE(!formulas.empty());
                    Evaluator ev(t, d, declare_op(t, sig));
                    for (int sample = 0; sample < 60; ++sample) {
                        const std::vector<TensorType> in = sample_operands(rng, op, arity, p);
                        StrictUnifier u;
                        std::string why;
                        const auto out = try_infer_output_types(op, p, in, u, &why);
                        ev.operands.clear();
                        for (const TensorType& x : in) ev.operands.push_back(dims_of(x));
                        std::string where = std::string(op_symbol_name(sig)) + " on";
                        for (const TensorType& x : in) where += " " + x.to_string();
                        INFO(where << (out ? " -> " + (*out)[output].to_string() : " (ill-typed: " + why + ")"));
                        if (op == OpKind::Split && param::axis(p) < static_cast<int>(in[0].rank()) &&
                            in[0].split(param::axis(p)))
                            ev.split_position = in[0].split(param::axis(p))->left_size.value();
                        if (out) {
                            ++tally[op].accepted;
                            ev.result = dims_of((*out)[output]);
                            for (TermId f : formulas) CHECK(ev.holds(f));
                            // Grouped convolutions other than dense and depthwise are left to the
                            // rule's own typing (op_symbols.cpp): no formula pins them.
                            const bool modelled = op != OpKind::Conv2d ||
                                                  in[1].dims[1].value() == in[0].dims[1].value() ||
                                                  (in[1].dims[1].value() == 1 && in[1].dims[0] == in[0].dims[1]);
                            if (modelled) {
                                ev.result = perturbed(ev.result);
                                bool pinned = false;
                                for (TermId f : formulas) pinned = pinned || !ev.holds(f);
                                CHECK(pinned);
                            }
                        } else {
                            // A split without a concat boundary is ill-typed in the IR; the
                            // formula's cut position stands for the boundary, so it has no guard
                            // to fail. Every other rejection must leave every formula vacuous.
                            if (op == OpKind::Split && param::axis(p) < static_cast<int>(in[0].rank())) continue;
                            ++tally[op].rejected;
                            ev.result = Dims{7, 7, 7, 7};
                            for (TermId f : formulas) CHECK(ev.holds(f));
                            ev.result = Dims{};
                            for (TermId f : formulas) CHECK(ev.holds(f));
                        }
                    }
                }
            }
        }
    }
    // Every operator with a formula was seen accepted, and every one that can reject its operands
    // was seen rejecting them: the comparison above is not vacuous.
    for (OpKind op : all_op_kinds()) {
        if (sample_params(rng, op).empty()) continue;
        INFO(op_name(op));
        CHECK(tally[op].accepted > 10);
        const bool unary_elementwise = op_info(op).has(kElementwise) && op_info(op).max_arity == 1;
        if (op_info(op).min_arity > 0 && !unary_elementwise) CHECK(tally[op].rejected > 10);
    }
}
