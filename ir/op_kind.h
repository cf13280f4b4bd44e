// The operator catalogue: one X-macro list of every operator kind, whose columns are every fact
// about an operator that is data (spellings in each syntax and consumer, arity, outputs,
// traits, parameter layout), and a metadata table derived from it. Everything that must cover
// all operators with behaviour -- the shape rules, the evaluator, the SMT symbols -- switches
// over `OpKind` without a `default:`, so that -Wswitch (an error in this build) finds every
// place a new operator must reach.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rf {

// Traits of an operator, or-ed in the `traits` column below.
inline constexpr unsigned kNoTraits = 0;
inline constexpr unsigned kConstant = 1u << 0;     ///< no operands; its shape is its parameter
inline constexpr unsigned kElementwise = 1u << 1;  ///< result[i] depends on operand[i] only, same shape
inline constexpr unsigned kUsesOrder = 1u << 2;    ///< its meaning needs the order of the reals (max)
inline constexpr unsigned kPartition = 1u << 3;    ///< parallel: cuts or joins one dimension
inline constexpr unsigned kReplica = 1u << 4;      ///< parallel: copies or sums replicas
/// Its value leaves the rationals (exp, sqrt): exact evaluation computes it in the modular
/// domain (ir/eval_modular.cpp).
inline constexpr unsigned kModular = 1u << 5;
/// Divides by an operand's value: undefined at a zero divisor, so fingerprints draw inputs from
/// the modular domain, where a random divisor is zero with probability ~1/p (ir/eval.h).
inline constexpr unsigned kDivides = 1u << 6;

// The one operator list. Every per-operator fact that is data is a column here; code that needs
// an operator's behaviour (shape rule, evaluator, SMT symbol) switches over OpKind without a
// `default:`, so the compiler names those places (docs/adding-an-operator.md).
//
// X(Kind, native spelling, TENSAT spelling ("" = not expressible), min arity, max arity,
//   outputs, commutative, traits, parameter layout (ir/op_kind.cpp),
//   TASO OpType number (-1 = none), FlexFlow JSON spelling ("" = none), ONNX op_type ("" = none))
#define RF_OPS(X)                                                                                               \
    X(Input, "input", "", 0, 0, 1, false, kNoTraits, kNoParams, -1, "", "")                                     \
    X(Conv2d, "conv2d", "conv2d", 2, 2, 1, false, kNoTraits, kConv2dParams, 3, "OP_CONV2D", "Conv")             \
    X(Matmul, "matmul", "matmul", 2, 2, 1, false, kNoTraits, kMatmulParams, 18, "OP_LINEAR", "MatMul")          \
    X(EwAdd, "ewadd", "ewadd", 2, 2, 1, true, kElementwise, kNoParams, 16, "OP_EW_ADD", "Add")                  \
    X(EwMul, "ewmul", "ewmul", 2, 2, 1, true, kElementwise, kNoParams, 17, "OP_EW_MUL", "Mul")                  \
    X(Smul, "smul", "smul", 2, 2, 1, false, kNoTraits, kNoParams, 19, "OP_MUL", "")                             \
    X(Relu, "relu", "relu", 1, 1, 1, false, kElementwise | kUsesOrder, kNoParams, 8, "OP_RELU", "Relu")         \
    X(Sigmoid, "sigmoid", "sigmoid", 1, 1, 1, false, kElementwise, kNoParams, 9, "OP_SIGMOID", "Sigmoid")       \
    X(Tanh, "tanh", "tanh", 1, 1, 1, false, kElementwise, kNoParams, 10, "OP_TANH", "Tanh")                     \
    X(Transpose, "transpose", "transpose", 1, 1, 1, false, kNoTraits, kTransposeParams, 15, "OP_TRANSPOSE",     \
      "Transpose")                                                                                              \
    X(Concat, "concat", "concat", 2, 8, 1, false, kNoTraits, kAxisParams, 12, "OP_CONCAT", "Concat")            \
    X(Split, "split", "split", 1, 1, 2, false, kNoTraits, kAxisParams, 13, "OP_SPLIT", "Split")                 \
    X(PoolAvg, "poolavg", "poolavg", 1, 1, 1, false, kNoTraits, kPoolParams, 7, "OP_POOL2D_AVG", "AveragePool") \
    X(PoolMax, "poolmax", "poolmax", 1, 1, 1, false, kUsesOrder, kPoolParams, 6, "OP_POOL2D_MAX", "MaxPool")    \
    X(Enlarge, "enlarge", "enlarge", 2, 2, 1, false, kNoTraits, kNoParams, 20, "OP_ENLARGE", "")                \
    X(ConstImm, "const_imm", "", 0, 0, 1, false, kConstant, kShapeParams, 22, "OP_CONSTANT_IMM", "")            \
    X(ConstIconv, "const_iconv", "", 0, 0, 1, false, kConstant, kShapeParams, 23, "OP_CONSTANT_ICONV", "")      \
    X(ConstOne, "const_one", "", 0, 0, 1, false, kConstant, kShapeParams, 24, "OP_CONSTANT_ONE", "")            \
    X(ConstPool, "const_pool", "", 0, 0, 1, false, kConstant, kShapeParams, 25, "OP_CONSTANT_POOL", "")         \
    X(Reshape, "reshape", "reshape", 1, 1, 1, false, kNoTraits, kShapeParams, 14, "OP_RESHAPE", "Reshape")      \
    X(Repartition, "repartition", "", 1, 1, 1, false, kPartition, kPartitionParams, -1, "OP_PARTITION", "")     \
    X(Combine, "combine", "", 1, 1, 1, false, kPartition, kPartitionParams, -1, "OP_COMBINE", "")               \
    X(Replicate, "replicate", "", 1, 1, 1, false, kReplica, kReplicaParams, -1, "OP_REPLICATE", "")             \
    X(Reduction, "reduction", "", 1, 1, 1, false, kReplica, kReplicaParams, -1, "OP_REDUCE", "")                \
    X(EwSub, "ewsub", "", 2, 2, 1, false, kElementwise, kNoParams, -1, "", "Sub")                               \
    X(EwDiv, "ewdiv", "", 2, 2, 1, false, kElementwise | kDivides, kNoParams, -1, "", "Div")                    \
    X(ReduceSum, "reduce_sum", "", 1, 1, 1, false, kNoTraits, kAxisParams, -1, "", "ReduceSum")                 \
    X(ReduceMean, "reduce_mean", "", 1, 1, 1, false, kNoTraits, kAxisParams, -1, "", "ReduceMean")              \
    X(Softmax, "softmax", "", 1, 1, 1, false, kModular, kAxisParams, -1, "", "Softmax")                         \
    X(LayerNorm, "layernorm", "", 1, 1, 1, false, kModular, kAxisParams, -1, "", "LayerNormalization")          \
    X(RmsNorm, "rmsnorm", "", 1, 1, 1, false, kModular, kAxisParams, -1, "", "RMSNormalization")                \
    RF_UNARY_ELEMENTWISE_OPS(X)

