// SMT-LIB2 text of a Query, printed from the neutral encoding (not from a solver), so the file is
// the audit trail: the stand-alone `z3` and `cvc5` binaries re-check it and answer `unsat` for a
// proved rule, then print the unsat core (the named assertions used).
#pragma once

#include <string>

#include "prover/encoding.h"

namespace rf::prover {

/// The whole query as a self-contained SMT-LIB2 script: options, logic, declarations, named
/// assertions, (check-sat) and (get-unsat-core).
std::string to_smtlib(const Query& q);

/// One term in SMT-LIB2 syntax (for messages and tests).
std::string term_to_smtlib(const Terms& terms, TermId t);

}  // namespace rf::prover
