#include "exporters/dot_rules.h"

#include <sstream>

#include "ir/native_text.h"

namespace rf::exporters {

namespace {

// A DOT double-quoted string; "\n" in `s` becomes DOT's centred line break.
std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

std::string shape_text(const std::vector<TensorType>& types) {
    std::string s;
    for (const TensorType& t : types) s += (s.empty() ? "" : " ") + t.to_string();
    return s;
}

void write_side(std::ostream& out, const Graph& g, const char* prefix, const char* title) {
    out << "  subgraph cluster_" << prefix << " {\n    label=" << quote(title) << ";\n    style=rounded;\n";
    // "out 0" per rule output a node gives; a split giving both says which of its outputs each is.
    std::vector<std::string> output_of(g.nodes().size());
    for (size_t i = 0; i < g.outputs().size(); ++i) {
        ValueRef v = g.outputs()[i];
        std::string& label = output_of[v.node];
        label += (label.empty() ? "out " : ", out ") + std::to_string(i);
        if (op_info(g.node(v.node).op).num_outputs > 1) label += "=." + std::to_string(v.output);
    }
    for (size_t n = 0; n < g.nodes().size(); ++n) {
        const Node& node = g.node(static_cast<uint32_t>(n));
        if (node.op == OpKind::Input) continue;
        std::string label =
            std::string(op_name(node.op)) + print_native_params(node.op, node.params) + "\n" + shape_text(node.outputs);
        out << "    " << prefix << n << " [label=" << quote(label);
        if (!output_of[n].empty()) out << ", peripheries=2, xlabel=" << quote(output_of[n]);
        out << "];\n";
    }
    out << "  }\n";
    for (size_t n = 0; n < g.nodes().size(); ++n) {
        const Node& node = g.node(static_cast<uint32_t>(n));
        if (node.op == OpKind::Input) continue;
        for (size_t k = 0; k < node.inputs.size(); ++k) {
            ValueRef in = node.inputs[k];
            const Node& src = g.node(in.node);
            std::string from = src.op == OpKind::Input ? "v" + std::to_string(param::variable(src.params))
                                                       : prefix + std::to_string(in.node);
            out << "  " << from << " -> " << prefix << n;
            std::string edge;
            if (op_info(src.op).num_outputs > 1) edge = "." + std::to_string(in.output);
            if (node.inputs.size() > 1) edge += (edge.empty() ? "" : " ") + std::string("#") + std::to_string(k);
            if (!edge.empty()) out << " [label=" << quote(edge) << "]";
            out << ";\n";
        }
    }
}

}  // namespace

std::string rule_to_dot(const Rule& rule, const std::string& graph_name, const std::string& title_text) {
    std::ostringstream out;
    out << "digraph " << quote(graph_name) << " {\n";
    out << "  rankdir=BT;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge "
           "[fontname=\"Helvetica\", fontsize=10];\n";
    // The title states what the rule holds under, in its own names (typing conditions, then
    // what it was proved under): a picture of a conditional rule must not look unconditional.
    std::string title = title_text.empty() ? rule.name : title_text;
    for (const std::string& c : condition_texts(rule)) title += (title.empty() ? "if " : "\nif ") + c;
    if (!title.empty()) out << "  label=" << quote(title) << ";\n  labelloc=t;\n";
    for (size_t i = 0; i < rule.variables().size(); ++i) {
        const Variable& v = rule.variables()[i];
        out << "  v" << i << " [shape=ellipse, label=" << quote(v.name + "\n" + role_name(v.role) + v.type.to_string())
            << "];\n";
    }
    write_side(out, rule.lhs, "l", "left side");
    write_side(out, rule.rhs, "r", "right side");
    out << "}\n";
    return out.str();
}

ExportResult write_dot_rules(const std::vector<Rule>& rules) {
    ExportResult result;
    for (size_t i = 0; i < rules.size(); ++i) {
        result.data += (i ? "\n" : "") +
                       rule_to_dot(rules[i], rules[i].name.empty() ? "rule_" + std::to_string(i) : rules[i].name);
        ++result.written;
    }
    return result;
}

}  // namespace rf::exporters
