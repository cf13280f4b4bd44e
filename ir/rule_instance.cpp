// Concrete instances of a typed rule: the symbols its shapes use, the rule at given sizes, and
// a valid instance at small sizes (what the evaluators and compare need). Apart from rule.cpp
// because it works on a typed Rule, not on the syntax that typing turns into one.
#include <map>
#include <random>
#include <set>
#include <string>

#include "ir/graph_rebuild.h"
#include "ir/rule.h"

namespace rf {

bool Rule::is_concrete() const {
    for (const Variable& v : variables())
        if (!v.type.is_concrete()) return false;
    return true;
}

std::vector<SymbolId> Rule::symbols() const {
    std::set<SymbolId> s;
    for (const Variable& v : variables())
        for (const Dim& d : v.type.dims)
            for (const auto& [sym, c] : d.terms()) {
                (void)c;
                s.insert(sym);
            }
    return {s.begin(), s.end()};
}

Rule instantiate(const Rule& rule, const std::map<SymbolId, int64_t>& values) {
    std::vector<Variable> vars = rule.variables();
    for (Variable& v : vars)
        for (Dim& d : v.type.dims) {
            auto val = d.evaluate(values);
            if (!val) throw TypeError("instantiate: no value for a symbol of '" + v.name + "'");
            if (*val < 1) throw TypeError("instantiate: '" + v.name + "' gets a non-positive dimension");
            d = Dim(*val);
        }
    // A declared cut must divide its dimension at every instance, as the shape rules require of
    // the cuts repartition makes.
    for (const Variable& v : vars)
        for (size_t k = 0; k < v.type.rank(); ++k)
            if (v.type.dims[k].value() % v.type.degree(k) != 0)
                throw TypeError("instantiate: dimension " + std::to_string(k) + " of '" + v.name +
                                "' does not divide into " + std::to_string(v.type.degree(k)) + " parts");
    Rule r;
    r.name = rule.name;
    r.conditions = rule.conditions;
    r.preconditions = rule.preconditions;
    r.lhs = rebuild(rule.lhs, vars);
    r.rhs = rebuild(rule.rhs, vars);
    for (size_t i = 0; i < r.num_outputs(); ++i)
        if (!r.lhs.type(r.lhs.outputs()[i]).same_shape(r.rhs.type(r.rhs.outputs()[i])))
            throw TypeError("instantiate: the two sides differ in shape at this assignment");
    return r;
}

Rule concrete_instance(const Rule& rule, uint64_t seed, int attempts) {
    auto syms = rule.symbols();
    if (syms.empty()) return rule;
    std::mt19937_64 rng(seed);
    std::string last;
    for (int a = 0; a < attempts; ++a) {
        std::map<SymbolId, int64_t> values;
        // Small sizes keep evaluation cheap; later attempts widen the range for symbols that a
        // VALID window or a solved difference needs to be larger.
        // The first attempts give every symbol one value, which satisfies the divisibility a
        // grouped convolution needs (groups = 1); later ones draw independent values.
        std::uniform_int_distribution<int64_t> dist(2, 4 + a / 8);
        for (SymbolId s : syms) values[s] = a < 3 ? 3 + a : dist(rng);
        try {
            return instantiate(rule, values);
        } catch (const TypeError& e) {
            last = e.what();
        }
    }
    throw TypeError("no concrete shape assignment found for rule '" + rule.name + "': " + last);
}

}  // namespace rf
