// TENSAT's rule syntax, both directions. Each operator's argument list is described once, as a
// sequence of slots (an operand, an integer parameter with its range, or a '_'-joined integer
// list), and both the parser and the printer walk that description: the two cannot disagree
// about where TENSAT puts a parameter, and a new operator needs one entry in tensat_slots()
// plus its parameter packing, which -Wswitch points to.
#include "ir/tensat_text.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <utility>

#include "ir/tensat_lexer.h"

namespace rf {

namespace {

using tensat::describe;
using tensat::is_space;
using tensat::Lexer;
using tensat::Token;

constexpr int32_t kMaxI32 = std::numeric_limits<int32_t>::max();

// ---------------------------------------------------------------------------------------------
// Argument layouts

enum class SlotKind : uint8_t { Tensor, Int, List };

struct Slot {
    SlotKind kind;
    const char* name;              ///< as written in the form shown in messages: ACT, x, PERM...
    int32_t lo = 0, hi = kMaxI32;  ///< Int: the value; List: every entry
    const char* domain = nullptr;  ///< Int: the allowed values in words, when they are codes
};

Slot tensor(const char* name) { return Slot{SlotKind::Tensor, name}; }
Slot integer(const char* name, int32_t lo, int32_t hi = kMaxI32, const char* domain = nullptr) {
    return Slot{SlotKind::Int, name, lo, hi, domain};
}
Slot int_list(const char* name, int32_t lo) { return Slot{SlotKind::List, name, lo, kMaxI32}; }

Slot pad_slot() { return integer("PAD", 0, 1, "0 (SAME) or 1 (VALID)"); }
Slot act_slot() { return integer("ACT", 0, 3, "0 (none), 1 (sigmoid), 2 (relu) or 3 (tanh)"); }

// TENSAT's argument order per operator (its `Mdl` language). Operators without a TENSAT
// spelling have no layout: they are rejected before this is consulted.
std::vector<Slot> tensat_slots(OpKind k) {
    switch (k) {
        case OpKind::Conv2d:
            return {integer("SH", 1), integer("SW", 1), pad_slot(), act_slot(), tensor("x"), tensor("w")};
        case OpKind::Matmul: return {act_slot(), tensor("a"), tensor("b")};
        case OpKind::EwAdd:
        case OpKind::EwMul: return {tensor("a"), tensor("b")};
        case OpKind::Smul: return {tensor("x"), tensor("s")};
        case OpKind::Relu:
        case OpKind::Sigmoid: RF_UNARY_ELEMENTWISE_CASES
        case OpKind::Tanh: return {tensor("x")};
        case OpKind::Transpose: return {tensor("x"), int_list("PERM", 0), integer("SHUFFLE", 0, 1)};
        // NDIM states the operands' rank; TENSAT uses it only to check a match.
        case OpKind::Concat: return {integer("AXIS", 0), integer("NDIM", 1, kMaxListLen), tensor("a"), tensor("b")};
        case OpKind::Split: return {integer("AXIS", 0), tensor("x")};
        case OpKind::PoolAvg:
        case OpKind::PoolMax:
            return {tensor("x"),      integer("KH", 1), integer("KW", 1), integer("SH", 1),
                    integer("SW", 1), pad_slot(),       act_slot()};
        case OpKind::Enlarge: return {tensor("w"), tensor("ref")};
        case OpKind::Reshape: return {tensor("x"), int_list("SHAPE", 1)};
        case OpKind::Input:
        case OpKind::ConstImm:
        case OpKind::ConstIconv:
        case OpKind::ConstOne:
        case OpKind::Repartition:
        case OpKind::Combine:
        case OpKind::Replicate:
        case OpKind::Reduction:
        case OpKind::EwSub:
        case OpKind::EwDiv:
        case OpKind::ReduceSum:
        case OpKind::ReduceMean:
        case OpKind::Softmax:
        case OpKind::LayerNorm:
        case OpKind::RmsNorm:
        case OpKind::ConstPool: return {};
    }
    return {};
}

/// "(matmul ACT a b)": the form quoted in messages about the argument count.
std::string form_of(OpKind k) {
    std::string s = "(" + std::string(op_info(k).tensat_name);
    for (const Slot& slot : tensat_slots(k)) s += std::string(" ") + slot.name;
    return s + ")";
}

/// The parameter values of one expression, in slot order (operands apart).
struct ParamValues {
    std::vector<int32_t> ints;
    std::vector<std::vector<int32_t>> lists;
};

// Packs parsed values into the catalogue's Params. Concat's NDIM is not a parameter of the
// operator (the rank follows from the operands), so it becomes the term's rank hint.
Params pack_params(OpKind k, const ParamValues& v, int& rank_hint) {
    const auto& i = v.ints;
    switch (k) {
        case OpKind::Conv2d:
            return param::conv2d(i[0], i[1], static_cast<Padding>(i[2]), static_cast<Activation>(i[3]));
        case OpKind::Matmul: return param::matmul(static_cast<Activation>(i[0]));
        case OpKind::Transpose: return param::transpose(v.lists[0], i[0] != 0);
        case OpKind::Concat: rank_hint = i[1]; return param::axis_param(i[0]);
        case OpKind::Split: return param::axis_param(i[0]);
        case OpKind::PoolAvg:
        case OpKind::PoolMax:
            return param::pool(i[0], i[1], i[2], i[3], static_cast<Padding>(i[4]), static_cast<Activation>(i[5]));
        case OpKind::Reshape: return param::shape_list(v.lists[0]);
        case OpKind::EwAdd:
        case OpKind::EwMul:
        case OpKind::Smul:
        case OpKind::Relu:
        case OpKind::Sigmoid: RF_UNARY_ELEMENTWISE_CASES
        case OpKind::Tanh:
        case OpKind::Enlarge:
        case OpKind::Input:
        case OpKind::ConstImm:
        case OpKind::ConstIconv:
        case OpKind::ConstOne:
        case OpKind::Repartition:
        case OpKind::Combine:
        case OpKind::Replicate:
        case OpKind::Reduction:
        case OpKind::EwSub:
        case OpKind::EwDiv:
        case OpKind::ReduceSum:
        case OpKind::ReduceMean:
        case OpKind::Softmax:
        case OpKind::LayerNorm:
        case OpKind::RmsNorm:
        case OpKind::ConstPool: return Params{};
    }
    return Params{};
}

// The inverse of pack_params, for printing: `out` is the node's (first) output type, whose
// rank is concat's NDIM.
ParamValues unpack_params(OpKind k, const Params& p, const TensorType& out) {
    switch (k) {
        case OpKind::Conv2d: {
            auto [sh, sw] = param::stride(p, k);
            return {{sh, sw, static_cast<int32_t>(param::padding(p, k)), static_cast<int32_t>(param::activation(p, k))},
                    {}};
        }
        case OpKind::Matmul: return {{static_cast<int32_t>(param::activation(p, k))}, {}};
        case OpKind::Transpose: return {{param::shuffle(p) ? 1 : 0}, {param::list(p)}};
        case OpKind::Concat: return {{param::axis(p), static_cast<int32_t>(out.rank())}, {}};
        case OpKind::Split: return {{param::axis(p)}, {}};
        case OpKind::PoolAvg:
        case OpKind::PoolMax: {
            auto [kh, kw] = param::kernel(p);
            auto [sh, sw] = param::stride(p, k);
            return {{kh, kw, sh, sw, static_cast<int32_t>(param::padding(p, k)),
                     static_cast<int32_t>(param::activation(p, k))},
                    {}};
        }
        case OpKind::Reshape: return {{}, {param::list(p)}};
        case OpKind::EwAdd:
        case OpKind::EwMul:
        case OpKind::Smul:
        case OpKind::Relu:
        case OpKind::Sigmoid: RF_UNARY_ELEMENTWISE_CASES
        case OpKind::Tanh:
        case OpKind::Enlarge:
        case OpKind::Input:
        case OpKind::ConstImm:
        case OpKind::ConstIconv:
        case OpKind::ConstOne:
        case OpKind::Repartition:
        case OpKind::Combine:
        case OpKind::Replicate:
        case OpKind::Reduction:
        case OpKind::EwSub:
        case OpKind::EwDiv:
        case OpKind::ReduceSum:
        case OpKind::ReduceMean:
        case OpKind::Softmax:
        case OpKind::LayerNorm:
        case OpKind::RmsNorm:
        case OpKind::ConstPool: return {};
    }
    return {};
}

std::optional<OpKind> op_from_tensat_name(std::string_view name) {
    for (OpKind k : all_op_kinds()) {
        std::string_view spelling = op_info(k).tensat_name;
        if (!spelling.empty() && spelling == name) return k;
    }
    return std::nullopt;
}

/// TENSAT selects output k of a multi-output operator OP with a pseudo-operator `OP_k`.
struct Selector {
    OpKind op;
    int output;
};

std::optional<Selector> selector_from_name(std::string_view name) {
    size_t us = name.rfind('_');
    if (us == std::string_view::npos || us + 1 == name.size()) return std::nullopt;
    std::string_view digits = name.substr(us + 1);
    int k = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
    if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
    auto op = op_from_tensat_name(name.substr(0, us));
    if (!op || op_info(*op).num_outputs < 2) return std::nullopt;
    return Selector{*op, k};
}

// ---------------------------------------------------------------------------------------------
// Parser

class Parser {
public:
    Parser(std::string_view line, const std::string& file, int line_no)
        : d_lex(line), d_file(file), d_line_no(line_no) {}

