// Issue 22's operators in the exchange formats: native, JSON and DOT carry them (native reads
// them back); TENSAT, TASO and FlexFlow cannot express them and leave out each such rule with
// the reason, writing the others.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "exporters/rule_formats.h"
#include "ir/native_text.h"
#include "ir/rule.h"

using namespace rf;
using namespace rf::exporters;

namespace {

Rule rule_of(const std::string& text) { return build_rule(parse_native_rule(text)); }

const std::vector<std::string> kTransformerRules = {
    "exp(ewadd(x, y)) => ewmul(exp(x), exp(y))",
    "ewdiv(ewmul(x, y), y) => ewmul(x, ewdiv(y, y))",
    "ewsub(ewadd(x, y), y) => ewadd(x, ewsub(y, y))",
    "sqrt(x) => gelu(x)",
    "reduce_sum[axis=1](ewadd(x, y)) => ewadd(reduce_sum[axis=1](x), reduce_sum[axis=1](y))",
    "reduce_mean[axis=0](x) => reduce_mean[axis=0](x)",
    "softmax[axis=1](ewadd(x, c)) => softmax[axis=1](x) where x: act[d0,d1], c: act[d0,1]",
    "layernorm[axis=1](x) => rmsnorm[axis=1](x)",
};

}  // namespace

TEST_CASE("transformer operators: TENSAT, TASO and FlexFlow leave each such rule out with the reason",
          "[exporters][transformer]") {
    std::vector<Rule> rules{rule_of("ewadd(x, y) => ewadd(y, x)")};
    for (const std::string& t : kTransformerRules) rules.push_back(rule_of(t));
    for (ExchangeFormat f : {ExchangeFormat::Tensat, ExchangeFormat::Taso, ExchangeFormat::Flexflow}) {
        INFO(exchange_format_name(f));
        const ExportResult e = write_rules(rules, f);
        CHECK(e.written == 1);
        REQUIRE(e.left_out.size() == kTransformerRules.size());
        for (size_t i = 0; i < e.left_out.size(); ++i) {
            INFO(e.left_out[i].message);
            CHECK(e.left_out[i].index == i + 1);
            const bool says_why = e.left_out[i].message.find("has no TENSAT spelling") != std::string::npos ||
                                  e.left_out[i].message.find("TASO has no such operator") != std::string::npos;
            CHECK(says_why);
        }
    }
}

TEST_CASE("transformer operators: native, JSON and DOT carry them", "[exporters][transformer]") {
    std::vector<Rule> rules;
    for (const std::string& t : kTransformerRules) rules.push_back(rule_of(t));
    for (ExchangeFormat f : {ExchangeFormat::Native, ExchangeFormat::Json, ExchangeFormat::Dot}) {
        INFO(exchange_format_name(f));
        const ExportResult e = write_rules(rules, f);
        CHECK(e.left_out.empty());
        CHECK(e.written == rules.size());
        for (const char* name :
             {"exp", "ewdiv", "ewsub", "sqrt", "gelu", "reduce_sum", "reduce_mean", "softmax", "layernorm", "rmsnorm"})
            CHECK(e.data.find(name) != std::string::npos);
    }
    // Native reads back to the same rules (JSON and DOT are export-only).
    for (ExchangeFormat f : {ExchangeFormat::Native}) {
        const ImportResult back = read_rule_bytes(write_rules(rules, f).data, "t", f);
        REQUIRE(back.rules.size() == rules.size());
        for (size_t i = 0; i < rules.size(); ++i) CHECK(print_native(back.rules[i]) == print_native(rules[i]));
    }
}
