#include "applier/precompute.h"

#include <map>
#include <set>

#include "applier/validate.h"

namespace rf::applier {

std::vector<FloatTensor> model_variables(const Model& m, uint64_t seed) {
    std::vector<FloatTensor> values = random_variables(m.graph, seed);
    const auto& vars = m.graph.variables();
    for (size_t i = 0; i < vars.size(); ++i) {
        auto it = m.weights.find(vars[i].name);
        if (it == m.weights.end()) continue;
        if (static_cast<int64_t>(it->second.data.size()) != vars[i].type.volume() ||
            it->second.dims.size() != vars[i].type.rank())
            throw EvalError("weight " + vars[i].name + ": its value does not match its type " +
                            vars[i].type.to_string());
        values[i] = it->second;
    }
    return values;
}

std::vector<char> weight_only_nodes(const Graph& g) {
    std::vector<char> w(g.nodes().size(), 0);
    for (uint32_t i = 0; i < g.nodes().size(); ++i) {
        const Node& n = g.node(i);
        if (n.op == OpKind::Input) {
            w[i] = g.variables()[param::variable(n.params)].role == Role::Weight;
            continue;
        }
        bool all = true;  // 0-ary constant operators are weight-only
        for (const ValueRef& v : n.inputs) all = all && w[v.node];
        w[i] = all;
    }
    return w;
}

FoldedGraph fold_weights(const Graph& g, const std::vector<FloatTensor>& variables, Executor& ex) {
    const auto& nodes = g.nodes();
    const std::vector<char> wonly = weight_only_nodes(g);
    std::vector<char> live(nodes.size(), 0);
    for (const ValueRef& v : g.outputs()) live[v.node] = 1;
    // Boundary values: weight-only operator outputs read by an input-dependent node or the outputs.
    std::set<ValueRef> boundary;
    for (const ValueRef& v : g.outputs())
        if (wonly[v.node] && nodes[v.node].op != OpKind::Input) boundary.insert(v);
    for (size_t i = nodes.size(); i-- > 0;) {
        if (!live[i] || wonly[i]) continue;  // a weight-only node's own operands are not needed
        for (const ValueRef& v : nodes[i].inputs) {
            live[v.node] = 1;
            if (wonly[v.node] && nodes[v.node].op != OpKind::Input) boundary.insert(v);
        }
    }
    for (const ValueRef& v : boundary) live[v.node] = 1;

    // Compute every boundary value in one run of the weight-only sub-graph.
    std::vector<FloatTensor> computed;
    if (!boundary.empty()) {
        GraphBuilder sub(g.variables());
        std::map<ValueRef, ValueRef> to_sub;
        for (uint32_t i = 0; i < nodes.size(); ++i) {
            if (!wonly[i]) continue;
            const Node& n = nodes[i];
            if (n.op == OpKind::Input) {
                to_sub[{i, 0}] = sub.input(param::variable(n.params));
                continue;
            }
            std::vector<ValueRef> in;
            for (const ValueRef& v : n.inputs) in.push_back(to_sub.at(v));
            auto outs = sub.add(n.op, n.params, in);
            for (uint32_t k = 0; k < outs.size(); ++k) to_sub[{i, k}] = outs[k];
        }
        std::vector<ValueRef> outs;
        for (const ValueRef& v : boundary) outs.push_back(to_sub.at(v));
        Graph sg = std::move(sub).finish(outs);
        computed = run_graph(ex, sg, variables);
    }

    std::set<std::string> names;
    for (const Variable& v : g.variables()) names.insert(v.name);
    FoldedGraph res;
    GraphBuilder b;
    std::map<ValueRef, ValueRef> to_new;
    size_t k = 0;
    for (const ValueRef& v : boundary) {
        std::string name = "folded" + std::to_string(k);
        for (int s = 1; names.count(name); ++s) name = "folded" + std::to_string(k) + "_" + std::to_string(s);
        names.insert(name);
        to_new[v] = b.add_variable(Variable{name, Role::Weight, g.type(v)});
        res.variables.push_back(std::move(computed[k++]));
    }
    res.folded = boundary.size();
    for (uint32_t i = 0; i < nodes.size(); ++i) {
        if (!live[i]) continue;
        const Node& n = nodes[i];
        if (n.op == OpKind::Input) {
            const int32_t var = param::variable(n.params);
            to_new[{i, 0}] = b.add_variable(g.variables()[var]);
            res.variables.push_back(variables[var]);
            continue;
        }
        if (wonly[i]) continue;  // its needed outputs are folded weights
        std::vector<ValueRef> in;
        for (const ValueRef& v : n.inputs) in.push_back(to_new.at(v));
        auto outs = b.add(n.op, n.params, in);
        for (uint32_t o = 0; o < outs.size(); ++o) to_new[{i, o}] = outs[o];
    }
    std::vector<ValueRef> outs;
    for (const ValueRef& v : g.outputs()) outs.push_back(to_new.at(v));
    res.graph = std::move(b).finish(outs);
    return res;
}

}  // namespace rf::applier