    RuleAst parse_rule() {
        d_ast.loc = loc(1);
        if (d_lex.peek().kind == Token::Kind::End) fail(d_lex.peek(), "empty rule: expected LHS=>RHS");
        d_ast.lhs.push_back(parse_expr(false));
        Token arrow = d_lex.next();
        if (arrow.kind == Token::Kind::RParen) fail(arrow, "unbalanced parenthesis: unexpected ')'");
        if (arrow.kind != Token::Kind::Arrow)
            fail(arrow, "expected '=>' after the left-hand side, got " + describe(arrow));
        d_ast.rhs.push_back(parse_expr(false));
        Token rest = d_lex.next();
        if (rest.kind == Token::Kind::RParen) fail(rest, "unbalanced parenthesis: unexpected ')'");
        if (rest.kind != Token::Kind::End)
            fail(rest, "unexpected " + describe(rest) + " after the right-hand side (trailing text)");
        return std::move(d_ast);
    }

private:
    SourceLoc loc(int column) const { return SourceLoc{d_file, d_line_no, column}; }
    [[noreturn]] void fail(const Token& at, const std::string& msg) const { throw ParseError(loc(at.column), msg); }

    TermId add(Term t) {
        if (d_ast.terms.size() >= kMaxRuleTerms)
            throw ParseError(t.loc, "the rule has more than " + std::to_string(kMaxRuleTerms) +
                                        " terms (ruleforge's limit for one rule)");
        d_ast.terms.push_back(std::move(t));
        return static_cast<TermId>(d_ast.terms.size() - 1);
    }

