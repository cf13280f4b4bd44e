// rank_rule: the ranks each operator's shape rule fixes, stated per operator beside
// ir/shape_rules.cpp (which checks shapes) so that rule typing (ir/rule.cpp) can fix ranks before
// any shape is known; tests/ir/test_shape_rules.cpp ties the two together on sampled shapes.
#include "ir/shape_rules.h"

namespace rf {

RankRule rank_rule(OpKind op, const Params& p) {
    RankRule r;
    auto shared = [&](int result = RankRule::kFree, int reach = 0) {
        r.result = result;
        r.operand = {RankRule::kAsResult, RankRule::kAsResult};
        r.reach = reach;
        return r;
    };
    switch (op) {
        case OpKind::Conv2d:
        case OpKind::PoolAvg:
        case OpKind::PoolMax:
        case OpKind::Enlarge:
            r.result = 4;
            r.operand = {4, 4};
            return r;
        case OpKind::Smul: r.operand = {RankRule::kAsResult, 0}; return r;
        case OpKind::Transpose: return shared(p.v[0]);  // the permutation's length
        case OpKind::Concat:
        case OpKind::Split:
        case OpKind::ReduceSum:
        case OpKind::ReduceMean:
        case OpKind::Softmax:
        case OpKind::LayerNorm:
        case OpKind::RmsNorm: return shared(RankRule::kFree, param::axis(p) + 1);
        case OpKind::Repartition:
        case OpKind::Combine: return shared(RankRule::kFree, param::parallel_dim(p) + 1);
        case OpKind::Matmul:  // rank 2 to 4: not one rank, so the operands only agree
        case OpKind::EwAdd:
        case OpKind::EwSub:
        case OpKind::EwMul:
        case OpKind::EwDiv:
        case OpKind::Relu:
        case OpKind::Sigmoid: RF_UNARY_ELEMENTWISE_CASES
        case OpKind::Tanh:
        case OpKind::Replicate:
        case OpKind::Reduction: return shared();
        case OpKind::ConstImm:
        case OpKind::ConstIconv:
        case OpKind::ConstOne:
        case OpKind::ConstPool:
        case OpKind::Reshape: r.result = p.v[0]; return r;  // the shape's length
        case OpKind::Input: return r;
    }
    return r;
}

}  // namespace rf
