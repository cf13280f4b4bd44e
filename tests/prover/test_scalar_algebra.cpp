// The algebraic normal form of pointwise identities (prover/scalar_algebra.h): equal and unequal
// pairs of rational functions with exp, reciprocals and uninterpreted functions, overflow and a
// zero divisor left undecided, the checker's use of it, its SMT-LIB2 re-check, and a planted
// wrong step that ends as an error.
#include <catch2/catch.hpp>

#include "prover/backend.h"
#include "prover/pointwise.h"
#include "prover/scalar_algebra.h"
#include "prover/smtlib.h"
#include "tests/prover/pointwise_test_util.h"

using namespace rf;
using namespace rf::prover;
using Answer = AlgebraDecision::Answer;

namespace {

// A small scalar language over one arena: reals, exp, reciprocal, an uninterpreted function.
struct Scalars {
    Terms t;
    std::vector<ScalarDefinition> defs;
    int fresh = 0;
    TermId real(const std::string& name) { return t.app(t.declare(name, {}, Sort::Real)); }
    TermId defined(ScalarDefinition::Kind kind, const std::string& fn, TermId arg) {
        const TermId v = real("d" + std::to_string(fresh++));
        defs.push_back({kind, fn, arg, v, -1, {}});
        return v;
    }
    TermId exp(TermId a) { return defined(ScalarDefinition::Kind::Exp, "", a); }
    TermId recip(TermId a) { return defined(ScalarDefinition::Kind::Reciprocal, "", a); }
    TermId fn(const std::string& f, TermId a) { return defined(ScalarDefinition::Kind::Function, f, a); }
    TermId add(TermId a, TermId b) { return t.real_add({a, b}); }
    TermId mul(TermId a, TermId b) { return t.mul({a, b}); }
    TermId lit(int64_t v) { return t.real_lit(v); }
    Answer decide(TermId l, TermId r, AlgebraFault f = AlgebraFault::None) {
        return decide_by_algebra(t, {{l, r}}, defs, f).answer;
    }
};

const char* answer_name(Answer a) {
    return a == Answer::Equal ? "equal" : a == Answer::Different ? "different" : "undecided";
}

}  // namespace

TEST_CASE("scalar algebra: identities of rational functions with exp are equal forms", "[prover][algebra]") {
    Scalars s;
    const TermId x = s.real("x"), y = s.real("y"), z = s.real("z");
    const TermId mx = s.mul(s.lit(-1), x), two_x = s.mul(s.lit(2), x);
    CHECK(s.decide(s.mul(x, s.add(y, s.lit(1))), s.add(s.mul(y, x), x)) == Answer::Equal);
    CHECK(s.decide(s.exp(s.add(x, y)), s.mul(s.exp(y), s.exp(x))) == Answer::Equal);
    CHECK(s.decide(s.exp(s.add(x, two_x)), s.mul(s.exp(x), s.mul(s.exp(x), s.exp(x)))) == Answer::Equal);
    CHECK(s.decide(s.mul(s.exp(s.add(x, s.mul(s.lit(-1), y))), s.exp(y)), s.exp(x)) == Answer::Equal);
    CHECK(s.decide(s.mul(s.exp(x), s.exp(mx)), s.lit(1)) == Answer::Equal);
    CHECK(s.decide(s.exp(s.add(x, mx)), s.lit(1)) == Answer::Equal);  // exp(0) = 1
    CHECK(s.decide(s.mul(x, s.recip(x)), s.lit(1)) == Answer::Equal);
    CHECK(s.decide(s.recip(s.recip(x)), x) == Answer::Equal);
    CHECK(s.decide(s.add(s.mul(x, s.recip(y)), s.mul(z, s.recip(y))), s.mul(s.add(z, x), s.recip(y))) == Answer::Equal);
    CHECK(s.decide(s.mul(s.recip(s.exp(x)), s.exp(s.add(x, y))), s.exp(y)) == Answer::Equal);
    CHECK(s.decide(s.mul(s.mul(x, s.recip(y)), s.recip(z)), s.mul(x, s.recip(s.mul(z, y)))) == Answer::Equal);
    // Functions of equal arguments are equal, whatever the arguments' terms.
    CHECK(s.decide(s.fn("sigmoid", s.add(x, y)), s.fn("sigmoid", s.add(y, x))) == Answer::Equal);
    CHECK(s.decide(s.fn("tanh", s.mul(x, s.recip(x))), s.fn("tanh", s.lit(1))) == Answer::Equal);
}

