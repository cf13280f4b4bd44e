// The store's write and read API: idempotent adds, deduplication up to renaming and side
// swapping (recorded, never silent), runs and stages for resume, proofs and pruning, filters.
#include <catch2/catch.hpp>

#include "ir/canonical.h"
#include "ir/rule_file.h"
#include "ruledb/database.h"
#include "tests/ruledb/ruledb_test_util.h"

using namespace rf;
using namespace rf::ruledb;
using namespace rf::ruledb::test;

TEST_CASE("ruledb: adds are idempotent: the same canonical text returns the existing id", "[ruledb]") {
    Database db(fresh_db("store-idempotent"));
    Id run = db.begin_run({"ruleforge test", R"({"max_ops": 2})", "", "axioms-1", {42, 7}});
    Rule r = rule("matmul(matmul(a, b), c) => matmul(a, matmul(b, c))");

    Added g1 = db.add_graph(r.lhs, run);
    Added g2 = db.add_graph(r.lhs, run);
    CHECK(g1.inserted);
    CHECK_FALSE(g2.inserted);
    CHECK(g1.id == g2.id);

    Added c1 = db.add_class("fp:00ff", describe_graph(r.lhs), run);
    Added c2 = db.add_class("fp:00ff", describe_graph(r.rhs), run);
    CHECK(c1.inserted);
    CHECK_FALSE(c2.inserted);
    CHECK(c1.id == c2.id);
    db.add_class_member(c1.id, describe_graph(r.rhs), run);
    db.add_class_member(c1.id, describe_graph(r.rhs), run);
    CHECK(db.find_class("fp:00ff") == c1.id);

    RuleEntry pair = describe_rule(r);
    Added k1 = db.add_candidate(pair, c1.id, run);
    Added k2 = db.add_candidate(pair, c1.id, run);
    CHECK((k1.inserted && !k2.inserted && k1.id == k2.id));

    AddedRule r1 = db.add_rule(pair, {run, k1.id, RuleStatus::Unproved});
    AddedRule r2 = db.add_rule(pair, {run, k1.id, RuleStatus::Unproved});
    CHECK((r1.inserted && !r2.inserted && r1.id == r2.id));
    CHECK_FALSE(r2.duplicate);  // the very same text again is not a duplicate

    DbStats s = db.stats();
    CHECK(s.graphs == 2);
    CHECK(s.classes == 1);
    CHECK(s.candidates == 1);
    CHECK(s.rules == 1);
    CHECK(s.duplicates == 0);
    auto info = db.run(run);
    REQUIRE(info);
    CHECK(info->spec.seeds == std::vector<uint64_t>{42, 7});
    CHECK(info->spec.axiom_version == "axioms-1");
    CHECK_FALSE(info->spec.tool_version.empty());
    CHECK(db.integrity_check().empty());
}

TEST_CASE("ruledb: rules equal up to renaming, node order or swapped sides are one rule", "[ruledb]") {
    Database db(fresh_db("store-dedup"));
    AddedRule first = db.add_rule(rule("assoc: ewmul(p, ewmul(q, r)) => ewmul(ewmul(p, q), r)"));
    AddedRule renamed = db.add_rule(rule("ewmul(a, ewmul(b, c)) => ewmul(ewmul(a, b), c)"));
    AddedRule swapped = db.add_rule(rule("ewmul(ewmul(a, b), c) => ewmul(a, ewmul(b, c))"));
    AddedRule other = db.add_rule(rule("ewmul(ewmul(a, b), c) => ewmul(ewmul(a, c), b)"));
    CHECK(first.inserted);
    CHECK(renamed.id == first.id);
    CHECK(renamed.duplicate == SourceKind::Renamed);
    CHECK(swapped.id == first.id);
    CHECK(swapped.duplicate == SourceKind::Swapped);
    CHECK(other.inserted);
    CHECK(db.stats().rules == 2);
    CHECK(db.stats().duplicates == 2);
    auto d = db.rule_details(first.id);
    REQUIRE(d);
    CHECK(d->summary.name == "assoc");
    REQUIRE(d->sources.size() == 3);
    CHECK(d->sources[0].kind == SourceKind::First);
    CHECK(d->sources[2].kind == SourceKind::Swapped);
}

TEST_CASE("ruledb: the canonical orientation binds every variable, then shrinks, then is deterministic", "[ruledb]") {
    Rule split = rule("split[axis=1](concat[axis=1](x, y)).0 => x");
    Rule flipped = split;
    std::swap(flipped.lhs, flipped.rhs);  // `x => split(concat(x, y)).0`: y unbound on the right
    RuleEntry a = describe_rule(split), b = describe_rule(flipped);
    CHECK(a.text == b.text);
    CHECK_FALSE(a.swapped);
    CHECK(b.swapped);
    CHECK(a.text.rfind("split", 0) == 0);

    // Both sides bind everything: the bigger side goes left.
    RuleEntry grow = describe_rule(rule("relu(x) => relu(relu(x))"));
    CHECK(grow.swapped);
    CHECK(grow.lhs.num_ops == 2);

    // Equal sizes: the smaller text goes left, whichever way the rule was written.
    RuleEntry c1 = describe_rule(rule("ewadd(x, y) => ewadd(y, x)"));
    RuleEntry c2 = describe_rule(rule("ewadd(b, a) => ewadd(a, b)"));
    CHECK(c1.text == c2.text);
    CHECK(c1.hash == c2.hash);
    CHECK(c1.hash.size() == 16);
}

