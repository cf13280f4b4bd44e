#include "prover/bounded_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <sstream>

namespace rf::prover {

namespace {

std::string rational(int64_t num, int64_t den) {
    return den == 1 ? std::to_string(num) : std::to_string(num) + "/" + std::to_string(den);
}

// Shape assignments to try, smallest total volume first; the first ones give every symbol one
// value so that grouped convolutions type (groups = 1).
std::vector<std::map<SymbolId, int64_t>> candidate_assignments(const Rule& rule, const BoundedCheckOptions& o) {
    auto syms = rule.symbols();
    std::vector<std::map<SymbolId, int64_t>> out;
    std::set<std::map<SymbolId, int64_t>> seen;
    auto add = [&](std::map<SymbolId, int64_t> a) {
        if (seen.insert(a).second) out.push_back(std::move(a));
    };
    if (syms.empty()) {
        add({});
        return out;
    }
    for (int64_t v = 1; v <= o.max_dim; ++v) {
        std::map<SymbolId, int64_t> a;
        for (SymbolId s : syms) a[s] = v;
        add(a);
    }
    std::mt19937_64 rng(o.seed * 0x9e3779b97f4a7c15ULL + 17);
    std::uniform_int_distribution<int64_t> dist(1, o.max_dim);
    for (int k = 0; k < 8 * o.max_instances; ++k) {
        std::map<SymbolId, int64_t> a;
        for (SymbolId s : syms) a[s] = dist(rng);
        add(a);
    }
    return out;
}

int64_t volume_of(const Rule& r) {
    int64_t v = 0;
    for (const Variable& var : r.variables()) v += var.type.volume();
    return v;
}

// Interleaves "all equal" and independent assignments so both kinds are tried within the budget.
std::vector<Rule> instances(const Rule& rule, const BoundedCheckOptions& o, std::string& last_error) {
    std::vector<Rule> uniform, mixed;
    auto assignments = candidate_assignments(rule, o);
    const size_t num_uniform = rule.symbols().empty() ? 1 : static_cast<size_t>(o.max_dim);
    for (size_t i = 0; i < assignments.size(); ++i) {
        if (o.admissible && !o.admissible(assignments[i])) continue;
        try {
            Rule inst = instantiate(rule, assignments[i]);
            (i < num_uniform ? uniform : mixed).push_back(std::move(inst));
        } catch (const TypeError& e) {
            last_error = e.what();
        }
    }
    std::vector<Rule> out;
    for (size_t i = 0; out.size() < static_cast<size_t>(o.max_instances) && (i < uniform.size() || i < mixed.size());
         ++i) {
        if (i < uniform.size()) out.push_back(uniform[i]);
        if (i < mixed.size() && out.size() < static_cast<size_t>(o.max_instances)) out.push_back(mixed[i]);
    }
    std::stable_sort(out.begin(), out.end(), [](const Rule& a, const Rule& b) { return volume_of(a) < volume_of(b); });
    return out;
}

// The shape assignment of an instance: the first variable dimension that is exactly each symbol.
std::map<SymbolId, int64_t> assignment_of(const Rule& rule, const Rule& inst) {
    std::map<SymbolId, int64_t> a;
    for (SymbolId s : rule.symbols())
        for (size_t vi = 0; vi < rule.variables().size(); ++vi)
            for (size_t k = 0; k < rule.variables()[vi].type.dims.size(); ++k)
                if (rule.variables()[vi].type.dims[k] == Dim::symbol(s) && !a.count(s))
                    a[s] = inst.variables()[vi].type.dims[k].value();
    return a;
}

std::optional<std::pair<size_t, size_t>> first_difference(const std::vector<ExactTensor>& l,
                                                          const std::vector<ExactTensor>& r) {
    for (size_t o = 0; o < l.size(); ++o) {
        if (l[o] == r[o]) continue;
        for (size_t i = 0; i < l[o].num.size(); ++i) {
            // Compare num/den as rationals without overflow.
            __int128 a = static_cast<__int128>(l[o].num[i]) * r[o].den;
            __int128 b = static_cast<__int128>(r[o].num[i]) * l[o].den;
            if (a != b) return std::pair{o, i};
        }
        return std::pair{o, size_t{0}};  // equal values, different dims: cannot happen for a typed rule
    }
    return std::nullopt;
}

FloatTensor as_float(const ExactTensor& t) {
    FloatTensor f;
    f.dims = t.dims;
    for (int64_t v : t.num) f.data.push_back(static_cast<float>(static_cast<double>(v) / static_cast<double>(t.den)));
    return f;
}

std::string float_text(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.7g", static_cast<double>(v));
    return buf;
}

// Float outputs compared within the tolerance: nullopt when they agree; {output, element} of the
// first difference; {SIZE_MAX, 0} when some value is not finite (the draw says nothing).
std::optional<std::pair<size_t, size_t>> first_float_difference(const std::vector<FloatTensor>& l,
                                                                const std::vector<FloatTensor>& r) {
    for (size_t o = 0; o < l.size(); ++o) {
        double scale = 1;
        for (const auto* t : {&l[o], &r[o]})
            for (float v : t->data) {
                if (!std::isfinite(v)) return std::pair{SIZE_MAX, size_t{0}};
                scale = std::max(scale, 1 + std::fabs(static_cast<double>(v)));
            }
        for (size_t i = 0; i < l[o].data.size() && i < r[o].data.size(); ++i)
            if (std::fabs(static_cast<double>(l[o].data[i]) - r[o].data[i]) > kFloatTolerance * scale)
                return std::pair{o, i};
    }
    return std::nullopt;
}

}  // namespace

const char* check_domain_name(CheckDomain d) {
    switch (d) {
        case CheckDomain::Exact: return "exact";
        case CheckDomain::Float: return "float32";
    }
    return "?";
}

const char* outcome_name(BoundedCheck::Outcome o) {
    switch (o) {
        case BoundedCheck::Outcome::Refuted: return "refuted";
        case BoundedCheck::Outcome::Passed: return "passed";
        case BoundedCheck::Outcome::Inconclusive: return "inconclusive";
    }
    return "?";
}

namespace {

// The inputs of draw `d`: small values first (they keep denominators and products small), later
// draws wider, then sparse, sign-sliced and small-magnitude ones (each kind says why below).
std::vector<ExactTensor> draw_inputs(const Rule& inst, int d, const BoundedCheckOptions& o, bool floating,
                                     std::mt19937_64& rng) {
    int64_t range = d < o.draws / 2 || d >= o.draws + o.sparse_draws ? 3 : 9;
    std::vector<ExactTensor> inputs;
    for (const Variable& v : inst.variables()) {
        // Float rules: multiples of 1/8 in [-2, 2], exact in float32 and as rationals.
        inputs.push_back(random_exact(v.type, rng, floating ? -16 : -range, floating ? 16 : range));
        if (floating) {
            inputs.back().den = 8;
            normalize(inputs.back());
        }
    }
    // Small magnitudes (eighths): x*x is then far below x, so the linear terms show.
    if (!floating && d >= o.draws + o.sparse_draws)
        for (ExactTensor& t : inputs) {
            t.den = 8;
            normalize(t);
        }
    const bool extra = d >= o.draws && d < o.draws + o.sparse_draws;
    if (extra && (d - o.draws) % 2 == 0)
        for (ExactTensor& t : inputs) {
            const bool zero = rng() % 3 == 0;
            for (int64_t& x : t.num)
                if (zero || rng() % 4 != 0) x = 0;
        }
    // Sign-sliced: every value of a leading slice takes one random sign. A maximum over
    // random values is almost always positive; this gives slices that are not.
    if (extra && (d - o.draws) % 2 == 1)
        for (ExactTensor& t : inputs) {
            const size_t slices = t.dims.empty() ? 1 : static_cast<size_t>(std::max<int64_t>(t.dims[0], 1));
            const size_t per = t.num.size() / slices;
            for (size_t sl = 0; sl < slices; ++sl) {
                const int64_t sign = rng() % 2 == 0 ? 1 : -1;
                for (size_t i = sl * per; i < (sl + 1) * per && i < t.num.size(); ++i)
                    t.num[i] = sign * (t.num[i] < 0 ? -t.num[i] : t.num[i]);
            }
            // Halves: x + x*x < 0 only strictly between -1 and 0, where no integer is.
            if ((d - o.draws) % 4 == 3) {
                t.den = 2;
                normalize(t);
            }
        }
    return inputs;
}

}  // namespace

BoundedCheck bounded_check(const Rule& rule, const BoundedCheckOptions& o) {
    BoundedCheck result;
    std::string last_error;
    std::vector<Rule> insts = instances(rule, o, last_error);
    if (insts.empty()) {
        result.note = "no admissible shape assignment up to " + std::to_string(o.max_dim) + " type-checks" +
                      (last_error.empty() ? "" : ": " + last_error);
        return result;
    }
    std::mt19937_64 rng(o.seed);
    const bool floating = needs_modular(rule.lhs) || needs_modular(rule.rhs);
    if (floating) result.domain = CheckDomain::Float;
    for (const Rule& inst : insts) {
        ++result.instances;
        for (int d = 0; d < o.draws + o.sparse_draws + o.small_draws; ++d) {
            const std::vector<ExactTensor> inputs = draw_inputs(inst, d, o, floating, rng);
            for (int f = 0; f < (floating ? 1 : o.function_seeds); ++f) {
                uint64_t fseed = o.seed * 1000003ULL + static_cast<uint64_t>(f);
                if (floating) {
                    std::vector<FloatTensor> fin;
                    for (const ExactTensor& t : inputs) fin.push_back(as_float(t));
                    // A divisor that is zero in exact arithmetic is a tiny float after rounding
                    // (a sum of a layer norm's outputs): the quotient is noise, not a value of
                    // the rule, which holds where its divisors are not zero.
                    bool near_zero_l = false, near_zero_r = false;
                    const std::vector<FloatTensor> l = evaluate_float(inst.lhs, fin, kMinFloatDivisor, near_zero_l),
                                                   r = evaluate_float(inst.rhs, fin, kMinFloatDivisor, near_zero_r);
                    auto diff = first_float_difference(l, r);
                    if (near_zero_l || near_zero_r || (diff && diff->first == SIZE_MAX)) {
                        ++result.overflows;
                        continue;
                    }
                    ++result.evaluations;
                    if (!diff) continue;
                    Counterexample cx;
                    cx.domain = CheckDomain::Float;
                    for (const Variable& v : inst.variables())
                        cx.variable_shapes.push_back(v.name + ": " + v.type.to_string());
                    cx.symbols = assignment_of(rule, inst);
                    cx.inputs = inputs;
                    cx.function_seed = fseed;
                    cx.output = diff->first;
                    cx.element = diff->second;
                    cx.lhs_value = float_text(l[cx.output].data[cx.element]);
                    cx.rhs_value = float_text(r[cx.output].data[cx.element]);
                    result.outcome = BoundedCheck::Outcome::Refuted;
                    result.counterexample = std::move(cx);
                    return result;
                }
                std::vector<ExactTensor> l, r;
                try {
                    l = evaluate_exact(inst.lhs, inputs, fseed);
                    r = evaluate_exact(inst.rhs, inputs, fseed);
                } catch (const EvalOverflow&) {
                    ++result.overflows;
                    continue;
                }
                ++result.evaluations;
                auto diff = first_difference(l, r);
                if (!diff) continue;
                Counterexample cx;
                cx.symbols = assignment_of(rule, inst);
                for (const Variable& v : inst.variables())
                    cx.variable_shapes.push_back(v.name + ": " + v.type.to_string());
                cx.inputs = inputs;
                cx.function_seed = fseed;
                cx.output = diff->first;
                cx.element = diff->second;
                cx.lhs_value = rational(l[cx.output].num[cx.element], l[cx.output].den);
                cx.rhs_value = rational(r[cx.output].num[cx.element], r[cx.output].den);
                result.outcome = BoundedCheck::Outcome::Refuted;
                result.counterexample = std::move(cx);
                return result;
            }
        }
    }
    if (result.evaluations == 0) {
        result.note = floating ? "every float evaluation had a value that is not finite"
                               : "every evaluation overflowed int64 or divided by zero";
        return result;
    }
    result.outcome = BoundedCheck::Outcome::Passed;
    return result;
}

std::string Counterexample::to_string(const Rule& rule) const {
    std::ostringstream s;
    s << "at shapes";
    for (const std::string& v : variable_shapes) s << " " << v << ";";
    s << " output " << output << " element " << element << ": left " << lhs_value << ", right " << rhs_value;
    if (domain == CheckDomain::Float)
        s << " (float32, beyond the tolerance " << kFloatTolerance << " x (1 + the output's largest magnitude))";
    else
        s << " (function seed " << function_seed << ")";
    // Inputs in full when they are small enough to read.
    size_t total = 0;
    for (const ExactTensor& t : inputs) total += t.num.size();
    if (total <= 64) {
        s << "; inputs";
        for (size_t i = 0; i < inputs.size() && i < rule.variables().size(); ++i) {
            s << " " << rule.variables()[i].name << "=[";
            for (size_t k = 0; k < inputs[i].num.size(); ++k)
                s << (k ? "," : "") << rational(inputs[i].num[k], inputs[i].den);
            s << "]";
        }
    }
    return s.str();
}

}  // namespace rf::prover