TEST_CASE("scalar algebra: different forms decide nothing", "[prover][algebra]") {
    Scalars s;
    const TermId x = s.real("x"), y = s.real("y");
    for (auto [l, r] : std::vector<std::pair<TermId, TermId>>{
             {s.exp(s.add(x, y)), s.add(s.exp(x), s.exp(y))},
             {s.exp(s.mul(x, y)), s.mul(s.exp(x), s.exp(y))},
             {s.mul(x, x), x},
             {s.add(x, y), s.add(x, s.mul(s.lit(2), y))},             // a dropped coefficient
             {s.fn("relu", s.mul(x, x)), s.mul(x, x)},                // true, but by sign facts
             {s.fn("sigmoid", x), s.fn("tanh", x)},                   // two functions
             {s.mul(s.recip(x), s.recip(y)), s.recip(s.add(x, y))},   // not a rational identity
             {s.exp(s.mul(s.lit(2), x)), s.mul(s.exp(x), s.lit(2))},  // exp(2x) is exp(x)^2
         }) {
        INFO(term_to_smtlib(s.t, l) << " vs " << term_to_smtlib(s.t, r));
        CHECK(answer_name(s.decide(l, r)) == std::string("different"));
    }
}

TEST_CASE("scalar algebra: overflow and a zero divisor leave the identity undecided", "[prover][algebra]") {
    Scalars s;
    const TermId x = s.real("x");
    const TermId big = s.lit(int64_t{1} << 62);
    // 2^62 * 2^62 does not fit: never a wrapped coefficient that could make two forms meet.
    CHECK(s.decide(s.mul(s.mul(big, big), x), s.mul(s.lit(0), x)) == Answer::Undecided);
    CHECK(s.decide(s.add(s.mul(big, x), s.mul(big, x)), x) == Answer::Undecided);
    // A power beyond the exponent limit.
    TermId p = x;
    for (int k = 0; k < 7; ++k) p = s.mul(p, p);  // x^128
    CHECK(s.decide(p, x) == Answer::Undecided);
    // A divisor that is 0 as a polynomial (the query's assumption is then inconsistent).
    CHECK(s.decide(s.mul(x, s.recip(s.add(x, s.mul(s.lit(-1), x)))), x) == Answer::Undecided);
    // The least literal: its negation would overflow.
    CHECK(s.decide(s.mul(s.lit(INT64_MIN), x), s.mul(s.lit(-1), x)) == Answer::Undecided);
    // A term the algebra does not read (an integer term, say) is undecided too.
    const TermId i = s.t.app(s.t.declare("i", {}, Sort::Int));
    CHECK(decide_by_algebra(s.t, {{s.t.int_lit(1), i}}, s.defs).answer == Answer::Undecided);
}

TEST_CASE("scalar algebra: the checker decides by the normal form first, and says so", "[prover][algebra]") {
    for (const char* text : {
             "ewmul(ewdiv(x, y), y) => x",
             "ewdiv(ewdiv(x, y), z) => ewdiv(x, ewmul(y, z))",
             "ewmul(exp(ewsub(x, y)), exp(y)) => exp(x)",
             "ewmul(ewdiv(x, ewmul(y, z)), z) => ewdiv(x, y)",
         }) {
        INFO(text);
        auto c = testing::pointwise::check(text);
        REQUIRE(c.verdict == Verdict::Proved);
        CHECK(c.bounded == "passed");  // re-checked like every pointwise proof
        const auto& p = std::get<Proved>(c.results.at(0).outcome);
        CHECK(p.strategy == "pointwise");
        CHECK_THAT(p.detail, Catch::StartsWith("algebraic normal form: "));
        CHECK(c.results.at(0).backend == "z3");
    }
    // With two back-ends each solver answers the query itself.
    CheckOptions both;
    both.backends = {BackendKind::Z3, BackendKind::Cvc5};
    auto c = testing::pointwise::check("ewmul(ewdiv(x, y), y) => x", both);
    REQUIRE(c.verdict == Verdict::Proved);
    for (const ProofResult& r : c.results)
        CHECK_THAT(std::get<Proved>(r.outcome).detail, !Catch::StartsWith("algebraic normal form"));
    // Different forms go to the solver: true by sign facts, proved by nlsat.
    auto relu = testing::pointwise::check("relu(ewmul(x, x)) => ewmul(x, x) where x: act[2,3]");
    REQUIRE(relu.verdict == Verdict::Proved);
    CHECK_THAT(std::get<Proved>(relu.results.at(0).outcome).detail, !Catch::StartsWith("algebraic normal form"));
}