TEST_CASE("ruledb: a stored rule loads back as the same rule", "[ruledb]") {
    Database db(fresh_db("store-load"));
    for (const char* text : {"matmul(a, concat[axis=1](b, c)) => concat[axis=1](matmul(a, b), matmul(a, c))",
                             "relu(conv2d(x, w)) => conv2d[act=relu](x, w)",
                             "(conv2d(x, w1), conv2d(x, w2)) => (split[axis=1](conv2d(x, concat[axis=0](w1, w2))).0, "
                             "split[axis=1](conv2d(x, concat[axis=0](w1, w2))).1)"}) {
        AddedRule added = db.add_rule(rule(text));
        Rule back = db.load_rule(added.id);
        CHECK(describe_rule(back).text == db.rule_details(added.id)->summary.text);
        CHECK_FALSE(db.add_rule(back).inserted);
    }
}

TEST_CASE("ruledb: TASO's 133 rules in TENSAT text store without duplicates", "[ruledb][tensat]") {
    std::string file = std::string(RF_REFERENCE_DIR) + "/tensat/converted.txt";
    INFO("reference file " << file << " (../shared/reference/ beside the checkout)");
    REQUIRE(std::filesystem::exists(file));
    auto asts = parse_rules(read_text_file(file), file, RuleFormat::Tensat, false);
    Database db(fresh_db("store-tensat"));
    int added = 0, folded = 0;
    db.atomically([&] {
        for (const RuleAst& ast : asts) {
            AddedRule r = db.add_rule(build_rule(ast));
            added += r.inserted;
            folded += r.duplicate.has_value();
        }
    });
    INFO(added << " distinct, " << folded << " folded");
    CHECK(added + folded <= static_cast<int>(asts.size()));
    CHECK(db.stats().rules == added);
    CHECK(db.stats().duplicates == folded);
    // Every stored rule loads back to its own key: nothing stored twice.
    for (const RuleSummary& s : db.list_rules()) CHECK(describe_rule(db.load_rule(s.id)).text == s.text);
}

TEST_CASE("ruledb: runs and finished stages support resume", "[ruledb]") {
    Database db(fresh_db("store-runs"));
    Id a = db.begin_run({.command = "ruleforge discover --max-ops 2"});
    db.finish_run(a, RunStatus::Finished);
    Id b = db.begin_run({.command = "ruleforge discover --max-ops 3"});
    db.atomically([&] {
        db.add_rule(numbered_rule(1), {.run = b});
        db.mark_stage_done(b, "enumerate", "size=1", R"({"graphs": 12})");
    });
    db.mark_stage_done(b, "enumerate", "size=2");
    auto open = db.last_unfinished_run("ruleforge discover");
    REQUIRE(open);
    CHECK(open->id == b);
    CHECK(open->status == RunStatus::Running);
    CHECK_FALSE(db.last_unfinished_run("ruleforge prove"));
    CHECK(db.done_units(b, "enumerate") == std::vector<std::string>{"size=1", "size=2"});
    CHECK(db.done_units(a, "enumerate").empty());
    db.finish_run(b, RunStatus::Interrupted);
    db.resume_run(b);
    CHECK(db.run(b)->status == RunStatus::Running);
    CHECK(db.run(b)->finished_at.empty());
    db.finish_run(b, RunStatus::Finished);
    CHECK_FALSE(db.last_unfinished_run());
    CHECK_THROWS_AS(db.begin_run({.command = "x", .params_json = "{not json"}), std::invalid_argument);
}

TEST_CASE("ruledb: atomically() stores all of a logical record or none of it", "[ruledb]") {
    Database db(fresh_db("store-atomic"));
    CHECK_THROWS_AS(db.atomically([&] {
        db.add_rule(numbered_rule(1));
        db.add_rule(numbered_rule(2));
        throw std::runtime_error("interrupted");
    }),
                    std::runtime_error);
    CHECK(db.stats().rules == 0);
    CHECK(db.stats().graphs == 0);
    db.atomically([&] {
        db.add_rule(numbered_rule(1));
        try {
            db.atomically([&] {
                db.add_rule(numbered_rule(2));
                throw std::runtime_error("inner");
            });
        } catch (const std::runtime_error&) {
        }
    });
    CHECK(db.stats().rules == 1);
}

