// The operator-list form of a rule, which TASO's protobuf and FlexFlow's JSON share: each side a
// list of operators in topological order whose operands name an earlier operator's output or an
// input variable (a negative id), plus the pairs of outputs the rule maps. Both formats lower
// rules to this form and lift it back, so walking graphs, numbering variables and building a
// typed rule (through a RuleAst and build_rule) are written once; a format only translates
// operator codes and parameters.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ir/op_kind.h"
#include "ir/rule.h"
#include "ir/rule_ast.h"

namespace rf::exporters {

/// An operand: output `output` of operator `op` of the same side, or variable -op when op < 0.
struct OperandRef {
    int32_t op = 0;
    int32_t output = 0;
};

/// One operator of a lowered side, with the types the graph gave it (formats that state ranks,
/// such as concat's NUMDIM, read them here).
struct ListedOp {
    OpKind kind = OpKind::Input;
    Params params;
    std::vector<OperandRef> inputs;
    std::vector<TensorType> input_types;
    std::vector<TensorType> output_types;
};

struct MappedOutput {
    OperandRef src, dst;
};

struct OpListRule {
    std::vector<ListedOp> src, dst;
    std::vector<MappedOutput> outputs;
};

/// A rule that a format cannot express; what() says why (e.g. "operator poolavg: ...").
class NotExpressible : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Lowers a rule. Variable k (its opId is -k) is the k of its name when every variable is named
/// input_k with distinct k >= 1 (so TASO's and TENSAT's numbering survives a round trip), else
/// its position in the variable table plus one. Only operators an output reaches are listed (a
/// dangling operator would make TASO's matcher demand a node the rewrite never uses). Throws
/// NotExpressible when an output of a side is an input variable: both formats map operator
/// outputs only.
OpListRule lower_rule(const Rule& rule);

/// One operator of a side being read, already translated from the format's codes.
struct DecodedOp {
    OpKind kind = OpKind::Input;
    Params params;
    int rank_hint = -1;  ///< a rank the format states (concat's NUMDIM), -1 if none
    std::vector<OperandRef> inputs;
    /// Constant operands the format implies, appended after `inputs` (TASO's generator writes
    /// enlarge with one operand and the target kernel as parameters; ruleforge's enlarge takes a
    /// reference tensor of that kernel size).
    std::vector<std::pair<OpKind, Params>> implied_operands;
    std::string label;  ///< "srcOp 2 (CONV2D)": names the operator in messages
};

struct DecodedRule {
    std::string name;
    std::vector<DecodedOp> src, dst;
    std::vector<MappedOutput> outputs;
};

/// A variable declaration for variable k (role and shape), or nullopt to let build_rule infer.
using VariableDecls = std::function<std::optional<VarDecl>(int32_t k)>;

/// Thrown by lift_rule for a malformed rule: a dangling reference, an output that does not
/// exist, a type error. what() names the operator.
class LiftError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The variable name of opId -k: `input_k`, as TENSAT names TASO's variables.
std::string variable_name(int32_t k);

/// Builds the typed rule: variables are input_k, shapes the most general ones build_rule finds
/// unless `decls` declares them. Throws LiftError.
Rule lift_rule(const DecodedRule& rule, const VariableDecls& decls = {});

}  // namespace rf::exporters
