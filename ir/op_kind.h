// The operator catalogue: one X-macro list of every operator kind, and a metadata table derived
// from it (spelling, arity, outputs, parameters). Everything that must cover all operators -- the
// shape rules, the evaluator, the printers, the exporters -- switches over `OpKind` without a
// `default:`, so that -Wswitch (an error in this build) finds every place a new operator must
// reach.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rf {

// X(Kind, native spelling, TENSAT spelling ("" = not expressible), min arity, max arity,
//   outputs, commutative)
#define RF_OPS(X)                                                          \
    X(Input, "input", "", 0, 0, 1, false)                                  \
    X(Conv2d, "conv2d", "conv2d", 2, 2, 1, false)                          \
    X(Matmul, "matmul", "matmul", 2, 2, 1, false)                          \
    X(EwAdd, "ewadd", "ewadd", 2, 2, 1, true)                              \
    X(EwMul, "ewmul", "ewmul", 2, 2, 1, true)                              \
    X(Smul, "smul", "smul", 2, 2, 1, false)                                \
    X(Relu, "relu", "relu", 1, 1, 1, false)                                \
    X(Sigmoid, "sigmoid", "sigmoid", 1, 1, 1, false)                       \
    X(Tanh, "tanh", "tanh", 1, 1, 1, false)                                \
    X(Transpose, "transpose", "transpose", 1, 1, 1, false)                 \
    X(Concat, "concat", "concat", 2, 8, 1, false)                          \
    X(Split, "split", "split", 1, 1, 2, false)                             \
    X(PoolAvg, "poolavg", "poolavg", 1, 1, 1, false)                       \
    X(PoolMax, "poolmax", "poolmax", 1, 1, 1, false)                       \
    X(Enlarge, "enlarge", "enlarge", 2, 2, 1, false)                       \
    X(ConstImm, "const_imm", "", 0, 0, 1, false)                           \
    X(ConstIconv, "const_iconv", "", 0, 0, 1, false)                       \
    X(ConstOne, "const_one", "", 0, 0, 1, false)                           \
    X(ConstPool, "const_pool", "", 0, 0, 1, false)                         \
    X(Reshape, "reshape", "reshape", 1, 1, 1, false)                       \
    X(Repartition, "repartition", "", 1, 1, 1, false)                      \
    X(Combine, "combine", "", 1, 1, 1, false)                              \
    X(Replicate, "replicate", "", 1, 1, 1, false)                          \
    X(Reduction, "reduction", "", 1, 1, 1, false)

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
    Int,      ///< one integer (axis, shuffle flag)
    Pair,     ///< two integers, written [h,w] (kernel, stride)
    Padding,  ///< same | valid
    Activation,  ///< none | sigmoid | relu | tanh
    List,     ///< up to kMaxListLen integers, written [a,b,...] (permutation, shape)
};

inline constexpr int kMaxListLen = 8;
inline constexpr int kParamSlots = 10;

struct ParamSpec {
    std::string_view name;
    ParamKind kind;
    int slot;             ///< first slot in Params::v; a List stores its length there
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
    std::vector<ParamSpec> params;
};

const OpInfo& op_info(OpKind k);
/// repartition, combine, replicate, reduction: they change a tensor's distribution.
bool is_parallel_op(OpKind k);
/// repartition, combine: they take a dimension as well as a degree.
bool is_partition_op(OpKind k);
const char* op_name(OpKind k);
std::optional<OpKind> op_from_name(std::string_view native_name);
/// Every kind in catalogue order.
const std::vector<OpKind>& all_op_kinds();

// Typed access to parameters, so callers never index slots by hand.
namespace param {
int32_t axis(const Params& p);             // concat, split
Padding padding(const Params& p, OpKind k);          // conv2d, pool
Activation activation(const Params& p, OpKind k);    // conv2d, matmul, pool (None for others)
std::array<int32_t, 2> stride(const Params& p, OpKind k);
std::array<int32_t, 2> kernel(const Params& p);  // pool
std::vector<int32_t> list(const Params& p, int slot = 0);  // perm, shape
bool shuffle(const Params& p);              // transpose
int32_t parallel_dim(const Params& p);      // repartition, combine
int32_t degree(const Params& p, OpKind k);  // the four parallel operators

Params conv2d(int sh, int sw, Padding pad, Activation act);
Params matmul(Activation act);
Params pool(int kh, int kw, int sh, int sw, Padding pad, Activation act);
Params axis_param(int axis);
Params transpose(const std::vector<int32_t>& perm, bool shuffle);
Params shape_list(const std::vector<int32_t>& dims);  // constants, reshape
Params input(int32_t variable);
Params partition(OpKind k, int32_t dim, int32_t degree);  // repartition, combine
Params replica(int32_t degree);                            // replicate, reduction
int32_t variable(const Params& p);
}  // namespace param

const char* padding_name(Padding p);
const char* activation_name(Activation a);

}  // namespace rf
