// TASO's operator and parameter numbering (OpType, PMParameter), and the translation between a
// TASO-numbered operator and ruleforge's OpKind + Params, in both directions. TASO's protobuf
// writes these numbers and FlexFlow's JSON writes their names (OP_CONV2D, PM_AXIS), so both
// formats share this one translation; each only adds its spelling.
//
// Reading accepts what TASO's loader and TASO's generator write (the generator's one-operand
// pooling and enlarge, the constants). Writing produces only what TASO's substitution loader
// (src/core/substitution.cc) loads: conv2d, matmul, ewadd, ewmul, scalar mul, relu, sigmoid,
// tanh, concat, split, transpose, enlarge. Its loader asserts on anything else, so a rule with
// another operator is left out with the reason, never written.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "exporters/op_list.h"

namespace rf::exporters {

/// TASO's OpType numbers.
enum class TasoOp : int32_t {
    Input = 0,
    Weight = 1,
    Any = 2,
    Conv2d = 3,
    Dropout = 4,
    Linear = 5,
    PoolMax = 6,
    PoolAvg = 7,
    Relu = 8,
    Sigmoid = 9,
    Tanh = 10,
    Batchnorm = 11,
    Concat = 12,
    Split = 13,
    Reshape = 14,
    Transpose = 15,
    EwAdd = 16,
    EwMul = 17,
    Matmul = 18,
    Mul = 19,
    Enlarge = 20,
    MergeGconv = 21,
    ConstImm = 22,
    ConstIconv = 23,
    ConstOne = 24,
    ConstPool = 25,
};
inline constexpr int32_t kTasoOpCount = 26;

/// TASO's PMParameter numbers.
enum class TasoParam : int32_t {
    OpType = 0,
    NumInputs = 1,
    NumOutputs = 2,
    Group = 3,
    KernelH = 4,
    KernelW = 5,
    StrideH = 6,
    StrideW = 7,
    Pad = 8,
    Acti = 9,
    NumDim = 10,
    Axis = 11,
    Perm = 12,
    OutShuffle = 13,
};
inline constexpr int32_t kTasoParamCount = 14;

/// "CONV2D" for 3; nullptr for a number TASO does not define.
const char* taso_op_name(int32_t type);
/// "KERNEL_H" for 4; nullptr for a number TASO does not define.
const char* taso_param_name(int32_t key);
/// "CONV2D (3)", or "unknown type 99 (99)"-style text for messages.
std::string taso_op_label(int32_t type);

/// One operator as TASO numbers it: type, operands, (key, value) parameters in written order.
struct TasoOperator {
    int32_t type = 0;
    std::vector<OperandRef> inputs;
    std::vector<std::pair<int32_t, int32_t>> params;
};

/// What the operator is written for: TASO's protobuf loader, or FlexFlow's JSON loader (which
/// knows max pooling but not average pooling, and no TASO constants either).
enum class TasoTarget { Taso, Flexflow };

/// The TASO form of a listed operator. Throws NotExpressible ("operator poolavg: ...") when the
/// target's loader would refuse it.
TasoOperator encode_taso_op(const ListedOp& op, TasoTarget target);

/// An operator valid in the source format that ruleforge's IR does not have (TASO's BATCHNORM,
/// FlexFlow's OP_PARTITION): the rule is reported as unsupported, not as malformed.
class UnsupportedOp : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The ruleforge form of a TASO operator. `label` names it in messages ("srcOp 2 (CONV2D)").
/// Throws UnsupportedOp, or LiftError for an unknown type or key, a missing or out-of-range
/// parameter, a wrong operand count. Constants get the shapes TASO's generator gives them
/// (the protobuf states only their kernel size): const_imm [4,4], const_iconv [4,4,KH,KW],
/// const_one [2,4,5,5], const_pool [4,1,KH,KW].
DecodedOp decode_taso_op(const TasoOperator& op, const std::string& label);

/// TASO's transpose permutation as one integer: the entries as digits in base ndim, most
/// significant first ([1,0] -> 2).
int32_t encode_permutation(const std::vector<int32_t>& perm);
/// The inverse; nullopt unless `code` is a permutation of 0..ndim-1 in that encoding.
std::optional<std::vector<int32_t>> decode_permutation(int32_t code, int32_t ndim);

}  // namespace rf::exporters
