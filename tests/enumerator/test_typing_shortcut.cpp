// The enumerator's typing shortcut may only reject what type inference rejects: a pair it
// wrongly rejected would silently drop graphs from the enumeration.
#include <catch2/catch.hpp>

#include <random>

#include "enumerator/preset.h"
#include "enumerator/typing_shortcut.h"
#include "ir/shape_rules.h"

using namespace rf;

namespace {

TensorType random_type(std::mt19937_64& rng) {
    std::vector<Dim> dims(rng() % 5);
    for (Dim& d : dims) d = Dim(static_cast<int64_t>(1 + rng() % 6));
    TensorType t = make_type(dims);
    // Some operands carry a concat boundary (what split needs, and what equality compares).
    if (!dims.empty() && rng() % 3 == 0) {
        auto tree = std::make_shared<SplitTree>();
        tree->left_size = Dim(1);
        t.set_split(rng() % dims.size(), tree);
    }
    return t;
}

bool infers(const OpTemplate& t, const std::vector<TensorType>& in) {
    try {
        StrictUnifier u;
        infer_output_types(t.op, t.params, in, u);
        return true;
    } catch (const TypeError&) {
        return false;
    }
}

}  // namespace

TEST_CASE("typing shortcut rejects only pairs that type inference rejects", "[enumerator]") {
    std::mt19937_64 rng(7);
    int rejected = 0, well_typed = 0;
    for (const OpTemplate& t : full_templates()) {
        if (t.arity != 2) continue;
        for (int k = 0; k < 4000; ++k) {
            std::vector<TensorType> in{random_type(rng), random_type(rng)};
            // Half of the pairs share the first operand's shape, so well-typed pairs are common.
            if (k % 2) in[1] = make_type(in[0].dims);
            const bool ok = infers(t, in);
            well_typed += ok;
            if (enumeration::obviously_ill_typed(t, in)) {
                ++rejected;
                INFO(t.name << " on " << in[0].to_string() << ", " << in[1].to_string());
                CHECK_FALSE(ok);
            }
        }
    }
    // The shortcut is exercised both ways.
    CHECK(rejected > 1000);
    CHECK(well_typed > 1000);
}
