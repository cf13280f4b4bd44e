// What the enumerator ranges over: operator templates (an operator with fixed parameters and
// the operand restrictions of a generator setting), the input variables with their shape plan,
// and the bound. `taso_preset()` is TASO's generator setting (src/generator/generator.cc): its
// 26 templates and its 20 variables, so that counts, time and memory compare one to one;
// `full_preset()` adds what ruleforge knows beyond it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "fingerprint/shape_plan.h"
#include "ir/op_kind.h"

namespace rf::enumerator {

class WorkExchange;

/// One operator with fixed parameters, plus the operand restrictions TASO's generator applies.
struct OpTemplate {
    std::string name;  ///< e.g. "conv3x3_relu"; what --ops selects
    OpKind op = OpKind::Relu;
    Params params;  ///< at the base shape; constants are re-shaped per instantiation
    int arity = 1;
    int rank = -1;                        ///< operand 0 must have this rank (-1: any)
    int max_rank = -1;                    ///< operand 0's rank is at most this (-1: any)
    std::array<int, 2> kernel{0, 0};      ///< operand 1's dims 2,3 must be these (0: any)
    bool data_not_weight_var = false;     ///< operand 0 is not a weight variable (TASO's conv)
    bool operands_are_variables = false;  ///< every operand is an input variable (TASO's enlarge)
    bool distinct_operands = false;       ///< operands differ (TASO's matmul, smul)
    /// An element-wise binary operator may broadcast length-1 axes (issue 22); off, its operands
    /// have one shape, as in TASO's presets, whose graphs stay what they were before broadcasting.
    bool broadcast = false;
    bool resize_only = false;  ///< enlarge: operand 0's kernel differs from operand 1's
};

/// Whether operands of types `a` and `b` (null for a unary template) meet the template's shape
/// restrictions: operand 0's rank, operand 1's kernel. A symbolic dimension meets any size. The
/// enumerator's operand test and compare's coverage test (pipeline/compare.cpp) both ask this.
bool operand_shapes_fit(const OpTemplate& t, const TensorType& a, const TensorType* b);

/// Everything one enumeration run depends on (the result is a pure function of it).
struct EnumConfig {
    std::vector<OpTemplate> templates;
    fingerprint::ShapePlan plan;
    int max_ops = 2;
    int max_outputs = 2;              ///< 1: single-output graphs only; 2: also two-output graphs
    int threads = 0;                  ///< 0: OpenMP's default
    uint64_t function_seed = 0x5eed;  ///< the random function standing for sigmoid/tanh
    int hash_bits = 128;              ///< test hook: fewer bits force fingerprint collisions
    bool progress = false;            ///< progress lines on stderr
    /// Processes sharing the work (enumerator/work_exchange.h); null: this process does it all.
    /// It changes where the work is done, never the result.
    WorkExchange* exchange = nullptr;
};

/// TASO's 20 variables (three 2x4 activations x1..x3, three 4x4 weights w1..w3, three 2x4x5x5
/// activations i1..i3, three 4x4x3x3, three 4x4x1x3, three 4x4x3x1 weights, one 4x1x3x3 weight,
/// one scalar) with symbolic shapes, TASO's shape as the base and two more instantiations.
fingerprint::ShapePlan taso_plan(uint64_t seed = 1);
/// TASO's 26 templates, in its order.
std::vector<OpTemplate> taso_templates();
/// TASO's templates plus sigmoid, tanh, matmul+relu and the 3x1 convolutions.
std::vector<OpTemplate> full_templates();

/// FlexFlow/Unity's parallelization setting, of rank 3 as FlexFlow's generator: two [B,N,C]
/// activations and two [B,C,C] weights, sizes multiples of 8 (docs/parallel.md).
fingerprint::ShapePlan unity_plan(uint64_t seed = 1);
/// Matmul (with and without relu), element-wise operators, relu, concat and split of rank 3, and
/// the four parallel operators (degree 2; repartition and combine on dimensions 0 to 2).
std::vector<OpTemplate> unity_templates();

/// The transformer setting (issue 22): two [N,D] activations, a per-row [N,1] and a per-column
/// [1,D] input, two [D,D] weights and a scalar, sizes told apart by the instantiations.
fingerprint::ShapePlan transformer_plan(uint64_t seed = 1);
/// matmul, transpose, concat and split of rank 2, the element-wise operators and smul, with the
/// transformer operators (exp, division, reductions, softmax, the norms) along axes 0 and 1.
std::vector<OpTemplate> transformer_templates();

/// "taso", "full", "unity" or "transformer"; throws std::invalid_argument for another name.
EnumConfig preset_config(const std::string& preset, int max_ops);
/// Keeps the templates named in a comma-separated list; throws std::invalid_argument naming an
/// unknown one (and listing the known names).
std::vector<OpTemplate> select_templates(const std::vector<OpTemplate>& all, const std::string& list);

}  // namespace rf::enumerator
