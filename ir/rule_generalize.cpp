// generalize_shapes: a rule's concrete dimensions replaced by fresh symbols (ir/rule.h).
#include <cctype>
#include <set>

#include "ir/native_text.h"
#include "ir/rule.h"

namespace rf {

Rule generalize_shapes(const Rule& rule) {
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
    for (VarDecl& d : ast.decls)
        for (std::string& dim : d.dims)
            if (!dim.empty() && (std::isdigit(static_cast<unsigned char>(dim[0])) || dim[0] == '-')) dim = fresh();
    Rule general = build_rule(ast);
    general.name = rule.name;
    return general;
}

}  // namespace rf
