#include "ruledb/rule_key.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "ir/canonical.h"
#include "ir/native_text.h"

namespace rf::ruledb {

namespace {

std::set<int32_t> used_variables(const Graph& g) {
    std::set<int32_t> vars;
    for (const Node& n : g.nodes())
        if (n.op == OpKind::Input) vars.insert(param::variable(n.params));
    return vars;
}

// canonicalize() drops unreachable nodes, so the input nodes left are the variables in use.
bool binds_right_side(const Rule& canon) {
    auto l = used_variables(canon.lhs), r = used_variables(canon.rhs);
    return std::includes(l.begin(), l.end(), r.begin(), r.end());
}

std::string unnamed_text(Rule r) {
    r.name.clear();
    r.preconditions.clear();  // not part of the equation: a rule is one row whatever it was proved under
    return print_native(r);
}

struct Oriented {
    Rule rule;  ///< canonical
    std::string text;
    bool swapped;
};

Rule flipped_canonical(const Rule& r) {
    Rule flipped = r;
    std::swap(flipped.lhs, flipped.rhs);
    return canonicalize(flipped);
}

// The canonical orientation of `a`, a canonical rule: a side that does not bind every variable
// of the other cannot be the left one, else the side with more operators goes left, else the
// smaller text wins; `b` is the other orientation, canonicalised only when the texts decide.
Oriented orient_canonical(Rule a) {
    std::string ta = unnamed_text(a);
    // Renaming keeps which side binds which, and the sides' sizes: known without canonicalising b.
    const bool ba = binds_right_side(a);
    const bool bb = [&] {
        auto l = used_variables(a.lhs), r = used_variables(a.rhs);
        return std::includes(r.begin(), r.end(), l.begin(), l.end());
    }();
    bool pick_b;
    if (ba != bb)
        pick_b = bb;
    else if (a.lhs.num_ops() != a.rhs.num_ops())
        pick_b = a.rhs.num_ops() > a.lhs.num_ops();
    else
        pick_b = unnamed_text(flipped_canonical(a)) < ta;
    if (!pick_b) return {std::move(a), std::move(ta), false};
    Rule b = flipped_canonical(a);
    std::string tb = unnamed_text(b);
    return {std::move(b), std::move(tb), true};
}

Oriented orient(const Rule& r) { return orient_canonical(canonicalize(r)); }

RuleEntry entry_of(const Rule& given, Oriented o, std::string source_text) {
    RuleEntry e;
    e.text = std::move(o.text);
    e.hash = hash_hex(text_hash(e.text));
    e.source_text = std::move(source_text);
    e.name = given.name;
    e.swapped = o.swapped;
    e.lhs = describe_graph(o.rule.lhs);
    e.rhs = describe_graph(o.rule.rhs);
    std::set<std::string> ops;
    for (const Graph* g : {&o.rule.lhs, &o.rule.rhs})
        for (const Node& n : g->nodes())
            if (n.op != OpKind::Input) ops.insert(op_name(n.op));
    e.ops.assign(ops.begin(), ops.end());
    e.conditions = given.conditions;
    return e;
}

}  // namespace

std::string hash_hex(uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

GraphEntry describe_graph(const Graph& g) {
    GraphEntry e;
    e.text = canonical_text(g);
    e.hash = hash_hex(text_hash(e.text));
    e.num_ops = g.num_ops();
    e.num_outputs = static_cast<int>(g.outputs().size());
    return e;
}

RuleEntry describe_rule(const Rule& r) { return entry_of(r, orient(r), unnamed_text(r)); }

RuleEntry describe_canonical_rule(const Rule& r) {
    Oriented o = orient_canonical(r);
    // The text as given is the canonical text when the orientation is kept.
    std::string source = o.swapped ? unnamed_text(r) : o.text;
    return entry_of(r, std::move(o), std::move(source));
}

}  // namespace rf::ruledb
