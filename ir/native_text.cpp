#include "ir/native_text.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <set>

namespace rf {

namespace {

enum class Tok {
    Ident,
    Int,
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
    Colon,
    Equals,
    Arrow,
    Dot,
    Plus,
    Minus,
    Star,
    Slash,
    Tilde,
    Newline,
    End,
    Error
};  ///< Error: text the lexer could not read; its text is the message

struct Token {
    Tok kind;
    std::string text;
    SourceLoc loc;
};

const char* tok_name(Tok t) {
    switch (t) {
        case Tok::Ident: return "a name";
        case Tok::Int: return "an integer";
        case Tok::LParen: return "'('";
        case Tok::RParen: return "')'";
        case Tok::LBrack: return "'['";
        case Tok::RBrack: return "']'";
        case Tok::Comma: return "','";
        case Tok::Colon: return "':'";
        case Tok::Equals: return "'='";
        case Tok::Arrow: return "'=>'";
        case Tok::Dot: return "'.'";
        case Tok::Plus: return "'+'";
        case Tok::Minus: return "'-'";
        case Tok::Star: return "'*'";
        case Tok::Slash: return "'/'";
        case Tok::Tilde: return "'~'";
        case Tok::Newline: return "end of line";
        case Tok::End: return "end of input";
        case Tok::Error: return "unreadable text";
    }
    return "?";
}

// Splits text into tokens. A newline ends a rule unless a bracket is open or the line ends in
// '=>', ',' or 'where', so a long rule can be broken at those points. Text it cannot read becomes
// an Error token, which the parser reports when it reaches it: the rules before and after it
// can still be read.
std::vector<Token> lex(std::string_view text, const std::string& file) {
    std::vector<Token> out;
    int line = 1, col = 1, depth = 0;
    size_t i = 0;
    auto loc = [&] { return SourceLoc{file, line, col}; };
    auto advance = [&](size_t n) {
        for (size_t k = 0; k < n; ++k) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
            ++i;
        }
    };
    while (i < text.size()) {
        char c = text[i];
        if (c == '#' || c == ';') {
            while (i < text.size() && text[i] != '\n') advance(1);
            continue;
        }
        if (c == '\n') {
            bool continues = !out.empty() && (out.back().kind == Tok::Arrow || out.back().kind == Tok::Comma ||
                                              (out.back().kind == Tok::Ident && out.back().text == "where"));
            if (depth == 0 && !continues) out.push_back({Tok::Newline, "", loc()});
            advance(1);
            continue;
        }
        if (std::isspace(static_cast<unsigned char>(c))) {
            advance(1);
            continue;
        }
        SourceLoc here = loc();
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            size_t j = i;
            while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
            out.push_back({Tok::Ident, std::string(text.substr(i, j - i)), here});
            advance(j - i);
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {
            size_t j = i;
            while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
            if (j - i > 9)
                out.push_back({Tok::Error, "integer too large: " + std::string(text.substr(i, j - i)), here});
            else
                out.push_back({Tok::Int, std::string(text.substr(i, j - i)), here});
            advance(j - i);
            continue;
        }
        if (c == '=' && i + 1 < text.size() && text[i + 1] == '>') {
            out.push_back({Tok::Arrow, "=>", here});
            advance(2);
            continue;
        }
        Tok k;
        switch (c) {
            case '(':
                k = Tok::LParen;
                ++depth;
                break;
            case ')':
                k = Tok::RParen;
                --depth;
                break;
            case '[':
                k = Tok::LBrack;
                ++depth;
                break;
            case ']':
                k = Tok::RBrack;
                --depth;
                break;
            case ',': k = Tok::Comma; break;
            case ':': k = Tok::Colon; break;
            case '=': k = Tok::Equals; break;
            case '.': k = Tok::Dot; break;
            case '+': k = Tok::Plus; break;
            case '-': k = Tok::Minus; break;
            case '*': k = Tok::Star; break;
            case '/': k = Tok::Slash; break;
            case '~': k = Tok::Tilde; break;
            default: {
                // A byte that is not printable ASCII (a binary file given as rules) is shown as
                // \xNN, so the message itself stays readable text.
                unsigned char u = static_cast<unsigned char>(c);
                char shown[8];
                std::snprintf(shown, sizeof shown, u >= 0x20 && u < 0x7f ? "%c" : "\\x%02x", u);
                out.push_back({Tok::Error, std::string("unexpected character '") + shown + "'", here});
                advance(1);
                continue;
            }
        }
        if (depth < 0) {
            out.push_back({Tok::Error, std::string("unbalanced '") + c + "': nothing to close", here});
            depth = 0;
            advance(1);
            continue;
        }
        out.push_back({k, std::string(1, c), here});
        advance(1);
    }
    out.push_back({Tok::End, "", loc()});
    return out;
}

class Parser {
public:
    explicit Parser(std::vector<Token> toks) : d_toks(std::move(toks)) {}

