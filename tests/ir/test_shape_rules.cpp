// The shape rules' two faces agree: try_infer_output_types gives the verdict and reason that
// infer_output_types throws, and the rank summary rule typing uses (rank_rule) holds of every
// result inference accepts, on sampled operands of every operator.
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>

#include "ir/shape_rules.h"

using namespace rf;

namespace {

TensorType shape(std::initializer_list<int> dims) {
    TensorType t;
    for (int d : dims) t.dims.push_back(Dim(d));
    return t;
}

TensorType random_type(std::mt19937& rng, int rank) {
    TensorType t;
    for (int k = 0; k < rank; ++k) t.dims.push_back(Dim(std::uniform_int_distribution<int>(1, 4)(rng)));
    return t;
}

// Parameters that make each operator's rank facts show: axes and cut dimensions to reach,
// permutation and shape lengths that fix a rank.
std::vector<Params> params_for(OpKind op) {
    const OpInfo& info = op_info(op);
    if (op == OpKind::Conv2d) return {param::conv2d(1, 1, Padding::Same, Activation::None)};
    if (op == OpKind::Matmul) return {param::matmul(Activation::None)};
    if (op == OpKind::PoolAvg || op == OpKind::PoolMax)
        return {param::pool(1, 1, 1, 1, Padding::Same, Activation::None)};
    if (op == OpKind::Transpose)
        return {param::transpose({0}, false), param::transpose({1, 0}, false), param::transpose({2, 0, 1}, false)};
    if (op == OpKind::Concat || op == OpKind::Split) return {param::axis_param(0), param::axis_param(2)};
    if (op == OpKind::Repartition || op == OpKind::Combine)
        return {param::partition(op, 0, 2), param::partition(op, 2, 2)};
    if (op == OpKind::Replicate || op == OpKind::Reduction) return {param::replica(2)};
    if (op == OpKind::ConstImm) return {param::shape_list({2, 2})};
    if (op == OpKind::ConstIconv) return {param::shape_list({2, 2, 3, 3})};
    if (op == OpKind::ConstPool) return {param::shape_list({2, 1, 3, 3})};
    if (op == OpKind::ConstOne) return {param::shape_list({2, 3}), param::shape_list({1, 2, 3})};
    if (op == OpKind::Reshape) return {param::shape_list({4}), param::shape_list({2, 2})};
    if (!info.params.empty() && info.params[0].name == "axis") return {param::axis_param(0), param::axis_param(2)};
    REQUIRE(info.params.empty());
    return {Params{}};
}

}  // namespace

TEST_CASE("try_infer_output_types gives the verdict and reason infer_output_types throws", "[ir][shape]") {
    const std::vector<TensorType> in{shape({2, 3}), shape({4, 3})};
    StrictUnifier u;
    std::string why;
    CHECK_FALSE(try_infer_output_types(OpKind::EwAdd, Params{}, in, u, &why));
    CHECK(why == "ewadd: sizes of axis 0 differ: 2 vs 4 (inputs [2,3], [4,3])");
    CHECK_THROWS_WITH(infer_output_types(OpKind::EwAdd, Params{}, in, u), why);
    // Without a place for the reason, the verdict alone.
    CHECK_FALSE(try_infer_output_types(OpKind::EwAdd, Params{}, in, u));
    auto ok = try_infer_output_types(OpKind::Matmul, param::matmul(Activation::None), {shape({2, 3}), shape({3, 5})}, u,
                                     &why);
    REQUIRE(ok);
    CHECK((*ok)[0].to_string() == "[2,5]");
}

TEST_CASE("rank_rule holds of every result the shape rules accept", "[ir][shape]") {
    std::mt19937 rng(7);
    for (OpKind op : all_op_kinds()) {
        if (op == OpKind::Input) continue;
        const OpInfo& info = op_info(op);
        for (const Params& p : params_for(op)) {
            const RankRule rule = rank_rule(op, p);
            int accepted = 0;
            for (int sample = 0; sample < 400; ++sample) {
                const int arity = std::uniform_int_distribution<int>(info.min_arity, std::min(info.max_arity, 3))(rng);
                std::vector<TensorType> in;
                // Same-rank operands half of the time, so that multi-operand rules accept some.
                const int r0 = std::uniform_int_distribution<int>(0, 5)(rng);
                const bool same = sample % 2 == 0;
                for (int i = 0; i < arity; ++i) {
                    in.push_back(same && i > 0 ? in[0]
                                               : random_type(rng, std::uniform_int_distribution<int>(0, 5)(rng)));
                    if (i == 0) in[0] = random_type(rng, r0);
                }
                if (op == OpKind::Split && !in.empty() && param::axis(p) < static_cast<int>(in[0].rank())) {
                    auto tree = std::make_shared<SplitTree>();
                    tree->left_size = Dim(1);
                    in[0].dims[param::axis(p)] = Dim(3);
                    in[0].set_split(param::axis(p), tree);
                }
                if ((op == OpKind::Smul) && arity == 2 && same) in[1] = TensorType{};
                if (op == OpKind::Reduction && !in.empty()) in[0].replicas = 2;
                if (op == OpKind::Combine && param::parallel_dim(p) < static_cast<int>(in[0].rank())) {
                    in[0].dims[param::parallel_dim(p)] = Dim(4);
                    in[0].set_degree(param::parallel_dim(p), 2);
                }
                StrictUnifier u;
                auto out = try_infer_output_types(op, p, in, u);
                if (!out) continue;
                ++accepted;
                const int result = static_cast<int>((*out)[0].rank());
                INFO(op_name(op) << " accepted operands of ranks " << (in.empty() ? -1 : int(in[0].rank()))
                                 << " -> rank " << result);
                if (rule.result >= 0) CHECK(result == rule.result);
                CHECK(result >= rule.reach);
                for (size_t i = 0; i < in.size(); ++i) {
                    const int need = rule.operand_rank(i);
                    if (need == RankRule::kAsResult) CHECK(static_cast<int>(in[i].rank()) == result);
                    if (need >= 0) CHECK(static_cast<int>(in[i].rank()) == need);
                }
            }
            INFO(op_name(op));
            CHECK(accepted > 0);  // the check above was exercised
        }
    }
}

TEST_CASE("rank_rule states the ranks rule typing relies on", "[ir][shape]") {
    // Without these, rule text such as conv2d(x, w) or smul(x, s) would type x with a guessed
    // rank (tests/ir/test_native_text.cpp shows the typed rules); here the facts themselves.
    CHECK(rank_rule(OpKind::Conv2d, param::conv2d(1, 1, Padding::Same, Activation::None)).operand_rank(1) == 4);
    CHECK(rank_rule(OpKind::Smul, Params{}).operand_rank(1) == 0);
    CHECK(rank_rule(OpKind::Smul, Params{}).operand_rank(0) == RankRule::kAsResult);
    CHECK(rank_rule(OpKind::Transpose, param::transpose({2, 0, 1}, false)).result == 3);
    CHECK(rank_rule(OpKind::Concat, param::axis_param(2)).reach == 3);
    CHECK(rank_rule(OpKind::Reshape, param::shape_list({4})).operand_rank(0) == RankRule::kFree);
}
