// Derivability pruning (Ruler/Enumo): a rule whose left side rewrites to its right side using
// smaller kept rules adds no proving power, so the minimal set drops it and records which rules
// derive it.
//
// The search is bounded rewriting: breadth-first from both sides until they meet, each step applies one kept
// rule (in either direction when that direction binds all its variables) at one place, matching
// operators, parameters and shapes, commutative operands in either order (shared shape symbols are the rules' conditions, so a rule
// only applies where its conditions hold). Every rewritten graph is rebuilt through GraphBuilder,
// so an ill-typed rewrite is never taken. A "derivable" answer is therefore a concrete chain of
// sound steps; "not found" only means none within the budget (steps, states), and the result
// says which budget stopped it. An e-graph would search further for the same cost; this is the
// simple, auditable first version.
#pragma once

#include <bitset>
#include <cstddef>
#include <string>
#include <vector>

#include "ir/rule.h"

namespace rf::ruledb {

struct DeriveBudget {
    int max_steps = 3;         ///< rewrite steps from the left side
    size_t max_states = 4000;  ///< distinct graphs visited, half of them per side
    int max_extra_ops = 2;     ///< intermediate graphs may exceed the larger side by this many
};

struct Derivation {
    bool derivable = false;
    std::vector<size_t> rules_used;  ///< indices into the rule set, in the order applied
    int steps = 0;
    size_t states = 0;
    std::string stopped_by;  ///< "found", "exhausted" (no more rewrites), "steps" or "states"
};

/// The usable directions of a rule set, prepared once: minimize adds each kept rule as it keeps
/// it instead of re-reading thousands of rules for every target, and each direction carries the
/// operators its pattern needs, so a graph lacking one of them is not searched for a match.
class DerivationRules {
public:
    /// Adds the directions of `rule`, which is rules[index] of the set later passed to derive.
    void add(const Rule& rule, size_t index);

    struct Direction {
        size_t rule = 0;
        bool forward = true;
        std::bitset<kNumOpKinds> ops;  ///< every operator of the pattern
    };
    const std::vector<Direction>& directions() const { return d_directions; }

private:
    std::vector<Direction> d_directions;
};

/// Whether `target.lhs` rewrites to `target.rhs` with `rules`. Multi-output rules are used
/// where all their outputs match.
Derivation derive(const Rule& target, const std::vector<Rule>& rules, const DeriveBudget& budget = {});
/// The same with the directions of `rules` already prepared (in index order).
Derivation derive(const Rule& target, const std::vector<Rule>& rules, const DerivationRules& prepared,
                  const DeriveBudget& budget = {});

/// "common outer operator" when every output of both sides is the same operator (and
/// parameters) with at least one operand the same term on both sides, so a one-step derivation
/// of the rule happens inside the other operands: the rule is a smaller one in context. Empty
/// otherwise. minimize uses it to name why such a rule is pruned.
std::string context_kind(const Rule& r);

/// A key of a graph that keeps variable identity (unlike canonical_text, which renames) but not
/// node order or the order of commutative operands: two graphs over one variable table get one
/// key iff they compute the same terms up to commuting ewadd/ewmul operands.
std::string term_key(const Graph& g);

}  // namespace rf::ruledb