    bool at_end() {
        while (peek().kind == Tok::Newline) ++d_pos;
        return peek().kind == Tok::End;
    }

    RuleAst rule() {
        RuleAst ast;
        ast.loc = peek().loc;
        if (peek().kind == Tok::Ident && peek(1).kind == Tok::Colon) {
            ast.name = next().text;
            next();
        }
        ast.lhs = side(ast);
        expect(Tok::Arrow, "between the two sides");
        ast.rhs = side(ast);
        if (peek().kind == Tok::Ident && peek().text == "where") {
            next();
            do ast.decls.push_back(decl());
            while (accept(Tok::Comma));
        }
        if (peek().kind == Tok::Ident && peek().text == "assuming") {
            next();
            do {
                const Token& t = expect(Tok::Ident, "(a precondition: dense_convolutions or same_shapes)");
                auto p = precondition_from(t.text);
                if (!p) error(t, "unknown precondition '" + t.text + "' (dense_convolutions or same_shapes)");
                if (std::find(ast.preconditions.begin(), ast.preconditions.end(), *p) == ast.preconditions.end())
                    ast.preconditions.push_back(*p);
            } while (accept(Tok::Comma));
        }
        if (peek().kind != Tok::Newline && peek().kind != Tok::End)
            error(peek(), std::string("expected end of rule, got ") + describe(peek()));
        if (ast.lhs.size() != ast.rhs.size())
            throw ParseError(ast.loc, "the left side has " + std::to_string(ast.lhs.size()) +
                                          " outputs and the right side " + std::to_string(ast.rhs.size()));
        check_rule_limits(ast);
        return ast;
    }

    /// After a malformed rule: moves to where the next rule starts, the end of the line at
    /// bracket depth 0, else (brackets left open) the next line that starts in column 1 and does
    /// not continue the previous one. `start` is where the malformed rule began.
    void skip_rule(size_t start, int error_line) {
        auto continues = [&](size_t i) {
            if (i == 0) return false;
            const Token& prev = d_toks[i - 1];
            return prev.kind == Tok::Arrow || prev.kind == Tok::Comma ||
                   (prev.kind == Tok::Ident && prev.text == "where");
        };
        while (d_toks[d_pos].kind != Tok::End) {
            const Token& t = d_toks[d_pos];
            if (t.kind == Tok::Newline) {
                ++d_pos;
                break;
            }
            if (d_pos > start && t.loc.line > error_line && t.loc.column == 1 && !continues(d_pos)) break;
            ++d_pos;
        }
        if (d_pos == start && d_toks[d_pos].kind != Tok::End) ++d_pos;
    }
    size_t position() const { return d_pos; }

private:
    const Token& peek(size_t k = 0) const {
        const Token& t = d_toks[std::min(d_pos + k, d_toks.size() - 1)];
        if (t.kind == Tok::Error) throw ParseError(t.loc, t.text);
        return t;
    }
    const Token& next() { return d_toks[d_pos < d_toks.size() - 1 ? d_pos++ : d_pos]; }
    bool accept(Tok k) {
        if (peek().kind != k) return false;
        next();
        return true;
    }
    static std::string describe(const Token& t) {
        if (t.kind == Tok::Ident || t.kind == Tok::Int) return std::string(tok_name(t.kind)) + " '" + t.text + "'";
        return tok_name(t.kind);
    }
    [[noreturn]] static void error(const Token& t, const std::string& msg) { throw ParseError(t.loc, msg); }
    const Token& expect(Tok k, const char* where) {
        if (peek().kind != k)
            error(peek(), std::string("expected ") + tok_name(k) + " " + where + ", got " + describe(peek()));
        return next();
    }

