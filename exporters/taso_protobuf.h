// TASO's substitution-rule files (protobuf GraphSubst.RuleCollection, see taso_rules.proto):
// reading them into typed rules and writing rules TASO's runtime loads. The generated protobuf
// classes stay inside taso_protobuf.cpp; callers see bytes and rules only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exporters/report.h"
#include "ir/rule.h"
#include "ir/rule_ast.h"

namespace rf::exporters {

struct TasoReadOptions {
    /// Give each variable the role and concrete shape of TASO's generator input -k (the table in
    /// reference/README.md: 2x4 and 2x4x5x5 activations, 4x4 ... 4x1x3x3 weights, a scalar), as
    /// for generated_size3.pb, whose rules were found at those shapes. Otherwise build_rule
    /// infers the most general shapes (right for the shipped graph_subst.pb, whose older
    /// generator numbered variables differently).
    bool generator_shapes = false;
};

/// Rules of a RuleCollection file's bytes; `file` names it in messages. Rule i is named taso_i.
/// Throws ImportError when the bytes are not a RuleCollection (a parse failure, a missing
/// required field, unknown fields: a truncated or foreign file). A rule with an operator the IR
/// lacks is reported as unsupported, a broken one (unknown type or parameter key, missing
/// parameter, dangling operand, type error) as malformed, each with its index and operator.
ImportResult read_taso_rules(const std::string& bytes, const std::string& file, const TasoReadOptions& options = {});

/// A RuleCollection of the rules TASO's substitution loader accepts; each other rule is left out
/// with the reason (the operator TASO does not load, an output that is an input variable).
/// Variables named input_k keep opId -k; otherwise variable i of the table becomes -(i+1).
ExportResult write_taso_rules(const std::vector<Rule>& rules);

/// The protobuf text format of a RuleCollection (what `protoc --decode` prints), for golden
/// files and debugging. Throws ImportError when the bytes do not parse.
std::string taso_text_format(const std::string& bytes);

/// TASO generator input -k as a declaration (name input_k), or nullopt for k outside 1..20.
std::optional<VarDecl> taso_generator_variable(int32_t k);

}  // namespace rf::exporters
