// rank_generality and at_rank (ir/rank_generic.h): a union-find over the rule's values by the
// ranks its operators tie together, then the free ranks' variables retyped through the text
// syntax so that rule typing finds the shapes and conditions at the new rank.
#include "ir/rank_generic.h"

#include <map>
#include <numeric>
#include <string>

#include "ir/native_text.h"

namespace rf {

namespace {

class RankClasses {
public:
    explicit RankClasses(size_t n) : d_parent(n), d_pinned(n, false) {
        std::iota(d_parent.begin(), d_parent.end(), size_t{0});
    }
    size_t find(size_t x) {
        while (d_parent[x] != x) x = d_parent[x] = d_parent[d_parent[x]];
        return x;
    }
    void unite(size_t a, size_t b) {
        a = find(a);
        b = find(b);
        if (a == b) return;
        d_parent[a] = b;
        d_pinned[b] = d_pinned[b] || d_pinned[a];
    }
    void pin(size_t x) { d_pinned[find(x)] = true; }
    bool pinned(size_t x) { return d_pinned[find(x)]; }

private:
    std::vector<size_t> d_parent;
    std::vector<bool> d_pinned;
};

// Operators whose result at each position reads the operands at the same position, with the
// axes in place: element-wise ones, smul (its scalar aside) and concat/split along an axis.
bool keeps_axes(OpKind op) {
    return op_info(op).has(kElementwise) || op == OpKind::Smul || op == OpKind::Concat || op == OpKind::Split;
}

}  // namespace

bool RankGenerality::generic() const {
    for (bool f : free)
        if (f) return true;
    return false;
}

RankGenerality rank_generality(const Rule& rule) {
    RankGenerality out;
    const size_t nv = rule.variables().size();
    out.free.assign(nv, false);
    // Value ids: the variables, then each side's node outputs.
    std::vector<size_t> base{nv};
    for (const Graph* side : {&rule.lhs, &rule.rhs}) {
        size_t n = 0;
        for (const Node& node : side->nodes()) n += node.outputs.size();
        base.push_back(base.back() + n);
    }
    RankClasses classes(base.back());
    size_t min_rank = 0;
    std::vector<std::vector<size_t>> first_output(2);
    for (int s = 0; s < 2; ++s) {
        const Graph& g = s == 0 ? rule.lhs : rule.rhs;
        size_t next = base[s];
        for (const Node& node : g.nodes()) {
            first_output[s].push_back(next);
            next += node.outputs.size();
        }
        auto id = [&](ValueRef v) { return first_output[s][v.node] + v.output; };
        for (uint32_t i = 0; i < g.nodes().size(); ++i) {
            const Node& node = g.node(i);
            const size_t self = first_output[s][i];
            if (node.op == OpKind::Input) {
                classes.unite(self, static_cast<size_t>(param::variable(node.params)));
            } else if (op_info(node.op).has(kConstant)) {
                classes.pin(self);
            } else if (!keeps_axes(node.op)) {
                return out;  // transpose, matmul, conv2d, ...: their meaning depends on the rank
            } else {
                for (size_t k = 1; k < node.outputs.size(); ++k) classes.unite(self, self + k);
                for (size_t k = 0; k < node.inputs.size(); ++k) {
                    if (node.op == OpKind::Smul && k == 1)
                        classes.pin(id(node.inputs[k]));  // the scalar
                    else
                        classes.unite(self, id(node.inputs[k]));
                }
                if (node.op == OpKind::Concat || node.op == OpKind::Split)
                    min_rank = std::max(min_rank, static_cast<size_t>(param::axis(node.params)) + 1);
            }
        }
    }
    for (size_t k = 0; k < rule.lhs.outputs().size(); ++k)
        classes.unite(first_output[0][rule.lhs.outputs()[k].node] + rule.lhs.outputs()[k].output,
                      first_output[1][rule.rhs.outputs()[k].node] + rule.rhs.outputs()[k].output);

    // The free variables: one rank, symbolic dimensions, each symbol at one axis position only
    // (a symbol at two positions, e.g. a square matrix, would not survive merging axes).
    std::vector<bool> free(nv, false);
    std::map<SymbolId, size_t> axis_of;
    std::optional<size_t> rank;
    for (size_t v = 0; v < nv; ++v) {
        if (classes.pinned(v)) continue;
        const TensorType& t = rule.variables()[v].type;
        if (t.is_distributed() || (rank && *rank != t.rank())) return out;
        rank = t.rank();
        for (size_t k = 0; k < t.rank(); ++k) {
            if (t.dims[k].is_concrete()) return out;
            for (const auto& [sym, coef] : t.dims[k].terms()) {
                auto [it, fresh] = axis_of.try_emplace(sym, k);
                if (!fresh && it->second != k) return out;
            }
        }
        free[v] = true;
    }
    if (!rank) return out;
    for (size_t v = 0; v < nv; ++v) {
        if (free[v]) continue;
        for (const Dim& d : rule.variables()[v].type.dims)
            for (const auto& [sym, coef] : d.terms())
                if (axis_of.count(sym)) return out;  // a pinned tensor sharing a free size
    }
    out.free = std::move(free);
    out.rank = *rank;
    out.min_rank = min_rank;
    return out;
}

std::optional<Rule> at_rank(const Rule& rule, size_t rank) {
    const RankGenerality g = rank_generality(rule);
    if (!g.generic() || rank < g.min_rank) return std::nullopt;
    if (rank == g.rank) return rule;
    std::map<std::string, bool> free;
    for (size_t v = 0; v < g.free.size(); ++v) free[rule.variables()[v].name] = g.free[v];
    try {
        RuleAst ast = parse_native_rule(print_native(rule), "<" + rule.name + " at rank " + std::to_string(rank) + ">");
        for (size_t i = 0; i < ast.decls.size(); ++i) {
            VarDecl& d = ast.decls[i];
            if (!free[d.name]) continue;
            d.has_shape = true;
            d.dims.clear();
            for (size_t k = 0; k < rank; ++k) d.dims.push_back("r" + std::to_string(i) + "_" + std::to_string(k));
            d.degrees.assign(rank, 1);
        }
        Rule out = build_rule(ast);
        out.name = rule.name;
        out.preconditions = rule.preconditions;
        return out;
    } catch (const std::exception&) {
        return std::nullopt;  // does not type at this rank
    }
}

}  // namespace rf
