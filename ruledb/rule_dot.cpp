#include "ruledb/rule_dot.h"

#include "ir/native_text.h"

namespace rf::ruledb {

namespace {

std::string quoted(const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
        if (c == '\n') {
            q += "\\n";  // DOT's line break inside a label
            continue;
        }
        if (c == '"' || c == '\\') q += '\\';
        q += c;
    }
    return q + "\"";
}

std::string var_id(int32_t v) { return "var" + std::to_string(v); }

// Node ids are prefixed per side, so the two sides never share an operator node.
std::string node_id(const Graph& g, const std::string& side, ValueRef v) {
    const Node& n = g.node(v.node);
    if (n.op == OpKind::Input) return var_id(param::variable(n.params));
    return side + std::to_string(v.node);
}

void side(std::string& out, const Graph& g, const std::string& prefix, const std::string& label) {
    out += "  subgraph cluster_" + prefix + " {\n    label=" + quoted(label) + ";\n    style=rounded;\n";
    for (uint32_t i = 0; i < g.nodes().size(); ++i) {
        const Node& n = g.node(i);
        if (n.op == OpKind::Input) continue;
        std::string text = op_name(n.op) + print_native_params(n.op, n.params) + "\n" + n.outputs[0].to_string();
        out += "    " + prefix + std::to_string(i) + " [label=" + quoted(text) + ", shape=box];\n";
    }
    for (size_t k = 0; k < g.outputs().size(); ++k)
        out += "    " + prefix + "_out" + std::to_string(k) + " [label=" + quoted("out " + std::to_string(k)) +
               ", shape=plaintext];\n";
    out += "  }\n";
    for (uint32_t i = 0; i < g.nodes().size(); ++i) {
        const Node& n = g.node(i);
        for (size_t k = 0; k < n.inputs.size(); ++k) {
            const ValueRef& in = n.inputs[k];
            std::string attrs = "label=" + quoted(std::to_string(k));
            if (op_info(g.node(in.node).op).num_outputs > 1) attrs = "label=" + quoted(std::to_string(k) + " (." + std::to_string(in.output) + ")");
            out += "  " + node_id(g, prefix, in) + " -> " + prefix + std::to_string(i) + " [" + attrs + "];\n";
        }
    }
    for (size_t k = 0; k < g.outputs().size(); ++k) {
        const ValueRef& v = g.outputs()[k];
        std::string attrs = op_info(g.node(v.node).op).num_outputs > 1 ? " [label=" + quoted("." + std::to_string(v.output)) + "]" : "";
        out += "  " + node_id(g, prefix, v) + " -> " + prefix + "_out" + std::to_string(k) + attrs + ";\n";
    }
}

}  // namespace

std::string rule_to_dot(const Rule& rule, const std::string& title) {
    std::string heading = title;  // with what the rule holds under, in its own names
    for (const std::string& c : condition_texts(rule)) heading += "\nif " + c;
    std::string out = "digraph rule {\n  label=" + quoted(heading) + ";\n  labelloc=t;\n  rankdir=BT;\n";
    out += "  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=9];\n";
    for (size_t i = 0; i < rule.variables().size(); ++i) {
        const Variable& v = rule.variables()[i];
        out += "  " + var_id(static_cast<int32_t>(i)) + " [label=" +
               quoted(v.name + ": " + role_name(v.role) + v.type.to_string()) + ", shape=ellipse];\n";
    }
    side(out, rule.lhs, "lhs", "left-hand side");
    side(out, rule.rhs, "rhs", "right-hand side");
    out += "}\n";
    return out;
}

}  // namespace rf::ruledb
