// FlexFlow/Unity's parallel operators in the IR: distributed types in the rule syntax, how the
// shape rules propagate distributions, and what the evaluator computes on simulated devices.
// Semantics are checked by evaluating both sides of small rules on random exact inputs: true
// ones must pass, and the false ones beside them (the tests' guard against a vacuous check)
// must be refuted.
#include <catch2/catch.hpp>

#include <string>

#include "ir/native_text.h"
#include "ir/rule.h"
#include "prover/bounded_check.h"

using namespace rf;

namespace {

Rule rule_of(const std::string& text) { return build_rule(parse_native_rule(text, "test.rf")); }

prover::BoundedCheck::Outcome check(const std::string& text) {
    prover::BoundedCheckOptions o;
    o.max_dim = 8;
    o.max_instances = 12;
    const prover::BoundedCheck c = prover::bounded_check(rule_of(text), o);
    INFO(text << "\n  -> " << prover::outcome_name(c.outcome) << " " << c.note << " (" << c.instances << " instances)");
    CHECK(c.instances > 0);
    return c.outcome;
}

const TensorType& out_type(const Rule& r) { return r.lhs.type(r.lhs.outputs()[0]); }

}  // namespace

TEST_CASE("parallel operators: distributed declarations print and parse back", "[ir][parallel]") {
    const std::string text = "r: relu(x) => relu(x) where x: act[8/2,4]*2";
    const Rule r = rule_of(text);
    CHECK(r.variables()[0].type.degree(0) == 2);
    CHECK(r.variables()[0].type.degree(1) == 1);
    CHECK(r.variables()[0].type.replicas == 2);
    CHECK(out_type(r).to_string() == "[8/2,4]*2");
    CHECK(print_native(r) == text);
    const Rule p = rule_of("p: combine[dim=1,degree=2](repartition[dim=1,degree=2](x)) => x where x: act[4,6]");
    CHECK(print_native(p) == "p: combine[dim=1,degree=2](repartition[dim=1,degree=2](x)) => x where x: act[4,6]");
    CHECK_THROWS_WITH(rule_of("r: relu(x) => relu(x) where x: act[7/2,4]"),
                      Catch::Contains("does not divide into 2 equal parts"));
    CHECK_THROWS_WITH(rule_of("r: relu(x) => relu(x) where x: act[8/0,4]"),
                      Catch::Contains("must be between 1 and 1024"));
    CHECK_THROWS_WITH(rule_of("r: relu(x) => relu(x) where x: act[8,4]*100000"),
                      Catch::Contains("must be between 1 and 1024"));
}

TEST_CASE("parallel operators: shape rules propagate and check distributions", "[ir][parallel]") {
    CHECK(out_type(rule_of("a: repartition[dim=0,degree=2](repartition[dim=0,degree=2](x)) => "
                           "repartition[dim=0,degree=4](x) "
                           "where x: act[8,3]"))
              .to_string() == "[8/4,3]");
    CHECK(out_type(rule_of("b: reduction[degree=2](replicate[degree=4](x)) => "
                           "replicate[degree=2](x) where x: act[2,3]"))
              .to_string() == "[2,3]*2");
    // Data parallel: rows cut, weight replicated per row part -> rows cut, no replicas.
    CHECK(out_type(rule_of("c: matmul(repartition[dim=0,degree=2](x), replicate[degree=2](w)) => "
                           "matmul(repartition[dim=0,degree=2](x), replicate[degree=2](w)) where "
                           "x: act[4,3], w: weight[3,5]"))
              .to_string() == "[4/2,5]");
    // Model parallel: weight columns cut, input replicated per column part.
    CHECK(out_type(rule_of("d: matmul(replicate[degree=2](x), repartition[dim=1,degree=2](w)) => "
                           "repartition[dim=1,degree=2](matmul(x, w)) where x: act[4,3], w: weight[3,6]"))
              .to_string() == "[4,6/2]");
    // Contracted dimension cut in both: partial sums, one replica per part.
    CHECK(out_type(rule_of("e: matmul(repartition[dim=1,degree=2](x), repartition[dim=0,degree=2](w)) => "
                           "matmul(repartition[dim=1,degree=2](x), repartition[dim=0,degree=2](w)) where "
                           "x: act[4,6], w: weight[6,5]"))
              .to_string() == "[4,5]*2");

    CHECK_THROWS_WITH(rule_of("f: combine[dim=0,degree=2](x) => x where x: act[4,4]"),
                      Catch::Contains("not cut in a multiple of 2 parts"));
    CHECK_THROWS_WITH(rule_of("g: reduction[degree=2](x) => x where x: act[4,4]"), Catch::Contains("replicas"));
    CHECK_THROWS_WITH(rule_of("h: repartition[dim=0,degree=2](x) => x where x: act[5,4]"),
                      Catch::Contains("does not divide into 2 equal parts"));
    CHECK_THROWS_WITH(rule_of("i: ewadd(repartition[dim=0,degree=2](x), x) => x where x: act[4,4]"),
                      Catch::Contains("distributed differently"));
    CHECK_THROWS_WITH(rule_of("j: concat[axis=0](repartition[dim=0,degree=2](x), "
                              "repartition[dim=0,degree=2](x)) => x where x: act[4,4]"),
                      Catch::Contains("which is cut"));
    CHECK_THROWS_WITH(rule_of("k: matmul(repartition[dim=0,degree=2](x), w) => x where x: act[4,4], w: weight[4,4]"),
                      Catch::Contains("replicas"));
    CHECK_THROWS_WITH(rule_of("l: repartition[dim=2,degree=2](x) => x where x: act[4,4]"),
                      Catch::Contains("out of range"));
    CHECK_THROWS_WITH(rule_of("m: replicate[degree=1](x) => x where x: act[4,4]"), Catch::Contains("at least 2"));
    CHECK_THROWS_WITH(rule_of("n: conv2d(replicate[degree=2](x), replicate[degree=2](w)) => x "
                              "where x: act[1,2,3,3], w: weight[2,2,1,1]"),
                      Catch::Contains("no distributed operand"));
    // The two sides of a rule must agree on the distribution, not only on the shape.
    CHECK_THROWS_WITH(rule_of("o: repartition[dim=0,degree=2](x) => x where x: act[4,4]"),
                      Catch::Contains("different shapes"));
}

