// The graph IR: the one currency between ruleforge's stages.
//
// A Graph is an immutable value: a flat vector of nodes in which every input refers to an
// earlier node (so the vector is a topological order), each node's output types, the graph's
// outputs, and the table of input variables it ranges over. It is built only through
// GraphBuilder, which type-checks every node as it is added and merges structurally equal nodes
// (operators are pure, so two equal nodes denote one value).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/op_kind.h"
#include "ir/tensor_type.h"
#include "support/user_error.h"

namespace rf {

/// One output of one node.
struct ValueRef {
    uint32_t node = 0;
    uint32_t output = 0;
    bool operator==(const ValueRef& o) const { return node == o.node && output == o.output; }
    bool operator!=(const ValueRef& o) const { return !(*this == o); }
    bool operator<(const ValueRef& o) const { return node < o.node || (node == o.node && output < o.output); }
};

struct Node {
    OpKind op = OpKind::Input;
    Params params;  ///< for Input: param::variable() is the index into Graph::variables()
    std::vector<ValueRef> inputs;
    std::vector<TensorType> outputs;
};

/// An input variable of a graph (or of a rule, whose two sides share the table).
struct Variable {
    std::string name;
    Role role = Role::Activation;
    TensorType type;
    bool operator==(const Variable& o) const { return name == o.name && role == o.role && type == o.type; }
};

class Graph {
public:
    Graph() = default;

    const std::vector<Variable>& variables() const { return d_variables; }
    const std::vector<Node>& nodes() const { return d_nodes; }
    const std::vector<ValueRef>& outputs() const { return d_outputs; }
    const Node& node(uint32_t i) const { return d_nodes[i]; }
    const TensorType& type(ValueRef v) const { return d_nodes[v.node].outputs[v.output]; }

    /// Number of operator nodes (inputs not counted): the "size" enumeration bounds.
    int num_ops() const;
    /// Structural equality, variable names included. For equality up to renaming and node
    /// order, compare canonical_text() (ir/canonical.h).
    bool operator==(const Graph& o) const;
    bool operator!=(const Graph& o) const { return !(*this == o); }

private:
    friend class GraphBuilder;
    std::vector<Variable> d_variables;
    std::vector<Node> d_nodes;
    std::vector<ValueRef> d_outputs;
};

/// Thrown for a graph that does not type-check: a user error (bad rule text, bad model) that
/// aborts building that graph. `what()` names the operator and the offending shapes.
class TypeError : public support::UserError {
public:
    using support::UserError::UserError;
};

class GraphBuilder {
public:
    explicit GraphBuilder(std::vector<Variable> variables = {});

    /// Adds (or finds) the input node for a variable of the table.
    ValueRef input(int32_t variable);
    /// Adds a variable to the table and returns its input node.
    ValueRef add_variable(Variable v);
    /// Adds an operator node after checking arity, parameters and shapes (throws TypeError);
    /// returns the existing node when an equal one was added before.
    std::vector<ValueRef> add(OpKind op, const Params& params, const std::vector<ValueRef>& inputs);
    /// Single-output convenience.
    ValueRef add1(OpKind op, const Params& params, const std::vector<ValueRef>& inputs);

    const TensorType& type(ValueRef v) const { return d_graph.type(v); }
    const std::vector<Variable>& variables() const { return d_graph.d_variables; }
    Graph finish(std::vector<ValueRef> outputs) &&;

private:
    Graph d_graph;
    std::vector<int32_t> d_input_node;  ///< variable -> node index, -1 if not added yet
    /// Hash of (op, params, inputs) -> nodes with that hash, to find equal nodes in O(1).
    std::unordered_multimap<uint64_t, uint32_t> d_node_index;
};

}  // namespace rf
