// Finding where a rule's left side occurs in a model graph.
//
// A match maps every operator node of the rule's left side onto a model node with the same
// operator and parameters, and every rule variable onto a model value, consistently (a variable
// used twice binds one value). Commutative operators are tried in both operand orders. A
// structural match is only a *site* when the shapes agree too: the rule's shape symbols are
// solved from the bound values' concrete dimensions, a symbol shared by two variables must get
// one value (that is how a rule states its shape conditions), and the rule instantiated at those
// values must type-check and reproduce the model's types at every matched node. Conditions the
// prover added to prove the rule (Rule::preconditions: dense convolutions, shared shapes per
// role) are checked on the instance as well, so a rule is only ever applied where its proof holds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/rule.h"

namespace rf::applier {

struct Match {
    std::vector<ValueRef> bindings;  ///< per rule variable: the model value it stands for
    std::vector<ValueRef> roots;     ///< per rule output: the model value the left side computes
    std::vector<uint32_t> nodes;     ///< model nodes of the left side's operators, ascending
    Rule instance;                   ///< the rule at the model's shapes (both sides concrete)

    /// "n17" (the first root's node), "n17+n23" for a rule with several outputs.
    std::string site() const;
};

struct MatchOptions {
    size_t limit = SIZE_MAX;  ///< stop after this many matches
};

/// Every site of `rule`'s left side in `g`, in order of the first root's node. The rule's
/// variables may have symbolic shapes; `g` must be concrete. A left side that is a bare variable
/// matches nothing (it would match every value).
std::vector<Match> find_matches(const Graph& g, const Rule& rule, const MatchOptions& options = {});

/// The rule read right to left; throws std::invalid_argument when its right side does not use
/// every variable (the reversed rule would leave one unbound).
Rule reversed(const Rule& rule);

}  // namespace rf::applier
