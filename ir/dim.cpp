#include "ir/dim.h"

#include <cassert>
#include <tuple>

namespace rf {

Dim Dim::symbol(SymbolId id) {
    Dim d;
    d.d_terms.push_back({id, 1});
    return d;
}

int64_t Dim::value() const {
    assert(is_concrete() && "value() of a symbolic dimension");
    return d_constant;
}

namespace {
// Merges two sorted term lists, adding coefficients (scaled by k for the second) and dropping 0s.
std::vector<std::pair<SymbolId, int64_t>> merge_terms(const std::vector<std::pair<SymbolId, int64_t>>& a,
                                                      const std::vector<std::pair<SymbolId, int64_t>>& b, int64_t k) {
    std::vector<std::pair<SymbolId, int64_t>> out;
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) {
            out.push_back(a[i++]);
        } else if (i == a.size() || b[j].first < a[i].first) {
            out.push_back({b[j].first, b[j].second * k});
            ++j;
        } else {
            int64_t c = a[i].second + k * b[j].second;
            if (c != 0) out.push_back({a[i].first, c});
            ++i;
            ++j;
        }
    }
    return out;
}
}  // namespace

Dim Dim::operator+(const Dim& o) const {
    Dim r;
    r.d_constant = d_constant + o.d_constant;
    r.d_terms = merge_terms(d_terms, o.d_terms, 1);
    return r;
}

Dim Dim::operator-(const Dim& o) const {
    Dim r;
    r.d_constant = d_constant - o.d_constant;
    r.d_terms = merge_terms(d_terms, o.d_terms, -1);
    return r;
}

Dim Dim::scaled(int64_t k) const {
    if (k == 0) return Dim(0);
    Dim r;
    r.d_constant = d_constant * k;
    for (const auto& [s, c] : d_terms) r.d_terms.push_back({s, c * k});
    return r;
}

Dim Dim::divided(int64_t k) const {
    assert(k != 0 && d_constant % k == 0);
    Dim r;
    r.d_constant = d_constant / k;
    for (const auto& [s, c] : d_terms) {
        assert(c % k == 0);
        r.d_terms.push_back({s, c / k});
    }
    return r;
}

Dim Dim::substitute(SymbolId sym, const Dim& by) const {
    for (const auto& [s, c] : d_terms) {
        if (s != sym) continue;
        Dim rest = *this;
        rest.d_terms = merge_terms(d_terms, {{sym, c}}, -1);
        return rest + by.scaled(c);
    }
    return *this;
}

std::optional<int64_t> Dim::evaluate(const std::map<SymbolId, int64_t>& values) const {
    int64_t v = d_constant;
    for (const auto& [s, c] : d_terms) {
        auto it = values.find(s);
        if (it == values.end()) return std::nullopt;
        v += c * it->second;
    }
    return v;
}

std::string Dim::to_string() const {
    return to_string([](SymbolId s) { return "d" + std::to_string(s); });
}

}  // namespace rf