TEST_CASE("ruledb: proofs settle statuses, and pruning is recorded with reason and subsumers", "[ruledb]") {
    Database db(fresh_db("store-proofs"));
    Id run = db.begin_run({.command = "ruleforge prove"});
    RuleEntry e = describe_rule(rule("matmul(matmul(a, b), c) => matmul(a, matmul(b, c))"));
    Id cand = db.add_candidate(e, std::nullopt, run).id;
    ProofRecord timeout{"cvc5", ProofStatus::Timeout, 1000, {}, "", "", "10 s limit", "", run};
    db.record_candidate_proof(cand, timeout);
    ProofRecord proved{"z3", ProofStatus::Proved, 12.5, {"matmul_assoc"}, "", "", "", "file:/tmp/q.smt2", run};
    db.record_candidate_proof(cand, proved);
    Id r = db.add_rule(e, {run, cand, RuleStatus::Proved}).id;
    Id small = db.add_rule(rule("relu(relu(x)) => relu(x)"), {.run = run}).id;
    db.record_rule_proof(small, {"z3", ProofStatus::Unknown, 3, {}, "", "", "incomplete", "", run});
    CHECK(db.rule_details(small)->summary.status == RuleStatus::Unknown);
    db.record_rule_proof(small, {"bounded", ProofStatus::Proved, 1, {}, "", "", "", "", run});
    CHECK(db.rule_details(small)->summary.status == RuleStatus::Proved);
    db.record_rule_proof(small, {"cvc5", ProofStatus::Timeout, 1, {}, "", "", "", "", run});
    CHECK(db.rule_details(small)->summary.status == RuleStatus::Proved);  // a timeout settles nothing

    db.keep_rule(small);
    db.prune_rule(r, PruneReason::Derivable, "lhs rewrites to rhs in 2 steps", {small});
    auto d = db.rule_details(r);
    REQUIRE(d);
    CHECK(d->summary.decision == Decision::Pruned);
    CHECK(d->summary.prune_reason == PruneReason::Derivable);
    CHECK(d->subsumed_by == std::vector<Id>{small});
    CHECK(d->prune_detail == "lhs rewrites to rhs in 2 steps");
    REQUIRE(d->proofs.size() == 2);  // recorded on its candidate
    CHECK(d->proofs[0].on_candidate);
    CHECK(d->proofs[0].record.status == ProofStatus::Timeout);
    CHECK(d->proofs[1].record.axioms == std::vector<std::string>{"matmul_assoc"});
    REQUIRE(d->origin_run);
    CHECK(d->origin_run->spec.command == "ruleforge prove");
    db.keep_rule(r);
    CHECK(db.rule_details(r)->subsumed_by.empty());
    CHECK(db.stats().candidates_by_status.at("proved") == 1);

    ValidationRecord v{r, "resnet50", "conv3", "cpu", 1e-6, 2e-5, 1.5, 1.2, ValidationStatus::Valid, "", run};
    db.record_validation(v);
    REQUIRE(db.rule_details(r)->validations.size() == 1);
    CHECK(db.rule_details(r)->validations[0].record.model == "resnet50");
}

TEST_CASE("ruledb: list filters by status, decision, operator and size, and show matches ids and hashes", "[ruledb]") {
    Database db(fresh_db("store-list"));
    Id a = db.add_rule(rule("matmul(matmul(a, b), c) => matmul(a, matmul(b, c))"), {{}, {}, RuleStatus::Proved}).id;
    Id b = db.add_rule(rule("relu(conv2d(x, w)) => conv2d[act=relu](x, w)"), {{}, {}, RuleStatus::Proved}).id;
    Id c = db.add_rule(rule("relu(relu(x)) => relu(x)"), {{}, {}, RuleStatus::Refuted}).id;
    db.keep_rule(a);
    db.prune_rule(b, PruneReason::CommonSubgraph, "relu over a smaller rule");
    auto ids = [](const std::vector<RuleSummary>& v) {
        std::vector<Id> out;
        for (const auto& s : v) out.push_back(s.id);
        return out;
    };
    CHECK(ids(db.list_rules()) == std::vector<Id>{a, b, c});
    CHECK(ids(db.list_rules({.status = RuleStatus::Proved})) == std::vector<Id>{a, b});
    CHECK(ids(db.list_rules({.decision = Decision::Pruned})) == std::vector<Id>{b});
    CHECK(ids(db.list_rules({.op = "conv2d"})) == std::vector<Id>{b});
    CHECK(ids(db.list_rules({.max_ops = 1})) == std::vector<Id>{});
    CHECK(ids(db.list_rules({.max_ops = 2, .min_ops = 2})) == std::vector<Id>{a, b, c});
    RuleSummary sa = db.list_rules()[0];
    CHECK(sa.ops == std::vector<std::string>{"matmul"});
    CHECK(db.match_rules(std::to_string(a)) == std::vector<Id>{a});
    CHECK(db.match_rules(sa.hash.substr(0, 8)) == std::vector<Id>{a});
    CHECK(db.match_rules("zzz").empty());
    CHECK(db.stats().pruned_by_reason.at("common_subgraph") == 1);
}
