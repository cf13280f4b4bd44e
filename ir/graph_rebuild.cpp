#include "ir/graph_rebuild.h"

#include <cassert>

namespace rf {

Graph rebuild(const Graph& g, std::vector<Variable> variables, const RebuildOptions& o) {
    GraphBuilder b(std::move(variables));
    std::vector<std::vector<ValueRef>> map(g.nodes().size());
    auto add = [&](uint32_t i) {
        const Node& n = g.node(i);
        if (n.op == OpKind::Input) {
            int32_t v = param::variable(n.params);
            map[i] = {b.input(o.variable ? o.variable(v) : v)};
            return;
        }
        NodeEdit e{n.op, n.params, {}};
        for (const ValueRef& in : n.inputs) {
            assert(!map[in.node].empty() && "rebuild: operand added after its user");
            e.inputs.push_back(map[in.node][in.output]);
        }
        if (o.edit) o.edit(i, e);
        map[i] = b.add(e.op, e.params, e.inputs);
    };
    if (o.order.empty())
        for (uint32_t i = 0; i < g.nodes().size(); ++i) add(i);
    else
        for (uint32_t i : o.order) add(i);
    std::vector<ValueRef> outs;
    for (const ValueRef& v : g.outputs()) {
        assert(!map[v.node].empty() && "rebuild: an output's node was left out of the order");
        outs.push_back(map[v.node][v.output]);
    }
    return std::move(b).finish(outs);
}

}  // namespace rf
