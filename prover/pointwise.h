// The pointwise strategy: a rule holds when, at one symbolic position of each output, the scalar
// identity it implies holds for all real values. This decides, without axioms, every rule built
// from element-wise operators (ewadd, ewmul, smul, relu, sigmoid, tanh, const_one, transpose as an
// index map), and with the multilinear normal form below many more.
//
// Why: E-matching over quantified axioms gives up early on true element-wise goals that need
// sign facts (x*x >= 0, relu(a*x) = a*relu(x) for a >= 0) or scalar algebra; nonlinear real
// arithmetic is decidable (z3's nlsat), so those goals are better decided than searched.
//
// Translation (sound for every rule; complete for the element-wise fragment):
//  - Every value is first put in a multilinear normal form: a sum of (scalar coefficient x tensor
//    atom). ewadd adds, smul scales, and the linear operators (matmul and conv2d without fused
//    activation, transpose, enlarge's kernel, poolavg) distribute over sums and pull scalar
//    coefficients out, so `matmul(smul(x, s), y)` and `smul(matmul(x, y), s)` meet at
//    s * matmul(x, y). A fused activation is its element-wise operator applied afterwards.
//  - An atom's element at a position is then a real term: a variable's element is a fresh real
//    per (variable, index map); element-wise operators act on the reals (relu as max(x, 0), a
//    fresh real with its two defining cases; sigmoid and tanh uninterpreted, by Ackermann
//    constraints so the query stays in QF_NRA); transpose permutes the position; const_one is 1.
//  - Any other operator application (matmul, conv2d, concat, pools, the other constants, ...) is
//    an opaque real per (normalised application, index map): equal normal forms give the same
//    real, so the identity is a consequence of the normalisation, never of an assumption.
// Treating distinct index maps (and opaque applications) as independent reals generalises the
// goal, so a valid scalar identity proves the rule at every shape; an invalid one proves nothing
// (refutation stays the bounded checker's job). The shuffle flag of transpose is a layout hint
// and is ignored, as the evaluator ignores it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/rule.h"
#include "prover/encoding.h"
#include "prover/scalar_algebra.h"

namespace rf::prover {

/// A fault planted on purpose, so that tests can show a wrong normalisation step ends as an
/// error (the bounded checker refutes the "proof"), never as "proved".
/// PoolKernelAnyStride: a pooled identity kernel counts as the pool kernel at any stride and
/// padding of the pooling (only stride 1, SAME is right). GroupsReadFirstChannels: every group
/// of a grouped convolution reads the input's first channels (each reads its own). ExpIsAdditive:
/// exp(a + b) is taken as exp(a) + exp(b) instead of exp(a) * exp(b). SumForgetsLength: a sum
/// along an axis of a value constant along it is the value (not length times it).
/// AlgebraExpIsAdditive: ExpIsAdditive's wrong step in the algebraic normal form
/// (prover/scalar_algebra.h) instead of the query.
enum class PointwiseFault {
    None,
    ReluIsIdentity,
    PoolKernelAnyStride,
    GroupsReadFirstChannels,
    ExpIsAdditive,
    SumForgetsLength,
    AlgebraExpIsAdditive
};

/// How a query treats the divisors of ewdiv (prover/pointwise_transformer.cpp): claim nothing
/// at a zero divisor, assume every divisor non-zero (the rule's nonzero_divisors precondition),
/// or ask instead whether some divisor can be zero (unsat: none can, so no condition is needed).
enum class DivisorMode { Free, AssumeNonZero, AskZero };

struct PointwiseQuery {
    Query query;                      ///< QF_NRA: unsat means the scalar identity (so the rule) holds
    std::string identity;             ///< the scalar identity, lhs = rhs per output, for reports
    std::vector<std::string> opaque;  ///< operators whose elements are opaque reals (none: element-wise)
    bool normalised = false;          ///< the multilinear normal form changed something (a linear op was seen)
    size_t divisors = 0;              ///< divisions in the query
    /// Each output's two scalars (lhs, rhs): the identity, for the algebraic decision.
    std::vector<std::pair<TermId, TermId>> sides;
    /// What the query's fresh reals stand for (exp, reciprocals under the non-zero-divisor
    /// assumption, relu and the uninterpreted functions), for the algebraic decision.
    std::vector<ScalarDefinition> definitions;
};

/// decide_by_algebra (prover/scalar_algebra.h) on the query's identity; when it is Equal, the
/// exp facts it used are added to the query (so that the query alone is unsat, and its
/// SMT-LIB2 file re-checks the decision).
AlgebraDecision decide_pointwise_by_algebra(PointwiseQuery& pq, AlgebraFault fault = AlgebraFault::None);

/// The scalar query of `rule`, or nullopt (with `why`) when the rule is outside what the
/// translation handles (distributed tensors, a smul whose scalar is not rank 0).
std::optional<PointwiseQuery> encode_pointwise(const Rule& rule, std::string& why,
                                               PointwiseFault fault = PointwiseFault::None,
                                               DivisorMode divisors = DivisorMode::Free);

}  // namespace rf::prover
