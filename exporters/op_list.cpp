#include "exporters/op_list.h"

#include <charconv>
#include <limits>
#include <map>
#include <set>

namespace rf::exporters {

namespace {

// The k of a name "input_k" (k >= 1), or 0.
int32_t input_number(const std::string& name) {
    const std::string prefix = "input_";
    if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) return 0;
    int32_t k = 0;
    const char* first = name.data() + prefix.size();
    const char* last = name.data() + name.size();
    auto [ptr, ec] = std::from_chars(first, last, k);
    if (ec != std::errc() || ptr != last || k < 1 || *first == '0') return 0;
    return k;
}

std::vector<int32_t> variable_numbers(const std::vector<Variable>& vars) {
    std::vector<int32_t> ks;
    std::set<int32_t> seen;
    for (const Variable& v : vars) {
        int32_t k = input_number(v.name);
        if (k == 0 || !seen.insert(k).second) {
            ks.clear();
            break;
        }
        ks.push_back(k);
    }
    if (ks.size() == vars.size()) return ks;
    for (size_t i = 0; i < vars.size(); ++i) ks.push_back(static_cast<int32_t>(i + 1));
    return ks;
}

// One side: reachable operators in node order, each node's operator index.
class SideLowering {
public:
    SideLowering(const Graph& g, const std::vector<int32_t>& var_ids) : d_graph(g), d_var_ids(var_ids) {
        std::vector<bool> reached(g.nodes().size(), false);
        std::vector<uint32_t> stack;
        for (ValueRef v : g.outputs()) stack.push_back(v.node);
        while (!stack.empty()) {
            uint32_t n = stack.back();
            stack.pop_back();
            if (reached[n]) continue;
            reached[n] = true;
            for (ValueRef in : g.node(n).inputs) stack.push_back(in.node);
        }
        d_op_index.assign(g.nodes().size(), -1);
        for (uint32_t n = 0; n < g.nodes().size(); ++n) {
            const Node& node = g.node(n);
            if (!reached[n] || node.op == OpKind::Input) continue;
            d_op_index[n] = static_cast<int32_t>(d_ops.size());
            ListedOp op;
            op.kind = node.op;
            op.params = node.params;
            for (ValueRef in : node.inputs) {
                op.inputs.push_back(ref(in));
                op.input_types.push_back(g.type(in));
            }
            op.output_types = node.outputs;
            d_ops.push_back(std::move(op));
        }
    }

    OperandRef ref(ValueRef v) const {
        const Node& n = d_graph.node(v.node);
        if (n.op == OpKind::Input) return OperandRef{-d_var_ids.at(param::variable(n.params)), 0};
        return OperandRef{d_op_index.at(v.node), static_cast<int32_t>(v.output)};
    }

    std::vector<ListedOp> take_ops() { return std::move(d_ops); }

private:
    const Graph& d_graph;
    const std::vector<int32_t>& d_var_ids;
    std::vector<int32_t> d_op_index;
    std::vector<ListedOp> d_ops;
};

// Builds the RuleAst of a decoded rule. Each term's location carries its operator's position
// (column = 1 + index into d_labels), so that a type error build_rule reports at a term can be
// told by operator ("dstOp 3 (CONCAT)") rather than by a text position a binary file lacks.
class Lifter {
public:
    Lifter(const DecodedRule& rule, const VariableDecls& decls) : d_rule(rule), d_decls(decls) {}

    Rule run() {
        d_ast.name = d_rule.name;
        d_ast.loc = SourceLoc{"", 1, 0};  // column 0: an error about the whole rule names no operator
        std::vector<TermId> src_terms = side(d_rule.src, "srcOp", true);
        std::vector<TermId> dst_terms = side(d_rule.dst, "dstOp", false);
        if (d_rule.outputs.empty()) throw LiftError("the rule maps no outputs");
        for (size_t i = 0; i < d_rule.outputs.size(); ++i) {
            const MappedOutput& m = d_rule.outputs[i];
            std::string what = "mapped output " + std::to_string(i);
            d_ast.lhs.push_back(output_term(d_rule.src, src_terms, m.src, what + " (source side)"));
            d_ast.rhs.push_back(output_term(d_rule.dst, dst_terms, m.dst, what + " (target side)"));
        }
        if (d_decls)
            for (int32_t k : d_lhs_vars)
                if (auto d = d_decls(k)) d_ast.decls.push_back(*d);
        try {
            return build_rule(d_ast);
        } catch (const ParseError& e) {
            int label = e.loc().column - 1;
            std::string where = label >= 0 && label < static_cast<int>(d_labels.size()) ? d_labels[label] + ": " : "";
            throw LiftError(where + e.message());
        }
    }

private:
    SourceLoc loc_of(const std::string& label) {
        d_labels.push_back(label);
        return SourceLoc{"", 1, static_cast<int>(d_labels.size())};
    }