// The same-shape unary family: parameterless element-wise unary operators whose value is one
// scalar function, given for every domain (exact, field, float, CUDA) by its entry in
// ir/elementwise_ops.h. Same columns as RF_OPS, which includes these rows; traits must contain
// kElementwise and the layout must be kNoParams (static_asserts in ir/elementwise_ops.h). Every
// switch over OpKind lists the family with RF_UNARY_ELEMENTWISE_CASES, so a row here reaches
// the shape rules, TENSAT slots, SMT symbols, the pointwise strategy and the consumers without
// an edit there (docs/adding-an-operator.md). relu, sigmoid and tanh are not in it: they are
// also fused activations, with their own per-domain code.
#define RF_UNARY_ELEMENTWISE_OPS(X)                                                         \
    X(Exp, "exp", "", 1, 1, 1, false, kElementwise | kModular, kNoParams, -1, "", "Exp")    \
    X(Sqrt, "sqrt", "", 1, 1, 1, false, kElementwise | kModular, kNoParams, -1, "", "Sqrt") \
    X(Gelu, "gelu", "", 1, 1, 1, false, kElementwise | kModular, kNoParams, -1, "", "Gelu")

// `case OpKind::K:` for every operator of the same-shape unary family (possibly none).
#define RF_UNARY_ELEMENTWISE_CASE(kind, ...) case OpKind::kind:
#define RF_UNARY_ELEMENTWISE_CASES RF_UNARY_ELEMENTWISE_OPS(RF_UNARY_ELEMENTWISE_CASE)

enum class OpKind : uint8_t {
#define RF_OP_ENUM(kind, ...) kind,
    RF_OPS(RF_OP_ENUM)
#undef RF_OP_ENUM
};

#define RF_OP_COUNT_ONE(...) +1
inline constexpr int kNumOpKinds = 0 RF_OPS(RF_OP_COUNT_ONE);
#undef RF_OP_COUNT_ONE

/// Padding, numbered as TASO and TENSAT number it.
enum class Padding : int32_t { Same = 0, Valid = 1 };
/// Fused activation, numbered as TASO numbers it (TENSAT writes 0 none, 2 relu).
enum class Activation : int32_t { None = 0, Sigmoid = 1, Relu = 2, Tanh = 3 };

