#include "ruledb/minimize.h"

#include <algorithm>
#include <string>

#include "support/stop.h"

namespace rf::ruledb {

MinimizeReport prune_derivable(Database& db, const DeriveBudget& budget, support::Progress* progress) {
    RuleFilter proved;
    proved.status = RuleStatus::Proved;
    std::vector<RuleSummary> rules = db.list_rules(proved);
    rules.erase(std::remove_if(rules.begin(), rules.end(),
                               [](const RuleSummary& r) { return r.prune_reason == PruneReason::CommonSubgraph; }),
                rules.end());
    // Smaller rules first: a rule may only be explained by rules no bigger than itself.
    std::stable_sort(rules.begin(), rules.end(), [](const RuleSummary& a, const RuleSummary& b) {
        int sa = std::max(a.lhs_ops, a.rhs_ops), sb = std::max(b.lhs_ops, b.rhs_ops);
        if (sa != sb) return sa < sb;
        if (a.lhs_ops + a.rhs_ops != b.lhs_ops + b.rhs_ops) return a.lhs_ops + a.rhs_ops < b.lhs_ops + b.rhs_ops;
        return a.id < b.id;
    });
    MinimizeReport report;
    if (progress) progress->start(0, "prune", rules.size(), "rules");
    std::vector<Rule> kept;
    DerivationRules kept_directions;
    std::vector<Id> kept_ids;
    for (const RuleSummary& s : rules) {
        // Every decision so far is stored whole; a new pass decides the same way again.
        support::throw_if_stopped("pruning stopped after " + std::to_string(report.considered) + " of " +
                                  std::to_string(rules.size()) + " rules (the pass starts over when run again)");
        Rule rule;
        try {
            rule = db.load_rule(s.id);
        } catch (const std::exception&) {
            continue;  // stored by an older grammar; leave it for a human
        }
        ++report.considered;
        if (progress) progress->tick();
        Derivation d = derive(rule, kept, kept_directions, budget);
        if (!d.derivable) {
            db.keep_rule(s.id);
            kept_directions.add(rule, kept.size());
            kept.push_back(std::move(rule));
            kept_ids.push_back(s.id);
            ++report.kept;
            continue;
        }
        std::vector<Id> by;
        std::string chain;
        for (size_t i : d.rules_used) {
            if (std::find(by.begin(), by.end(), kept_ids[i]) == by.end()) by.push_back(kept_ids[i]);
            chain += (chain.empty() ? "" : ", ") + std::to_string(kept_ids[i]);
        }
        // One step of one smaller rule, inside a context both sides share: the rule is that rule
        // in context (TASO's common-subgraph pruning), named so rather than "derivable".
        const std::string context = d.steps == 1 ? context_kind(rule) : "";
        if (!context.empty()) {
            db.prune_rule(s.id, PruneReason::CommonSubgraph, context + ": rule " + chain + " applied inside it", by);
            ++report.pruned;
            ++report.in_context;
            continue;
        }
        std::string detail = d.steps == 0 ? "both sides are the same term (up to commuting ewadd/ewmul operands)"
                                          : "lhs rewrites to rhs in " + std::to_string(d.steps) + " step" +
                                                (d.steps > 1 ? "s" : "") + " (rules " + chain + ")";
        db.prune_rule(s.id, PruneReason::Derivable, detail, by);
        ++report.pruned;
    }
    if (progress) progress->finish();
    return report;
}

}  // namespace rf::ruledb