    std::vector<TermId> side(RuleAst& ast) {
        std::vector<TermId> outs;
        if (accept(Tok::LParen)) {
            do outs.push_back(expr(ast));
            while (accept(Tok::Comma));
            expect(Tok::RParen, "to close the tuple");
        } else {
            outs.push_back(expr(ast));
        }
        return outs;
    }

    TermId add(RuleAst& ast, Term t) {
        if (ast.terms.size() >= kMaxRuleTerms)
            throw ParseError(t.loc, "the rule has more than " + std::to_string(kMaxRuleTerms) +
                                        " terms (ruleforge's limit for one rule)");
        ast.terms.push_back(std::move(t));
        return static_cast<TermId>(ast.terms.size() - 1);
    }

    TermId expr(RuleAst& ast) {
        const Token& head = expect(Tok::Ident, "(an operator or a variable)");
        Term t;
        t.loc = head.loc;
        if (peek().kind != Tok::LParen && peek().kind != Tok::LBrack) {
            if (head.text == "where") error(head, "'where' is a keyword, not a variable");
            t.kind = Term::Kind::Var;
            t.var = head.text;
            return add(ast, std::move(t));
        }
        auto op = op_from_name(head.text);
        if (!op) error(head, "unknown operator '" + head.text + "'");
        // The parser recurses per nesting level: stop before the stack would.
        if (d_nesting >= kMaxNesting) error(head, nesting_limit_message());
        struct Nest {
            int& n;
            explicit Nest(int& x) : n(x) { ++n; }
            ~Nest() { --n; }
        } nest(d_nesting);
        t.kind = Term::Kind::App;
        t.op = *op;
        t.params = params(*op, head);
        expect(Tok::LParen, ("to open the operands of " + head.text).c_str());
        if (peek().kind != Tok::RParen) {
            do t.args.push_back(expr(ast));
            while (accept(Tok::Comma));
        }
        expect(Tok::RParen, ("to close the operands of " + head.text).c_str());
        TermId id = add(ast, std::move(t));
        if (accept(Tok::Dot)) {
            const Token& k = expect(Tok::Int, "(output index) after '.'");
            Term p;
            p.kind = Term::Kind::Proj;
            p.args = {id};
            p.output = std::stoi(k.text);
            p.loc = k.loc;
            return add(ast, std::move(p));
        }
        return id;
    }

    int32_t integer() {
        bool neg = accept(Tok::Minus);
        const Token& t = expect(Tok::Int, "");
        return neg ? -std::stoi(t.text) : std::stoi(t.text);
    }

    std::vector<int32_t> int_list() {
        std::vector<int32_t> v;
        expect(Tok::LBrack, "to open a list");
        if (peek().kind != Tok::RBrack) {
            do v.push_back(integer());
            while (accept(Tok::Comma));
        }
        expect(Tok::RBrack, "to close a list");
        return v;
    }

    Params params(OpKind op, const Token& head) {
        const OpInfo& info = op_info(op);
        Params p;
        for (const ParamSpec& s : info.params) {
            if (!s.has_default) continue;
            p.v[s.slot] = s.default_value;
            if (s.kind == ParamKind::Pair) p.v[s.slot + 1] = s.default_value;
        }
        std::set<std::string_view> given;
        if (accept(Tok::LBrack)) {
            do {
                const Token& name = expect(Tok::Ident, "(a parameter name)");
                const ParamSpec* spec = nullptr;
                for (const ParamSpec& s : info.params)
                    if (s.name == name.text) spec = &s;
                if (!spec) {
                    std::string known;
                    for (const ParamSpec& s : info.params) known += (known.empty() ? "" : ", ") + std::string(s.name);
                    error(name, head.text + " has no parameter '" + name.text + "'" +
                                    (known.empty() ? " (it takes none)" : " (it takes: " + known + ")"));
                }
                if (!given.insert(spec->name).second) error(name, "parameter '" + name.text + "' given twice");
                expect(Tok::Equals, "after the parameter name");
                value(*spec, p, name);
            } while (accept(Tok::Comma));
            expect(Tok::RBrack, "to close the parameters");
        }
        for (const ParamSpec& s : info.params)
            if (!s.has_default && !given.count(s.name))
                error(head, head.text + " needs parameter '" + std::string(s.name) + "'");
        return p;
    }

