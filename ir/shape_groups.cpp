#include "ir/shape_groups.h"

namespace rf {

std::vector<std::vector<size_t>> shape_groups(const Rule& r) {
    const auto& vars = r.variables();
    std::vector<std::vector<size_t>> groups;
    std::vector<bool> taken(vars.size(), false);
    for (size_t i = 0; i < vars.size(); ++i) {
        if (taken[i]) continue;
        std::vector<size_t> group{i};
        for (size_t j = i + 1; j < vars.size(); ++j)
            if (!taken[j] && vars[j].role == vars[i].role && vars[j].type.rank() == vars[i].type.rank()) {
                group.push_back(j);
                taken[j] = true;
            }
        if (group.size() > 1) groups.push_back(std::move(group));
    }
    return groups;
}

}  // namespace rf