TEST_CASE("scalar algebra: the query with the exp facts it used re-checks with a solver", "[prover][algebra]") {
    // exp(3x) = exp(x)^3 needs exp(2x), which is no application of the query: the query's own
    // facts do not decide it, the facts the algebra adds do.
    std::string why;
    auto pq =
        encode_pointwise(testing::pointwise::rule("exp(ewadd(x, ewadd(x, x))) => ewmul(exp(x), ewmul(exp(x), exp(x)))"),
                         why, PointwiseFault::None, DivisorMode::AssumeNonZero);
    REQUIRE(pq);
    auto z3 = make_backend(BackendKind::Z3);
    CHECK_FALSE(z3->prove(pq->query, 4000).proved());
    AlgebraDecision d = decide_pointwise_by_algebra(*pq);
    REQUIRE(d.answer == Answer::Equal);
    REQUIRE_FALSE(d.facts.empty());
    CHECK(z3->prove(pq->query, 4000).proved());
    CHECK(make_backend(BackendKind::Cvc5)->prove(pq->query, 4000).proved());
}

TEST_CASE("scalar algebra: a planted wrong step in the normal form is an error, never proved", "[prover][algebra]") {
    CheckOptions o;
    o.pointwise_fault = PointwiseFault::AlgebraExpIsAdditive;
    o.bounded = false;  // the re-check of a pointwise proof is not optional
    // The encoder splits exp of a sum of tensors itself; a sum inside a scalar coefficient,
    // exp((s + t) * x), reaches the normal form whole.
    const char* wrong = "exp(smul(x, ewadd(s, t))) => ewadd(exp(smul(x, s)), exp(smul(x, t)))";
    auto c = testing::pointwise::check(wrong, o);
    CHECK(c.verdict == Verdict::Error);
    CHECK_THAT(c.error, Catch::Contains("pointwise strategy is unsound"));
    // Without the fault the same rule is not proved (the forms differ; nlsat finds it invalid).
    CHECK(testing::pointwise::check(wrong).verdict != Verdict::Proved);
}

TEST_CASE("scalar algebra: a division is a fraction only where the query assumes its divisor non-zero",
          "[prover][algebra]") {
    const Rule r = testing::pointwise::rule("ewmul(ewdiv(x, y), y) => x");
    std::string why;
    auto assumed = encode_pointwise(r, why, PointwiseFault::None, DivisorMode::AssumeNonZero);
    auto free = encode_pointwise(r, why, PointwiseFault::None, DivisorMode::Free);
    REQUIRE(assumed);
    REQUIRE(free);
    CHECK(decide_pointwise_by_algebra(*assumed).answer == Answer::Equal);
    // Without the assumption y = 0 is allowed, where x / y * y = x fails: the reciprocal is an
    // uninterpreted function of y, and the forms differ.
    CHECK(decide_pointwise_by_algebra(*free).answer == Answer::Different);
}

TEST_CASE("scalar algebra: a concat is read piece by piece, per region of positions", "[prover][algebra]") {
    Scalars s;
    const TermId a = s.real("a"), b = s.real("b"), c = s.real("c");
    auto concat = [&](TermId first, TermId second, int64_t at) {
        const TermId v = s.real("concat" + std::to_string(s.fresh++));
        ScalarDefinition d{ScalarDefinition::Kind::Concat, "concat", -1, v, 0, {}};
        d.pieces = {{INT64_MIN, at, first}, {at, INT64_MAX, second}};
        s.defs.push_back(d);
        return v;
    };
    const TermId two = s.lit(2);
    CHECK(s.decide(s.mul(two, concat(a, b, 3)), concat(s.mul(two, a), s.add(b, b), 3)) == Answer::Equal);
    // Pieces split at different bounds: three regions, equal in each.
    CHECK(s.decide(s.add(concat(a, b, 3), concat(c, c, 5)),
                   concat(s.add(a, c), concat(s.add(b, c), s.add(b, c), 5), 3)) == Answer::Equal);
    CHECK(s.decide(concat(a, b, 3), concat(b, a, 3)) == Answer::Different);
    CHECK(s.decide(concat(a, b, 3), concat(a, b, 4)) == Answer::Different);  // they differ at position 3
    CHECK(s.decide(s.mul(concat(a, b, 3), s.recip(concat(a, b, 3))), s.lit(1)) == Answer::Equal);

    // Through the checker: division under a concat, decided without nlsat.
    for (const char* text : {
             "concat[axis=0](ewdiv(v0, v0), ewdiv(ewdiv(v0, v0), v0)) => ewdiv(v0, concat[axis=0](v0, ewmul(v0, v0))) "
             "where v0: act[1,4]",
             "concat[axis=0](ewdiv(ewdiv(v0, v1), v0), ewdiv(v0, v1)) => ewdiv(v0, concat[axis=0](ewmul(v1, v0), v1)) "
             "where v0: act[1,4], v1: act[3,4]",
         }) {
        INFO(text);
        auto r = testing::pointwise::check(text);
        REQUIRE(r.verdict == Verdict::Proved);
        CHECK(r.bounded == "passed");
        CHECK_THAT(std::get<Proved>(r.results.at(0).outcome).detail, Catch::StartsWith("algebraic normal form: "));
    }
}
