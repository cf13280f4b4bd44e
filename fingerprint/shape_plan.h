// The input variables a fingerprint ranges over, and the concrete worlds it evaluates them in.
//
// TASO fingerprints every graph at one fixed shape per variable, so a rule that holds only at
// that shape (a coincidence such as 2 + 2 == 4 between a batch and a channel size) becomes a
// candidate. A ShapePlan gives each variable a *symbolic* shape instead (dims over named
// symbols: batch, channels, height, ...); variables of one role group use the same symbols, as
// TASO's i1, i2, i3 share one shape, so rules that need equal shapes (the grouped-conv merge)
// stay candidates. The plan then lists several instantiations of the symbols -- one of them the
// base, at which graphs are built and printed -- and several random draws per instantiation.
// An evaluation point is one (instantiation, draw); input values are a pure function of the
// seed, the variable and the point, so every thread and every run sees the same numbers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/eval.h"
#include "ir/graph.h"

namespace rf::fingerprint {

/// One assignment of the plan's shape symbols, and how many random draws to evaluate at it.
struct Instantiation {
    std::map<SymbolId, int64_t> values;
    int draws = 1;
};

/// One (instantiation, draw) at which every graph is evaluated.
struct EvalPoint {
    int inst = 0;
    int draw = 0;
};

class ShapePlan {
public:
    ShapePlan() = default;
    /// `vars[i].type` may use symbols; `insts[base]` is the shape graphs are built at.
    /// Evaluation points are ordered by instantiation, then draw. With `modular`, inputs are
    /// uniform values of the modular domain (ir/eval.h) instead of integers in [-8, 8]: a plan
    /// whose operators need it (fingerprint_needs_modular) must say so, so that every value of
    /// its run is compared in one domain.
    ShapePlan(std::vector<Variable> vars, std::vector<Instantiation> insts, int base, uint64_t seed,
              bool modular = false);

    /// The variables with their symbolic types (as given).
    const std::vector<Variable>& symbolic_variables() const { return d_vars; }
    /// The variables at instantiation `inst` (concrete types).
    const std::vector<Variable>& variables_at(int inst) const { return d_concrete[inst]; }
    const std::vector<Variable>& base_variables() const { return d_concrete[d_base]; }
    int base() const { return d_base; }
    int num_insts() const { return static_cast<int>(d_insts.size()); }
    const std::vector<EvalPoint>& points() const { return d_points; }
    uint64_t seed() const { return d_seed; }

    bool modular() const { return d_modular; }
    /// The value of variable `var` at evaluation point `point` (integers in [-8, 8], or modular).
    const ExactTensor& input(int var, int point) const { return d_inputs[point][var]; }

    /// The shape a constant built at the base shape `base_dims` has at `inst`: constants follow
    /// the variable whose base shape they copy (TASO builds each constant from one variable's
    /// dims); a constant matching no variable keeps its shape.
    std::vector<int32_t> constant_shape(const std::vector<int32_t>& base_dims, int inst) const;

private:
    std::vector<Variable> d_vars;
    std::vector<Instantiation> d_insts;
    std::vector<std::vector<Variable>> d_concrete;  ///< per instantiation
    std::vector<EvalPoint> d_points;
    std::vector<std::vector<ExactTensor>> d_inputs;  ///< per point, per variable
    int d_base = 0;
    uint64_t d_seed = 0;
    bool d_modular = false;
};

/// Whether fingerprints of graphs with this operator need modular inputs: its value leaves the
/// rationals (kModular), or it divides (kDivides: integer inputs in [-8, 8] make divisors zero).
bool fingerprint_needs_modular(OpKind op);

/// A concrete type: every symbol replaced by its value (asserts that all are given).
TensorType instantiate_type(const TensorType& t, const std::map<SymbolId, int64_t>& values);

}  // namespace rf::fingerprint
