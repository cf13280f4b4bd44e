// Proving rules about distributed tensors (docs/parallel.md): both back-ends prove Unity's kinds
// of rules from the parallel axioms, false ones are refuted, axioms about whole tensors do not
// fire on distributed ones, and queries about whole tensors are encoded as before.
#include <catch2/catch.hpp>

#include <string>

#include "ir/native_text.h"
#include "ir/rule.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"
#include "prover/encoding.h"
#include "prover/smtlib.h"

using namespace rf;

namespace {

Rule rule_of(const std::string& text) { return build_rule(parse_native_rule(text, "test.rf")); }

prover::RuleCheck check(const std::string& text) {
    prover::CheckOptions options;
    options.backends = {prover::BackendKind::Z3, prover::BackendKind::Cvc5};
    options.timeout_ms = 10000;
    prover::Checker checker(prover::builtin_axioms(), options);
    prover::RuleCheck r = checker.check(rule_of(text), "parallel");
    INFO(text << "\n  -> " << prover::verdict_name(r.verdict) << " " << r.error << " " << r.counterexample);
    return r;
}

}  // namespace

TEST_CASE("parallel proofs: Unity's rule kinds are proved by both back-ends", "[prover][parallel]") {
    const char* rules[] = {
        // A partition pushed through element-wise operators and concat.
        "relu(repartition[dim=1,degree=2](repartition[dim=0,degree=2](x))) => "
        "repartition[dim=0,degree=2](relu(repartition[dim=1,degree=2](x))) where x: act[4,6,2]",
        "ewadd(repartition[dim=0,degree=2](x), repartition[dim=0,degree=2](y)) => "
        "repartition[dim=0,degree=2](ewadd(y, x)) "
        "where x: act[4,6], y: act[4,6]",
        "concat[axis=1](repartition[dim=0,degree=2](x), repartition[dim=0,degree=2](y)) => "
        "repartition[dim=0,degree=2](concat[axis=1](x, y)) where x: act[4,3,2], y: act[4,5,2]",
        // Combine and partition cancel.
        "combine[dim=1,degree=2](relu(repartition[dim=1,degree=2](x))) => relu(x) where x: "
        "act[4,6]",
        // Partitions pushed through matmul (model and data parallel), and the partial sums a
        // cut contracted dimension leaves, added up by a reduction.
        "matmul(replicate[degree=2](x), repartition[dim=1,degree=2](w)) => "
        "repartition[dim=1,degree=2](matmul(x, w)) "
        "where x: act[3,4], w: weight[4,6]",
        "matmul[act=relu](repartition[dim=1,degree=2](x), replicate[degree=2](w)) => "
        "repartition[dim=1,degree=2](matmul[act=relu](x, w)) where x: act[2,4,3], w: weight[2,3,5]",
        "reduction[degree=2](matmul(repartition[dim=1,degree=2](x), "
        "repartition[dim=0,degree=2](w))) => matmul(x, w) "
        "where x: act[3,4], w: weight[4,6]",
        // Replicate and reduction around a matmul: the reduction of copies doubles.
        "matmul(reduction[degree=2](replicate[degree=2](x)), w) => matmul(x, "
        "reduction[degree=2](replicate[degree=2](w))) "
        "where x: act[3,4], w: weight[4,6]",
    };
    for (const char* text : rules) {
        const prover::RuleCheck r = check(text);
        INFO(text);
        CHECK(r.verdict == prover::Verdict::Proved);
        REQUIRE(r.results.size() == 2);
        CHECK(r.results[0].proved());
        CHECK(r.results[1].proved());
    }
}

TEST_CASE("parallel proofs: false rules are refuted with a counterexample", "[prover][parallel]") {
    for (const char* text : {
             // relu of partial sums is not the partial sums of relu.
             "reduction[degree=2](relu(matmul(repartition[dim=1,degree=2](x), "
             "repartition[dim=0,degree=2](w)))) => "
             "relu(matmul(x, w)) where x: act[3,4], w: weight[4,6]",
             // Replicas are kept apart: reducing copies of different replicas is not a copy.
             "reduction[degree=2](replicate[degree=2](x)) => "
             "replicate[degree=2](reduction[degree=2](x)) where x: act[4,6]*2",
         }) {
        const prover::RuleCheck r = check(text);
        INFO(text);
        CHECK(r.verdict == prover::Verdict::Refuted);
        CHECK_FALSE(r.counterexample.empty());
    }
}

TEST_CASE("parallel proofs: axioms about whole tensors do not fire on distributed ones", "[prover][parallel]") {
    // relu_idempotent is stated for whole tensors: true here too, but not provable from it.
    CHECK(check("relu(relu(x)) => relu(x) where x: act[4,6]").verdict == prover::Verdict::Proved);
    CHECK(check("relu(relu(x)) => relu(x) where x: act[4/2,6]").verdict == prover::Verdict::Unknown);
    // A query about whole tensors has no distribution functions: encoded as before.
    const prover::Query whole =
        prover::encode_rule(rule_of("relu(relu(x)) => relu(x) where x: act[4,6]"), prover::builtin_axioms());
    CHECK(prover::to_smtlib(whole).find("rep") == std::string::npos);
    const prover::Query cut =
        prover::encode_rule(rule_of("relu(relu(x)) => relu(x) where x: act[4/2,6]"), prover::builtin_axioms());
    CHECK(prover::to_smtlib(cut).find("(declare-fun rep") != std::string::npos);
}

TEST_CASE("parallel proofs: axiom file scopes and typing examples", "[prover][parallel]") {
    const prover::AxiomSet set = prover::parse_axiom_set(
        "a: ewadd(x, y) => ewadd(y, x)\n"
        "%scope any\n"
        "b: relu(combine[dim=0,degree=2](x)) => combine[dim=0,degree=2](relu(x)) where x ~ "
        "act[a/2,b]\n"
        "%scope defined\n"
        "c: combine[dim=0,degree=2](repartition[dim=0,degree=2](x)) => x\n",
        "scopes.rf");
    REQUIRE(set.axioms.size() == 3);
    CHECK(set.axioms[0].scope == prover::AxiomScope::Whole);
    CHECK(set.axioms[1].scope == prover::AxiomScope::Any);
    CHECK(set.axioms[1].declared.empty());  // "~": a typing, not a condition
    CHECK(set.axioms[2].scope == prover::AxiomScope::Defined);
    CHECK_THROWS_WITH(prover::parse_axiom_set("%scope sometimes\n", "bad.rf"),
                      Catch::Contains("bad.rf:1:1: unknown directive"));
}

TEST_CASE("parallel proofs: split undoes a concat through a partition or a replication", "[prover][parallel]") {
    for (const char* text : {
             "(split[axis=2](repartition[dim=1,degree=2](concat[axis=2](v0, v1))).0, "
             "split[axis=2](repartition[dim=1,degree=2](concat[axis=2](v0, v1))).1) => "
             "(repartition[dim=1,degree=2](v0), repartition[dim=1,degree=2](v1)) where v0: "
             "act[d0,d1,d2], v1: act[d0,d1,d3]",
             "split[axis=0](replicate[degree=2](concat[axis=0](v0, v1))).1 => "
             "replicate[degree=2](v1) "
             "where v0: act[2,4,6], v1: act[4,4,6]",
         }) {
        INFO(text);
        CHECK(check(text).verdict == prover::Verdict::Proved);
    }
}
