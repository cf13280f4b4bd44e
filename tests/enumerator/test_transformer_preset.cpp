// The `transformer` preset (enumerator/preset.h): its inputs and templates, and that discovery
// over it finds the identities of attention blocks that its operators can state.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "enumerator/enumerator.h"
#include "ir/native_text.h"

using namespace rf;

namespace {
std::set<std::string> template_names(const std::vector<enumerator::OpTemplate>& ts) {
    std::set<std::string> out;
    for (const enumerator::OpTemplate& t : ts) out.insert(t.name);
    return out;
}
}  // namespace

TEST_CASE("transformer preset: activations, per-row and per-column inputs, weights, a scalar",
          "[enumerator][transformer]") {
    enumerator::EnumConfig c = enumerator::preset_config("transformer", 2);
    const auto& vars = c.plan.symbolic_variables();
    std::vector<std::string> shapes;
    for (const Variable& v : vars) shapes.push_back(v.name + ":" + v.type.to_string());
    INFO(shapes.size());
    REQUIRE(vars.size() == 7);
    // Every instantiation keeps N and D apart and away from 1.
    for (int i = 0; i < c.plan.num_insts(); ++i) {
        const auto& at = c.plan.variables_at(i);
        const int64_t n = at[0].type.dims[0].value(), d = at[0].type.dims[1].value();
        CHECK(n != d);
        CHECK(n > 1);
        CHECK(d > 1);
        CHECK(at[2].type.dims[1].value() == 1);  // r1: [N,1]
        CHECK(at[3].type.dims[0].value() == 1);  // c1: [1,D]
        CHECK(at[4].type.dims[0].value() == d);  // w1: [D,D]
        CHECK(at[6].type.rank() == 0);           // s0
    }
    const auto names = template_names(c.templates);
    for (const char* n :
         {"matmul",       "transpose",    "concat2d_0",    "concat2d_1", "split_0",     "split_1",  "ewadd",
          "ewmul",        "smul",         "ewsub",         "ewdiv",      "exp",         "sqrt",     "gelu",
          "reduce_sum_0", "reduce_sum_1", "reduce_mean_1", "softmax_1",  "layernorm_1", "rmsnorm_1"})
        CHECK(names.count(n) == 1);
    CHECK_THROWS_WITH(enumerator::preset_config("transformers", 2), Catch::Contains("transformer"));
}

TEST_CASE("transformer preset: size 2 finds scaling folded through matmul", "[enumerator][transformer]") {
    enumerator::EnumConfig c = enumerator::preset_config("transformer", 2);
    c.templates = enumerator::select_templates(c.templates, "matmul,smul");
    enumerator::EnumResult r = enumerator::enumerate(c);
    bool folded = false;
    for (const enumerator::Candidate& cand : r.candidates) {
        const std::string text = print_native(cand.rule);
        folded = folded ||
                 (text.find("smul(matmul(") != std::string::npos && text.find("matmul(smul(") != std::string::npos);
    }
    CHECK(folded);
}
