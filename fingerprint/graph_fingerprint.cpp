#include "fingerprint/graph_fingerprint.h"

#include "ir/graph_rebuild.h"

namespace rf::fingerprint {

bool GraphValues::overflowed() const {
    for (const PointValues& p : points)
        if (p.status == PointStatus::Overflow) return true;
    return false;
}

std::vector<uint64_t> GraphValues::point_hashes() const {
    std::vector<uint64_t> hs;
    for (const PointValues& p : points) {
        if (p.status != PointStatus::Ok)
            hs.push_back(point_hash(p.status));
        else
            for (size_t k = 0; k < p.outputs.size(); ++k)
                hs.push_back(point_hash(p.status, &p.outputs[k], type_hash(p.types[k])));
    }
    return hs;
}

Fingerprint GraphValues::fingerprint(int hash_bits) const { return combine_points(point_hashes(), hash_bits); }

Graph instantiate_graph(const Graph& g, const ShapePlan& plan, int inst) {
    RebuildOptions o;
    // Constants carry their shape as a parameter: they follow the instantiation too.
    o.edit = [&](uint32_t, NodeEdit& e) {
        if (is_constant_op(e.op)) e.params = param::shape_list(plan.constant_shape(param::list(e.params), inst));
    };
    return rebuild(g, plan.variables_at(inst), o);
}

GraphValues evaluate_points(const Graph& g, const ShapePlan& plan, uint64_t function_seed) {
    GraphValues gv;
    std::vector<Graph> at(plan.num_insts());
    std::vector<char> typed(plan.num_insts(), 0);
    for (int i = 0; i < plan.num_insts(); ++i) {
        try {
            at[i] = instantiate_graph(g, plan, i);
            typed[i] = 1;
        } catch (const TypeError&) {
        }
    }
    for (size_t p = 0; p < plan.points().size(); ++p) {
        const int inst = plan.points()[p].inst;
        PointValues pv;
        if (!typed[inst]) {
            pv.status = PointStatus::IllTyped;
            gv.points.push_back(std::move(pv));
            continue;
        }
        std::vector<ExactTensor> vars;
        for (size_t v = 0; v < plan.symbolic_variables().size(); ++v)
            vars.push_back(plan.input(static_cast<int>(v), static_cast<int>(p)));
        try {
            pv.outputs = evaluate_exact(at[inst], vars, function_seed);
            for (const ValueRef& o : at[inst].outputs()) pv.types.push_back(at[inst].type(o));
        } catch (const EvalOverflow&) {
            pv.status = PointStatus::Overflow;
            pv.outputs.clear();
        }
        gv.points.push_back(std::move(pv));
    }
    return gv;
}

bool same_values(const GraphValues& a, const GraphValues& b) {
    if (a.overflowed() || b.overflowed() || a.points.size() != b.points.size()) return false;
    for (size_t p = 0; p < a.points.size(); ++p) {
        const PointValues &x = a.points[p], &y = b.points[p];
        if (x.status != y.status || x.outputs.size() != y.outputs.size()) return false;
        for (size_t k = 0; k < x.outputs.size(); ++k)
            if (!(x.types[k] == y.types[k]) || x.outputs[k] != y.outputs[k]) return false;
    }
    return true;
}

}  // namespace rf::fingerprint
