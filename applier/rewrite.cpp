#include "applier/rewrite.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace rf::applier {

namespace {

class Rewriter {
public:
    Rewriter(const Graph& g, const std::vector<const Match*>& matches)
        : d_g(g),
          d_matches(matches),
          d_b(g.variables()),
          d_node(g.nodes().size()),
          d_node_state(g.nodes().size(), 0),
          d_rhs(matches.size()),
          d_rhs_state(matches.size(), 0) {
        for (size_t m = 0; m < matches.size(); ++m)
            for (size_t k = 0; k < matches[m]->roots.size(); ++k) {
                auto [it, fresh] = d_replace.emplace(matches[m]->roots[k], std::make_pair(m, k));
                if (!fresh)
                    throw RewriteError("sites " + matches[it->second.first]->site() + " and " + matches[m]->site() +
                                       " replace the same value n" + std::to_string(matches[m]->roots[k].node));
            }
    }

    Graph run() && {
        std::vector<ValueRef> outs;
        for (const ValueRef& v : d_g.outputs()) outs.push_back(value(v));
        return std::move(d_b).finish(std::move(outs));
    }

private:
    /// The new value standing for old value `v` (its replacement if it is a replaced root).
    ValueRef value(ValueRef v) {
        auto it = d_replace.find(v);
        if (it != d_replace.end()) return rhs(it->second.first)[it->second.second];
        return node(v.node)[v.output];
    }

    const std::vector<ValueRef>& node(uint32_t i) {
        if (d_node_state[i] == 2) return d_node[i];
        if (d_node_state[i] == 1)
            throw RewriteError("the rewrite makes node n" + std::to_string(i) + " depend on itself");
        d_node_state[i] = 1;
        const Node& n = d_g.node(i);
        if (n.op == OpKind::Input) {
            d_node[i] = {d_b.input(param::variable(n.params))};
        } else {
            std::vector<ValueRef> in;
            for (const ValueRef& v : n.inputs) in.push_back(value(v));
            d_node[i] = d_b.add(n.op, n.params, in);
        }
        d_node_state[i] = 2;
        return d_node[i];
    }

    /// Outputs of match m's right side, built over the new values of its bindings.
    const std::vector<ValueRef>& rhs(size_t m) {
        if (d_rhs_state[m] == 2) return d_rhs[m];
        if (d_rhs_state[m] == 1) throw RewriteError("site " + d_matches[m]->site() + " would depend on its own result");
        d_rhs_state[m] = 1;
        const Match& mt = *d_matches[m];
        const Graph& R = mt.instance.rhs;
        std::vector<std::vector<ValueRef>> vals(R.nodes().size());
        for (uint32_t i = 0; i < R.nodes().size(); ++i) {
            const Node& n = R.node(i);
            if (n.op == OpKind::Input) {
                vals[i] = {value(mt.bindings[param::variable(n.params)])};
                continue;
            }
            std::vector<ValueRef> in;
            for (const ValueRef& v : n.inputs) in.push_back(vals[v.node][v.output]);
            vals[i] = d_b.add(n.op, n.params, in);
        }
        d_rhs[m].clear();
        for (const ValueRef& o : R.outputs()) d_rhs[m].push_back(vals[o.node][o.output]);
        d_rhs_state[m] = 2;
        return d_rhs[m];
    }

    const Graph& d_g;
    const std::vector<const Match*>& d_matches;
    GraphBuilder d_b;
    std::map<ValueRef, std::pair<size_t, size_t>> d_replace;
    std::vector<std::vector<ValueRef>> d_node;
    std::vector<char> d_node_state;  ///< 0 not built, 1 being built, 2 built
    std::vector<std::vector<ValueRef>> d_rhs;
    std::vector<char> d_rhs_state;
};

}  // namespace

Graph apply_matches(const Graph& g, const std::vector<const Match*>& matches) {
    Graph out = Rewriter(g, matches).run();
    for (size_t i = 0; i < g.outputs().size(); ++i)
        if (!g.type(g.outputs()[i]).same_shape(out.type(out.outputs()[i])))
            throw TypeError("rewrite changed the shape of output " + std::to_string(i) + " from " +
                            g.type(g.outputs()[i]).to_string() + " to " + out.type(out.outputs()[i]).to_string());
    return out;
}

Graph apply_match(const Graph& g, const Match& m) { return apply_matches(g, {&m}); }

std::vector<size_t> compatible_sites(const std::vector<Match>& matches) {
    std::set<uint32_t> used;
    std::vector<size_t> chosen;
    for (size_t i = 0; i < matches.size(); ++i) {
        const Match& m = matches[i];
        if (std::any_of(m.nodes.begin(), m.nodes.end(), [&](uint32_t n) { return used.count(n) > 0; })) continue;
        used.insert(m.nodes.begin(), m.nodes.end());
        chosen.push_back(i);
    }
    return chosen;
}

}  // namespace rf::applier
