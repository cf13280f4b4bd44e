// The reference evaluator: the meaning of every operator on concrete tensors, defined once and
// used by the fingerprinter (exact semantics), the prover's bounded checker and the applier's
// numeric validation (float semantics).
//
// Exact semantics: values are rationals held as int64 numerators over one positive denominator
// per tensor, so average pooling (a division by the window area) stays exact; every addition and
// multiplication is overflow-checked (EvalOverflow, never a silent wrap-around as in TASO). ReLU
// and max are the real ones. Sigmoid and tanh have no exact rational value: they are modelled as
// one fixed pseudo-random function of the exact input value (seeded), which is what equivalence
// of graphs can rely on without knowing the function.
// Float semantics: float32 with the real sigmoid/tanh, for comparing a model before and after a
// rewrite within a tolerance.
//
// Shared conventions (the same as TASO's and cuDNN's): NCHW layout; row-major storage; SAME
// padding pads (total = max((out-1)*stride + k - in, 0)) with total/2 before; average pooling
// divides by the full window area (padding counted); max pooling ignores padding; `enlarge`
// centres the kernel; `split` cuts at the concat boundary recorded in the input's type.
#pragma once

#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "ir/graph.h"

namespace rf {

/// One element of the modular domain (ir/eval_modular.cpp): its image in Z_p (kModP) and in
/// Z_q (kModQ, q = (p-1)/2), or kUnknownQ where the value came out of exp, sqrt, gelu or another
/// function the Z_q image cannot follow (only the Z_p image is then known).
struct ModValue {
    uint64_t p = 0, q = 0;
    bool operator==(const ModValue& o) const { return p == o.p && q == o.q; }
};
/// p: the largest safe prime below 2^62 (p = 2q + 1, q prime); w = 4 has order q in Z_p*.
inline constexpr uint64_t kModP = 4611686018427377339ULL;
inline constexpr uint64_t kModQ = 2305843009213688669ULL;
inline constexpr uint64_t kModGenerator = 4;
inline constexpr uint64_t kUnknownQ = ~uint64_t{0};

/// An exact tensor: element i is num[i] / den. Every tensor the evaluator returns is in lowest
/// terms (gcd(den, num...) == 1), a form unique to its value, so (dims, num, den) may be hashed.
///
/// Or, when `modular` is set, a tensor of the modular domain: values that rationals cannot hold
/// (exp, sqrt, gelu, softmax and the norms; see ir/eval_modular.cpp), held as their images
/// `mod` in Z_p x Z_q; `num` is then empty and `den` 1. Exact evaluation turns a node's result
/// modular when its operator needs it or an operand is modular; a ShapePlan whose operators need
/// it makes every input modular from the start, so that all values of such a run compare alike.
struct ExactTensor {
    std::vector<int64_t> dims;
    std::vector<int64_t> num;
    int64_t den = 1;
    bool modular = false;
    std::vector<ModValue> mod;
    /// Equal as rational tensors (dims and values), whatever the denominators; modular tensors
    /// compare their Z_p images (equal values have equal images; see ir/eval_modular.cpp).
    bool operator==(const ExactTensor& o) const;
    bool operator!=(const ExactTensor& o) const { return !(*this == o); }
};

struct FloatTensor {
    std::vector<int64_t> dims;
    std::vector<float> data;
};

/// A tensor over the prime field GF(p), p = 2^61 - 1 (kFieldPrime): element values in [0, p).
struct FieldTensor {
    std::vector<int64_t> dims;
    std::vector<uint64_t> data;
};
inline constexpr uint64_t kFieldPrime = (uint64_t{1} << 61) - 1;

/// A value escaped the int64 range during exact evaluation: the evaluation says nothing.
class EvalOverflow : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A value is undefined (a division by zero): like an overflow, the evaluation says nothing at
/// this point, so callers that skip overflowed points skip these too.
class EvalUndefined : public EvalOverflow {
public:
    using EvalOverflow::EvalOverflow;
};

/// The graph has a non-concrete type, or an input tensor's dims disagree with its variable.
class EvalError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Outputs of one node, given its operands' values (in operand order) and the operands' types
/// (one per operand; split reads its boundary from them). The node's output types must be
/// concrete. Throws EvalError when a value disagrees with its type.
std::vector<ExactTensor> eval_node_exact(const Node& node, const std::vector<const ExactTensor*>& in,
                                         const std::vector<TensorType>& in_types, uint64_t function_seed);
std::vector<FloatTensor> eval_node_float(const Node& node, const std::vector<const FloatTensor*>& in,
                                         const std::vector<TensorType>& in_types);

/// Evaluates the graph's outputs; `variables[i]` is the value of graph variable i (variables the
/// graph does not use may be empty).
std::vector<ExactTensor> evaluate_exact(const Graph& g, const std::vector<ExactTensor>& variables,
                                        uint64_t function_seed);
std::vector<FloatTensor> evaluate_float(const Graph& g, const std::vector<FloatTensor>& variables);
/// The same, and sets `near_zero_divisor` when an ewdiv divided by a value of magnitude below
/// `min_divisor`: where a divisor is zero in exact arithmetic, float rounding leaves a tiny one and
/// the quotient is noise, so such a point is no counterexample to a rule that holds where its
/// divisors are not zero.
std::vector<FloatTensor> evaluate_float(const Graph& g, const std::vector<FloatTensor>& variables, float min_divisor,
                                        bool& near_zero_divisor);

/// Field evaluation: the polynomial part of every operator (sums, products, division by a window
/// area) is the image of the exact semantics in GF(p); ReLU, sigmoid and tanh are seeded random
/// functions of their operand's value, and max pooling a seeded random symmetric function of its
/// window's multiset. The field has no order, so nothing about relu or max is used: two graphs
/// whose field values agree at random points are, with probability at least 1 - d/p per point
/// (Schwartz-Zippel, d the degree), equal as polynomials over uninterpreted relu/max/sigmoid/tanh,
/// and so equal under every interpretation of those -- the real one included. Evaluating one
/// graph costs one pass with no overflow checks and no denominators.
std::vector<FieldTensor> evaluate_field(const Graph& g, const std::vector<FieldTensor>& variables,
                                        uint64_t function_seed);
/// Uniform random field elements.
FieldTensor random_field(const TensorType& t, std::mt19937_64& rng);
/// The field image of an exact tensor (num * den^-1 mod p).
FieldTensor to_field(const ExactTensor& t);

/// Whether an operator's value leaves the rationals (exp, sqrt, gelu, softmax, layernorm,
/// rmsnorm): exact evaluation computes it in the modular domain.
bool needs_modular(OpKind op);
/// Whether some node of g needs the modular domain.
bool needs_modular(const Graph& g);
/// The modular image of a rational tensor (num * den^-1 in Z_p and in Z_q); a modular one as is.
ExactTensor to_modular(const ExactTensor& t);
/// Uniform random values of the modular domain: independent images in Z_p and Z_q.
ExactTensor random_modular(const TensorType& t, std::mt19937_64& rng);

/// Brings t to lowest terms (divides den and every numerator by their gcd); den must be positive.
void normalize(ExactTensor& t);

/// Random tensors of a concrete type: integers in [lo, hi] (denominator 1), floats in [lo, hi).
ExactTensor random_exact(const TensorType& t, std::mt19937_64& rng, int64_t lo = -8, int64_t hi = 8);
FloatTensor random_float(const TensorType& t, std::mt19937_64& rng, float lo = -1.f, float hi = 1.f);

}  // namespace rf
