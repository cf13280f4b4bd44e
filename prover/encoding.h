// The SMT encoding of "does this rule follow from the axioms?", as a solver-neutral Query.
//
// Modelling (after TASO's verifier, with shapes added): every tensor is an element of one
// uninterpreted sort T; every operator with its parameters is an uninterpreted function
// (prover/op_symbols.h); the integer functions d0..d{R-1} give each tensor's dimensions. The
// intended model is "every well-typed tensor, plus one ill-typed value that operators return on
// operands they cannot take"; every formula asserted here is true in it:
//  - axioms (prover/axioms.rf): universally quantified equalities guarded by their declared shape
//    conditions, with patterns (the left side, and the right side when it is not smaller);
//  - shape rules of the operators that occur (prover/op_symbols.h);
//  - facts: the rule's variables are constants, shape symbols are positive integer constants, and
//    every node of both sides has the dimensions the rule's typing gives it. These hold for every
//    instance of the rule in which both sides are well-typed, which is what a rule claims;
//  - assumptions: extra shape conditions the caller proves the rule under (reported with it);
//  - the goal: lhs_i != rhs_i for some output i.
// Unsat means the rule holds under its conditions (and the assumptions); sat or unknown says
// nothing about the rule: the axioms are incomplete and the quantifiers undecidable, so
// refutation is the bounded semantic checker's job, not the solver's.
#pragma once

#include <string>
#include <vector>

#include "ir/dim.h"
#include "ir/rule.h"
#include "prover/axiom_set.h"
#include "prover/term.h"

namespace rf::prover {

enum class AssertionKind { Axiom, ShapeRule, Fact, Assumption, Goal };

struct Assertion {
    std::string name;   ///< SMT-LIB-safe unique name (":named" in SMT-LIB2, core tracking)
    std::string label;  ///< what it is, for people: an axiom name, "goal", an assumption's text
    AssertionKind kind;
    TermId formula;
};

/// One closed satisfiability query: unsat means proved.
struct Query {
    std::string name;
    Terms terms;
    std::vector<Assertion> assertions;
    std::string axiom_version;
    /// The SMT-LIB logic: UFLIA for the quantified tensor encoding, QF_NRA for a pointwise
    /// scalar identity (prover/pointwise.h), which z3 decides with nlsat.
    std::string logic = "UFLIA";
};

/// An extra shape condition over the rule's symbols: lhs = rhs, with its text for reports.
struct Assumption {
    std::string text;  ///< e.g. "input_7[1] = input_10[1]"
    Dim lhs, rhs;
};

struct EncodeOptions {
    /// Include only axioms that can fire: those whose pattern side uses only function symbols
    /// that the rule or an already included axiom can produce. Never affects soundness.
    bool relevant_axioms_only = true;
};

/// The query "rule does not hold": facts of both sides, relevant axioms and shape rules, the
/// assumptions, and the goal. Throws std::invalid_argument for an axiom whose condition the
/// encoding cannot state (a malformed axiom file).
Query encode_rule(const Rule& rule, const AxiomSet& axioms, const std::vector<Assumption>& assumptions = {},
                  const EncodeOptions& options = {});

/// A quantifier-free query that is sat exactly when the rule's shape symbols (all >= 1) can
/// satisfy the assumptions: proving a rule under inconsistent assumptions would prove nothing.
Query encode_assumptions(const Rule& rule, const std::vector<Assumption>& assumptions);

}  // namespace rf::prover
