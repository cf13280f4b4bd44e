// A tensor dimension: either a concrete size or an integer linear expression over shape
// symbols (d0 + d1 - 2, ...).
//
// Rules read from text usually carry no shapes (TENSAT's `?input_1` has none), yet each rule is
// only meaningful under some shape assignment; and a rule such as the grouped-conv merge holds
// only when two inputs have equal shapes. Keeping dimensions symbolic lets shape inference find
// the most general assignment (by unification) and state the conditions a rule needs, instead of
// guessing one concrete shape. Concatenation adds dimensions and VALID convolution subtracts a
// kernel size, so linear expressions are exactly what the operator set produces at stride 1.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace rf {

using SymbolId = int32_t;

class Dim {
public:
    /// A concrete dimension.
    Dim(int64_t size = 0) : d_constant(size) {}  // NOLINT: implicit on purpose, sizes are dims
    /// The dimension named by a single shape symbol.
    static Dim symbol(SymbolId id);

    bool is_concrete() const { return d_terms.empty(); }
    /// The size of a concrete dimension; asserts is_concrete().
    int64_t value() const;
    int64_t constant() const { return d_constant; }
    /// Terms sorted by symbol, no zero coefficients.
    const std::vector<std::pair<SymbolId, int64_t>>& terms() const { return d_terms; }

    Dim operator+(const Dim& o) const;
    Dim operator-(const Dim& o) const;
    Dim scaled(int64_t k) const;
    /// Every coefficient and the constant divided by k; asserts that k divides them all.
    Dim divided(int64_t k) const;

    /// Replaces `sym` by `by` everywhere in this expression.
    Dim substitute(SymbolId sym, const Dim& by) const;
    /// Evaluates under an assignment of every symbol; nullopt if a symbol is missing.
    std::optional<int64_t> evaluate(const std::map<SymbolId, int64_t>& values) const;

    /// Prints "3", "d0", "d0+d1-2" with `name(sym)` naming each symbol.
    template <class NameFn>
    std::string to_string(NameFn name) const;
    std::string to_string() const;

    bool operator==(const Dim& o) const { return d_constant == o.d_constant && d_terms == o.d_terms; }
    bool operator!=(const Dim& o) const { return !(*this == o); }
    bool operator<(const Dim& o) const { return std::tie(d_terms, d_constant) < std::tie(o.d_terms, o.d_constant); }

private:
    int64_t d_constant = 0;
    std::vector<std::pair<SymbolId, int64_t>> d_terms;
};

template <class NameFn>
std::string Dim::to_string(NameFn name) const {
    std::string s;
    for (const auto& [sym, coef] : d_terms) {
        if (coef < 0)
            s += "-";
        else if (!s.empty())
            s += "+";
        int64_t a = coef < 0 ? -coef : coef;
        if (a != 1) s += std::to_string(a) + "*";
        s += name(sym);
    }
    if (d_constant != 0 || s.empty()) {
        if (d_constant >= 0 && !s.empty()) s += "+";
        s += std::to_string(d_constant);
    }
    return s;
}

}  // namespace rf
