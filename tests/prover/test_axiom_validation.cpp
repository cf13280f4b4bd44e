// Axiom validation: the field evaluator is the image of the exact one, every built-in axiom holds
// at every small shape, false axioms are refuted with counterexamples (also the ones that need
// relu's meaning), and the redundancy report finds an axiom that the others prove.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "ir/eval.h"
#include "ir/native_text.h"
#include "prover/axiom_validation.h"
#include "tests/support/cli_run.h"

using namespace rf;
using namespace rf::prover;

namespace {

const AxiomValidation& find(const std::vector<AxiomValidation>& v, const std::string& name) {
    for (const auto& a : v)
        if (a.name == name) return a;
    FAIL("no axiom " << name);
    return v.front();
}

AxiomValidationOptions small(int max_dim = 2) {
    AxiomValidationOptions o;
    o.max_dim = max_dim;
    o.threads = 2;
    return o;
}

}  // namespace

TEST_CASE("field evaluation: the image of exact evaluation for polynomial operators", "[prover][validate]") {
    // conv, average pooling (a division), concat, split, matmul, smul: no relu/max.
    Rule r =
        build_rule(parse_native_rule("t: ewadd(poolavg[kernel=[3,3],pad=same](conv2d[pad=same](x, "
                                     "w)), smul(split[axis=1](concat[axis=1](x, x)).0, s)) "
                                     "=> x "
                                     "where x: act[2,2,4,4], w: weight[2,2,3,3], s: weight[]"));
    (void)r;
    Rule m =
        build_rule(parse_native_rule("t: matmul(split[axis=1](concat[axis=1](a, b)).1, "
                                     "transpose[perm=[1,0]](c)) => a where a: act[3,5], b: act[3,4], "
                                     "c: act[5,4]"));
    for (const Graph* g : {&r.lhs, &m.lhs}) {
        std::mt19937_64 rng(7);
        std::vector<ExactTensor> ex;
        std::vector<FieldTensor> fx;
        for (const Variable& v : g->variables()) {
            ex.push_back(random_exact(v.type, rng, -5, 5));
            ex.back().den = 3;  // rationals, not just integers
            fx.push_back(to_field(ex.back()));
        }
        const auto e = evaluate_exact(*g, ex, 1);
        const auto f = evaluate_field(*g, fx, 1);
        REQUIRE(e.size() == f.size());
        for (size_t i = 0; i < e.size(); ++i) {
            CHECK(to_field(e[i]).dims == f[i].dims);
            CHECK(to_field(e[i]).data == f[i].data);
        }
    }
}

TEST_CASE("field evaluation: max pooling is a symmetric function of its window", "[prover][validate]") {
    // Transposing a square image permutes each 3x3 window's elements: the same multisets.
    Rule r = build_rule(parse_native_rule("t: poolmax[kernel=[3,3],pad=same](x) => x where x: act[1,1,3,3]"));
    std::mt19937_64 rng(3);
    FieldTensor x = random_field(r.variables()[0].type, rng);
    FieldTensor xt = x;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) xt.data[i * 3 + j] = x.data[j * 3 + i];
    const auto a = evaluate_field(r.lhs, {x}, 5), b = evaluate_field(r.lhs, {xt}, 5);
    CHECK(a[0].data[4] == b[0].data[4]);  // the centre window holds all nine elements
    CHECK(a[0].data[0] != a[0].data[4]);
}

TEST_CASE("axioms --validate: every built-in axiom holds at every shape up to 2", "[prover][validate]") {
    const auto vals = validate_axioms(builtin_axioms(), small());
    REQUIRE(vals.size() == builtin_axioms().axioms.size());
    for (const auto& v : vals) {
        INFO(v.name << ": " << v.counterexample << v.note);
        CHECK(v.status != AxiomValidation::Status::Refuted);
    }
    // Rank-generic axioms are tried at ranks 0..4.
    const auto& comm = find(vals, "ewadd_comm");
    CHECK(comm.status == AxiomValidation::Status::Proved);
    CHECK(comm.variants == 5);
    CHECK(comm.instances == 1 + 2 + 4 + 8 + 16);
    // relu's meaning is needed: tested, not proved.
    CHECK(find(vals, "relu_idempotent").status == AxiomValidation::Status::Tested);
    CHECK(find(vals, "relu_poolmax_same").status == AxiomValidation::Status::Tested);
    // relu as a fused activation is decided in the field like any function.
    CHECK(find(vals, "relu_conv_same").status == AxiomValidation::Status::Proved);
    // 3x3 VALID pooling has no instance with dimensions up to 2.
    CHECK(find(vals, "pool_concat_avg0_valid").status == AxiomValidation::Status::Error);
}

TEST_CASE("axioms --validate: the result does not depend on the thread count", "[prover][validate]") {
    auto one = small(3), two = small(3);
    one.threads = 1;
    const auto a = validate_axioms(builtin_axioms(), one), b = validate_axioms(builtin_axioms(), two);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].status == b[i].status);
        CHECK(a[i].instances == b[i].instances);
        CHECK(a[i].field_proved == b[i].field_proved);
    }
}

