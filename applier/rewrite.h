// Replacing matched left sides by the rule's right side, one site or many at once.
//
// The rewritten graph is built afresh through GraphBuilder, so every new node is type-checked
// against the model's concrete shapes ("the result type-checks" is not a separate pass) and
// equal nodes are merged. Each match's right side is instantiated over the model values its
// variables are bound to; every use of a replaced root then reads the right side's output. Nodes
// nothing reaches any more (the left side's interior, unless used elsewhere) are dropped. The
// variable table is the original one, so the two graphs take the same inputs and weights.
#pragma once

#include <stdexcept>
#include <vector>

#include "applier/match.h"
#include "ir/graph.h"

namespace rf::applier {

/// The rewrite would make a value depend on itself (possible only for rules with several
/// outputs, or sites combined badly): not applicable, the graph is unchanged.
class RewriteError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// `g` with every match applied. The matches must replace distinct roots (see
/// compatible_sites). Throws RewriteError on a cycle and TypeError if a right side does not
/// type-check at the model's shapes (a rule bug: match() already instantiated it).
Graph apply_matches(const Graph& g, const std::vector<const Match*>& matches);
Graph apply_match(const Graph& g, const Match& m);

/// Indices of a greedy maximal subset of `matches` (in order) whose left sides share no model
/// node, so that they can be rewritten together.
std::vector<size_t> compatible_sites(const std::vector<Match>& matches);

}  // namespace rf::applier