    // `selecting`: the expression is the operand of OP_k, the one place where a
    // multi-output operator may stand.
    TermId parse_expr(bool selecting) {
        Token t = d_lex.next();
        switch (t.kind) {
            case Token::Kind::LParen: return parse_app(t, selecting);
            case Token::Kind::Atom: return parse_variable(t);
            case Token::Kind::RParen: fail(t, "unbalanced parenthesis: unexpected ')'");
            case Token::Kind::Arrow:
            case Token::Kind::End: break;
        }
        fail(t, "expected an expression (a ?variable or an (operator ...)), got " + describe(t));
    }

    TermId parse_variable(const Token& t) {
        if (t.text[0] != '?') fail(t, "expected an operand (a ?variable or an (operator ...)), got " + describe(t));
        if (t.text.size() == 1) fail(t, "expected a variable name after '?'");
        Term term;
        term.kind = Term::Kind::Var;
        term.var = std::string(t.text.substr(1));
        term.loc = loc(t.column);
        return add(std::move(term));
    }

    TermId parse_app(const Token& open, bool selecting) {
        Token name = d_lex.next();
        if (name.kind != Token::Kind::Atom) {
            if (name.kind == Token::Kind::End || name.kind == Token::Kind::Arrow) unclosed(name, open);
            fail(name, "expected an operator name after '(', got " + describe(name));
        }
        if (auto sel = selector_from_name(name.text)) return parse_selection(open, name, *sel);
        auto op = op_from_tensat_name(name.text);
        if (!op) fail(name, "unknown operator '" + std::string(name.text) + "'");
        if (op_info(*op).num_outputs > 1 && !selecting)
            fail(open, std::string(name.text) + " has " + std::to_string(op_info(*op).num_outputs) +
                           " outputs: select one with (" + std::string(name.text) + "_0 ...) or (" +
                           std::string(name.text) + "_1 ...)");
        // The parser recurses per nesting level: stop before the stack would.
        if (d_nesting >= kMaxNesting) fail(open, nesting_limit_message());
        struct Nest {
            int& n;
            explicit Nest(int& x) : n(x) { ++n; }
            ~Nest() { --n; }
        } nest(d_nesting);
        Term term;
        term.kind = Term::Kind::App;
        term.op = *op;
        term.loc = loc(open.column);
        ParamValues values;
        for (const Slot& slot : tensat_slots(*op)) parse_slot(slot, *op, open, term, values);
        check_concat_axis(*op, values, open);
        term.params = pack_params(*op, values, term.rank_hint);
        expect_close(open, *op);
        return add(std::move(term));
    }