TEST_CASE("axioms --validate: false axioms are refuted with a counterexample", "[prover][validate]") {
    const AxiomSet bad = parse_axiom_set(
        "wrong_distrib: ewmul(ewadd(x, y), z) => ewadd(ewmul(x, z), y)\n"
        "relu_additive: relu(ewadd(x, y)) => ewadd(relu(x), relu(y))\n"
        "square_commutes: matmul(x, y) => matmul(y, x) where x: act[a,a], y: act[a,a]\n"
        "good: ewadd(x, y) => ewadd(y, x)\n",
        "bad.rf");
    const auto vals = validate_axioms(bad, small(3));
    CHECK(find(vals, "wrong_distrib").status == AxiomValidation::Status::Refuted);
    CHECK_THAT(find(vals, "wrong_distrib").counterexample, Catch::Contains("left"));
    // Needs relu's meaning (the field cannot tell) and is false: the exact draws find it.
    CHECK(find(vals, "relu_additive").status == AxiomValidation::Status::Refuted);
    // True at 1x1 only: refuted at a = 2, the smallest shape where it fails.
    const auto& sq = find(vals, "square_commutes");
    CHECK(sq.status == AxiomValidation::Status::Refuted);
    CHECK_THAT(sq.counterexample, Catch::Contains("x: [2,2]"));
    CHECK(find(vals, "good").status == AxiomValidation::Status::Proved);
}

TEST_CASE("axioms --validate: an axiom the others prove is reported redundant", "[prover][validate]") {
    const AxiomSet set = parse_axiom_set(
        "comm: ewadd(x, y) => ewadd(y, x)\n"
        "assoc: ewadd(x, ewadd(y, z)) => ewadd(ewadd(x, y), z)\n"
        "rotate: ewadd(x, ewadd(y, z)) => ewadd(ewadd(z, x), y)\n"
        "relu_idem: relu(relu(x)) => relu(x)\n",
        "set.rf");
    const auto red = find_redundant_axioms(set, 2000, 2);
    REQUIRE(red.size() == 4);
    CHECK_FALSE(red[0].redundant);  // nothing else says anything about argument order
    CHECK(red[2].redundant);
    CHECK_FALSE(red[2].derived_from.empty());
    CHECK_FALSE(red[3].redundant);  // the only relu axiom
}

TEST_CASE("axioms --validate: command line, text and JSON, exit status", "[prover][validate][cli]") {
    const std::string bad = rf::testing::temp_file("validate_bad.rf", "wrong: ewadd(x, y) => ewmul(x, y)\n");
    auto r = rf::testing::run_cli({"axioms", "--validate", "--axioms", bad, "--max-dim", "2", "--no-redundancy", "-q"});
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::Contains("wrong"));
    CHECK_THAT(r.out, Catch::Contains("refuted"));
    CHECK_THAT(r.out, Catch::Contains("counterexample: at shapes"));

    auto j = rf::testing::run_cli({"axioms", "--validate", "--max-dim", "2", "--json", "-q", "--timeout-ms", "500"});
    INFO(j.err);
    const auto doc = nlohmann::json::parse(j.out);
    CHECK(doc["summary"]["refuted"] == 0);
    CHECK(doc["summary"]["axioms"] == builtin_axioms().axioms.size());
    CHECK(doc["summary"]["redundant"].is_array());
    CHECK(doc["axioms"][0].contains("redundancy"));

    auto u = rf::testing::run_cli({"axioms", "--validate", "--max-dim", "0"});
    CHECK(u.code == 2);
    CHECK_THAT(u.err, Catch::Contains("--max-dim"));
}

TEST_CASE("axioms --validate: exp, division and softmax axioms are decided in the modular domain",
          "[prover][validate][transformer]") {
    const AxiomSet set = parse_axiom_set(
        "exp_sum: exp(ewadd(x, y)) => ewmul(exp(x), exp(y))\n"
        "div_mul: ewmul(ewdiv(x, y), y) => x\n"
        "softmax_shift: softmax[axis=1](ewadd(x, c)) => softmax[axis=1](x) where x: act[a,b], c: "
        "act[a,1]\n"
        "sum_linear: reduce_sum[axis=0](ewadd(x, y)) => ewadd(reduce_sum[axis=0](x), "
        "reduce_sum[axis=0](y))\n"
        "exp_additive: exp(ewadd(x, y)) => ewadd(exp(x), exp(y))\n"
        "softmax_wrong_axis: softmax[axis=0](ewadd(x, c)) => softmax[axis=0](x) where x: act[a,b], "
        "c: act[a,1]\n",
        "t.rf");
    const auto vals = validate_axioms(set, small(3));
    for (const char* name : {"exp_sum", "div_mul", "softmax_shift", "sum_linear"}) {
        INFO(name);
        CHECK(find(vals, name).status == AxiomValidation::Status::Proved);
    }
    for (const char* name : {"exp_additive", "softmax_wrong_axis"}) {
        INFO(name);
        CHECK(find(vals, name).status == AxiomValidation::Status::Refuted);
        CHECK_THAT(find(vals, name).counterexample, Catch::Contains("float32"));
    }
}
