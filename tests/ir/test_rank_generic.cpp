// Rank-generic rules (ir/rank_generic.h): which rules stand for every rank, which variables take
// the rank, the least rank their axes need, and the rule retyped at another rank.
#include <catch2/catch.hpp>

#include "ir/native_text.h"
#include "ir/rank_generic.h"
#include "ir/rule.h"

using namespace rf;

namespace {
Rule rule_of(const std::string& text) { return build_rule(parse_native_rule(text)); }

size_t rank_of(const Rule& r, const std::string& name) {
    for (const Variable& v : r.variables())
        if (v.name == name) return v.type.rank();
    FAIL("no variable " << name);
    return 0;
}
}  // namespace

TEST_CASE("rank_generic: element-wise, smul, concat and split rules stand for every rank", "[ir][rank]") {
    SECTION("element-wise over one free rank") {
        auto g = rank_generality(rule_of("relu(relu(x)) => relu(x)"));
        CHECK(g.generic());
        CHECK(g.free == std::vector<bool>{true});
        CHECK(g.rank == 2);
        CHECK(g.min_rank == 0);
    }
    SECTION("smul's scalar keeps rank 0") {
        Rule r = rule_of("smul(ewadd(x, y), s) => ewadd(smul(x, s), smul(y, s))");
        auto g = rank_generality(r);
        CHECK(g.free == std::vector<bool>{true, true, false});
        auto at3 = at_rank(r, 3);
        REQUIRE(at3);
        CHECK(rank_of(*at3, "x") == 3);
        CHECK(rank_of(*at3, "y") == 3);
        CHECK(rank_of(*at3, "s") == 0);
        auto at0 = at_rank(r, 0);
        REQUIRE(at0);
        CHECK(rank_of(*at0, "x") == 0);
    }
    SECTION("an axis needs the rank to reach it") {
        Rule r = rule_of("split[axis=1](concat[axis=1](x, y)).0 => x");
        auto g = rank_generality(r);
        CHECK(g.generic());
        CHECK(g.min_rank == 2);
        CHECK_FALSE(at_rank(r, 1));
        auto at4 = at_rank(r, 4);
        REQUIRE(at4);
        CHECK(rank_of(*at4, "x") == 4);
        CHECK(rank_of(*at4, "y") == 4);
        CHECK(at4->lhs.type(at4->lhs.outputs()[0]).rank() == 4);
    }
}

TEST_CASE("rank_generic: operators whose meaning depends on the rank keep it", "[ir][rank]") {
    for (const char* text : {
             "relu(transpose[perm=[1,0]](x)) => transpose[perm=[1,0]](relu(x))",
             "matmul(relu(x), y) => matmul(relu(x), y)",
             "ewadd(x, const_one[shape=[2,3]]()) => ewadd(const_one[shape=[2,3]](), x)",
             "relu(relu(x)) => relu(x) where x: act[2,3]",  // concrete sizes: proved there only
             "relu(relu(x)) => relu(x) where x: act[a,a]",  // one size at two axes (square)
         }) {
        INFO(text);
        Rule r = rule_of(text);
        CHECK_FALSE(rank_generality(r).generic());
        CHECK_FALSE(at_rank(r, 3));
    }
}