    TermId parse_selection(const Token& open, const Token& name, const Selector& sel) {
        const OpInfo& info = op_info(sel.op);
        if (sel.output >= info.num_outputs)
            fail(name, std::string(info.tensat_name) + " has only " + std::to_string(info.num_outputs) +
                           " outputs: no " + std::string(name.text));
        if (d_lex.peek().kind == Token::Kind::RParen)
            fail(d_lex.peek(), "too few arguments to " + std::string(name.text) + ": expected (" +
                                   std::string(name.text) + " " + form_of(sel.op) + ")");
        Token operand_start = d_lex.peek();
        TermId inner = parse_expr(true);
        const Term& in = d_ast.terms[inner];
        if (in.kind != Term::Kind::App || in.op != sel.op)
            fail(operand_start, std::string(name.text) + " selects an output of a " + form_of(sel.op) +
                                    " expression, got " + describe(operand_start));
        Term term;
        term.kind = Term::Kind::Proj;
        term.args = {inner};
        term.output = sel.output;
        term.loc = loc(open.column);
        if (d_lex.peek().kind == Token::Kind::RParen) {
            d_lex.next();
            return add(std::move(term));
        }
        Token extra = d_lex.next();
        if (extra.kind == Token::Kind::End || extra.kind == Token::Kind::Arrow) unclosed(extra, open);
        fail(extra, "too many arguments to " + std::string(name.text) + ": expected (" + std::string(name.text) + " " +
                        form_of(sel.op) + ")");
    }

    void parse_slot(const Slot& slot, OpKind op, const Token& open, Term& term, ParamValues& values) {
        const Token& ahead = d_lex.peek();
        if (ahead.kind == Token::Kind::End || ahead.kind == Token::Kind::Arrow) unclosed(ahead, open);
        if (ahead.kind == Token::Kind::RParen)
            fail(ahead, "too few arguments to " + std::string(op_info(op).tensat_name) + ": missing " + slot.name +
                            ", expected " + form_of(op));
        switch (slot.kind) {
            case SlotKind::Tensor: term.args.push_back(parse_expr(false)); return;
            case SlotKind::Int: values.ints.push_back(parse_int(d_lex.next(), slot, op)); return;
            case SlotKind::List: values.lists.push_back(parse_list(d_lex.next(), slot, op)); return;
        }
    }

    std::string slot_label(const Slot& slot, OpKind op) const {
        return std::string(slot.name) + " of " + std::string(op_info(op).tensat_name);
    }

    // One integer of a parameter token; `at` locates errors, `piece` is the text to read.
    int32_t read_int(const Token& at, std::string_view piece, const Slot& slot, OpKind op, const char* expected) const {
        int32_t value = 0;
        const char* end = piece.data() + piece.size();
        auto [ptr, ec] = std::from_chars(piece.data(), end, value);
        if (ec == std::errc::result_out_of_range)
            fail(at, slot_label(slot, op) + " out of range: " + std::string(at.text) + " does not fit in 32 bits");
        if (ec != std::errc() || ptr != end)
            fail(at, std::string("expected ") + expected + " for " + slot_label(slot, op) + ", got " + describe(at));
        return value;
    }

    void check_range(const Token& at, int32_t value, const Slot& slot, OpKind op) const {
        if (value >= slot.lo && value <= slot.hi) return;
        std::string allowed = slot.domain          ? slot.domain
                              : slot.hi == kMaxI32 ? "at least " + std::to_string(slot.lo)
                                                   : std::to_string(slot.lo) + " to " + std::to_string(slot.hi);
        fail(at, slot_label(slot, op) + " out of range: got " + std::to_string(value) + ", expected " + allowed);
    }