TEST_CASE("parallel operators: values on simulated devices", "[ir][parallel]") {
    using O = prover::BoundedCheck::Outcome;
    // Partitions move parts, never values.
    CHECK(check("combine[dim=0,degree=2](repartition[dim=0,degree=2](x)) => x where x: act[4,6]") == O::Passed);
    CHECK(check("repartition[dim=1,degree=2](repartition[dim=0,degree=2](x)) => "
                "repartition[dim=0,degree=2](repartition[dim=1,degree=2](x)) where x: act[4,6]") == O::Passed);
    // Reduction sums the replicas: of copies, that is a multiple.
    CHECK(check("reduction[degree=2](replicate[degree=2](x)) => ewadd(x, x) where x: act[2,3]") == O::Passed);
    CHECK(check("reduction[degree=2](replicate[degree=2](x)) => x where x: act[2,3]") == O::Refuted);
    // Element-wise operators run per device.
    CHECK(check("relu(repartition[dim=0,degree=2](x)) => repartition[dim=0,degree=2](relu(x)) "
                "where x: act[4,3]") == O::Passed);
    CHECK(check("ewadd(replicate[degree=2](x), replicate[degree=2](y)) => "
                "replicate[degree=2](ewadd(x, y)) "
                "where x: act[2,3], y: act[2,3]") == O::Passed);
    // Model-parallel matmul: the weight's columns cut, the input replicated per part.
    CHECK(check("matmul(replicate[degree=2](x), repartition[dim=1,degree=2](w)) => "
                "repartition[dim=1,degree=2](matmul(x, w)) where x: act[3,4], w: weight[4,6]") == O::Passed);
    // Data-parallel matmul: rows cut, the weight replicated per part.
    CHECK(check("matmul(repartition[dim=0,degree=2](x), replicate[degree=2](w)) => "
                "repartition[dim=0,degree=2](matmul(x, w)) where x: act[4,3], w: weight[3,5]") == O::Passed);
    // Contracted dimension cut: partial sums that a reduction adds up...
    CHECK(check("reduction[degree=2](matmul(repartition[dim=1,degree=2](x), "
                "repartition[dim=0,degree=2](w))) => "
                "matmul(x, w) where x: act[3,4], w: weight[4,5]") == O::Passed);
    // ... and that are not the product themselves, nor commute with relu.
    CHECK(check("matmul(repartition[dim=1,degree=2](x), repartition[dim=0,degree=2](w)) => "
                "replicate[degree=2](matmul(x, w)) where x: act[3,4], w: weight[4,5]") == O::Refuted);
    CHECK(check("reduction[degree=2](relu(matmul(repartition[dim=1,degree=2](x), "
                "repartition[dim=0,degree=2](w)))) => "
                "relu(matmul(x, w)) where x: act[3,4], w: weight[4,5]") == O::Refuted);
    // Batched matmul with the batch cut in both operands.
    CHECK(check("matmul(repartition[dim=0,degree=2](x), repartition[dim=0,degree=2](w)) => "
                "repartition[dim=0,degree=2](matmul(x, w)) where x: act[2,3,4], w: weight[2,4,5]") == O::Passed);
    // Concatenation and transposition of distributed tensors.
    CHECK(check("concat[axis=1](repartition[dim=0,degree=2](x), repartition[dim=0,degree=2](y)) => "
                "repartition[dim=0,degree=2](concat[axis=1](x, y)) where x: act[4,3], y: act[4,5]") == O::Passed);
    CHECK(check("transpose[perm=[1,0]](repartition[dim=0,degree=2](replicate[degree=2](x))) => "
                "repartition[dim=1,degree=2](replicate[degree=2](transpose[perm=[1,0]](x))) where "
                "x: act[4,3]") == O::Passed);
    CHECK(check("split[axis=1](concat[axis=1](replicate[degree=2](x), replicate[degree=2](y))).1 => "
                "replicate[degree=2](y) where x: act[4,3], y: act[4,5]") == O::Passed);
    CHECK(check("split[axis=1](concat[axis=1](replicate[degree=2](x), replicate[degree=2](y))).1 => "
                "replicate[degree=2](x) where x: act[4,3], y: act[4,3]") == O::Refuted);
}
