// Proving one rule end to end: encode it, run the chosen back-ends, and if the rule does not
// follow as stated, try again under standard shape assumptions (each checked to be satisfiable,
// so a proof is never vacuous) and report the rule as proved *under* them:
//   1. every convolution of the left side is dense (groups = 1: weight channels = input
//      channels), for rules whose typing leaves the group count open;
//   2. in addition, variables of one role and rank share their shape, as TASO's generator
//      inputs do (the grouped-conv merge needs it).
// With several back-ends a rule is proved only when all of them prove it at the same level;
// when some prove it and some do not, the result says so (`disagreement`).
// The bounded semantic checker (bounded_check.h) then runs independently of the axioms: on a
// rule the solvers did not prove it looks for a counterexample (Refuted), and on a proved rule
// it re-tests it under the same assumptions -- a counterexample there means an unsound axiom,
// reported as an Error, never as a proof.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/rule.h"
#include "prover/axiom_set.h"
#include "prover/backend.h"
#include "prover/pointwise.h"

namespace rf::prover {

enum class Verdict { Proved, Refuted, Unknown, Error };
const char* verdict_name(Verdict v);

struct CheckOptions {
    std::vector<BackendKind> backends{BackendKind::Z3};
    int timeout_ms = 4000;  ///< per query and back-end
    /// Limit for a level that is not the last one tried (the rule as stated, when assumptions
    /// could follow): a goal that does not follow can keep a solver busy until its limit, and
    /// TASO-style proofs take milliseconds. At most timeout_ms.
    int probe_timeout_ms = 1000;
    std::string smt2_dir;    ///< when set, the query reported is written to DIR/<name>.smt2
    bool strengthen = true;  ///< try the standard assumptions when the rule does not follow as is
    bool bounded = true;     ///< run the bounded semantic checker (refutation and second check)
    /// After a proof at the rule's own (concrete) shapes, also try the rule in a more general form,
    /// without added assumptions: repeated variables told apart (ir generalize_variables), then
    /// every dimension symbolic (generalize_shapes); RuleCheck::general holds the most general
    /// form proved.
    bool generalize = false;
    /// After E-matching fails on the rule as stated, decide it pointwise (prover/pointwise.h);
    /// a pointwise proof is always re-checked by the bounded checker.
    bool pointwise = true;
    /// Tests only: a wrong normalisation step planted in the pointwise strategy.
    PointwiseFault pointwise_fault = PointwiseFault::None;
};

/// A more general form of a proved rule (more variables, symbolic shapes), proved by every
/// back-end and passed by the bounded checker: with no added assumption, or else under the
/// check's standard ones (dense convolutions, shared shapes) that the rule found satisfies.
struct GeneralProof {
    Rule rule;                         ///< its preconditions: what it was proved under (none, or below)
    std::vector<ProofResult> results;  ///< one per back-end
    /// The standard assumptions the general form needed (as RuleCheck::assumed), when it did not
    /// follow without them; rule.preconditions holds them as data.
    std::vector<std::string> assumed;
};

struct RuleCheck {
    Verdict verdict = Verdict::Unknown;
    std::vector<ProofResult> results;         ///< one per back-end, in CheckOptions::backends order
    std::vector<std::string> conditions;      ///< the rule's own shape conditions (ir typing)
    std::vector<std::string> assumed;         ///< shape assumptions the prover added to prove it
    std::vector<Precondition> preconditions;  ///< what `assumed` is, as data (stored with each proof)
    bool disagreement = false;                ///< some back-ends proved it and others did not
    double seconds = 0;
    std::string smt2_path;
    std::string error;           ///< for Verdict::Error
    std::string bounded;         ///< the bounded checker's outcome ("" when not run)
    std::string counterexample;  ///< for Verdict::Refuted (and an unsound proof)
    /// With CheckOptions::generalize, when the proved rule also holds at its most general shapes.
    std::optional<GeneralProof> general;
    /// A stop was requested (support/stop.h) before the check ended: the verdict may be an
    /// interrupted solver's, so it must not be recorded or reported as one.
    bool interrupted = false;

    /// For an unknown verdict, its reason in a few words, for summaries that group unknowns:
    /// "timeout", "pointwise: identity not valid with OPS opaque", "pointwise: identity not
    /// valid (element-wise)", "pointwise: outside the fragment (...)", or the solver's reason.
    std::string unknown_reason() const;

    /// The conditions a proof rests on: the rule's own, then the assumed ones, comma-separated
    /// ("" when none); what `check` prints and the rule database stores.
    std::string condition_text() const;
};

class Checker {
public:
    /// Creates one back-end instance of each kind in options.backends (not thread-safe: use
    /// one Checker per thread).
    Checker(const AxiomSet& axioms, CheckOptions options);
    ~Checker();

    /// Proves `rule`; `query_name` names the written .smt2 file. Never throws for a solver
    /// failure or an unprovable rule; a bad axiom set gives Verdict::Error.
    RuleCheck check(const Rule& rule, const std::string& query_name);

    const CheckOptions& options() const { return d_options; }

private:
    /// The most general form of a proved rule that is proved too: repeated variables told apart
    /// (ir generalize_variables), then every dimension symbolic (generalize_shapes).
    /// `pointwise_first`: the rule was proved pointwise, so its general forms most likely are too.
    std::optional<GeneralProof> prove_general(const Rule& rule, const std::string& query_name, bool pointwise_first);
    /// `rule` passed by the bounded checker and proved by every back-end, as stated; remembered
    /// per rule text (candidates that differ only in their shapes share their general form).
    std::optional<GeneralProof> prove_without_assumptions(const Rule& rule, const std::string& query_name,
                                                          bool pointwise_first);
    std::optional<GeneralProof> prove_without_assumptions_uncached(const Rule& rule, const std::string& query_name,
                                                                   bool pointwise_first);
    /// `general` proved under the standard assumption levels that `found` (the rule it
    /// generalises) satisfies, E-matching only.
    std::optional<GeneralProof> prove_general_assuming(const Rule& general, const Rule& found,
                                                       const std::string& query_name);
    /// The pointwise strategy on every back-end: their results when all prove it (the query
    /// reported in `query`), nullopt otherwise (`why` says why). Divisions are proved assuming
    /// their divisors non-zero (divisors_can_be_zero says whether the rule must state it).
    std::optional<std::vector<ProofResult>> prove_pointwise(const Rule& rule, const std::string& query_name,
                                                            Query& query, std::string& why);
    /// The pointwise identity decided by its algebraic normal form (prover/scalar_algebra.h)
    /// instead of the solver, with one back-end only (prover/checker_algebra.cpp); the facts
    /// of exp it used are added to `pq`'s query so that its SMT-LIB2 file re-checks it.
    std::optional<std::vector<ProofResult>> prove_by_algebra(PointwiseQuery& pq);
    /// Whether some divisor of the rule's ewdivs may be zero (prover/checker_divisors.cpp): true
    /// unless the pointwise encoding shows every one non-zero (a sum of exps); false without any.
    bool divisors_can_be_zero(const Rule& rule);
    const AxiomSet& d_axioms;
    CheckOptions d_options;
    std::vector<std::unique_ptr<Backend>> d_backends;
    std::map<std::string, std::optional<GeneralProof>> d_general_proofs;  ///< by print_native text
};

/// The shape assumptions that state `rule.preconditions`: those of the level Checker::check
/// proves a rule at with these preconditions (no solver runs).
std::vector<Assumption> precondition_assumptions(const Rule& rule);

}  // namespace rf::prover
