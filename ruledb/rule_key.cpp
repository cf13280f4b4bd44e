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

Oriented orient(const Rule& r) {
    Rule flipped = r;
    std::swap(flipped.lhs, flipped.rhs);
    Rule a = canonicalize(r), b = canonicalize(flipped);
    std::string ta = unnamed_text(a), tb = unnamed_text(b);
    bool ba = binds_right_side(a), bb = binds_right_side(b);
    bool pick_b;
    if (ba != bb)
        pick_b = bb;
    else if (a.lhs.num_ops() != b.lhs.num_ops())
        pick_b = b.lhs.num_ops() > a.lhs.num_ops();
    else
        pick_b = tb < ta;
    if (pick_b) return {std::move(b), std::move(tb), true};
    return {std::move(a), std::move(ta), false};
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

RuleEntry describe_rule(const Rule& r) {
    Oriented o = orient(r);
    RuleEntry e;
    e.text = o.text;
    e.hash = hash_hex(text_hash(e.text));
    e.source_text = unnamed_text(r);
    e.name = r.name;
    e.swapped = o.swapped;
    e.lhs = describe_graph(o.rule.lhs);
    e.rhs = describe_graph(o.rule.rhs);
    std::set<std::string> ops;
    for (const Graph* g : {&o.rule.lhs, &o.rule.rhs})
        for (const Node& n : g->nodes())
            if (n.op != OpKind::Input) ops.insert(op_name(n.op));
    e.ops.assign(ops.begin(), ops.end());
    e.conditions = r.conditions;
    return e;
}

}  // namespace rf::ruledb
