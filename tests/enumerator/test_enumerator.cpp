// The enumerator on operator sets small enough to count by hand, and its invariants on TASO's
// setting at size 2: thread-count invariance, no duplicate candidates, hash hits confirmed.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "enumerator/enumerator.h"
#include "fingerprint/graph_fingerprint.h"
#include "ir/canonical.h"
#include "ir/graph_rebuild.h"
#include "ir/native_text.h"
#include "ruledb/rule_key.h"

using namespace rf;

namespace {

enumerator::EnumConfig one_variable(std::vector<enumerator::OpTemplate> templates, std::vector<int64_t> sizes,
                                    int max_ops, bool square = false) {
    Variable x{"x", Role::Activation, make_type({Dim::symbol(0), Dim::symbol(square ? 0 : 1)})};
    std::vector<fingerprint::Instantiation> insts;
    for (int64_t n : sizes) insts.push_back(fingerprint::Instantiation{{{0, n}, {1, n + 2}}, 1});
    enumerator::EnumConfig c;
    c.plan = fingerprint::ShapePlan({x}, insts, 0, 3);
    c.templates = std::move(templates);
    c.max_ops = max_ops;
    c.max_outputs = 1;
    return c;
}

enumerator::OpTemplate named(const std::string& name) {
    for (const enumerator::OpTemplate& t : enumerator::full_templates())
        if (t.name == name) return t;
    FAIL("no template " << name);
    return {};
}

std::vector<std::string> texts(const enumerator::EnumResult& r) {
    std::vector<std::string> out;
    for (const enumerator::Candidate& c : r.candidates) out.push_back(print_native(c.rule));
    return out;
}

}  // namespace

TEST_CASE("enumerator: relu and ewadd over one variable, counted by hand", "[enumerator]") {
    // Size 1: relu(x), x+x. Size 2: relu(relu x) (= relu x), relu(x+x) = relu x + relu x,
    // x + relu x, x + (x+x), (x+x) + (x+x). Classes: x, relu x, 2x, 2 relu x, x + relu x, 3x, 4x.
    enumerator::EnumResult r = enumerator::enumerate(one_variable({named("relu"), named("ewadd")}, {2, 3}, 2));
    REQUIRE(r.levels.size() == 2);
    CHECK(r.levels[0].graphs == 2);
    CHECK(r.levels[0].new_classes == 2);
    CHECK(r.levels[1].graphs == 6);
    CHECK(r.levels[1].new_classes == 4);
    CHECK(r.levels[1].joined == 2);
    CHECK(r.num_classes() == 7);
    // relu(relu x) => relu x shares relu(x) but does not generalise (relu y != y): kept.
    REQUIRE(r.candidates.size() == 2);
    CHECK(r.levels[1].drops.common_subgraph == 0);
}

TEST_CASE("enumerator: a rule true only at one shape is not proposed", "[enumerator]") {
    // transpose(x) == x holds for 1x1 x only.
    enumerator::EnumConfig one = one_variable({named("transpose")}, {1}, 1, true);
    CHECK(enumerator::enumerate(one).candidates.size() == 1);
    enumerator::EnumConfig two = one_variable({named("transpose")}, {1, 3}, 1, true);
    enumerator::EnumResult r = enumerator::enumerate(two);
    CHECK(r.candidates.empty());
    CHECK(r.num_classes() == 2);
}

TEST_CASE("enumerator: the result does not depend on the thread count", "[enumerator]") {
    enumerator::EnumConfig c = enumerator::preset_config("taso", 2);
    c.threads = 1;
    enumerator::EnumResult a = enumerator::enumerate(c);
    c.threads = 2;
    enumerator::EnumResult b = enumerator::enumerate(c);
    CHECK(texts(a) == texts(b));
    REQUIRE(a.num_classes() == b.num_classes());
    for (size_t i = 0; i < a.num_classes(); i += 97) {
        enumerator::EnumClass x = a.get_class(i), y = b.get_class(i);
        CHECK(x.fingerprint == y.fingerprint);
        CHECK(canonical_text(x.representative) == canonical_text(y.representative));
        CHECK(x.members.size() == y.members.size());
    }
}

// Every spelling of g with the operands of commutative nodes in either order (brute force: all
// 2^k choices, independent of the enumerator's tie-based canonical order).
std::vector<Graph> all_commutations(const Graph& g) {
    std::vector<uint32_t> comm;
    for (uint32_t i = 0; i < g.nodes().size(); ++i)
        if (op_info(g.node(i).op).commutative) comm.push_back(i);
    std::vector<Graph> out;
    for (uint32_t mask = 0; mask < (1u << comm.size()); ++mask) {
        RebuildOptions o;
        o.edit = [&](uint32_t old_node, NodeEdit& e) {
            for (size_t k = 0; k < comm.size(); ++k)
                if (comm[k] == old_node && (mask >> k & 1)) std::swap(e.inputs[0], e.inputs[1]);
        };
        out.push_back(rebuild(g, g.variables(), o));
    }
    return out;
}