/// How a parameter is written and stored.
enum class ParamKind : uint8_t {
    Int,         ///< one integer (axis, shuffle flag)
    Pair,        ///< two integers, written [h,w] (kernel, stride)
    Padding,     ///< same | valid
    Activation,  ///< none | sigmoid | relu | tanh
    List,        ///< up to kMaxListLen integers, written [a,b,...] (permutation, shape)
};

inline constexpr int kMaxListLen = 8;
inline constexpr int kParamSlots = 10;

struct ParamSpec {
    std::string_view name;
    ParamKind kind;
    int slot;               ///< first slot in Params::v; a List stores its length there
    int32_t default_value;  ///< for Int/Padding/Activation; Pair uses it for both halves
    bool has_default;
};

/// Parameters of one node, in slots laid out by the operator's ParamSpecs. Fixed size so a node
/// carries no heap allocation for them and compares/hashes as plain data.
struct Params {
    std::array<int32_t, kParamSlots> v{};
    bool operator==(const Params& o) const { return v == o.v; }
    bool operator!=(const Params& o) const { return v != o.v; }
    bool operator<(const Params& o) const { return v < o.v; }
};

struct OpInfo {
    OpKind kind;
    std::string_view name;         ///< native spelling
    std::string_view tensat_name;  ///< "" when TENSAT cannot express it
    int min_arity, max_arity, num_outputs;
    bool commutative;
    unsigned traits;  ///< kConstant | kElementwise | ...
    std::vector<ParamSpec> params;
    int32_t taso_op;                 ///< TASO's OpType number; -1 when TASO has no such operator
    std::string_view flexflow_name;  ///< FlexFlow JSON's "type"; "" when it has none
    std::string_view onnx_name;      ///< ONNX op_type; "" when no ONNX operator is this one
    bool has(unsigned trait) const { return (traits & trait) != 0; }
};

const OpInfo& op_info(OpKind k);
/// repartition, combine, replicate, reduction: they change a tensor's distribution.
bool is_parallel_op(OpKind k);
/// repartition, combine: they take a dimension as well as a degree.
bool is_partition_op(OpKind k);
/// const_imm, const_iconv, const_one, const_pool: no operands, the shape is a parameter.
bool is_constant_op(OpKind k);
/// Whether a node's meaning needs the order of the reals: the operator itself (relu, max
/// pooling) or a fused relu activation. The prover's field model cannot decide such identities.
bool uses_order(OpKind k, const Params& p);
const char* op_name(OpKind k);
std::optional<OpKind> op_from_name(std::string_view native_name);
/// The operator ONNX spells `op_type`, if the catalogue has one.
std::optional<OpKind> op_from_onnx_name(std::string_view op_type);
/// The operator FlexFlow's JSON spells `type`, if the catalogue has one.
std::optional<OpKind> op_from_flexflow_name(std::string_view type);
/// The operator TASO numbers `op_type`, if the catalogue has one.
std::optional<OpKind> op_from_taso_op(int32_t op_type);
/// Every kind in catalogue order.
const std::vector<OpKind>& all_op_kinds();

// Typed access to parameters, so callers never index slots by hand.
namespace param {
int32_t axis(const Params& p);                     // concat, split, reductions, softmax, the norms
Padding padding(const Params& p, OpKind k);        // conv2d, pool
Activation activation(const Params& p, OpKind k);  // conv2d, matmul, pool (None for others)
std::array<int32_t, 2> stride(const Params& p, OpKind k);
std::array<int32_t, 2> kernel(const Params& p);            // pool
std::vector<int32_t> list(const Params& p, int slot = 0);  // perm, shape
bool shuffle(const Params& p);                             // transpose
int32_t parallel_dim(const Params& p);                     // repartition, combine
int32_t degree(const Params& p, OpKind k);                 // the four parallel operators

Params conv2d(int sh, int sw, Padding pad, Activation act);
Params matmul(Activation act);
Params pool(int kh, int kw, int sh, int sw, Padding pad, Activation act);
Params axis_param(int axis);
Params transpose(const std::vector<int32_t>& perm, bool shuffle);
Params shape_list(const std::vector<int32_t>& dims);  // constants, reshape
Params input(int32_t variable);
Params partition(OpKind k, int32_t dim, int32_t degree);  // repartition, combine
Params replica(int32_t degree);                           // replicate, reduction
int32_t variable(const Params& p);
}  // namespace param

const char* padding_name(Padding p);
const char* activation_name(Activation a);

}  // namespace rf
