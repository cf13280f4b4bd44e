#include "prover/smtlib.h"

#include <sstream>

namespace rf::prover {

namespace {

void print(std::ostream& out, const Terms& terms, TermId id) {
    const TermNode& n = terms.node(id);
    auto kids = [&](const char* op) {
        out << "(" << op;
        for (TermId k : n.kids) {
            out << " ";
            print(out, terms, k);
        }
        out << ")";
    };
    switch (n.op) {
        case TermOp::App:
            if (n.kids.empty()) {
                out << terms.func(n.func).name;
            } else {
                kids(terms.func(n.func).name.c_str());
            }
            return;
        case TermOp::Var: out << n.name; return;
        case TermOp::IntLit:
            if (n.value < 0)
                out << "(- " << -n.value << ")";
            else
                out << n.value;
            return;
        case TermOp::True: out << "true"; return;
        case TermOp::False: out << "false"; return;
        case TermOp::Eq: kids("="); return;
        case TermOp::Distinct: kids("distinct"); return;
        case TermOp::Not: kids("not"); return;
        case TermOp::And: kids("and"); return;
        case TermOp::Or: kids("or"); return;
        case TermOp::Implies: kids("=>"); return;
        case TermOp::Le: kids("<="); return;
        case TermOp::Add: kids("+"); return;
        case TermOp::Sub: kids("-"); return;
        case TermOp::Mul: kids("*"); return;
        case TermOp::RealLit:
            if (n.value < 0)
                out << "(- " << -n.value << ".0)";
            else
                out << n.value << ".0";
            return;
        case TermOp::MulConst:
            out << "(* " << n.value << " ";
            print(out, terms, n.kids[0]);
            out << ")";
            return;
        case TermOp::DivConst:
        case TermOp::ModConst:
            out << (n.op == TermOp::DivConst ? "(div " : "(mod ");
            print(out, terms, n.kids[0]);
            out << " " << n.value << ")";
            return;
        case TermOp::Forall: {
            const Quantifier& q = terms.quantifier(id);
            out << "(forall (";
            for (size_t i = 0; i < q.vars.size(); ++i) {
                const TermNode& v = terms.node(q.vars[i]);
                out << (i ? " " : "") << "(" << v.name << " " << sort_name(v.sort) << ")";
            }
            out << ") ";
            if (q.patterns.empty()) {
                print(out, terms, q.body);
            } else {
                out << "(! ";
                print(out, terms, q.body);
                for (const auto& pat : q.patterns) {
                    out << " :pattern (";
                    for (size_t i = 0; i < pat.size(); ++i) {
                        if (i) out << " ";
                        print(out, terms, pat[i]);
                    }
                    out << ")";
                }
                out << ")";
            }
            out << ")";
            return;
        }
    }
}

const char* kind_comment(AssertionKind k) {
    switch (k) {
        case AssertionKind::Axiom: return "axiom";
        case AssertionKind::ShapeRule: return "shape rule";
        case AssertionKind::Fact: return "fact";
        case AssertionKind::Assumption: return "assumption";
        case AssertionKind::Goal: return "goal";
    }
    return "?";
}

}  // namespace

std::string term_to_smtlib(const Terms& terms, TermId t) {
    std::ostringstream out;
    print(out, terms, t);
    return out.str();
}

std::string to_smtlib(const Query& q) {
    std::ostringstream out;
    out << "; ruleforge query '" << q.name << "'";
    if (!q.axiom_version.empty()) out << ", " << q.axiom_version;
    out << "\n; unsat: the rule follows from the axioms under its shape conditions\n"
        << "(set-option :produce-unsat-cores true)\n"
        << "(set-logic " << q.logic << ")\n";
    if (q.logic.find("UF") != std::string::npos) out << "(declare-sort T 0)\n";
    for (const FuncDecl& f : q.terms.funcs()) {
        out << "(declare-fun " << f.name << " (";
        for (size_t i = 0; i < f.args.size(); ++i) out << (i ? " " : "") << sort_name(f.args[i]);
        out << ") " << sort_name(f.result) << ")\n";
    }
    for (const Assertion& a : q.assertions) {
        out << "; " << kind_comment(a.kind) << ": " << a.label << "\n(assert (! ";
        print(out, q.terms, a.formula);
        out << " :named " << a.name << "))\n";
    }
    out << "(check-sat)\n(get-unsat-core)\n";
    return out.str();
}

}  // namespace rf::prover
