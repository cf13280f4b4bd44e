#include "ir/rule_ast.h"

#include <algorithm>
#include <utility>

namespace rf {

std::string SourceLoc::to_string() const {
    std::string s = file.empty() ? "" : file + ":";
    return s + std::to_string(line) + ":" + std::to_string(column);
}

ParseError::ParseError(const SourceLoc& loc, const std::string& message)
    : support::UserError(loc.to_string() + ": " + message), d_loc(loc), d_message(message) {}

std::string nesting_limit_message() {
    return "operators nested more than " + std::to_string(kMaxNesting) + " deep (ruleforge's limit for one rule)";
}

void check_rule_limits(const RuleAst& ast) {
    if (ast.terms.size() > kMaxRuleTerms)
        throw ParseError(ast.loc, "the rule has " + std::to_string(ast.terms.size()) + " terms, more than " +
                                      std::to_string(kMaxRuleTerms) + " (ruleforge's limit for one rule)");
    // Nesting depth of every term, by an explicit stack: the check must not recurse itself.
    const size_t n = ast.terms.size();
    // depth: operators on the longest path down to a variable (a projection adds none); -1: not yet known.
    std::vector<int> depth(n, -1);
    std::vector<std::pair<TermId, size_t>> stack;
    for (size_t root = 0; root < n; ++root) {
        if (depth[root] >= 0) continue;
        stack.push_back({static_cast<TermId>(root), 0});
        while (!stack.empty()) {
            auto& [id, next] = stack.back();
            const Term& t = ast.terms.at(static_cast<size_t>(id));
            if (next < t.args.size()) {
                TermId arg = t.args[next++];
                if (arg < 0 || static_cast<size_t>(arg) >= n || depth[arg] >= 0) continue;
                if (stack.size() > n) throw ParseError(t.loc, "the rule's terms form a cycle");
                stack.push_back({arg, 0});
                continue;
            }
            int d = 0;
            for (TermId a : t.args)
                if (a >= 0 && static_cast<size_t>(a) < n) d = std::max(d, depth[a]);
            depth[id] = d + (t.kind == Term::Kind::App ? 1 : 0);
            if (depth[id] > kMaxNesting) throw ParseError(t.loc, nesting_limit_message());
            stack.pop_back();
        }
    }
}

}  // namespace rf