    int32_t parse_int(const Token& t, const Slot& slot, OpKind op) const {
        if (t.kind != Token::Kind::Atom)
            fail(t, "expected an integer for " + slot_label(slot, op) + ", got " + describe(t));
        int32_t value = read_int(t, t.text, slot, op, "an integer");
        check_range(t, value, slot, op);
        return value;
    }

    // TENSAT writes a list parameter as one symbol, its integers joined by '_' ("0_2_1").
    std::vector<int32_t> parse_list(const Token& t, const Slot& slot, OpKind op) const {
        const char* expected = "integers joined by '_'";
        if (t.kind != Token::Kind::Atom)
            fail(t, std::string("expected ") + expected + " for " + slot_label(slot, op) + ", got " + describe(t));
        std::vector<int32_t> out;
        size_t start = 0;
        while (true) {
            size_t us = t.text.find('_', start);
            size_t length = us == std::string_view::npos ? std::string_view::npos : us - start;
            std::string_view piece = t.text.substr(start, length);
            int32_t value = read_int(t, piece, slot, op, expected);
            check_range(t, value, slot, op);
            out.push_back(value);
            if (us == std::string_view::npos) break;
            start = us + 1;
        }
        if (out.size() > static_cast<size_t>(kMaxListLen))
            fail(t, slot_label(slot, op) + " out of range: at most " + std::to_string(kMaxListLen) + " entries, got " +
                        std::to_string(out.size()));
        return out;
    }

    void check_concat_axis(OpKind op, const ParamValues& values, const Token& open) const {
        if (op != OpKind::Concat || values.ints[0] < values.ints[1]) return;
        fail(open, "AXIS of concat out of range: axis " + std::to_string(values.ints[0]) + " of operands with NDIM " +
                       std::to_string(values.ints[1]));
    }

    [[noreturn]] void unclosed(const Token& at, const Token& open) const {
        fail(at, "unbalanced parenthesis: expected ')' to close the '(' at column " + std::to_string(open.column) +
                     ", got " + describe(at));
    }

    void expect_close(const Token& open, OpKind op) {
        Token t = d_lex.next();
        if (t.kind == Token::Kind::RParen) return;
        if (t.kind == Token::Kind::End || t.kind == Token::Kind::Arrow) unclosed(t, open);
        fail(t, "too many arguments to " + std::string(op_info(op).tensat_name) + ": expected " + form_of(op));
    }

