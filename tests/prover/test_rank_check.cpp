// Rank-generic proofs (prover/rank_check.h): a rule proved at its representative rank is proved
// at the other ranks it stands for, and the bounded checker re-tests those ranks.
#include <catch2/catch.hpp>

#include "ir/native_text.h"
#include "ir/rank_generic.h"
#include "ir/rule.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"
#include "prover/rank_check.h"

using namespace rf;

namespace {
Rule rule_of(const std::string& text) { return build_rule(parse_native_rule(text)); }
}  // namespace

TEST_CASE("rank check: the ranks tried beside the representative one", "[prover][rank]") {
    CHECK(prover::other_ranks(rule_of("relu(relu(x)) => relu(x)")) == std::vector<size_t>{0, 3});
    CHECK(prover::other_ranks(rule_of("split[axis=1](concat[axis=1](x, y)).0 => x")) == std::vector<size_t>{3});
    CHECK(prover::other_ranks(rule_of("split[axis=0](concat[axis=0](x, y)).0 => x")) == std::vector<size_t>{1, 3});
    CHECK(prover::other_ranks(rule_of("relu(transpose[perm=[1,0]](x)) => transpose[perm=[1,0]](relu(x))")).empty());
}

TEST_CASE("rank check: a false rank-generic rule is refuted at the other ranks too", "[prover][rank]") {
    auto r = prover::refute_at_other_ranks(rule_of("relu(ewadd(x, y)) => ewadd(relu(x), relu(y))"));
    REQUIRE(r);
    CHECK(r->rank == 0);
    CHECK(r->instance.variables()[0].type.rank() == 0);
    REQUIRE(r->check.counterexample);
    CHECK_FALSE(prover::refute_at_other_ranks(rule_of("relu(relu(x)) => relu(x)")));
}

TEST_CASE("rank check: rank-generic rules proved at their rank are proved at the others", "[prover][rank]") {
    prover::Checker checker(prover::builtin_axioms(), {});
    for (const char* text : {
             "relu(relu(x)) => relu(x)",
             "smul(ewadd(x, y), s) => ewadd(smul(x, s), smul(y, s))",
             "split[axis=1](concat[axis=1](x, y)).0 => x",
             "relu(concat[axis=0](x, y)) => concat[axis=0](relu(x), relu(y))",
         }) {
        INFO(text);
        Rule r = rule_of(text);
        auto own = checker.check(r, "own");
        CHECK(own.verdict == prover::Verdict::Proved);
        for (size_t rank = rank_generality(r).min_rank; rank <= 4; ++rank) {
            INFO("rank " << rank);
            auto retyped = at_rank(r, rank);
            REQUIRE(retyped);
            CHECK(checker.check(*retyped, "at_rank").verdict == prover::Verdict::Proved);
        }
    }
}
