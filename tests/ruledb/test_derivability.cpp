// Derivability pruning: bounded rewriting finds chains of kept rules (in either direction,
// respecting shapes), the minimisation pass keeps the smallest rules and prunes the derivable
// ones with their subsumers, and it never claims a derivation the rules do not give.
#include <catch2/catch.hpp>

#include "ruledb/minimize.h"
#include "tests/ruledb/ruledb_test_util.h"

using namespace rf;
using namespace rf::ruledb;
using namespace rf::ruledb::test;

namespace {

const char* kAssoc = "matmul(matmul(a, b), c) => matmul(a, matmul(b, c))";
const char* kAssoc4 = "matmul(matmul(matmul(a, b), c), d) => matmul(a, matmul(b, matmul(c, d)))";
const char* kFuse = "relu(conv2d(x, w)) => conv2d[act=relu](x, w)";
const char* kComm = "ewadd(x, y) => ewadd(y, x)";

}  // namespace

TEST_CASE("ruledb: term_key keeps variable identity but not node order or commuted operands", "[ruledb][derive]") {
    Rule comm = rule(kComm);
    CHECK(term_key(comm.lhs) == term_key(comm.rhs));
    Rule other = rule("matmul(x, y) => matmul(y, x)");  // not commutative: different terms
    CHECK(term_key(other.lhs) != term_key(other.rhs));
    Rule renamed = rule("ewadd(relu(x), y) => ewadd(relu(y), x)");  // variable identity matters
    CHECK(term_key(renamed.lhs) != term_key(renamed.rhs));
    Rule same = rule("ewadd(relu(x), tanh(y)) => ewadd(relu(x), tanh(y))");
    CHECK(term_key(same.lhs) == term_key(same.rhs));
}

TEST_CASE("ruledb: bounded rewriting derives chains of kept rules", "[ruledb][derive]") {
    std::vector<Rule> kept = {rule(kAssoc), rule(kComm)};
    Derivation d = derive(rule(kAssoc4), kept);
    CHECK(d.derivable);
    CHECK(d.steps == 2);
    CHECK(d.rules_used == std::vector<size_t>{0, 0});

    // Used backwards too, and on inner nodes.
    Derivation back = derive(rule("matmul(a, matmul(b, matmul(c, d))) => matmul(matmul(a, b), matmul(c, d))"), kept);
    CHECK(back.derivable);
    // Commuting ewadd/ewmul operands is built in (the enumerator keeps one spelling per rule up
    // to commuting): equal up to commuting needs no rule, and a rule matches commuted operands.
    Derivation comm = derive(rule("ewadd(ewadd(x, y), z) => ewadd(z, ewadd(y, x))"), kept);
    CHECK(comm.derivable);
    CHECK(comm.rules_used.empty());
    Derivation distrib = derive(rule("ewmul(z, ewadd(y, x)) => ewadd(ewmul(z, y), ewmul(x, z))"),
                                {rule("ewmul(ewadd(a, b), c) => ewadd(ewmul(a, c), ewmul(b, c))")});
    CHECK(distrib.derivable);
    CHECK(distrib.rules_used == std::vector<size_t>{0});

    Derivation none = derive(rule(kFuse), kept);
    CHECK_FALSE(none.derivable);
    CHECK(none.stopped_by == "exhausted");

    Derivation tight = derive(rule(kAssoc4), kept, DeriveBudget{1, 4000, 2});
    CHECK_FALSE(tight.derivable);
    CHECK(tight.stopped_by == "steps");
}

TEST_CASE("ruledb: multi-output rules apply where all their outputs match", "[ruledb][derive]") {
    std::vector<Rule> kept = {
        rule("(conv2d(x, w1), conv2d(x, w2)) => (split[axis=1](conv2d(x, concat[axis=0](w1, w2))).0, "
             "split[axis=1](conv2d(x, concat[axis=0](w1, w2))).1)")};
    Derivation d = derive(rule("(relu(conv2d(a, u)), tanh(conv2d(a, v))) => "
                               "(relu(split[axis=1](conv2d(a, concat[axis=0](u, v))).0), "
                               "tanh(split[axis=1](conv2d(a, concat[axis=0](u, v))).1))"),
                          kept);
    CHECK(d.derivable);
    CHECK(d.steps == 1);
    // Different inputs on the two convolutions: the pattern's shared x does not match.
    CHECK_FALSE(derive(rule("(relu(conv2d(a, u)), tanh(conv2d(b, v))) => "
                            "(relu(split[axis=1](conv2d(a, concat[axis=0](u, v))).0), "
                            "tanh(split[axis=1](conv2d(a, concat[axis=0](u, v))).1))"),
                       kept)
                    .derivable);
}

TEST_CASE("ruledb: a kept rule applies only where its shapes (its conditions) hold", "[ruledb][derive]") {
    std::vector<Rule> kept = {rule("transpose[perm=[1,0]](transpose[perm=[1,0]](x)) => x where x: act[3,3]")};
    CHECK(derive(rule("relu(transpose[perm=[1,0]](transpose[perm=[1,0]](y))) => relu(y) where y: "
                      "act[3,3]"),
                 kept)
              .derivable);
    CHECK_FALSE(derive(rule("relu(transpose[perm=[1,0]](transpose[perm=[1,0]](y))) => relu(y) "
                            "where y: act[4,3]"),
                       kept)
                    .derivable);
    // Shared symbols are conditions too: `ewadd` of equal shapes only matches equal shapes.
    std::vector<Rule> tied = {rule("ewadd(x, y) => ewadd(y, x) where x: act[n,m], y: act[n,m]")};
    CHECK(derive(rule("relu(ewadd(a, b)) => relu(ewadd(b, a)) where a: act[2,5], b: act[2,5]"), tied).derivable);
}

