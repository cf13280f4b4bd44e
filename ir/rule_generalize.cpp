// generalize_shapes: a rule's concrete dimensions replaced by fresh symbols (or one symbol per
// number: generalize_shapes_tied); generalize_variables: a repeated variable's occurrences told
// apart (ir/rule.h).
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "ir/native_text.h"
#include "ir/rule.h"

namespace rf {

namespace {

enum class Keep { Nothing, Channels, Equalities, EqualitiesAndOnes };

Rule generalize_shapes_where(const Rule& rule, Keep keep) {
    // Through the text: the parser and build_rule already know how to type a rule with
    // symbolic declarations, and the printed form is the canonical one.
    RuleAst ast = parse_native_rule(print_native(rule), "<generalize " + rule.name + ">");
    std::set<std::string> used;
    for (const VarDecl& d : ast.decls)
        for (const std::string& dim : d.dims) used.insert(dim);
    int next = 0;
    auto fresh = [&] {
        std::string s;
        do s = "g" + std::to_string(next++);
        while (used.count(s));
        used.insert(s);
        return s;
    };
    std::map<std::string, std::string> by_number;  // Keep::Equalities: one symbol per number
    for (VarDecl& d : ast.decls)
        for (size_t k = 0; k < d.dims.size(); ++k) {
            std::string& dim = d.dims[k];
            const bool channel = d.dims.size() == 4 && (k == 1 || (k == 0 && d.role == Role::Weight));
            if (keep == Keep::Channels && channel) continue;
            if (dim.empty() || !(std::isdigit(static_cast<unsigned char>(dim[0])) || dim[0] == '-')) continue;
            if (keep == Keep::EqualitiesAndOnes && dim == "1") continue;
            if (keep != Keep::Equalities && keep != Keep::EqualitiesAndOnes) {
                dim = fresh();
                continue;
            }
            auto it = by_number.find(dim);
            if (it == by_number.end()) it = by_number.emplace(dim, fresh()).first;
            dim = it->second;
        }
    Rule general = build_rule(ast);
    general.name = rule.name;
    return general;
}

}  // namespace

Rule generalize_shapes(const Rule& rule) { return generalize_shapes_where(rule, Keep::Nothing); }

Rule generalize_shapes_but_channels(const Rule& rule) { return generalize_shapes_where(rule, Keep::Channels); }

Rule generalize_shapes_tied(const Rule& rule, bool keep_ones) {
    return generalize_shapes_where(rule, keep_ones ? Keep::EqualitiesAndOnes : Keep::Equalities);
}

namespace {

// The Var terms of one side (each term once: a side may share terms), in first-visit order.
std::vector<TermId> var_terms(const RuleAst& ast, const std::vector<TermId>& roots, const std::string& name) {
    std::vector<TermId> out;
    std::set<TermId> seen;
    std::function<void(TermId)> visit = [&](TermId t) {
        if (!seen.insert(t).second) return;
        const Term& term = ast.terms[t];
        if (term.kind == Term::Kind::Var) {
            if (term.var == name) out.push_back(t);
            return;
        }
        for (TermId a : term.args) visit(a);
    };
    for (TermId r : roots) visit(r);
    return out;
}

}  // namespace

std::vector<Rule> generalize_variables(const Rule& rule, size_t max_per_variable) {
    const RuleAst ast = parse_native_rule(print_native(rule), "<generalize " + rule.name + ">");
    std::set<std::string> names;
    for (const VarDecl& d : ast.decls) names.insert(d.name);
    std::vector<Rule> out;
    for (size_t di = 0; di < ast.decls.size(); ++di) {
        const VarDecl& decl = ast.decls[di];
        const std::vector<TermId> left = var_terms(ast, ast.lhs, decl.name);
        const std::vector<TermId> right = var_terms(ast, ast.rhs, decl.name);
        if (left.size() < 2) continue;
        size_t choices = 1;
        for (size_t k = 0; k < right.size() && choices <= max_per_variable; ++k) choices *= left.size();
        if (choices > max_per_variable) continue;
        // Fresh names for the left occurrences, declared like the variable they replace.
        std::vector<std::string> fresh;
        for (size_t i = 0; fresh.size() < left.size(); ++i) {
            std::string n = decl.name + "_" + std::to_string(i);
            if (!names.count(n)) fresh.push_back(n);
        }
        for (size_t choice = 0; choice < choices; ++choice) {
            RuleAst g = ast;
            for (size_t i = 0; i < left.size(); ++i) g.terms[left[i]].var = fresh[i];
            size_t c = choice;
            for (TermId r : right) {
                g.terms[r].var = fresh[c % left.size()];
                c /= left.size();
            }
            g.decls.erase(g.decls.begin() + static_cast<std::ptrdiff_t>(di));
            for (const std::string& n : fresh) {
                VarDecl d = decl;
                d.name = n;
                g.decls.push_back(d);
            }
            try {
                Rule r = build_rule(g);
                r.name = rule.name;
                out.push_back(std::move(r));
            } catch (const std::exception&) {
                // does not type (or binds nothing): not a candidate
            }
        }
    }
    return out;
}

}  // namespace rf
