#include "prover/axiom_set.h"

#include <set>
#include <stdexcept>

#include "ir/canonical.h"
#include "ir/native_text.h"

namespace rf::prover {

extern const char* const kBuiltinAxiomText;

namespace {

std::string hex16(uint64_t v) {
    static const char* digits = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) s[i] = digits[v & 15];
    return s;
}

// The axiom's condition in words: its `name: role[dims]` declarations (not the `~` typing
// examples), as written.
std::string condition_text(const RuleAst& ast) {
    std::string s;
    for (const VarDecl& d : ast.decls) {
        if (!d.has_shape || !d.condition) continue;
        s += (s.empty() ? "" : ", ") + d.name + ": " + role_name(d.role) + "[";
        for (size_t k = 0; k < d.dims.size(); ++k)
            s += (k ? "," : "") + d.dims[k] + degree_suffix(k < d.degrees.size() ? d.degrees[k] : 1);
        s += "]" + replicas_suffix(d.replicas);
    }
    return s;
}

}  // namespace

std::vector<std::string> expand_template_line(const std::string& line) {
    // Literal text pieces interleaved with groups: piece0 {g0} piece1 {g1} ... pieceN.
    std::vector<std::string> pieces{""};
    std::vector<std::vector<std::string>> groups;
    size_t i = 0;
    while (i < line.size()) {
        char c = line[i];
        if (c == '#' || c == ';') {  // comments are copied as they are
            pieces.back() += line.substr(i);
            break;
        }
        if (c == '}') throw std::invalid_argument("'}' without '{'");
        if (c != '{') {
            pieces.back() += c;
            ++i;
            continue;
        }
        size_t close = line.find('}', i);
        if (close == std::string::npos) throw std::invalid_argument("'{' without '}'");
        std::string body = line.substr(i + 1, close - i - 1);
        if (body.find('{') != std::string::npos) throw std::invalid_argument("nested '{'");
        std::vector<std::string> alts;
        size_t start = 0;
        for (;;) {
            size_t bar = body.find('|', start);
            alts.push_back(body.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
            if (bar == std::string::npos) break;
            start = bar + 1;
        }
        if (!groups.empty() && alts.size() != groups[0].size())
            throw std::invalid_argument("template groups have different numbers of alternatives (" +
                                        std::to_string(groups[0].size()) + " and " + std::to_string(alts.size()) + ")");
        groups.push_back(std::move(alts));
        pieces.emplace_back();
        i = close + 1;
    }
    if (groups.empty()) return {line};
    std::vector<std::string> out;
    for (size_t k = 0; k < groups[0].size(); ++k) {
        std::string s = pieces[0];
        for (size_t g = 0; g < groups.size(); ++g) s += groups[g][k] + pieces[g + 1];
        out.push_back(std::move(s));
    }
    return out;
}

const Axiom* AxiomSet::find(const std::string& name) const {
    for (const Axiom& a : axioms)
        if (a.name == name) return &a;
    return nullptr;
}

const char* axiom_scope_name(AxiomScope s) {
    switch (s) {
        case AxiomScope::Whole: return "whole";
        case AxiomScope::Any: return "any";
        case AxiomScope::Defined: return "defined";
    }
    return "?";
}

AxiomSet parse_axiom_set(std::string_view text, const std::string& file) {
    AxiomSet set;
    AxiomScope scope = AxiomScope::Whole;
    set.source = file;
    set.version = "axioms-" + hex16(text_hash(std::string(text)));
    std::set<std::string> names;
    int line_no = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string line(text.substr(pos, end - pos));
        pos = end + 1;
        ++line_no;
        size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#' || line[first] == ';') {
            if (end == text.size()) break;
            continue;
        }
        if (line[first] == '%') {
            std::string directive = line.substr(first);
            while (!directive.empty() && (directive.back() == ' ' || directive.back() == '\r')) directive.pop_back();
            if (directive == "%scope whole")
                scope = AxiomScope::Whole;
            else if (directive == "%scope any")
                scope = AxiomScope::Any;
            else if (directive == "%scope defined")
                scope = AxiomScope::Defined;
            else
                throw ParseError(SourceLoc{file, line_no, static_cast<int>(first) + 1},
                                 "unknown directive '" + directive + "' (expected %scope whole, any or defined)");
            if (end == text.size()) break;
            continue;
        }
        std::vector<std::string> lines;
        try {
            lines = expand_template_line(line);
        } catch (const std::invalid_argument& e) {
            throw ParseError(SourceLoc{file, line_no, 1}, e.what());
        }
        for (const std::string& l : lines) {
            // Leading newlines keep the parser's line numbers those of the file.
            std::vector<RuleAst> asts = parse_native_rules(std::string(line_no - 1, '\n') + l, file);
            for (const RuleAst& ast : asts) {
                if (ast.name.empty()) throw ParseError(ast.loc, "an axiom needs a name ('name: LHS => RHS')");
                if (!names.insert(ast.name).second) throw ParseError(ast.loc, "axiom '" + ast.name + "' defined twice");
                Axiom a;
                a.name = ast.name;
                a.scope = scope;
                a.statement = l.substr(l.find_first_not_of(" \t"));
                a.rule = build_rule(ast);
                for (const VarDecl& d : ast.decls)
                    if (d.has_shape && d.condition) a.declared.push_back(d.name);
                a.condition = condition_text(ast);
                a.loc = ast.loc;
                set.axioms.push_back(std::move(a));
            }
        }
        if (end == text.size()) break;
    }
    return set;
}

std::string_view builtin_axiom_text() { return kBuiltinAxiomText; }

const AxiomSet& builtin_axioms() {
    static const AxiomSet set = [] {
        AxiomSet s = parse_axiom_set(builtin_axiom_text(), "prover/axioms.rf");
        s.source = "<builtin prover/axioms.rf>";
        return s;
    }();
    return set;
}

}  // namespace rf::prover
