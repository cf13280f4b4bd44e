#include "ir/symbol_places.h"

namespace rf {

std::map<SymbolId, std::string> symbol_places(const Rule& r) {
    std::map<SymbolId, std::string> places;
    for (const Variable& v : r.variables())
        for (size_t k = 0; k < v.type.rank(); ++k) {
            const Dim& d = v.type.dims[k];
            if (d.terms().size() == 1 && d.terms()[0].second == 1 && d.constant() == 0)
                places.try_emplace(d.terms()[0].first, v.name + "[" + std::to_string(k) + "]");
        }
    return places;
}

}  // namespace rf
