#include "prover/term.h"

#include <cassert>
#include <functional>
#include <set>
#include <stdexcept>

namespace rf::prover {

const char* sort_name(Sort s) {
    switch (s) {
        case Sort::Bool: return "Bool";
        case Sort::Int: return "Int";
        case Sort::Tensor: return "T";
        case Sort::Real: return "Real";
    }
    return "?";
}

FuncId Terms::declare(const std::string& name, std::vector<Sort> args, Sort result) {
    auto it = d_func_index.find(name);
    if (it != d_func_index.end()) {
        const FuncDecl& f = d_funcs[it->second];
        if (f.args != args || f.result != result)
            throw std::logic_error("prover: function '" + name + "' declared with two signatures");
        return it->second;
    }
    d_funcs.push_back(FuncDecl{name, std::move(args), result});
    FuncId id = static_cast<FuncId>(d_funcs.size() - 1);
    d_func_index.emplace(name, id);
    return id;
}

FuncId Terms::find(const std::string& name) const {
    auto it = d_func_index.find(name);
    return it == d_func_index.end() ? -1 : it->second;
}

TermId Terms::make(TermNode n) {
    if (n.op != TermOp::Forall) {
        auto it = d_index.find(n);
        if (it != d_index.end()) return it->second;
    }
    d_nodes.push_back(n);
    TermId id = static_cast<TermId>(d_nodes.size() - 1);
    if (n.op != TermOp::Forall) d_index.emplace(std::move(n), id);
    return id;
}

TermId Terms::app(FuncId f, std::vector<TermId> args) {
    const FuncDecl& d = d_funcs.at(f);
    assert(args.size() == d.args.size());
    for (size_t i = 0; i < args.size(); ++i) assert(sort(args[i]) == d.args[i]);
    TermNode n;
    n.op = TermOp::App;
    n.sort = d.result;
    n.func = f;
    n.kids = std::move(args);
    return make(std::move(n));
}

TermId Terms::var(const std::string& name, Sort s) {
    TermNode n;
    n.op = TermOp::Var;
    n.sort = s;
    n.name = name;
    return make(std::move(n));
}

TermId Terms::int_lit(int64_t v) {
    TermNode n;
    n.op = TermOp::IntLit;
    n.sort = Sort::Int;
    n.value = v;
    return make(std::move(n));
}

TermId Terms::bool_lit(bool b) {
    TermNode n;
    n.op = b ? TermOp::True : TermOp::False;
    return make(std::move(n));
}

namespace {
TermNode node_of(TermOp op, Sort sort, std::vector<TermId> kids, int64_t value = 0) {
    TermNode n;
    n.op = op;
    n.sort = sort;
    n.value = value;
    n.kids = std::move(kids);
    return n;
}
TermNode bool_node(TermOp op, std::vector<TermId> kids) { return node_of(op, Sort::Bool, std::move(kids)); }
TermNode int_node(TermOp op, std::vector<TermId> kids, int64_t value = 0) {
    return node_of(op, Sort::Int, std::move(kids), value);
}
}  // namespace

TermId Terms::eq(TermId a, TermId b) {
    assert(sort(a) == sort(b));
    if (a == b) return bool_lit(true);
    return make(bool_node(TermOp::Eq, {a, b}));
}

TermId Terms::distinct(TermId a, TermId b) {
    assert(sort(a) == sort(b));
    return make(bool_node(TermOp::Distinct, {a, b}));
}

TermId Terms::not_(TermId a) { return make(bool_node(TermOp::Not, {a})); }

TermId Terms::and_(std::vector<TermId> kids) {
    std::vector<TermId> k;
    for (TermId t : kids)
        if (node(t).op != TermOp::True) k.push_back(t);
    if (k.empty()) return bool_lit(true);
    if (k.size() == 1) return k[0];
    return make(bool_node(TermOp::And, std::move(k)));
}

TermId Terms::or_(std::vector<TermId> kids) {
    if (kids.size() == 1) return kids[0];
    if (kids.empty()) return bool_lit(false);
    return make(bool_node(TermOp::Or, std::move(kids)));
}

TermId Terms::implies(TermId a, TermId b) {
    if (node(a).op == TermOp::True) return b;
    return make(bool_node(TermOp::Implies, {a, b}));
}

TermId Terms::le(TermId a, TermId b) { return make(bool_node(TermOp::Le, {a, b})); }

TermId Terms::add(std::vector<TermId> kids) {
    if (kids.size() == 1) return kids[0];
    if (kids.empty()) return int_lit(0);
    return make(int_node(TermOp::Add, std::move(kids)));
}

TermId Terms::sub(TermId a, TermId b) { return make(node_of(TermOp::Sub, sort(a), {a, b})); }

TermId Terms::real_lit(int64_t v) { return make(node_of(TermOp::RealLit, Sort::Real, {}, v)); }

TermId Terms::mul(std::vector<TermId> kids) {
    if (kids.size() == 1) return kids[0];
    if (kids.empty()) return real_lit(1);
    for (TermId k : kids) assert(sort(k) == Sort::Real);
    return make(node_of(TermOp::Mul, Sort::Real, std::move(kids)));
}

TermId Terms::real_add(std::vector<TermId> kids) {
    if (kids.size() == 1) return kids[0];
    if (kids.empty()) return real_lit(0);
    return make(node_of(TermOp::Add, Sort::Real, std::move(kids)));
}

TermId Terms::mul_const(int64_t k, TermId a) {
    if (k == 1) return a;
    return make(int_node(TermOp::MulConst, {a}, k));
}

TermId Terms::div_const(TermId a, int64_t k) {
    assert(k > 0);
    if (k == 1) return a;
    return make(int_node(TermOp::DivConst, {a}, k));
}

TermId Terms::mod_const(TermId a, int64_t k) {
    assert(k > 0);
    return make(int_node(TermOp::ModConst, {a}, k));
}

TermId Terms::forall(std::vector<TermId> vars, TermId body, std::vector<std::vector<TermId>> patterns) {
    if (vars.empty()) return body;
    d_quants.push_back(Quantifier{std::move(vars), std::move(patterns), body});
    TermNode n;
    n.op = TermOp::Forall;
    n.value = static_cast<int64_t>(d_quants.size() - 1);
    n.kids = {body};
    return make(std::move(n));
}

bool Terms::covers(const std::vector<TermId>& terms, const std::vector<TermId>& vars) const {
    std::set<TermId> seen;
    std::function<void(TermId)> walk = [&](TermId t) {
        if (node(t).op == TermOp::Var) seen.insert(t);
        for (TermId k : node(t).kids) walk(k);
    };
    for (TermId t : terms) walk(t);
    for (TermId v : vars)
        if (!seen.count(v)) return false;
    return true;
}

std::vector<bool> Terms::open_terms() const {
    // Kids always precede their parents (terms are hash-consed bottom up), so one pass suffices.
    std::vector<bool> open(d_nodes.size(), false);
    for (size_t i = 0; i < d_nodes.size(); ++i) {
        const TermNode& n = d_nodes[i];
        bool v = n.op == TermOp::Var;
        if (n.op != TermOp::Forall)
            for (TermId k : n.kids) v = v || open[k];
        open[i] = v;
    }
    return open;
}

}  // namespace rf::prover
