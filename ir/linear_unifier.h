// The unifier rule typing solves shapes with: integer linear dimension expressions unified by
// substitution. Each solved symbol maps to an expression over unsolved symbols, so resolve() is
// one pass. Apart from rule.cpp because it is one concept with its own invariant (the
// substitution is kept fully resolved), used through the shape rules' DimUnifier interface.
#pragma once

#include <map>

#include "ir/shape_rules.h"

namespace rf {

class LinearUnifier final : public DimUnifier {
public:
    SymbolId fresh() { return d_next++; }
    void set_joins_boundaries(bool on) { d_join = on; }
    bool joins_boundaries() const override { return d_join; }

    /// Makes `a` and `b` equal by solving for one symbol with a unit coefficient; false when
    /// they are different constants or need a fractional solution (2*a = 3*b).
    bool unify(const Dim& a, const Dim& b) override;
    Dim resolve(const Dim& d) const override;
    /// The type with its dims resolved; boundaries are recomputed when the graph is rebuilt
    /// from the resolved variables, and the distribution is the type's own.
    TensorType resolve(const TensorType& t) const;

private:
    SymbolId d_next = 0;
    bool d_join = false;
    std::map<SymbolId, Dim> d_subst;
};

}  // namespace rf