    Lexer d_lex;
    const std::string& d_file;
    int d_line_no;
    RuleAst d_ast;
    int d_nesting = 0;  ///< operators open around the term being parsed
};

// Appends `b`'s single output to `a`, making one rule with one more output; `b`'s terms keep
// their own ids, shifted past `a`'s.
void append_output(RuleAst& a, const RuleAst& b) {
    TermId shift = static_cast<TermId>(a.terms.size());
    for (Term t : b.terms) {
        for (TermId& arg : t.args) arg += shift;
        a.terms.push_back(std::move(t));
    }
    a.lhs.push_back(b.lhs.at(0) + shift);
    a.rhs.push_back(b.rhs.at(0) + shift);
}

bool is_blank(std::string_view line) {
    for (char c : line)
        if (!is_space(c)) return false;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Printer

// A variable must print as one atom of the s-expression, or the line would not parse back.
void check_variable_name(const std::string& name) {
    bool ok = !name.empty() && name.find_first_of(" \t\r\n\v\f()") == std::string::npos &&
              name.find("=>") == std::string::npos;
    if (!ok) throw std::invalid_argument("print_tensat: variable name '" + name + "' is not a TENSAT symbol");
}

class Printer {
public:
    explicit Printer(const Graph& g) : d_graph(g) {}

    std::string value(ValueRef v) {
        d_out.clear();
        print_value(v);
        return std::move(d_out);
    }

private:
    void print_value(ValueRef v) {
        const Node& n = d_graph.node(v.node);
        if (op_info(n.op).num_outputs < 2) {
            print_node(n);
            return;
        }
        d_out += "(" + std::string(op_info(n.op).tensat_name) + "_" + std::to_string(v.output) + " ";
        print_node(n);
        d_out += ")";
    }

    void print_node(const Node& n) {
        if (n.op == OpKind::Input) {
            const std::string& name = d_graph.variables().at(param::variable(n.params)).name;
            check_variable_name(name);
            d_out += "?" + name;
            return;
        }
        const OpInfo& info = op_info(n.op);
        if (info.tensat_name.empty())
            throw std::invalid_argument("print_tensat: operator '" + std::string(info.name) +
                                        "' has no TENSAT spelling");
        std::vector<Slot> slots = tensat_slots(n.op);
        check_operand_count(n, slots);
        ParamValues values = unpack_params(n.op, n.params, n.outputs.at(0));
        size_t next_operand = 0, next_int = 0, next_list = 0;
        d_out += "(" + std::string(info.tensat_name);
        for (const Slot& slot : slots) {
            d_out += " ";
            switch (slot.kind) {
                case SlotKind::Tensor: print_value(n.inputs[next_operand++]); break;
                case SlotKind::Int: d_out += std::to_string(values.ints.at(next_int++)); break;
                case SlotKind::List: print_list(n.op, values.lists.at(next_list++)); break;
            }
        }
        d_out += ")";
    }

    static void check_operand_count(const Node& n, const std::vector<Slot>& slots) {
        size_t want = 0;
        for (const Slot& s : slots) want += s.kind == SlotKind::Tensor ? 1 : 0;
        if (n.inputs.size() != want)
            throw std::invalid_argument("print_tensat: TENSAT's " + std::string(op_info(n.op).tensat_name) + " takes " +
                                        std::to_string(want) + " operands, this one has " +
                                        std::to_string(n.inputs.size()));
    }

    void print_list(OpKind op, const std::vector<int32_t>& list) {
        if (list.empty())
            throw std::invalid_argument("print_tensat: " + std::string(op_info(op).tensat_name) +
                                        " with an empty list has no TENSAT spelling");
        for (size_t i = 0; i < list.size(); ++i) d_out += (i ? "_" : "") + std::to_string(list[i]);
    }

    const Graph& d_graph;
    std::string d_out;
};

}  // namespace

RuleAst parse_tensat_rule(std::string_view line, const std::string& file, int line_no) {
    return Parser(line, file, line_no).parse_rule();
}

std::vector<ParsedRule> parse_tensat_rules_each(std::string_view text, const std::string& file, bool multi) {
    std::vector<ParsedRule> rules;
    bool pending_half = false;  // multi: the last rule is waiting for its second line
    int line_no = 0;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        ++line_no;
        start = end + 1;
        if (is_blank(line)) continue;
        ParsedRule half;
        try {
            half.ast = parse_tensat_rule(line, file, line_no);
        } catch (const ParseError& e) {
            half.error = e;
        }
        if (multi && pending_half) {  // a pair is malformed when either line is
            ParsedRule& first = rules.back();
            if (first.ast && half.ast) append_output(*first.ast, *half.ast);
            if (!first.error && half.error) first.error = half.error;
            if (first.error) first.ast.reset();
        } else {
            rules.push_back(std::move(half));
        }
        pending_half = multi && !pending_half;
    }
    if (pending_half && !rules.back().error) {
        rules.back().error = ParseError(rules.back().ast->loc,
                                        "a two-output rule needs two consecutive lines; this rule is "
                                        "the last line and has no second half (odd number of rules)");
        rules.back().ast.reset();
    }
    return rules;
}

std::vector<RuleAst> parse_tensat_rules(std::string_view text, const std::string& file, bool multi) {
    // The first malformed rule in file order is the whole answer.
    std::vector<RuleAst> rules;
    for (ParsedRule& r : parse_tensat_rules_each(text, file, multi)) {
        if (r.error) throw *r.error;
        rules.push_back(std::move(*r.ast));
    }
    return rules;
}

std::string print_tensat(const Rule& rule) {
    std::string out;
    Printer lhs(rule.lhs), rhs(rule.rhs);
    for (size_t i = 0; i < rule.num_outputs(); ++i) {
        if (i) out += "\n";
        out += lhs.value(rule.lhs.outputs()[i]) + "=>" + rhs.value(rule.rhs.outputs()[i]);
    }
    return out;
}

}  // namespace rf
