#include "applier/validate.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>

#include "applier/rewrite.h"

namespace rf::applier {

namespace {

/// FNV-1a: a name's seed must not depend on the standard library's std::hash.
uint64_t name_hash(const std::string& s) {
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    return h;
}

int64_t fan_in(const TensorType& t) {
    auto d = [&](size_t i) { return t.dims[i].value(); };
    switch (t.rank()) {
        case 4: return d(1) * d(2) * d(3);  // conv weight [O, C/g, KH, KW]
        case 3: return d(1);                // batched matmul right operand [B, K, N]
        case 2: return d(0);                // matmul right operand [K, N]
        default: return 1;
    }
}

// [1, ..., 1, d], rank >= 2: broadcast over the rows (a bias or a norm's gain), no matmul operand.
bool feature_vector(const TensorType& t) {
    if (t.rank() < 2) return false;
    for (size_t i = 0; i + 1 < t.rank(); ++i)
        if (t.dims[i].value() != 1) return false;
    return true;
}

bool all_finite(const std::vector<FloatTensor>& ts) {
    for (const FloatTensor& t : ts)
        for (float v : t.data)
            if (!std::isfinite(v)) return false;
    return true;
}

}  // namespace

std::vector<FloatTensor> random_variables(const Graph& g, uint64_t seed) {
    std::vector<FloatTensor> out;
    for (const Variable& v : g.variables()) {
        std::mt19937_64 rng(seed ^ name_hash(v.name));
        if (v.type.rank() == 0) {
            out.push_back(random_float(v.type, rng, 0.5f, 1.5f));
        } else if (v.role == Role::Weight && feature_vector(v.type)) {
            out.push_back(random_float(v.type, rng, -1.f, 1.f));
        } else if (v.role == Role::Weight) {
            const float a = std::sqrt(6.f / static_cast<float>(std::max<int64_t>(1, fan_in(v.type))));
            out.push_back(random_float(v.type, rng, -a, a));
        } else {
            out.push_back(random_float(v.type, rng));
        }
    }
    return out;
}

double accumulation_length(const Graph& g, double exp_scale) {
    exp_scale = std::max(1.0, exp_scale);
    std::vector<double> len(g.nodes().size(), 0);
    double longest = 0;
    for (uint32_t i = 0; i < g.nodes().size(); ++i) {
        const Node& n = g.node(i);
        if (n.op == OpKind::Input) continue;
        double in = 0;
        for (const ValueRef& v : n.inputs) in = std::max(in, len[v.node]);
        double k = 1;
        auto axis_len = [&] {
            return static_cast<double>(g.type(n.inputs[0]).dims[static_cast<size_t>(param::axis(n.params))].value());
        };
        if (n.op == OpKind::Exp) {
            in *= exp_scale;
        } else if (n.op == OpKind::Softmax) {
            in *= 2 * exp_scale;
            k = axis_len() + 3;  // max, exp, sum, division
        } else if (n.op == OpKind::ReduceSum || n.op == OpKind::ReduceMean) {
            k = axis_len();
        } else if (n.op == OpKind::LayerNorm || n.op == OpKind::RmsNorm) {
            k = 2 * axis_len() + 3;  // mean, variance, sqrt, division
        } else if (n.op == OpKind::Conv2d) {
            const TensorType& w = g.type(n.inputs[1]);
            k = static_cast<double>(w.dims[1].value() * w.dims[2].value() * w.dims[3].value());
        } else if (n.op == OpKind::Matmul) {
            const TensorType& a = g.type(n.inputs[0]);
            k = static_cast<double>(a.dims[a.rank() - 1].value());
        } else if (n.op == OpKind::PoolAvg || n.op == OpKind::PoolMax) {
            auto [kh, kw] = param::kernel(n.params);
            k = static_cast<double>(kh) * kw;
        }
        len[i] = in + k;
        longest = std::max(longest, len[i]);
    }
    return longest;
}

double comparison_tolerance(const Graph& a, const Graph& b, double exp_scale) {
    const double u = std::ldexp(1.0, -24);  // float32 unit roundoff
    const double t = 2 * u * std::max(accumulation_length(a, exp_scale), accumulation_length(b, exp_scale));
    return std::clamp(t, 1e-6, 1e-2);
}

double exp_operand_scale(Executor& ex, const Graph& g, const std::vector<FloatTensor>& vars) {
    // The same graph with the operands of its exp and softmax nodes as outputs.
    GraphBuilder b(g.variables());
    std::vector<ValueRef> at(g.nodes().size()), probes;
    for (uint32_t i = 0; i < g.nodes().size(); ++i) {
        const Node& n = g.node(i);
        if (n.op == OpKind::Input) {
            at[i] = b.input(param::variable(n.params));
            continue;
        }
        std::vector<ValueRef> ins;
        for (const ValueRef& v : n.inputs) ins.push_back({at[v.node].node, v.output});
        const std::vector<ValueRef> outs = b.add(n.op, n.params, ins);
        at[i] = outs[0];
        if (n.op == OpKind::Exp || n.op == OpKind::Softmax) probes.push_back(ins[0]);
    }
    if (probes.empty()) return 1;
    double m = 1;
    for (const FloatTensor& t : run_graph(ex, std::move(b).finish(probes), vars))
        for (float v : t.data) m = std::max(m, static_cast<double>(std::fabs(v)));
    return m;
}

Comparison compare_outputs(const std::vector<FloatTensor>& expected, const std::vector<FloatTensor>& got,
                           double tolerance) {
    Comparison c;
    c.tolerance = tolerance;
    if (expected.size() != got.size()) {
        c.ok = false;
        c.detail = std::to_string(got.size()) + " outputs where " + std::to_string(expected.size()) + " were expected";
        return c;
    }
    for (size_t o = 0; o < expected.size(); ++o) {
        const FloatTensor &e = expected[o], &r = got[o];
        if (e.dims != r.dims || e.data.size() != r.data.size()) {
            c.ok = false;
            c.detail = "output " + std::to_string(o) + " changed shape";
            return c;
        }
        double scale = 0, worst = 0;
        size_t at = 0;
        for (size_t i = 0; i < e.data.size(); ++i) {
            scale = std::max(scale, std::fabs(static_cast<double>(e.data[i])));
            const double d = std::fabs(static_cast<double>(e.data[i]) - r.data[i]);
            if (!(d <= worst)) {  // NaN in the rewrite counts as the worst error
                worst = std::isnan(d) ? INFINITY : d;
                at = i;
            }
        }
        const double rel = worst / (scale > 0 ? scale : 1.0);
        c.max_abs_error = std::max(c.max_abs_error, worst);
        c.max_rel_error = std::max(c.max_rel_error, rel);
        if (!(rel <= tolerance) && c.ok) {
            c.ok = false;
            std::ostringstream s;
            s << "output " << o << " element " << at << ": expected " << e.data[at] << ", got " << r.data[at]
              << " (error " << worst << " = " << rel << " of the output's largest magnitude " << scale << ", tolerance "
              << tolerance << ")";
            c.detail = s.str();
        }
    }
    return c;
}

const char* site_status_name(SiteStatus s) {
    switch (s) {
        case SiteStatus::Valid: return "valid";
        case SiteStatus::Mismatch: return "mismatch";
        case SiteStatus::Error: return "error";
    }
    return "?";
}

ModelValidator::ModelValidator(std::string model_name, const Graph& model, Executor& ex, ValidateOptions options)
    : ModelValidator(std::move(model_name), model, ex, options, random_variables(model, options.seed)) {}

ModelValidator::ModelValidator(std::string model_name, const Graph& model, Executor& ex, ValidateOptions options,
                               std::vector<FloatTensor> variables)
    : d_name(std::move(model_name)), d_model(model), d_ex(ex), d_options(options), d_vars(std::move(variables)) {
    d_expected = run_graph(ex, model, d_vars);
    if (!all_finite(d_expected))
        throw std::runtime_error("model " + d_name + ": its outputs are not finite with seed " +
                                 std::to_string(options.seed) + " on " + ex.name() + "; nothing can be compared");
    d_exp_scale = exp_operand_scale(ex, model, d_vars);
}

Comparison ModelValidator::compare_with_model(const Graph& g) {
    return compare_outputs(d_expected, run_graph(d_ex, g, d_vars), comparison_tolerance(d_model, g, d_exp_scale));
}

double ModelValidator::time_before_ms() {
    if (!d_time_before) d_time_before = time_graph(d_ex, d_model, d_vars, d_options.timing).median_ms;
    return *d_time_before;
}

RuleReport ModelValidator::check_rule(const Rule& rule, bool reverse) {
    RuleReport rep;
    rep.rule = rule.name;
    rep.direction = reverse ? "rev" : "fwd";
    const Rule r = reverse ? reversed(rule) : rule;
    MatchOptions mo;
    std::vector<Match> matches = find_matches(d_model, r, mo);
    rep.matched = matches.size();
    if (matches.empty()) return rep;

    // Runs one rewrite and files the verdict; returns the rewritten graph when it validated.
    auto check = [&](const std::string& site, const std::vector<const Match*>& ms) -> std::optional<Graph> {
        SiteCheck sc;
        sc.site = site;
        std::optional<Graph> out;
        try {
            Graph g = apply_matches(d_model, ms);
            sc.cmp = compare_with_model(g);
            if (sc.cmp.ok) {
                out = std::move(g);
            } else {
                sc.status = SiteStatus::Mismatch;
                sc.message = sc.cmp.detail;
                ++rep.mismatches;
            }
        } catch (const std::exception& e) {
            // A cycle, or a right side that does not type-check at the model's shapes.
            sc.status = SiteStatus::Error;
            sc.message = e.what();
            ++rep.errors;
        }
        rep.sites.push_back(std::move(sc));
        return out;
    };
    for (size_t i = 0; i < matches.size() && i < d_options.max_sites; ++i) {
        check(matches[i].site(), {&matches[i]});
        ++rep.validated;
    }
    std::vector<const Match*> together;
    for (size_t i : compatible_sites(matches)) together.push_back(&matches[i]);
    std::optional<Graph> all = check("all:" + std::to_string(together.size()), together);
    if (all) {
        rep.applied = together.size();
        if (d_options.time) {
            rep.time_before_ms = time_before_ms();
            rep.time_after_ms = time_graph(d_ex, *all, d_vars, d_options.timing).median_ms;
        }
    }
    return rep;
}

}  // namespace rf::applier
