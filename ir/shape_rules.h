// Shape rules: for each operator, which input types it accepts and which output types it
// yields, with parameter validation, and the ranks they fix. Written once against a DimUnifier
// so the same rules serve concrete graphs (dimensions must already be equal) and rule text
// without shapes (dimensions are unified, finding the most general shapes and the conditions a
// rule needs).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace rf {

class DimUnifier {
public:
    virtual ~DimUnifier() = default;
    /// Makes a and b equal, or returns false when they cannot be.
    virtual bool unify(const Dim& a, const Dim& b) = 0;
    /// The current value of a dimension under what has been unified so far.
    virtual Dim resolve(const Dim& d) const = 0;
    /// Whether an element-wise operator may make its operands' concat boundaries coincide (by
    /// unifying their positions) instead of dropping them: rule typing retries so when a split
    /// needs a boundary that shapeless rule text cannot state (FlexFlow's JSON, TASO's protobuf).
    virtual bool joins_boundaries() const { return false; }
};

/// Dimensions are equal only when identical: for graphs whose types are already known.
class StrictUnifier final : public DimUnifier {
public:
    bool unify(const Dim& a, const Dim& b) override { return a == b; }
    Dim resolve(const Dim& d) const override { return d; }
};

/// The output types of `op` applied to inputs of the given types, or nullopt when the operator
/// rejects them; then `why`, when given, says why, naming the operator, the parameter or the
/// shapes at fault. Arity is checked by the caller. Without `why` no message is built: the
/// enumerator asks this of millions of operand pairs, most of them ill-typed.
std::optional<std::vector<TensorType>> try_infer_output_types(OpKind op, const Params& params,
                                                              const std::vector<TensorType>& inputs, DimUnifier& u,
                                                              std::string* why = nullptr);

/// As try_infer_output_types, for callers to whom an ill-typed operator is a user's error:
/// throws TypeError with the reason.
std::vector<TensorType> infer_output_types(OpKind op, const Params& params, const std::vector<TensorType>& inputs,
                                           DimUnifier& u);

/// The ranks an operator's shape rule fixes, for typing rule text before any shape is known
/// (ir/rule.cpp). Stated here beside the rules it summarises; tests/ir/test_shape_rules.cpp
/// checks it against try_infer_output_types on sampled shapes.
struct RankRule {
    static constexpr int kFree = -1;           ///< any rank (as far as ranks go)
    static constexpr int kAsResult = -2;       ///< the result's rank (element-wise, concat, transpose)
    int result = kFree;                        ///< the result's rank when the operator or its parameters fix it
    std::array<int, 2> operand{kFree, kFree};  ///< the first operand; every later one
    int reach = 0;                             ///< an axis or cut dimension: the rank must exceed it
    int operand_rank(size_t i) const { return operand[i == 0 ? 0 : 1]; }
};
RankRule rank_rule(OpKind op, const Params& params);

}  // namespace rf