    void value(const ParamSpec& s, Params& p, const Token& name) {
        switch (s.kind) {
            case ParamKind::Int: p.v[s.slot] = integer(); return;
            case ParamKind::Pair: {
                std::vector<int32_t> v = peek().kind == Tok::LBrack ? int_list() : std::vector<int32_t>(2, integer());
                if (v.size() != 2) error(name, "parameter '" + name.text + "' takes two values [h,w]");
                p.v[s.slot] = v[0];
                p.v[s.slot + 1] = v[1];
                return;
            }
            case ParamKind::Padding: {
                const Token& t = expect(Tok::Ident, "(same or valid)");
                if (t.text == "same")
                    p.v[s.slot] = static_cast<int32_t>(Padding::Same);
                else if (t.text == "valid")
                    p.v[s.slot] = static_cast<int32_t>(Padding::Valid);
                else
                    error(t, "padding must be same or valid, got '" + t.text + "'");
                return;
            }
            case ParamKind::Activation: {
                const Token& t = expect(Tok::Ident, "(none, sigmoid, relu or tanh)");
                for (Activation a : {Activation::None, Activation::Sigmoid, Activation::Relu, Activation::Tanh})
                    if (t.text == activation_name(a)) {
                        p.v[s.slot] = static_cast<int32_t>(a);
                        return;
                    }
                error(t, "activation must be none, sigmoid, relu or tanh, got '" + t.text + "'");
            }
            case ParamKind::List: {
                const Token& at = peek();
                std::vector<int32_t> v = int_list();
                if (v.size() > static_cast<size_t>(kMaxListLen))
                    error(at, "at most " + std::to_string(kMaxListLen) + " entries");
                p.v[s.slot] = static_cast<int32_t>(v.size());
                for (size_t i = 0; i < v.size(); ++i) p.v[s.slot + 1 + i] = v[i];
                return;
            }
        }
    }

    // A dimension is kept as text ("d0+2*d1-1") and read by build_rule, which owns the symbols.
    std::string dim() {
        std::string s;
        do {
            if (!s.empty())
                s += d_toks[d_pos - 1].text;
            else if (accept(Tok::Minus))
                s += "-";
            if (peek().kind == Tok::Int && peek(1).kind == Tok::Star) {
                s += next().text;
                next();
                s += "*" + expect(Tok::Ident, "(a symbol) after '*'").text;
            } else if (peek().kind == Tok::Int || peek().kind == Tok::Ident) {
                s += next().text;
            } else {
                error(peek(), "expected a dimension (integer or symbol), got " + describe(peek()));
            }
        } while (accept(Tok::Plus) || accept(Tok::Minus));
        return s;
    }

    VarDecl decl() {
        VarDecl d;
        const Token& name = expect(Tok::Ident, "(a variable name) in 'where'");
        d.name = name.text;
        d.loc = name.loc;
        // "x ~ act[...]": an axiom file's typing example, not a condition (prover/axiom_set.h).
        if (accept(Tok::Tilde))
            d.condition = false;
        else
            expect(Tok::Colon, "after the variable name");
        const Token& role = expect(Tok::Ident, "(act or weight)");
        if (role.text == "act")
            d.role = Role::Activation;
        else if (role.text == "weight")
            d.role = Role::Weight;
        else
            error(role, "role must be act or weight, got '" + role.text + "'");
        if (accept(Tok::LBrack)) {
            d.has_shape = true;
            if (peek().kind != Tok::RBrack) {
                do {
                    d.dims.push_back(dim());
                    // "8/2": a dimension cut in 2 parts (a distributed tensor).
                    d.degrees.push_back(accept(Tok::Slash) ? positive("a degree after '/'") : 1);
                } while (accept(Tok::Comma));
            }
            expect(Tok::RBrack, "to close the shape");
            // "[...]*2": two replicas of the whole.
            if (accept(Tok::Star)) d.replicas = positive("a replica count after '*'");
        }
        return d;
    }

    // A degree or replica count: 1 to 1024 (a value holds every replica, so a larger count
    // would only exhaust memory).
    int32_t positive(const char* what) {
        const Token& t = expect(Tok::Int, what);
        const int v = std::stoi(t.text);
        if (v < 1 || v > 1024) error(t, std::string(what) + " must be between 1 and 1024");
        return v;
    }