TEST_CASE("ruledb: prune_derivable keeps the smallest rules and records who derives the rest", "[ruledb][derive]") {
    Database db(fresh_db("derive-prune"));
    Id run = db.begin_run({.command = "ruleforge prune"});
    auto proved = RuleOrigin{.run = run, .candidate = std::nullopt, .status = RuleStatus::Proved};
    Id a4 = db.add_rule(rule(kAssoc4), proved).id;  // added first, yet bigger: decided after assoc
    Id a3 = db.add_rule(rule(kAssoc), proved).id;
    Id fuse = db.add_rule(rule(kFuse), proved).id;
    Id open = db.add_rule(rule("relu(relu(x)) => relu(x)"), {.run = run}).id;  // not proved: left alone
    MinimizeReport r = prune_derivable(db);
    CHECK(r.considered == 3);
    CHECK(r.kept == 2);
    CHECK(r.pruned == 1);
    auto d = db.rule_details(a4);
    CHECK(d->summary.decision == Decision::Pruned);
    CHECK(d->summary.prune_reason == PruneReason::Derivable);
    CHECK(d->subsumed_by == std::vector<Id>{a3});
    CHECK(d->prune_detail ==
          "lhs rewrites to rhs in 2 steps (rules " + std::to_string(a3) + ", " + std::to_string(a3) + ")");
    CHECK(db.rule_details(a3)->summary.decision == Decision::Kept);
    CHECK(db.rule_details(fuse)->summary.decision == Decision::Kept);
    CHECK(db.rule_details(open)->summary.decision == Decision::Undecided);
    // Running it again decides the same way.
    MinimizeReport again = prune_derivable(db);
    CHECK(again.kept == 2);
    CHECK(again.pruned == 1);
    CHECK(db.integrity_check().empty());
}

TEST_CASE("ruledb: a smaller rule under a common outer operator is pruned as common_subgraph", "[ruledb][derive]") {
    Database db(fresh_db("derive-context"));
    Id run = db.begin_run({.command = "ruleforge prune"});
    auto proved = RuleOrigin{.run = run, .candidate = std::nullopt, .status = RuleStatus::Proved};
    Id fuse = db.add_rule(rule(kFuse), proved).id;
    // The fusion rule under an ewadd both sides share: that rule in context.
    Id in_context = db.add_rule(rule("ewadd(y, relu(conv2d(x, w))) => ewadd(y, conv2d[act=relu](x, w))"), proved).id;
    // Two steps of it (one per operand): derivable, but not one rule in context.
    Id twice = db.add_rule(rule("ewadd(relu(conv2d(x, w)), relu(conv2d(x, v))) => "
                                "ewadd(conv2d[act=relu](x, w), conv2d[act=relu](x, v))"),
                           proved)
                   .id;
    MinimizeReport r = prune_derivable(db);
    CHECK(r.kept == 1);
    CHECK(r.pruned == 2);
    CHECK(r.in_context == 1);
    auto d = db.rule_details(in_context);
    CHECK(d->summary.prune_reason == PruneReason::CommonSubgraph);
    CHECK(d->subsumed_by == std::vector<Id>{fuse});
    CHECK(d->prune_detail == "common outer operator: rule " + std::to_string(fuse) + " applied inside it");
    CHECK(db.rule_details(twice)->summary.prune_reason == PruneReason::Derivable);
    CHECK(context_kind(rule("relu(matmul(x, y)) => relu(matmul(y, x))")) == "");  // no operand in common
    CHECK(context_kind(rule("ewadd(x, relu(relu(y))) => ewadd(x, relu(y))")) == "common outer operator");
}

TEST_CASE("ruledb: bounded rewriting searches from both sides even when the left one stays narrow",
          "[ruledb][derive]") {
    // TASO's taso_71 (one input shared by both concats) follows from the four-variable rule read
    // backwards, one step from the right side. From the left the rule applies too, but to a
    // state one level wide that never meets the right side: a search that expanded the left
    // side on every tie spent both steps there and missed it.
    std::vector<Rule> kept = {
        rule("concat[axis=1](ewadd(v0, v1), ewadd(v2, v3)) => "
             "ewadd(concat[axis=1](v1, v2), concat[axis=1](v0, v3)) "
             "where v0: act[d0,d1], v1: act[d0,d1], v2: act[d0,d2], v3: act[d0,d2]")};
    Rule t = rule(
        "concat[axis=1](ewadd(a, b), ewadd(b, c)) => ewadd(concat[axis=1](a, b), concat[axis=1](b, "
        "c)) "
        "where a: act[2,4], b: act[2,4], c: act[2,4]");
    Derivation d = derive(t, kept, DeriveBudget{2, 4000, 2});
    CHECK(d.derivable);
    CHECK(d.steps == 1);
}
