// Preconditions: names, legacy parsing, rendering in a rule's own names, and the check on shapes.
#include "ir/precondition.h"

#include <algorithm>
#include <map>

#include "ir/rule.h"
#include "ir/shape_groups.h"
#include "ir/symbol_places.h"

namespace rf {

const char* precondition_name(Precondition p) {
    switch (p) {
        case Precondition::DenseConvolutions: return "dense_convolutions";
        case Precondition::SameShapes: return "same_shapes";
        case Precondition::NonZeroDivisors: return "nonzero_divisors";
    }
    return "?";
}

std::optional<Precondition> precondition_from(std::string_view name) {
    for (Precondition p : {Precondition::DenseConvolutions, Precondition::SameShapes, Precondition::NonZeroDivisors})
        if (name == precondition_name(p)) return p;
    return std::nullopt;
}

const char* precondition_meaning(Precondition p) {
    switch (p) {
        case Precondition::DenseConvolutions: return "convolutions are dense (groups = 1)";
        case Precondition::SameShapes: return "variables of one role and rank have the same shape";
        case Precondition::NonZeroDivisors: return "every divisor is non-zero";
    }
    return "?";
}

std::vector<Precondition> preconditions_from_legacy_text(const std::string& condition) {
    // The tags prover/checker.cpp appended to each assumption it added, up to schema version 2.
    std::vector<Precondition> out;
    if (condition.find("(groups = 1)") != std::string::npos) out.push_back(Precondition::DenseConvolutions);
    if (condition.find("(same shape)") != std::string::npos) out.push_back(Precondition::SameShapes);
    return out;
}

namespace {

bool has(const Rule& r, Precondition p) {
    return std::find(r.preconditions.begin(), r.preconditions.end(), p) != r.preconditions.end();
}

std::string dim_text(const Dim& d, const std::map<SymbolId, std::string>& places) {
    return d.to_string([&](SymbolId s) {
        auto it = places.find(s);
        return it == places.end() ? "d" + std::to_string(s) : it->second;
    });
}

// Input channels and weight channels of every convolution, left side first.
std::vector<std::pair<Dim, Dim>> convolution_channels(const Rule& r) {
    std::vector<std::pair<Dim, Dim>> out;
    for (const Graph* g : {&r.lhs, &r.rhs})
        for (const Node& n : g->nodes())
            if (n.op == OpKind::Conv2d) out.emplace_back(g->type(n.inputs[0]).dims[1], g->type(n.inputs[1]).dims[1]);
    return out;
}

}  // namespace

std::vector<std::string> precondition_texts(const Rule& rule) {
    std::vector<std::string> out;
    if (has(rule, Precondition::DenseConvolutions)) {
        const auto places = symbol_places(rule);
        for (const auto& [c, cg] : convolution_channels(rule)) {
            if (c == cg) continue;
            std::string text = dim_text(c, places) + " = " + dim_text(cg, places) + " (groups = 1)";
            if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(std::move(text));
        }
    }
    if (has(rule, Precondition::SameShapes)) {
        const auto& vars = rule.variables();
        for (const auto& group : shape_groups(rule)) {
            bool differ = false;
            std::string text = vars[group[0]].name;
            for (size_t g = 1; g < group.size(); ++g) {
                text += " = " + vars[group[g]].name;
                differ = differ || !vars[group[g]].type.same_shape(vars[group[0]].type);
            }
            if (differ) out.push_back(text + " (same shape)");
        }
    }
    if (has(rule, Precondition::NonZeroDivisors)) out.push_back(precondition_meaning(Precondition::NonZeroDivisors));
    return out;
}

std::vector<std::string> condition_texts(const Rule& rule) {
    std::vector<std::string> out = rule.conditions;
    for (std::string& t : precondition_texts(rule)) out.push_back(std::move(t));
    return out;
}

bool preconditions_hold(const Rule& rule) {
    if (has(rule, Precondition::DenseConvolutions))
        for (const auto& [c, cg] : convolution_channels(rule))
            if (!(c == cg)) return false;
    if (has(rule, Precondition::SameShapes)) {
        const auto& vars = rule.variables();
        for (const auto& group : shape_groups(rule))
            for (size_t g = 1; g < group.size(); ++g)
                if (!vars[group[g]].type.same_shape(vars[group[0]].type)) return false;
    }
    return true;
}

}  // namespace rf
