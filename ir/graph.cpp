#include "ir/graph.h"

#include <cassert>

#include "ir/shape_rules.h"

namespace rf {

int Graph::num_ops() const {
    int n = 0;
    for (const Node& nd : d_nodes)
        if (nd.op != OpKind::Input) ++n;
    return n;
}

bool Graph::operator==(const Graph& o) const {
    if (!(d_variables == o.d_variables) || d_outputs != o.d_outputs || d_nodes.size() != o.d_nodes.size()) return false;
    for (size_t i = 0; i < d_nodes.size(); ++i) {
        const Node &a = d_nodes[i], &b = o.d_nodes[i];
        if (a.op != b.op || a.params != b.params || a.inputs != b.inputs || !(a.outputs == b.outputs)) return false;
    }
    return true;
}

namespace {
uint64_t mix(uint64_t h, uint64_t v) {
    // splitmix64-style mixing: cheap, and good enough to spread bucket keys.
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

uint64_t node_key(OpKind op, const Params& params, const std::vector<ValueRef>& inputs) {
    uint64_t h = static_cast<uint64_t>(op);
    for (int32_t v : params.v) h = mix(h, static_cast<uint32_t>(v));
    for (const ValueRef& v : inputs) h = mix(h, (static_cast<uint64_t>(v.node) << 32) | v.output);
    return h;
}
}  // namespace

GraphBuilder::GraphBuilder(std::vector<Variable> variables) {
    d_graph.d_variables = std::move(variables);
    d_input_node.assign(d_graph.d_variables.size(), -1);
}

ValueRef GraphBuilder::input(int32_t variable) {
    assert(variable >= 0 && static_cast<size_t>(variable) < d_graph.d_variables.size());
    if (d_input_node[variable] < 0) {
        Node n;
        n.op = OpKind::Input;
        n.params = param::input(variable);
        n.outputs = {d_graph.d_variables[variable].type};
        d_input_node[variable] = static_cast<int32_t>(d_graph.d_nodes.size());
        d_graph.d_nodes.push_back(std::move(n));
    }
    return ValueRef{static_cast<uint32_t>(d_input_node[variable]), 0};
}

ValueRef GraphBuilder::add_variable(Variable v) {
    d_graph.d_variables.push_back(std::move(v));
    d_input_node.push_back(-1);
    return input(static_cast<int32_t>(d_graph.d_variables.size() - 1));
}

std::vector<ValueRef> GraphBuilder::add(OpKind op, const Params& params, const std::vector<ValueRef>& inputs) {
    const OpInfo& info = op_info(op);
    if (op == OpKind::Input) throw TypeError("input: use GraphBuilder::input");
    int n = static_cast<int>(inputs.size());
    if (n < info.min_arity || n > info.max_arity)
        throw TypeError(std::string(info.name) + ": expects " +
                        (info.min_arity == info.max_arity
                             ? std::to_string(info.min_arity)
                             : std::to_string(info.min_arity) + " to " + std::to_string(info.max_arity)) +
                        " operands, got " + std::to_string(n));
    for ([[maybe_unused]] const ValueRef& v : inputs) {
        assert(v.node < d_graph.d_nodes.size() && "operand refers to a later node");
        assert(v.output < d_graph.d_nodes[v.node].outputs.size());
    }
    // Pure operators: an equal node already present denotes the same value.
    uint64_t key = node_key(op, params, inputs);
    auto [lo, hi] = d_node_index.equal_range(key);
    for (auto it = lo; it != hi; ++it) {
        const Node& nd = d_graph.d_nodes[it->second];
        if (nd.op == op && nd.params == params && nd.inputs == inputs) {
            std::vector<ValueRef> outs;
            for (uint32_t k = 0; k < nd.outputs.size(); ++k) outs.push_back({it->second, k});
            return outs;
        }
    }
    std::vector<TensorType> in_types;
    for (const ValueRef& v : inputs) in_types.push_back(type(v));
    StrictUnifier strict;
    Node nd;
    nd.op = op;
    nd.params = params;
    nd.inputs = inputs;
    nd.outputs = infer_output_types(op, params, in_types, strict);
    assert(static_cast<int>(nd.outputs.size()) == info.num_outputs);
    uint32_t idx = static_cast<uint32_t>(d_graph.d_nodes.size());
    d_graph.d_nodes.push_back(std::move(nd));
    d_node_index.emplace(key, idx);
    std::vector<ValueRef> outs;
    for (uint32_t k = 0; k < static_cast<uint32_t>(info.num_outputs); ++k) outs.push_back({idx, k});
    return outs;
}

ValueRef GraphBuilder::add1(OpKind op, const Params& params, const std::vector<ValueRef>& inputs) {
    auto outs = add(op, params, inputs);
    assert(outs.size() == 1);
    return outs[0];
}

Graph GraphBuilder::finish(std::vector<ValueRef> outputs) && {
    for ([[maybe_unused]] const ValueRef& v : outputs) assert(v.node < d_graph.d_nodes.size());
    d_graph.d_outputs = std::move(outputs);
    return std::move(d_graph);
}

}  // namespace rf