    TermId add(Term t) {
        d_ast.terms.push_back(std::move(t));
        return static_cast<TermId>(d_ast.terms.size() - 1);
    }

    TermId variable(int32_t k, bool on_src, const std::string& label) {
        if (on_src) d_lhs_vars.insert(k);
        Term t;
        t.kind = Term::Kind::Var;
        t.var = variable_name(k);
        t.loc = loc_of(label);
        return add(std::move(t));
    }

    // The term for operand `r` of an operator at position `limit` (it may name only earlier ones).
    TermId operand(const std::vector<DecodedOp>& ops, const std::vector<TermId>& terms, OperandRef r, size_t limit,
                   bool on_src, const std::string& label) {
        if (r.op < 0) {
            // -INT32_MIN does not exist in int32 (found by a crafted seed under UBSan).
            if (r.op == std::numeric_limits<int32_t>::min())
                throw LiftError(label + ": variable " + std::to_string(r.op) + " is out of range");
            if (r.output != 0)
                throw LiftError(label + ": variable " + std::to_string(r.op) + " has one output, tsId " +
                                std::to_string(r.output) + " does not exist");
            return variable(-r.op, on_src, label);
        }
        if (static_cast<size_t>(r.op) >= limit)
            throw LiftError(label + ": operand opId " + std::to_string(r.op) + " does not name an earlier operator (" +
                            std::to_string(limit) + " before it)");
        const DecodedOp& target = ops[r.op];
        int outputs = op_info(target.kind).num_outputs;
        if (r.output < 0 || r.output >= outputs)
            throw LiftError(label + ": " + target.label + " has " + std::to_string(outputs) + " output(s), tsId " +
                            std::to_string(r.output) + " does not exist");
        if (outputs == 1) return terms[r.op];
        Term proj;
        proj.kind = Term::Kind::Proj;
        proj.args = {terms[r.op]};
        proj.output = r.output;
        proj.loc = loc_of(label);
        return add(std::move(proj));
    }

    std::vector<TermId> side(const std::vector<DecodedOp>& ops, const char* /*side_name*/, bool on_src) {
        std::vector<TermId> terms;
        for (size_t i = 0; i < ops.size(); ++i) {
            const DecodedOp& op = ops[i];
            Term t;
            t.kind = Term::Kind::App;
            t.op = op.kind;
            t.params = op.params;
            t.rank_hint = op.rank_hint;
            for (OperandRef r : op.inputs) t.args.push_back(operand(ops, terms, r, i, on_src, op.label));
            for (const auto& [kind, params] : op.implied_operands) {
                Term c;
                c.kind = Term::Kind::App;
                c.op = kind;
                c.params = params;
                c.loc = loc_of(op.label);
                t.args.push_back(add(std::move(c)));
            }
            t.loc = loc_of(op.label);
            terms.push_back(add(std::move(t)));
        }
        return terms;
    }

    TermId output_term(const std::vector<DecodedOp>& ops, const std::vector<TermId>& terms, OperandRef r,
                       const std::string& what) {
        if (r.op < 0)
            throw LiftError(what + " names input variable " + std::to_string(r.op) + ": only operator outputs map");
        return operand(ops, terms, r, ops.size(), false, what);
    }

    const DecodedRule& d_rule;
    const VariableDecls& d_decls;
    RuleAst d_ast;
    std::vector<std::string> d_labels;
    std::set<int32_t> d_lhs_vars;
};

}  // namespace

std::string variable_name(int32_t k) { return "input_" + std::to_string(k); }

OpListRule lower_rule(const Rule& rule) {
    std::vector<int32_t> ids = variable_numbers(rule.variables());
    SideLowering src(rule.lhs, ids), dst(rule.rhs, ids);
    OpListRule out;
    for (size_t i = 0; i < rule.num_outputs(); ++i) {
        OperandRef s = src.ref(rule.lhs.outputs()[i]), d = dst.ref(rule.rhs.outputs()[i]);
        if (s.op < 0 || d.op < 0)
            throw NotExpressible("output " + std::to_string(i) + " of the " + (s.op < 0 ? "left" : "right") +
                                 " side is an input variable: only operator outputs can be mapped");
        out.outputs.push_back(MappedOutput{s, d});
    }
    out.src = src.take_ops();
    out.dst = dst.take_ops();
    return out;
}

Rule lift_rule(const DecodedRule& rule, const VariableDecls& decls) { return Lifter(rule, decls).run(); }

}  // namespace rf::exporters
