#include "fingerprint/shape_plan.h"

#include <cassert>
#include <random>
#include <stdexcept>

#include "ir/mix64.h"

namespace rf::fingerprint {

TensorType instantiate_type(const TensorType& t, const std::map<SymbolId, int64_t>& values) {
    TensorType r;
    for (const Dim& d : t.dims) {
        auto v = d.evaluate(values);
        if (!v) throw std::invalid_argument("instantiate_type: a symbol of " + t.to_string() + " has no value");
        r.dims.push_back(Dim(*v));
    }
    return r;
}

bool fingerprint_needs_modular(OpKind op) { return op_info(op).has(kModular) || op_info(op).has(kDivides); }

ShapePlan::ShapePlan(std::vector<Variable> vars, std::vector<Instantiation> insts, int base, uint64_t seed,
                     bool modular)
    : d_vars(std::move(vars)), d_insts(std::move(insts)), d_base(base), d_seed(seed), d_modular(modular) {
    assert(base >= 0 && base < static_cast<int>(d_insts.size()));
    for (const Instantiation& in : d_insts) {
        std::vector<Variable> table = d_vars;
        for (Variable& v : table) v.type = instantiate_type(v.type, in.values);
        d_concrete.push_back(std::move(table));
    }
    for (int i = 0; i < static_cast<int>(d_insts.size()); ++i)
        for (int d = 0; d < d_insts[i].draws; ++d) d_points.push_back({i, d});
    for (size_t p = 0; p < d_points.size(); ++p) {
        std::vector<ExactTensor> values;
        for (size_t v = 0; v < d_vars.size(); ++v) {
            // Seeded per (variable, point), not by a running stream: adding a variable or a
            // point leaves every other input's numbers unchanged.
            std::mt19937_64 rng(mix64(seed ^ mix64(v * 0x10001 + p + 1)));
            const TensorType& t = d_concrete[d_points[p].inst][v].type;
            values.push_back(modular ? random_modular(t, rng) : random_exact(t, rng));
        }
        d_inputs.push_back(std::move(values));
    }
}

std::vector<int32_t> ShapePlan::constant_shape(const std::vector<int32_t>& base_dims, int inst) const {
    for (size_t v = 0; v < d_vars.size(); ++v) {
        const TensorType& b = d_concrete[d_base][v].type;
        if (b.rank() != base_dims.size()) continue;
        bool same = true;
        for (size_t i = 0; i < base_dims.size() && same; ++i) same = b.dims[i].value() == base_dims[i];
        if (!same) continue;
        std::vector<int32_t> out;
        for (const Dim& d : d_concrete[inst][v].type.dims) out.push_back(static_cast<int32_t>(d.value()));
        return out;
    }
    return base_dims;
}

}  // namespace rf::fingerprint