TEST_CASE("enumerator: no duplicate candidates under renaming, reordering, commuting or swapping sides",
          "[enumerator]") {
    enumerator::EnumResult r = enumerator::enumerate(enumerator::preset_config("taso", 2));
    REQUIRE(!r.candidates.empty());
    // Each candidate's spellings, as canonical texts; no text may belong to two candidates.
    std::map<std::string, size_t> owner;
    for (size_t i = 0; i < r.candidates.size(); ++i) {
        const Rule& c = r.candidates[i].rule;
        for (const Graph& l : all_commutations(c.lhs))
            for (const Graph& rh : all_commutations(c.rhs))
                for (int swap = 0; swap < 2; ++swap) {
                    Rule v;
                    v.lhs = swap ? rh : l;
                    v.rhs = swap ? l : rh;
                    auto [it, fresh] = owner.try_emplace(canonical_text(v), i);
                    INFO(canonical_text(c) << "  and  " << canonical_text(r.candidates[it->second].rule));
                    CHECK((fresh || it->second == i));
                }
    }
    uint64_t renamings = 0;
    for (const enumerator::LevelStats& l : r.levels) renamings += l.drops.renaming;
    CHECK(renamings > 0);  // TASO's three x's etc. give every rule in several namings
}

TEST_CASE("enumerator: fingerprint hits are confirmed in full (forced collisions)", "[enumerator]") {
    enumerator::EnumConfig c = one_variable({named("relu"), named("ewadd"), named("ewmul")}, {2, 3}, 2);
    enumerator::EnumResult wide = enumerator::enumerate(c);
    c.hash_bits = 3;  // eight fingerprints for dozens of classes
    enumerator::EnumResult narrow = enumerator::enumerate(c);
    CHECK(texts(wide) == texts(narrow));
    CHECK(wide.num_classes() == narrow.num_classes());
    uint64_t collisions = 0;
    for (const enumerator::LevelStats& l : narrow.levels) collisions += l.hash_collisions;
    CHECK(collisions > 0);
}

TEST_CASE("enumerator: overflowing graphs get classes of their own", "[enumerator]") {
    // x^(2^k) by repeated ewmul overflows int64 by size 6.
    enumerator::EnumConfig c = one_variable({named("ewmul")}, {2}, 6);
    enumerator::EnumResult r = enumerator::enumerate(c);
    uint64_t overflows = 0;
    for (const enumerator::LevelStats& l : r.levels) overflows += l.overflows;
    CHECK(overflows > 0);
    // No candidate rests on an overflowed value.
    for (const enumerator::Candidate& cand : r.candidates) {
        CHECK_FALSE(fingerprint::evaluate_points(
                        cand.rule.lhs,
                        fingerprint::ShapePlan(cand.rule.lhs.variables(), {fingerprint::Instantiation{}}, 0, 1), 1)
                        .overflowed());
    }
}

TEST_CASE("enumerator: TASO's preset has its 26 templates and 20 variables", "[enumerator]") {
    enumerator::EnumConfig c = enumerator::preset_config("taso", 1);
    CHECK(c.templates.size() == 26);
    CHECK(c.plan.base_variables().size() == 20);
    CHECK(c.plan.base_variables()[6].type.to_string() == "[2,4,5,5]");
    enumerator::EnumResult r = enumerator::enumerate(c);
    CHECK(r.levels[0].graphs > 300);
    CHECK_THROWS_AS(enumerator::select_templates(c.templates, "relu,nosuch"), std::invalid_argument);
}

TEST_CASE("enumerator: single-output candidates name the class they come from", "[enumerator]") {
    enumerator::EnumResult r = enumerator::enumerate(enumerator::preset_config("taso", 2));
    size_t linked = 0;
    for (const enumerator::Candidate& c : r.candidates) {
        if (c.num_outputs == 2) {
            CHECK(c.class_index == -1);
            continue;
        }
        REQUIRE(c.class_index >= 0);
        REQUIRE(static_cast<size_t>(c.class_index) < r.num_classes());
        CHECK(r.class_size(c.class_index) > 0);
        // The class's fingerprint is the one of both sides.
        const enumerator::EnumClass k = r.get_class(c.class_index);
        CHECK(r.class_fingerprint(c.class_index) == k.fingerprint);
        ++linked;
    }
    CHECK(linked > 0);
}
