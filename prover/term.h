// The solver-neutral term language of the prover: sorts, function symbols, terms and quantified
// formulas as plain values, so that the encoding (encoding.h), the SMT-LIB2 printer (smtlib.h)
// and both back-ends read one representation and no solver type leaks past prover/backends/.
//
// Terms live in a hash-consed arena (`Terms`): a TermId is an index, children come before their
// parents, and building the same term twice returns the same id. A quantifier carries its bound
// variables and its instantiation patterns (E-matching triggers), which both solvers honour.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace rf::prover {

/// Bool, Int, the one uninterpreted sort of tensors (TASO's `T`), and Real (the scalar
/// arithmetic of the pointwise strategy, prover/pointwise.h).
enum class Sort : uint8_t { Bool, Int, Tensor, Real };
const char* sort_name(Sort s);

using FuncId = int32_t;
using TermId = int32_t;

/// An uninterpreted function symbol (a constant when it has no arguments).
struct FuncDecl {
    std::string name;
    std::vector<Sort> args;
    Sort result = Sort::Tensor;
};

enum class TermOp : uint8_t {
    App,     ///< func applied to kids (a constant when kids is empty)
    Var,     ///< a bound variable: name, sort
    IntLit,  ///< value
    True,
    False,
    Eq,        ///< two kids of one sort
    Distinct,  ///< two kids
    Not,
    And,  ///< any number of kids (empty = true)
    Or,   ///< any number of kids (empty = false)
    Implies,
    Le,        ///< Int <= Int, or Real <= Real
    Add,       ///< sum of kids (Int or Real, the kids' sort)
    Sub,       ///< kid0 - kid1 (Int or Real)
    RealLit,   ///< value as a Real
    Mul,       ///< Real product of kids (nonlinear)
    MulConst,  ///< value * kid0
    DivConst,  ///< kid0 div value (value > 0; floor division as SMT-LIB's div for positive divisors)
    ModConst,  ///< kid0 mod value (value > 0)
    Forall,    ///< quant indexes Terms::quantifiers()
};

struct TermNode {
    TermOp op = TermOp::True;
    Sort sort = Sort::Bool;
    FuncId func = -1;   ///< App
    int64_t value = 0;  ///< IntLit, MulConst, DivConst, ModConst; Forall: quantifier index
    std::string name;   ///< Var
    std::vector<TermId> kids;
    auto key() const { return std::tie(op, sort, func, value, name, kids); }
    bool operator<(const TermNode& o) const { return key() < o.key(); }
};

/// ∀ vars. body, with patterns: each pattern is a multi-trigger (a list of terms that together
/// mention every bound variable); an instance is made when any one pattern matches.
struct Quantifier {
    std::vector<TermId> vars;  ///< Var terms
    std::vector<std::vector<TermId>> patterns;
    TermId body = -1;
};

/// The arena: function symbols and hash-consed terms.
class Terms {
public:
    /// Declares (or finds, by name) a function symbol; a second declaration with another
    /// signature is an internal error.
    FuncId declare(const std::string& name, std::vector<Sort> args, Sort result);
    FuncId find(const std::string& name) const;

    TermId app(FuncId f, std::vector<TermId> args = {});
    TermId var(const std::string& name, Sort s);
    TermId int_lit(int64_t v);
    TermId bool_lit(bool b);
    TermId eq(TermId a, TermId b);
    TermId distinct(TermId a, TermId b);
    TermId not_(TermId a);
    TermId and_(std::vector<TermId> kids);
    TermId or_(std::vector<TermId> kids);
    TermId implies(TermId a, TermId b);
    TermId le(TermId a, TermId b);
    TermId add(std::vector<TermId> kids);
    TermId sub(TermId a, TermId b);
    TermId real_lit(int64_t v);
    /// Product of Real kids (empty = 1).
    TermId mul(std::vector<TermId> kids);
    /// Sum of Real kids (empty = 0).
    TermId real_add(std::vector<TermId> kids);
    TermId mul_const(int64_t k, TermId a);
    TermId div_const(TermId a, int64_t k);
    TermId mod_const(TermId a, int64_t k);
    TermId forall(std::vector<TermId> vars, TermId body, std::vector<std::vector<TermId>> patterns);

    const TermNode& node(TermId t) const { return d_nodes[t]; }
    Sort sort(TermId t) const { return d_nodes[t].sort; }
    const FuncDecl& func(FuncId f) const { return d_funcs[f]; }
    const std::vector<FuncDecl>& funcs() const { return d_funcs; }
    const Quantifier& quantifier(TermId forall_term) const { return d_quants[d_nodes[forall_term].value]; }
    size_t size() const { return d_nodes.size(); }

    /// True when every bound variable in `vars` occurs in one of `terms`.
    bool covers(const std::vector<TermId>& terms, const std::vector<TermId>& vars) const;
    /// Per term: whether a bound variable occurs free in it (below a quantifier it is bound, so a
    /// Forall term itself is closed). Back-ends may translate and cache closed terms once.
    std::vector<bool> open_terms() const;

private:
    TermId make(TermNode n);
    std::vector<FuncDecl> d_funcs;
    std::map<std::string, FuncId> d_func_index;
    std::vector<TermNode> d_nodes;
    std::map<TermNode, TermId> d_index;
    std::vector<Quantifier> d_quants;
};

}  // namespace rf::prover
