// One interface over the SMT solvers. A Backend owns its solver context (a Z3 context, a cvc5
// Solver): create one per thread and never share it, since neither library's objects may be
// used from two threads. Only prover/backends/*.cpp include solver headers; everything else sees
// this interface and ProofResult values.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prover/encoding.h"
#include "prover/proof_result.h"

namespace rf::prover {

enum class BackendKind { Z3, Cvc5 };
const char* backend_name(BackendKind k);
std::optional<BackendKind> backend_from_name(std::string_view name);

/// Outcome of a satisfiability check of a quantifier-free query (used for assumptions).
enum class SatAnswer { Sat, Unsat, Unknown };

class Backend {
public:
    virtual ~Backend() = default;
    virtual BackendKind kind() const = 0;
    /// Checks q (unsat = proved) within timeout_ms. Never throws: solver errors become Unknown
    /// with the solver's message; the unsat core names the axioms used.
    virtual ProofResult prove(const Query& q, int timeout_ms) = 0;
    /// Plain satisfiability of q (no core), e.g. to check that assumptions are consistent.
    virtual SatAnswer check_sat(const Query& q, int timeout_ms) = 0;
};

/// A fresh back-end with its own solver context.
std::unique_ptr<Backend> make_backend(BackendKind k);
std::unique_ptr<Backend> make_z3_backend();
std::unique_ptr<Backend> make_cvc5_backend();

}  // namespace rf::prover
