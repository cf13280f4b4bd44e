// What a rule-text parser produces before types are known: terms over named variables, with
// the source position of each, so that a type error can point at the text. Both syntaxes
// (native and TENSAT) parse into this; build_rule() (ir/rule.h) turns it into a typed Rule.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ir/op_kind.h"
#include "ir/precondition.h"
#include "ir/tensor_type.h"
#include "support/user_error.h"

namespace rf {

struct SourceLoc {
    std::string file;  ///< "" for text given on the command line
    int line = 1, column = 1;
    std::string to_string() const;  ///< "file:line:col" (or "line:col")
};

/// A user error in rule text: what was wrong and where. what() is "file:line:col: message".
class ParseError : public support::UserError {
public:
    ParseError(const SourceLoc& loc, const std::string& message);
    const SourceLoc& loc() const { return d_loc; }
    const std::string& message() const { return d_message; }

private:
    SourceLoc d_loc;
    std::string d_message;
};

using TermId = int32_t;

struct Term {
    enum class Kind : uint8_t { Var, App, Proj } kind = Kind::Var;
    std::string var;            ///< Var: the variable's name (without TENSAT's '?')
    OpKind op = OpKind::Input;  ///< App
    Params params;              ///< App
    std::vector<TermId> args;   ///< App: operands; Proj: the projected term
    int output = 0;             ///< Proj: which output
    int rank_hint = -1;         ///< App: rank the syntax states (TENSAT's concat NDIM), -1 if none
    SourceLoc loc;
};

/// A declared variable: `x: act[n, c, 4, 4]`, or distributed: `x: act[8/2, 4]*2`. Dimensions are integers or symbol names; a name
/// used twice states an equality (a shape condition).
struct VarDecl {
    std::string name;
    Role role = Role::Activation;
    bool has_shape = false;
    std::vector<std::string> dims;  ///< each an integer literal or a symbol name
    std::vector<int32_t> degrees;   ///< one per dim: parts it is cut into ("8/2"), 1 if not cut
    int32_t replicas = 1;           ///< "[...]*2"
    /// False for "x ~ act[...]": in an axiom, a typing to build it with rather than a condition
    /// (in a rule the two mean the same: its typing).
    bool condition = true;
    SourceLoc loc;
};

struct RuleAst {
    std::string name;  ///< may be empty
    std::vector<Term> terms;
    std::vector<TermId> lhs, rhs;  ///< one entry per output, same count on both sides
    std::vector<VarDecl> decls;
    std::vector<Precondition> preconditions;  ///< the `assuming` clause
    SourceLoc loc;
};

/// One rule of a file as read: its terms, or the error that made it unreadable.
struct ParsedRule {
    std::optional<RuleAst> ast;
    std::optional<ParseError> error;
};

/// How deep operators may nest in one rule. Parsing, typing, printing, canonical forms, the
/// evaluators and the prover's terms walk a rule recursively; 10,000 nested relus overflowed the
/// stack (SIGSEGV) while real rules nest a handful of operators. The parsers stop at this depth,
/// so nothing downstream recurses deeper than a thread's stack takes. Why 500: under ASan
/// (-O1, gcc -fstack-usage) the TENSAT parser takes 7.2 KB of stack per level and the native one
/// 5.6 KB, so 1,000 levels would fill most of an 8 MB stack before typing or proving begins;
/// in the release build a 1,000-deep check needed between 0.5 and 1 MB.
inline constexpr int kMaxNesting = 500;
/// How many terms (operators, variables, projections) one rule may hold, both sides together.
inline constexpr size_t kMaxRuleTerms = 20000;

/// Throws ParseError at the offending term when `ast` nests deeper than kMaxNesting or holds more
/// than kMaxRuleTerms terms. Iterative; build_rule() calls it, so every format is held to it.
void check_rule_limits(const RuleAst& ast);
/// The words of the nesting error, shared by the parsers.
std::string nesting_limit_message();

}  // namespace rf
