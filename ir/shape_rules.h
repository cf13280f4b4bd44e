// Shape rules: for each operator, which input types it accepts and which output types it
// yields, with parameter validation. Written once against a DimUnifier so the same rules serve
// concrete graphs (dimensions must already be equal) and rule text without shapes (dimensions
// are unified, finding the most general shapes and the conditions a rule needs).
#pragma once

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

/// The output types of `op` applied to inputs of the given types. Throws TypeError naming the
/// operator, the parameter or the shapes at fault. Arity is checked by the caller.
std::vector<TensorType> infer_output_types(OpKind op, const Params& params,
                                           const std::vector<TensorType>& inputs, DimUnifier& u);

/// Rank each input of `op` must have, or -1 when it depends on the other inputs.
int required_rank(OpKind op, const Params& params, int input_index);

}  // namespace rf
