// The prover's axioms as data: operator properties read from a rule file in the native syntax
// (prover/axioms.rf, embedded in the binary at build time so `ruleforge` works from any
// directory), each with a name, its statement and its shape condition (the `where` clause).
//
// The file format is the native rule syntax plus one convenience: `{a|b|...}` groups on a line
// expand in lockstep into one axiom per alternative, so parameter variants (padding, activation,
// axis, rank) stay one line. The set's version is a hash of the file text, recorded with every
// proof for provenance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ir/rule.h"

namespace rf::prover {

/// Which tensors an axiom speaks of (set by `%scope` lines of the axiom file):
///  - Whole: tensors that live whole on one device (the default; the axioms TASO's verifier has);
///  - Any: tensors of any distribution (docs/parallel.md), the declared ones as declared;
///  - Defined: any distribution, whenever its left side is a tensor (not ill-typed): for
///    equalities such as combine(repartition(x)) = x whose right side is defined more often.
enum class AxiomScope { Whole, Any, Defined };
const char* axiom_scope_name(AxiomScope s);

struct Axiom {
    std::string name;
    AxiomScope scope = AxiomScope::Whole;
    std::string statement;  ///< the expanded source line, native syntax
    Rule rule;              ///< both sides typed by build_rule
    /// Variables whose declared shape is the axiom's condition (the others are unconstrained).
    std::vector<std::string> declared;
    std::string condition;  ///< the `where` clause in words ("" when none)
    SourceLoc loc;
};

struct AxiomSet {
    std::vector<Axiom> axioms;
    std::string version;  ///< "axioms-<16 hex digits>": XXH3 of the file text
    std::string source;   ///< file name the set was read from ("<builtin>" when embedded)

    /// The axiom with this name, or nullptr.
    const Axiom* find(const std::string& name) const;
};

/// Parses an axiom file. Throws ParseError (file:line:col) for a malformed or unnamed axiom,
/// a duplicate name, or template groups of different lengths.
AxiomSet parse_axiom_set(std::string_view text, const std::string& file);

/// The axioms built into this binary (prover/axioms.rf at build time); parsed once.
const AxiomSet& builtin_axioms();
/// The text of prover/axioms.rf as embedded at build time.
std::string_view builtin_axiom_text();

/// Expands the `{a|b}` groups of one line (exposed for tests); a line without groups is
/// returned alone. Throws std::invalid_argument for unbalanced braces or unequal groups.
std::vector<std::string> expand_template_line(const std::string& line);

}  // namespace rf::prover
