// What a proof attempt says, as a value: Proved (with the axioms the solver's unsat core used),
// Refuted (with a counterexample; only the bounded semantic checker produces these), Unknown
// (with the reason: a model of the axioms was found, the solver gave up, or it threw), or
// Timeout. Expected outcomes are values; nothing here is thrown.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace rf::prover {

struct Proved {
    std::vector<std::string> axioms_used;  ///< axiom names from the unsat core, sorted
    /// How it was proved: "e-matching" (quantified axioms, the core above) or "pointwise" (a
    /// scalar identity over the reals after the multilinear normal form, prover/pointwise.h).
    std::string strategy = "e-matching";
    std::string detail;  ///< pointwise: the scalar identity decided ("" for e-matching)
};
struct Refuted {
    std::string counterexample;
};
struct Unknown {
    std::string reason;
};
struct Timeout {};

struct ProofResult {
    std::variant<Proved, Refuted, Unknown, Timeout> outcome = Unknown{"not run"};
    double seconds = 0;
    std::string backend;  ///< "z3", "cvc5"

    bool proved() const { return std::holds_alternative<Proved>(outcome); }
    bool refuted() const { return std::holds_alternative<Refuted>(outcome); }
    bool timed_out() const { return std::holds_alternative<Timeout>(outcome); }
};

/// "proved", "refuted", "unknown" or "timeout".
const char* verdict_name(const ProofResult& r);

}  // namespace rf::prover
