// The .smt2 file ruleforge writes for a rule's query (check --smt2-dir, export --to smt2): the
// query preceded by a header that says what a solver answers for this rule, and a solver limit,
// so that a file re-checked on its own says what it is and cannot hang (a refuted rule's query
// has no unsat proof to find, and a quantified search for sat need not end).
#pragma once

#include <string>

#include "prover/checker.h"
#include "prover/encoding.h"

namespace rf::prover {

/// The resource limit written into every file (SMT-LIB's :reproducible-resource-limit, which
/// z3 and cvc5 both honour and neither rejects): far above what a proved rule's query takes,
/// low enough that a query with no proof ends in seconds to minutes with `unknown`.
inline constexpr long kSmt2ResourceLimit = 5000000;

/// The file's text: header (the rule's verdict and the answer to expect), limit, query.
std::string smt2_file_text(const Query& q, Verdict verdict);

/// The query a proof of `rule` answers, named `name`, built by the encoder alone (no solver
/// runs): the scalar query when the proof was `pointwise` (and the rule has one), else the
/// rule under the axioms with the assumptions of its preconditions. For a rule proved by
/// Checker::check, the query that check() reports.
Query proof_query(const Rule& rule, const AxiomSet& axioms, const std::string& name, bool pointwise);

}  // namespace rf::prover