    std::vector<Token> d_toks;
    size_t d_pos = 0;
    int d_nesting = 0;  ///< operators open around the term being parsed
};

}  // namespace

std::string print_native_params(OpKind op, const Params& p) {
    std::string s;
    auto list = [](const int32_t* v, int n) {
        std::string r = "[";
        for (int i = 0; i < n; ++i) r += (i ? "," : "") + std::to_string(v[i]);
        return r + "]";
    };
    for (const ParamSpec& spec : op_info(op).params) {
        const int32_t* v = p.v.data() + spec.slot;
        bool is_default = spec.has_default && v[0] == spec.default_value &&
                          (spec.kind != ParamKind::Pair || v[1] == spec.default_value);
        if (is_default) continue;
        std::string val;
        switch (spec.kind) {
            case ParamKind::Int: val = std::to_string(v[0]); break;
            case ParamKind::Pair: val = list(v, 2); break;
            case ParamKind::Padding: val = padding_name(static_cast<Padding>(v[0])); break;
            case ParamKind::Activation: val = activation_name(static_cast<Activation>(v[0])); break;
            case ParamKind::List: val = list(v + 1, v[0]); break;
        }
        s += (s.empty() ? "" : ",") + std::string(spec.name) + "=" + val;
    }
    return s.empty() ? s : "[" + s + "]";
}

namespace {

std::string expr_text(const Graph& g, ValueRef v) {
    const Node& n = g.node(v.node);
    if (n.op == OpKind::Input) return g.variables()[param::variable(n.params)].name;
    std::string s = std::string(op_name(n.op)) + print_native_params(n.op, n.params) + "(";
    for (size_t i = 0; i < n.inputs.size(); ++i) s += (i ? ", " : "") + expr_text(g, n.inputs[i]);
    s += ")";
    if (op_info(n.op).num_outputs > 1) s += "." + std::to_string(v.output);
    return s;
}

}  // namespace

std::vector<RuleAst> parse_native_rules(std::string_view text, const std::string& file) {
    Parser p(lex(text, file));
    std::vector<RuleAst> rules;
    while (!p.at_end()) rules.push_back(p.rule());
    return rules;
}

std::vector<ParsedRule> parse_native_rules_each(std::string_view text, const std::string& file) {
    Parser p(lex(text, file));
    std::vector<ParsedRule> rules;
    for (;;) {
        size_t start = p.position();
        try {
            if (p.at_end()) break;
            start = p.position();
            rules.push_back(ParsedRule{p.rule(), std::nullopt});
        } catch (const ParseError& e) {
            rules.push_back(ParsedRule{std::nullopt, e});
            p.skip_rule(start, e.loc().line);
        }
    }
    return rules;
}

RuleAst parse_native_rule(std::string_view text, const std::string& file) {
    auto rules = parse_native_rules(text, file);
    if (rules.size() != 1)
        throw ParseError(SourceLoc{file, 1, 1}, "expected exactly one rule, got " + std::to_string(rules.size()));
    return rules[0];
}

std::string print_native_graph(const Graph& g) {
    if (g.outputs().size() == 1) return expr_text(g, g.outputs()[0]);
    std::string s = "(";
    for (size_t i = 0; i < g.outputs().size(); ++i) s += (i ? ", " : "") + expr_text(g, g.outputs()[i]);
    return s + ")";
}

std::string print_native(const Rule& rule) {
    std::string s;
    // A name that is not an identifier (an imported "rule 12") would not parse back: leave it out.
    bool ident = !rule.name.empty() && (std::isalpha(static_cast<unsigned char>(rule.name[0])) || rule.name[0] == '_');
    for (char c : rule.name) ident = ident && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (ident && rule.name != "where") s += rule.name + ": ";
    s += print_native_graph(rule.lhs) + " => " + print_native_graph(rule.rhs);
    const auto& vars = rule.variables();
    for (size_t i = 0; i < vars.size(); ++i) {
        s += (i ? ", " : " where ") + vars[i].name + ": " + role_name(vars[i].role);
        s += vars[i].type.to_string();
    }
    for (size_t i = 0; i < rule.preconditions.size(); ++i)
        s += (i ? ", " : " assuming ") + std::string(precondition_name(rule.preconditions[i]));
    return s;
}

}  // namespace rf
