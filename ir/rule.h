// A rewrite rule: a name, a left and a right graph over one shared variable table, one output
// per rule output on each side. Construction (build_rule) refuses a right-hand variable that the
// left side does not bind, operands of the wrong arity or shape, and sides whose outputs differ
// in shape. Shapes are the most general ones the operators allow: a dimension symbol shared by
// two variables is a shape condition of the rule (`conditions()`).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/precondition.h"
#include "ir/rule_ast.h"

namespace rf {

struct Rule {
    std::string name;
    Graph lhs, rhs;  ///< lhs.variables() == rhs.variables()

    const std::vector<Variable>& variables() const { return lhs.variables(); }
    size_t num_outputs() const { return lhs.outputs().size(); }
    /// True when every variable's shape is concrete.
    bool is_concrete() const;
    /// Shape conditions the right side imposes beyond what the left side needs to type-check,
    /// in words ("x[1] = y[1]", "w[2] = 3"): the rule is proved under these. Empty for most.
    std::vector<std::string> conditions;
    /// Assumptions beyond the typing that the rule was proved under (ir/precondition.h): not part
    /// of the equation (canonical text and hash leave them out), but of what a consumer may do
    /// with it. Read from and printed in the native syntax's `assuming` clause.
    std::vector<Precondition> preconditions;
    /// Every dimension symbol the variables use, ascending.
    std::vector<SymbolId> symbols() const;
};

/// Types both sides (unifying dimensions; variables without a declaration get the most general
/// shape their uses allow) and builds the Rule. Throws ParseError at the offending term.
Rule build_rule(const RuleAst& ast);

/// The rule with every shape symbol replaced by a value. Throws TypeError when the values make
/// some operator ill-typed (e.g. a VALID window larger than its input).
Rule instantiate(const Rule& rule, const std::map<SymbolId, int64_t>& values);

/// The rule at its most general shapes: every integer dimension of a declared variable becomes a
/// fresh symbol (ranks, roles and symbols already shared are kept), so the typing keeps only the
/// equalities the operators need. A rule found at TASO's test shapes thereby states what holds
/// at every shape -- if it is proved so. Throws ParseError or TypeError if that does not type.
Rule generalize_shapes(const Rule& rule);
/// The same, but the channel dimensions of 4-D variables stay numbers (axis 1, and axis 0 of a
/// weight): the form to try when the fully general one is not proved, since a grouped
/// convolution's block structure is read from its channel counts.
Rule generalize_shapes_but_channels(const Rule& rule);
/// The same, but equal numbers become one symbol (every 4 the same symbol, every 3 another):
/// no number is left, and the equalities among the rule's dimensions stay as shape conditions.
/// The form to try when the fully general one is not proved because the rule needs some of its
/// dimensions equal (a concat's parts reordered with its kernel's, a square weight), which is
/// still a statement about every size rather than about TASO's test dimensions. `keep_ones`: a
/// dimension 1 stays 1 (a depthwise weight's channel count: the SMT encoding states the shapes
/// of dense and depthwise convolutions only, and the pointwise strategy reads a 1 as broadcast).
Rule generalize_shapes_tied(const Rule& rule, bool keep_ones = false);

/// Rules that say more than `rule` by telling apart the occurrences of one variable: for a
/// variable used at several places on the left side, each left occurrence gets its own variable
/// (same role and shape), and each right occurrence is one of them, in every way. E.g.
/// `ewadd(concat(a, b), concat(c, a)) => concat(ewadd(a, c), ewadd(b, a))`, found with only
/// three inputs of a shape, yields the four-variable rule among others. Nothing here says which
/// candidate holds: callers test and prove them. Candidates that do not type are left out; a
/// variable whose choices exceed `max_per_variable` is skipped.
std::vector<Rule> generalize_variables(const Rule& rule, size_t max_per_variable = 64);

/// A concrete instance of the rule: symbols get small values drawn from `seed`, retried until
/// the instance type-checks. Throws TypeError when none of `attempts` draws does.
Rule concrete_instance(const Rule& rule, uint64_t seed, int attempts = 64);

}  // namespace rf
