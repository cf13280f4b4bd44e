#include "prover/smt2_file.h"

#include "prover/pointwise.h"
#include "prover/smtlib.h"

namespace rf::prover {

std::string smt2_file_text(const Query& q, Verdict verdict) {
    std::string h = "; ruleforge rule '" + q.name + "': ";
    switch (verdict) {
        case Verdict::Proved:
            h += "proved. z3 and cvc5 answer unsat for this file (the rule follows from the "
                 "axioms).\n";
            break;
        case Verdict::Refuted:
            h += "refuted (the bounded checker found a counterexample). The axioms do not decide "
                 "this\n"
                 "; query: expect sat or unknown, never unsat.\n";
            break;
        case Verdict::Unknown:
            h += "not proved. The axioms do not decide this query within ruleforge's limits: "
                 "expect\n"
                 "; unknown (or sat), not unsat.\n";
            break;
        case Verdict::Error: h += "not checked (an error stopped the proof). Expect no particular answer.\n"; break;
    }
    h += "; A resource limit that z3 and cvc5 both honour, so the check ends (unknown when "
         "reached).\n";
    h += "(set-option :reproducible-resource-limit " + std::to_string(kSmt2ResourceLimit) + ")\n";
    return h + to_smtlib(q);
}

Query proof_query(const Rule& rule, const AxiomSet& axioms, const std::string& name, bool pointwise) {
    std::string why;
    std::optional<PointwiseQuery> pq;
    if (pointwise) pq = encode_pointwise(rule, why);
    // A proof the algebraic normal form decided may rest on facts of exp the query lacks
    // (exp(3x) = exp(x)^3): they are added, as the checker added them (each true of exp).
    if (pq) decide_pointwise_by_algebra(*pq);
    Query q = pq ? std::move(pq->query) : encode_rule(rule, axioms, precondition_assumptions(rule));
    q.name = name;
    return q;
}

}  // namespace rf::prover
