// How operators appear in the SMT encoding: each operator with its parameters is one
// uninterpreted function over the tensor sort (parameters baked into the name, as in
// `conv2d_s1x1_same_relu`), and each comes with its shape rule as a quantified formula over the
// dimension functions d0..d{R-1}: "if the operands have shapes this operator accepts, the result
// has this shape". The shape rules are what lets an axiom's shape condition be checked on terms
// the solver builds itself, not only on the rule's own nodes.
//
// Dimension convention: a tensor of rank r has d_k >= 1 for k < r and d_k = 0 for k >= r, so
// "same shape" is "same d_k for every k" and the rank needs no function of its own.
#pragma once

#include <string>
#include <vector>

#include "ir/op_kind.h"
#include "prover/term.h"

namespace rf::prover {

/// One function symbol: an operator, its parameters, its arity and which output it yields.
struct OpSig {
    OpKind op = OpKind::Input;
    Params params;
    int arity = 0;
    int output = 0;
    bool operator<(const OpSig& o) const;
};

/// The SMT function name, e.g. "conv2d_s1x1_same_none", "concat2_a1", "split0_a1".
std::string op_symbol_name(const OpSig& sig);

/// The dimension functions d0..d{rank-1}: T -> Int; for a query about distributed tensors also
/// the degree functions g0..g{rank-1} and the replica count rep (docs/parallel.md). A tensor of
/// rank r has g_k = 1 for k >= r. Whole tensors have every g_k = 1 and rep = 1.
struct DimFuncs {
    std::vector<FuncId> d;
    std::vector<FuncId> g;  ///< empty unless the query is distributed
    FuncId rep = 0;
    /// Degrees of a cut dimension that occur in the query: the repartition shape rule is stated
    /// once per value, which keeps its divisibility condition linear.
    std::vector<int32_t> degree_values;
    static DimFuncs declare(Terms& terms, int max_rank, bool distributed = false);
    TermId dim(Terms& terms, int k, TermId t) const { return terms.app(d[k], {t}); }
    int max_rank() const { return static_cast<int>(d.size()); }
    bool distributed() const { return !g.empty(); }
    TermId degree(Terms& terms, int k, TermId t) const { return terms.app(g[k], {t}); }
    TermId replicas(Terms& terms, TermId t) const { return terms.app(rep, {t}); }
    /// g_k(t) = 1 for every k and rep(t) = 1 (true when the query is not distributed).
    TermId whole(Terms& terms, TermId t) const;
    /// Same degrees and replicas (true when the query is not distributed).
    TermId same_distribution(Terms& terms, TermId a, TermId b) const;
};

/// Declares the function symbol of `sig` (a split output also takes its cut position as an Int).
FuncId declare_op(Terms& terms, const OpSig& sig);

/// The shape rule of `sig` as closed formulas (quantified, or ground for constants); empty for
/// operators whose result shape the encoding does not model (reshape: only the rule's own
/// reshape nodes get their shapes, as ground facts).
std::vector<TermId> shape_rule_formulas(Terms& terms, const DimFuncs& dims, const OpSig& sig);

}  // namespace rf::prover
