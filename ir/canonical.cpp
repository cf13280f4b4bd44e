#include "ir/canonical.h"

#include <map>

#include <xxhash.h>

#include "ir/graph_rebuild.h"
#include "ir/native_text.h"

namespace rf {

namespace {

// Post-order of the nodes reachable from `roots`, appended to `order` (shared across the two
// sides of a rule so that variables keep one numbering).
void post_order(const Graph& g, const std::vector<ValueRef>& roots, std::vector<uint32_t>& order,
                std::vector<char>& seen) {
    // Iterative: model graphs are deep enough (hundreds of layers) to make recursion a risk.
    std::vector<std::pair<uint32_t, size_t>> stack;
    for (const ValueRef& r : roots) {
        if (seen[r.node]) continue;
        stack.push_back({r.node, 0});
        seen[r.node] = 1;
        while (!stack.empty()) {
            auto& [n, next] = stack.back();
            const Node& nd = g.node(n);
            if (next < nd.inputs.size()) {
                uint32_t child = nd.inputs[next++].node;
                if (!seen[child]) {
                    seen[child] = 1;
                    stack.push_back({child, 0});
                }
                continue;
            }
            order.push_back(n);
            stack.pop_back();
        }
    }
}

// Variables in order of first visit over the given node order, renamed v0, v1, ...
std::vector<int32_t> variable_order(const Graph& g, const std::vector<uint32_t>& order) {
    std::vector<int32_t> vars;
    for (uint32_t n : order)
        if (g.node(n).op == OpKind::Input) vars.push_back(param::variable(g.node(n).params));
    return vars;
}

Graph rebuild_in_order(const Graph& g, const std::vector<uint32_t>& order, const std::vector<Variable>& table,
                       const std::map<int32_t, int32_t>& var_map) {
    RebuildOptions o;
    o.order = order;
    o.variable = [&](int32_t v) { return var_map.at(v); };
    return rebuild(g, table, o);
}

std::vector<Variable> renamed_table(const std::vector<Variable>& old, const std::vector<int32_t>& order,
                                    std::map<int32_t, int32_t>& var_map) {
    std::vector<Variable> table;
    for (int32_t v : order) {
        if (var_map.count(v)) continue;
        var_map[v] = static_cast<int32_t>(table.size());
        Variable nv = old[v];
        nv.name = "v" + std::to_string(table.size());
        table.push_back(std::move(nv));
    }
    renumber_symbols(table);
    return table;
}

}  // namespace

void renumber_symbols(std::vector<Variable>& vars) {
    std::map<SymbolId, SymbolId> order;
    for (const Variable& v : vars)
        for (const Dim& d : v.type.dims)
            for (const auto& [s, c] : d.terms()) {
                (void)c;
                order.try_emplace(s, static_cast<SymbolId>(order.size()));
            }
    const SymbolId shift = 1 << 28;  // two passes so that renamings cannot collide
    for (Variable& v : vars)
        for (Dim& d : v.type.dims) {
            for (const auto& [from, to] : order) d = d.substitute(from, Dim::symbol(to + shift));
            for (const auto& [from, to] : order) d = d.substitute(to + shift, Dim::symbol(to));
        }
}

Graph canonicalize(const Graph& g) {
    std::vector<uint32_t> order;
    std::vector<char> seen(g.nodes().size(), 0);
    post_order(g, g.outputs(), order, seen);
    std::map<int32_t, int32_t> var_map;
    auto table = renamed_table(g.variables(), variable_order(g, order), var_map);
    return rebuild_in_order(g, order, table, var_map);
}

Rule canonicalize(const Rule& r) {
    std::vector<uint32_t> lorder, rorder;
    std::vector<char> lseen(r.lhs.nodes().size(), 0), rseen(r.rhs.nodes().size(), 0);
    post_order(r.lhs, r.lhs.outputs(), lorder, lseen);
    post_order(r.rhs, r.rhs.outputs(), rorder, rseen);
    std::vector<int32_t> vorder = variable_order(r.lhs, lorder);
    for (int32_t v : variable_order(r.rhs, rorder)) vorder.push_back(v);
    std::map<int32_t, int32_t> var_map;
    auto table = renamed_table(r.variables(), vorder, var_map);
    Rule out;
    out.name = r.name;
    out.conditions = r.conditions;
    out.preconditions = r.preconditions;
    out.lhs = rebuild_in_order(r.lhs, lorder, table, var_map);
    out.rhs = rebuild_in_order(r.rhs, rorder, table, var_map);
    return out;
}

std::string canonical_text(const Graph& graph) {
    Graph g = canonicalize(graph);
    std::string s;
    for (const Variable& v : g.variables()) s += v.name + ": " + role_name(v.role) + v.type.to_string() + "; ";
    auto ref = [&](ValueRef v) {
        const Node& n = g.node(v.node);
        if (n.op == OpKind::Input) return g.variables()[param::variable(n.params)].name;
        std::string r = "%" + std::to_string(v.node);
        if (op_info(n.op).num_outputs > 1) r += "." + std::to_string(v.output);
        return r;
    };
    for (uint32_t i = 0; i < g.nodes().size(); ++i) {
        const Node& n = g.node(i);
        if (n.op == OpKind::Input) continue;
        std::string args;
        for (size_t k = 0; k < n.inputs.size(); ++k) args += (k ? ", " : "") + ref(n.inputs[k]);
        s += "%" + std::to_string(i) + " = " + op_name(n.op) + print_native_params(n.op, n.params) + "(" + args + "); ";
    }
    s += "out";
    for (const ValueRef& v : g.outputs()) s += " " + ref(v);
    return s;
}

std::string canonical_text(const Rule& r) {
    Rule c = canonicalize(r);
    c.name.clear();
    c.preconditions.clear();  // the equation's identity: what it was proved under is not part of it
    return print_native(c);
}

uint64_t text_hash(const std::string& text) { return XXH3_64bits(text.data(), text.size()); }
uint64_t canonical_hash(const Graph& g) { return text_hash(canonical_text(g)); }
uint64_t canonical_hash(const Rule& r) { return text_hash(canonical_text(r)); }

}  // namespace rf
