#include "prover/pointwise.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "prover/smtlib.h"

namespace rf::prover {

namespace {

// A tensor in multilinear normal form: sum of coefficient (a Real term over the rank-0 scalars)
// times atom, one entry per atom, sorted by atom id (atoms are interned, so ids are canonical
// within one query).
using Comb = std::vector<std::pair<TermId, int>>;

// A position along one axis: index symbol `sym` (one per axis of an output) plus a constant
// offset, which concat and split introduce.
struct Pos {
    int sym = 0;
    int64_t off = 0;
    bool operator<(const Pos& o) const { return sym < o.sym || (sym == o.sym && off < o.off); }
    bool operator==(const Pos& o) const { return sym == o.sym && off == o.off; }
};
using Index = std::vector<Pos>;

struct Atom {
    // Const: const_pool (every element 1/(kh*kw)), const_imm and const_iconv (every element 0
    // or 1, symmetric where the constant is).
    // Concat: operands' combs in args, sizes along `axis`; Shift: args[0] read at an offset
    // along `axis` (split's second output).
    enum class Kind { Var, One, Const, Elem, Transpose, Linear, Opaque, Concat, Shift } kind = Kind::Var;
    int axis = 0;
    std::vector<int64_t> sizes;    // Concat: each operand's size along axis; Shift: {offset};
                                   // a flip (special_conv): {k1, k2, kh, kw, o, c}
    size_t rank = 0;               // Concat
    bool nonneg = false;           // every element >= 0 (a sign fact the solver is given)
    Params params;                 // Const, Linear
    std::vector<int> factors;      // Linear: the operand atoms (a matmul chain flattened)
    OpKind op = OpKind::Input;
    int var = -1;                  // Var
    std::vector<int32_t> perm;     // Transpose
    std::vector<Comb> args;        // Elem: operands; Transpose: one single-atom comb
    std::string key;
};

// A type's dimensions when all are numbers (the special convolutions below need them).
std::optional<std::vector<int64_t>> concrete_dims(const TensorType& t) {
    std::vector<int64_t> out;
    for (const Dim& d : t.dims) {
        if (!d.is_concrete()) return std::nullopt;
        out.push_back(d.constant());
    }
    return out;
}

std::string dims_text(const std::vector<int64_t>& dims) {
    std::string s;
    for (int64_t x : dims) s += std::to_string(x) + ",";
    return s;
}

Atom atom_of(Atom::Kind kind, OpKind op) {
    Atom a;
    a.kind = kind;
    a.op = op;
    return a;
}

class Encoder {
public:
    Encoder(const Rule& rule, PointwiseFault fault) : d_rule(rule), d_fault(fault) {}

    Comb value(const Graph& g, ValueRef v, std::map<ValueRef, Comb>& memo) {
        auto it = memo.find(v);
        if (it != memo.end()) return it->second;
        Comb c = build(g, v, memo);
        memo.emplace(v, c);
        return c;
    }

    TermId scalar(const Comb& c, const Index& idx) {
        std::vector<TermId> parts;
        for (const auto& [coef, atom] : c) {
            TermId e = scalar_atom(atom, idx);
            parts.push_back(d_q.query.terms.node(coef).op == TermOp::RealLit && d_q.query.terms.node(coef).value == 1
                                ? e
                                : d_q.query.terms.mul({coef, e}));
        }
        return d_q.query.terms.real_add(parts);
    }

    PointwiseQuery finish(std::vector<TermId> differ) {
        Terms& t = d_q.query.terms;
        // Ackermann: an uninterpreted function takes equal arguments to equal values.
        for (size_t i = 0; i < d_uf.size(); ++i)
            for (size_t j = i + 1; j < d_uf.size(); ++j)
                if (d_uf[i].op == d_uf[j].op) fact(t.implies(t.eq(d_uf[i].arg, d_uf[j].arg), t.eq(d_uf[i].value, d_uf[j].value)));
        // The order of positions: pos < a implies pos < b for a <= b; no position is below 0,
        // every one is below its axis' size.
        for (auto i = d_below.begin(); i != d_below.end(); ++i) {
            auto [sym, th] = i->first;
            if (th <= 0) fact(t.not_(i->second));
            if (d_sym_dim.count(sym) && th >= d_sym_dim[sym]) fact(i->second);
            for (auto j = std::next(i); j != d_below.end() && j->first.first == sym; ++j) fact(t.implies(i->second, j->second));
        }
        d_q.query.assertions.push_back({"goal", "goal", AssertionKind::Goal, t.or_(std::move(differ))});
        d_q.query.logic = "QF_NRA";
        d_q.opaque.assign(d_opaque.begin(), d_opaque.end());
        return std::move(d_q);
    }

    Terms& terms() { return d_q.query.terms; }
    void set_range(int sym, int64_t n) { d_sym_dim[sym] = n; }

private:
    struct UfApp {
        OpKind op;
        TermId arg, value;
    };

    // Coefficient arithmetic with numbers folded, so that equal coefficients are one term (the
    // keys of atoms built over them must agree).
    std::optional<int64_t> number(TermId c) {
        const TermNode& n = terms().node(c);
        if (n.op == TermOp::RealLit) return n.value;
        return std::nullopt;
    }
    TermId cmul(TermId a, TermId b) {
        auto x = number(a), y = number(b);
        if (x && y && *x < (int64_t{1} << 30) && *y < (int64_t{1} << 30)) return terms().real_lit(*x * *y);
        if (x == int64_t{1}) return b;
        if (y == int64_t{1}) return a;
        return terms().mul({a, b});
    }
    TermId csum(const std::vector<TermId>& cs) {
        int64_t k = 0;
        std::vector<TermId> rest;
        for (TermId c : cs) {
            auto x = number(c);
            if (x && *x < (int64_t{1} << 30))
                k += *x;
            else
                rest.push_back(c);
        }
        if (k != 0 || rest.empty()) rest.insert(rest.begin(), terms().real_lit(k));
        return terms().real_add(rest);
    }

    // A coefficient that is a positive number (1, 1+1, ...), so scaling keeps signs.
    bool positive(TermId c) {
        const TermNode& n = terms().node(c);
        if (n.op == TermOp::RealLit) return n.value > 0;
        if (n.op != TermOp::Add && n.op != TermOp::Mul) return false;
        return std::all_of(n.kids.begin(), n.kids.end(), [&](TermId k) { return positive(k); });
    }

    bool nonneg(const Comb& c) {
        return std::all_of(c.begin(), c.end(), [&](const auto& e) { return positive(e.first) && d_atoms[e.second].nonneg; });
    }

    int intern(Atom a) {
        auto it = d_index.find(a.key);
        if (it != d_index.end()) return it->second;
        switch (a.kind) {
            case Atom::Kind::Var: a.nonneg = false; break;
            case Atom::Kind::One:
            case Atom::Kind::Const: a.nonneg = true; break;
            case Atom::Kind::Elem:
                a.nonneg = a.op == OpKind::Relu ||
                           (a.op == OpKind::EwMul && (a.args[0] == a.args[1] || (nonneg(a.args[0]) && nonneg(a.args[1]))));
                break;
            case Atom::Kind::Transpose:
            case Atom::Kind::Concat:
            case Atom::Kind::Shift:
            case Atom::Kind::Opaque: a.nonneg = std::all_of(a.args.begin(), a.args.end(), [&](const Comb& c) { return nonneg(c); }); break;
            case Atom::Kind::Linear: break;  // set by linear()
        }
        d_atoms.push_back(std::move(a));
        int id = static_cast<int>(d_atoms.size() - 1);
        d_index.emplace(d_atoms.back().key, id);
        return id;
    }

    static std::string comb_key(const Comb& c) {
        std::string s = "(";
        for (const auto& [coef, atom] : c) s += "c" + std::to_string(coef) + "*a" + std::to_string(atom) + ";";
        return s + ")";
    }

    Comb single(int atom) { return {{terms().real_lit(1), atom}}; }

    // Sums two combinations, merging equal atoms.
    Comb add(const Comb& a, const Comb& b) {
        std::map<int, std::vector<TermId>> by_atom;
        for (const auto* c : {&a, &b})
            for (const auto& [coef, atom] : *c) by_atom[atom].push_back(coef);
        Comb out;
        for (auto& [atom, coefs] : by_atom) out.push_back({csum(coefs), atom});
        return out;
    }

    Comb scale(const Comb& a, TermId s) {
        Comb out;
        for (const auto& [coef, atom] : a) out.push_back({cmul(coef, s), atom});
        return out;
    }

    Comb elem(OpKind op, std::vector<Comb> args) {
        Atom a = atom_of(Atom::Kind::Elem, op);
        if (op == OpKind::EwMul && comb_key(args[1]) < comb_key(args[0])) std::swap(args[0], args[1]);
        a.key = std::string(op_name(op));
        for (const Comb& c : args) a.key += comb_key(c);
        a.args = std::move(args);
        return single(intern(std::move(a)));
    }

    // A linear (in each operand) operator: distributes over the operands' sums.
    Comb linear(OpKind op, const Params& p, const std::vector<Comb>& args) {
        d_q.normalised = true;
        std::vector<std::pair<TermId, std::vector<int>>> products{{terms().real_lit(1), {}}};
        for (const Comb& c : args) {
            std::vector<std::pair<TermId, std::vector<int>>> next;
            for (const auto& [coef, atoms] : products)
                for (const auto& [k, atom] : c) {
                    std::vector<int> as = atoms;
                    as.push_back(atom);
                    next.push_back({cmul(coef, k), as});
                }
            products = std::move(next);
        }
        Comb out;
        for (auto [coef, atoms] : products) {
            if (op == OpKind::Conv2d && param::padding(p, op) == Padding::Same &&
                param::stride(p, op) == std::array<int32_t, 2>{1, 1}) {
                // Under SAME padding at stride 1: the enlarged kernel acts as the kernel itself
                // (enlarge pads it with zeros around the centre), and the identity kernel of an
                // odd size is the identity.
                const Atom& w = d_atoms[atoms[1]];
                if (w.kind == Atom::Kind::Linear && w.op == OpKind::Enlarge) atoms[1] = w.factors[0];
                const Atom& k = d_atoms[atoms[1]];
                if (k.kind == Atom::Kind::Const && k.op == OpKind::ConstIconv) {
                    std::vector<int32_t> shape = param::list(k.params);
                    if (shape.size() == 4 && shape[2] % 2 == 1 && shape[3] % 2 == 1) {
                        out = add(out, {{coef, atoms[0]}});
                        continue;
                    }
                }
            }
            {
                // A concat along the batch axis of a convolution's input, or the row axis of a
                // matmul's left operand, is a concat of the results (same sizes along it).
                const Atom& c = d_atoms[atoms[0]];
                if (atoms.size() == 2 && c.kind == Atom::Kind::Concat &&
                    ((op == OpKind::Conv2d && c.axis == 0) ||
                     (op == OpKind::Matmul && c.rank >= 2 && static_cast<size_t>(c.axis) == c.rank - 2))) {
                    const Atom cc = c;
                    std::vector<Comb> parts;
                    for (const Comb& part : cc.args) parts.push_back(linear(op, p, {part, single(atoms[1])}));
                    out = add(out, scale(concat(cc.axis, cc.sizes, op == OpKind::Conv2d ? 4 : cc.rank, parts), coef));
                    continue;
                }
                // A concat along the column axis of a matmul's right operand is a concat of the
                // results along theirs.
                if (atoms.size() == 2 && op == OpKind::Matmul && d_atoms[atoms[1]].kind == Atom::Kind::Concat &&
                    d_atoms[atoms[1]].rank >= 2 && static_cast<size_t>(d_atoms[atoms[1]].axis) == d_atoms[atoms[1]].rank - 1) {
                    const Atom rc = d_atoms[atoms[1]];
                    std::vector<Comb> parts;
                    for (const Comb& part : rc.args) parts.push_back(linear(op, p, {single(atoms[0]), part}));
                    out = add(out, scale(concat(rc.axis, rc.sizes, rc.rank, parts), coef));
                    continue;
                }
                // A concat of kernels along their output channels: a concat of the results along
                // the channel axis.
                // (Unary linear operators, e.g. poolavg, have no second operand.)
                if (atoms.size() == 2 && op == OpKind::Conv2d && d_atoms[atoms[1]].kind == Atom::Kind::Concat &&
                    d_atoms[atoms[1]].axis == 0) {
                    const Atom kc = d_atoms[atoms[1]];
                    std::vector<Comb> parts;
                    for (const Comb& part : kc.args) parts.push_back(linear(op, p, {single(atoms[0]), part}));
                    out = add(out, scale(concat(1, kc.sizes, 4, parts), coef));
                    continue;
                }
            }
            if (op == OpKind::PoolAvg && atoms.size() == 1) {
                if (auto pc = pool_concat(op, p, 0, atoms[0])) {
                    out = add(out, scale(*pc, coef));
                    continue;
                }
            }
            if (op == OpKind::Matmul && atoms.size() == 2) {
                // The identity matrix is a unit of matmul.
                auto is_imm = [&](int x) { return d_atoms[x].kind == Atom::Kind::Const && d_atoms[x].op == OpKind::ConstImm; };
                if (is_imm(atoms[0]) || is_imm(atoms[1])) {
                    out = add(out, {{coef, is_imm(atoms[0]) ? atoms[1] : atoms[0]}});
                    continue;
                }
            }
            if (atoms.size() == 2) {
                // A contraction over a concat: conv2d(concat1(x_i), concat1(w_i)) and
                // matmul(concat_cols(a_i), concat_rows(b_i)) are the sums of the parts' results,
                // when the parts have equal sizes.
                const Atom x = d_atoms[atoms[0]], w = d_atoms[atoms[1]];
                if (x.kind == Atom::Kind::Concat && w.kind == Atom::Kind::Concat && x.sizes == w.sizes &&
                    ((op == OpKind::Conv2d && x.axis == 1 && w.axis == 1) ||
                     (op == OpKind::Matmul && x.rank >= 2 && x.rank == w.rank && static_cast<size_t>(x.axis) == x.rank - 1 &&
                      static_cast<size_t>(w.axis) == w.rank - 2))) {
                    Comb sum;
                    for (size_t i = 0; i < x.args.size(); ++i) sum = add(sum, linear(op, p, {x.args[i], w.args[i]}));
                    out = add(out, scale(sum, coef));
                    continue;
                }
            }
            if (op == OpKind::Matmul) {
                // matmul is associative: a chain is one atom whatever its bracketing.
                std::vector<int> flat;
                for (int x : atoms) {
                    const Atom& f = d_atoms[x];
                    if (f.kind == Atom::Kind::Linear && f.op == OpKind::Matmul)
                        flat.insert(flat.end(), f.factors.begin(), f.factors.end());
                    else
                        flat.push_back(x);
                }
                atoms = flat;
            }
            Atom a = atom_of(Atom::Kind::Linear, op);
            a.params = p;
            a.factors = atoms;
            a.nonneg = std::all_of(atoms.begin(), atoms.end(), [&](int x) { return d_atoms[x].nonneg; });
            a.key = std::string(op_name(op)) + "[";
            for (int32_t x : p.v) a.key += std::to_string(x) + ",";
            a.key += "]";
            for (int x : atoms) a.key += "a" + std::to_string(x) + ";";
            out = add(out, {{coef, intern(std::move(a))}});
        }
        return out;
    }

    Comb opaque(OpKind op, const Params& p, uint32_t output, const std::vector<Comb>& args) {
        Atom a = atom_of(Atom::Kind::Opaque, op);
        a.key = std::string(op_name(op)) + "#" + std::to_string(output) + "[";
        for (int32_t x : p.v) a.key += std::to_string(x) + ",";
        a.key += "]";
        for (const Comb& c : args) a.key += comb_key(c);
        a.args = args;
        return single(intern(std::move(a)));
    }

    Comb concat(int axis, const std::vector<int64_t>& sizes_in, size_t rank, const std::vector<Comb>& parts_in) {
        // A concat of concats along one axis is one concat.
        std::vector<int64_t> sizes;
        std::vector<Comb> parts;
        for (size_t i = 0; i < parts_in.size(); ++i) {
            const Comb& c = parts_in[i];
            if (c.size() == 1 && number(c[0].first) == int64_t{1} && d_atoms[c[0].second].kind == Atom::Kind::Concat &&
                d_atoms[c[0].second].axis == axis) {
                const Atom inner = d_atoms[c[0].second];
                parts.insert(parts.end(), inner.args.begin(), inner.args.end());
                sizes.insert(sizes.end(), inner.sizes.begin(), inner.sizes.end());
            } else {
                parts.push_back(c);
                sizes.push_back(sizes_in[i]);
            }
        }
        Atom a = atom_of(Atom::Kind::Concat, OpKind::Concat);
        a.axis = axis;
        a.sizes = sizes;
        a.rank = rank;
        a.key = "concat" + std::to_string(axis) + "[";
        for (int64_t x : sizes) a.key += std::to_string(x) + ",";
        a.key += "]";
        for (const Comb& c : parts) a.key += comb_key(c);
        a.args = parts;
        return single(intern(std::move(a)));
    }

    Comb constant(OpKind op, const Params& p) {
        Atom a = atom_of(Atom::Kind::Const, op);
        a.params = p;
        a.key = std::string(op_name(op)) + "[";
        for (int32_t x : param::list(p)) a.key += std::to_string(x) + ",";
        a.key += "]";
        return single(intern(std::move(a)));
    }

    // A transpose of one atom; of a concat, the concat of the transposed parts along the axis
    // the permutation moves it to.
    Comb transpose(const std::vector<int32_t>& perm, int atom) {
        const Atom c = d_atoms[atom];
        if (c.kind == Atom::Kind::Concat && c.rank == perm.size()) {
            std::vector<Comb> parts;
            for (const Comb& part : c.args) {
                Comb t;
                for (const auto& [k, x] : part) t = add(t, scale(transpose(perm, x), k));
                parts.push_back(t);
            }
            const int axis = static_cast<int>(std::find(perm.begin(), perm.end(), c.axis) - perm.begin());
            return concat(axis, c.sizes, c.rank, parts);
        }
        Atom a = atom_of(Atom::Kind::Transpose, OpKind::Transpose);
        a.perm = perm;  // the shuffle flag is a layout hint: not part of the value
        a.key = "transpose[";
        for (int32_t x : a.perm) a.key += std::to_string(x) + ",";
        a.key += "]a" + std::to_string(atom);
        a.args = {single(atom)};
        return single(intern(std::move(a)));
    }

    // relu is positively homogeneous: relu(c * A) = c * relu(A) for a number c > 0, so a linear
    // operator over it sees relu(A) (scalar facts are no help inside an opaque convolution).
    // The same holds for a fused relu.
    Comb relu(const Comb& in) {
        if (in.size() == 1) {
            const auto [coef, atom] = in[0];
            if (coef_nonneg(coef)) return scale(elem(OpKind::Relu, {single(atom)}), coef);
            const auto [k, rest] = split_number(coef);
            if (k > 1) return scale(elem(OpKind::Relu, {{{rest, atom}}}), terms().real_lit(k));
        }
        return elem(OpKind::Relu, {in});
    }

    // A pooling works per batch item and channel, so it commutes with a concat along axis 0 or 1.
    std::optional<Comb> pool_concat(OpKind op, const Params& p, uint32_t output, int atom) {
        const Atom c = d_atoms[atom];
        if (c.kind != Atom::Kind::Concat || c.axis > 1 || c.rank != 4) return std::nullopt;
        std::vector<Comb> parts;
        for (const Comb& part : c.args) parts.push_back(op == OpKind::PoolMax ? poolmax(p, output, {part}) : linear(op, p, {part}));
        return concat(c.axis, c.sizes, c.rank, parts);
    }

    // poolmax is positively homogeneous and keeps a uniform constant: poolmax(c * A) = c *
    // poolmax(A) for a positive number c, and poolmax of const_one or const_pool is itself.
    Comb poolmax(const Params& p, uint32_t output, const std::vector<Comb>& in) {
        if (in[0].size() == 1) {
            const auto [coef, atom] = in[0][0];
            const auto [k, rest] = split_number(coef);
            if (!coef_nonneg(coef)) {
                // poolmax(k * r * A) = k * poolmax(r * A) for a number k > 0.
                if (k > 1) return scale(poolmax(p, output, {{{rest, atom}}}), terms().real_lit(k));
                return opaque(OpKind::PoolMax, p, output, in);
            }
            const Atom& a = d_atoms[atom];
            if (a.kind == Atom::Kind::One || (a.kind == Atom::Kind::Const && a.op == OpKind::ConstPool)) return in[0];
            // relu is monotone, so it commutes with a maximum.
            if (a.kind == Atom::Kind::Elem && a.op == OpKind::Relu) {
                const Comb inner = a.args[0];
                return scale(elem(OpKind::Relu, {poolmax(p, output, {inner})}), coef);
            }
            // So is a power B^k for k odd, or of a non-negative B: poolmax(B^k) = poolmax(B)^k.
            if (auto pw = power(atom); pw && pw->second > 1 && (pw->second % 2 == 1 || d_atoms[pw->first].nonneg)) {
                const Comb base = poolmax(p, output, {single(pw->first)});
                Comb prod = base;
                for (int i = 1; i < pw->second; ++i) prod = ewmul(prod, base);
                return scale(prod, coef);
            }
            if (auto pc = pool_concat(OpKind::PoolMax, p, output, atom)) return scale(*pc, coef);
            Comb inner = opaque(OpKind::PoolMax, p, output, {single(atom)});
            return scale(inner, coef);
        }
        return opaque(OpKind::PoolMax, p, output, in);
    }

    // Concat and split as index maps when the sizes along the axis are known numbers; an
    // opaque function of the operands otherwise.
    Comb concat_or_split(const Graph& g, const Node& n, ValueRef v, const std::vector<Comb>& in) {
        const int axis = param::axis(n.params);
        std::vector<int64_t> sizes;
        bool known = true;
        if (n.op == OpKind::Concat) {
            for (ValueRef r : n.inputs) {
                const Dim& d = g.type(r).dims[axis];
                known = known && d.terms().empty();
                sizes.push_back(d.constant());
            }
        } else {
            const Dim& d = n.outputs[0].dims[axis];
            known = d.terms().empty();
            sizes.push_back(d.constant());
        }
        if (!known) return opaque(n.op, n.params, v.output, in);
        if (n.op == OpKind::Split && v.output == 0) return in[0];
        if (n.op == OpKind::Concat) return concat(axis, sizes, g.type(v).rank(), in);
        Atom a = atom_of(Atom::Kind::Shift, n.op);
        a.axis = axis;
        a.sizes = sizes;
        a.key = "shift" + std::to_string(axis) + "[" + std::to_string(sizes[0]) + "]" + comb_key(in[0]);
        a.args = in;
        return single(intern(std::move(a)));
    }

    // `atom` as a power B^k of an element-wise product of one atom B (k = 1: B itself).
    std::optional<std::pair<int, int>> power(int atom) {
        const Atom& a = d_atoms[atom];
        if (a.kind != Atom::Kind::Elem || a.op != OpKind::EwMul) return std::pair{atom, 1};
        for (const Comb& c : a.args)
            if (c.size() != 1 || number(c[0].first) != int64_t{1}) return std::nullopt;
        auto l = power(a.args[0][0].second), r = power(a.args[1][0].second);
        if (!l || !r || l->first != r->first) return std::nullopt;
        return std::pair{l->first, l->second + r->second};
    }

    Comb ewmul(const Comb& x, const Comb& y) {
        // Bilinear: distributes over sums, coefficients pulled out.
        Comb out;
        for (const auto& [c, a] : x)
            for (const auto& [d, b] : y) {
                // A * relu(A) = relu(A)^2 (both are 0 where A <= 0): a square, which poolmax
                // sees as a monotone map.
                int l = a, r = b;
                if (relu_of(l) == r) r = l;
                else if (relu_of(r) == l) l = r;
                out = add(out, scale(elem(OpKind::EwMul, {single(l), single(r)}), cmul(c, d)));
            }
        return out;
    }

    // The atom A when `atom` is relu(A) of one atom with coefficient 1; -1 otherwise.
    int relu_of(int atom) {
        const Atom& a = d_atoms[atom];
        if (a.kind != Atom::Kind::Elem || a.op != OpKind::Relu || a.args[0].size() != 1 ||
            number(a.args[0][0].first) != int64_t{1})
            return -1;
        return a.args[0][0].second;
    }

    // A coefficient as k * rest, k its numeric factor (1 when it has none).
    std::pair<int64_t, TermId> split_number(TermId c) {
        const TermNode n = terms().node(c);
        if (n.op == TermOp::RealLit) return {n.value, terms().real_lit(1)};
        if (n.op != TermOp::Mul) return {1, c};
        int64_t k = 1;
        std::vector<TermId> rest;
        for (TermId x : n.kids) {
            auto v = number(x);
            if (v && *v > 0 && *v < (int64_t{1} << 20) && k < (int64_t{1} << 20))
                k *= *v;
            else
                rest.push_back(x);
        }
        return {k, terms().mul(rest)};
    }

    // A coefficient that is >= 0 for every value of the scalars: a number >= 0, a relu of a
    // scalar, a sum of such, or a product whose factors of odd multiplicity are such.
    bool coef_nonneg(TermId c) {
        const TermNode n = terms().node(c);
        if (n.op == TermOp::RealLit) return n.value >= 0;
        if (d_nonneg_terms.count(c)) return true;
        if (n.op == TermOp::Add) return std::all_of(n.kids.begin(), n.kids.end(), [&](TermId k) { return coef_nonneg(k); });
        if (n.op != TermOp::Mul) return false;
        std::map<TermId, int> times;
        for (TermId k : n.kids) ++times[k];
        return std::all_of(times.begin(), times.end(), [&](const auto& e) { return e.second % 2 == 0 || coef_nonneg(e.first); });
    }

    // The identity kernel const_iconv[c,c,k1,k2] (k1, k2 odd) is 1 at its centre where its first two
    // indices agree, and 0 elsewhere. Two convolutions with a constant are index maps:
    //  - conv2d(const_iconv, K) under SAME padding at stride 1, K dense with odd kh <= k1, kw <= k2:
    //    out[n,o,i,j] = K[o,n,m1-i+ph,m2-j+pw] (0 out of range), a flip with the first two axes
    //    swapped. Flipping twice gives K enlarged (centred) to k1 x k2, so the flip is an atom
    //    that meets itself; relu(0) = 0, so it commutes with relu.
    //  - conv2d(x, poolavg[k1,k2](const_iconv[c,c,k1,k2])) (the pool at stride 1, SAME) is a
    //    kernel of 1/(k1*k2) on its diagonal, and conv2d(x, const_pool[c,1,k1,k2]) one per channel:
    //    both are poolavg[k1,k2](x) at the convolution's stride and padding.
    std::optional<Comb> special_conv(const Graph& g, const Node& n, const Params& base, const std::vector<Comb>& in) {
        const auto xd = concrete_dims(g.type(n.inputs[0])), kd = concrete_dims(g.type(n.inputs[1]));
        if (!xd || !kd || xd->size() != 4 || kd->size() != 4) return std::nullopt;
        const bool same1 = param::padding(base, OpKind::Conv2d) == Padding::Same &&
                           param::stride(base, OpKind::Conv2d) == std::array<int32_t, 2>{1, 1};
        auto iconv = [&](const Comb& c) -> std::optional<std::vector<int32_t>> {
            if (c.size() != 1 || number(c[0].first) != int64_t{1}) return std::nullopt;
            const Atom& a = d_atoms[c[0].second];
            if (a.kind != Atom::Kind::Const || a.op != OpKind::ConstIconv) return std::nullopt;
            std::vector<int32_t> sh = param::list(a.params);
            if (sh.size() != 4 || sh[0] != sh[1] || sh[2] % 2 == 0 || sh[3] % 2 == 0) return std::nullopt;
            return sh;
        };
        if (auto sh = iconv(in[0])) {
            const int64_t kh = (*kd)[2], kw = (*kd)[3];
            if (!same1 || (*kd)[1] != (*sh)[0] || kh % 2 == 0 || kw % 2 == 0 || kh > (*sh)[2] || kw > (*sh)[3])
                return std::nullopt;
            d_q.normalised = true;
            return flip(in[1], (*sh)[2], (*sh)[3], *kd);
        }
        // A kernel that acts as 1x1 (every spatial size 1, or odd and over an input of size 1 under
        // SAME padding) mixes channels at each position, so it commutes with an average pooling
        // of its input at stride 1 under SAME padding (the same window on every channel).
        const bool acts_1x1 = same1 && ((*kd)[2] == 1 || ((*xd)[2] == 1 && (*kd)[2] % 2 == 1)) &&
                              ((*kd)[3] == 1 || ((*xd)[3] == 1 && (*kd)[3] % 2 == 1)) && (*kd)[1] == (*xd)[1];
        auto pooled = [&](int atom) {
            const Atom& a = d_atoms[atom];
            return a.kind == Atom::Kind::Linear && a.op == OpKind::PoolAvg && a.factors.size() == 1 &&
                   param::padding(a.params, OpKind::PoolAvg) == Padding::Same &&
                   param::stride(a.params, OpKind::PoolAvg) == std::array<int32_t, 2>{1, 1};
        };
        if (acts_1x1 && std::any_of(in[0].begin(), in[0].end(), [&](const auto& e) { return pooled(e.second); })) {
            Comb out;
            for (const auto& [coef, atom] : in[0]) {
                if (!pooled(atom)) {
                    out = add(out, scale(linear(OpKind::Conv2d, base, {single(atom), in[1]}), coef));
                    continue;
                }
                const Atom pool = d_atoms[atom];
                out = add(out, scale(linear(OpKind::PoolAvg, pool.params, {linear(OpKind::Conv2d, base, {single(pool.factors[0]), in[1]})}), coef));
            }
            return out;
        }
        // The kernel a pooling of the identity kernel, or const_pool; x's channels are its own.
        if (in[1].size() != 1) return std::nullopt;
        const auto [coef, katom] = in[1][0];
        const Atom& k = d_atoms[katom];
        std::optional<std::array<int32_t, 2>> window;
        if (k.kind == Atom::Kind::Const && k.op == OpKind::ConstPool) {
            std::vector<int32_t> sh = param::list(k.params);
            if (sh.size() == 4 && sh[1] == 1 && (*xd)[1] == sh[0]) window = std::array<int32_t, 2>{sh[2], sh[3]};
        } else if (k.kind == Atom::Kind::Linear && k.op == OpKind::PoolAvg && k.factors.size() == 1) {
            const Atom& inner = d_atoms[k.factors[0]];
            const auto kp = k.params;
            if (inner.kind == Atom::Kind::Const && inner.op == OpKind::ConstIconv && iconv(single(k.factors[0]))) {
                std::vector<int32_t> sh = param::list(inner.params);
                const bool pool_same1 = param::padding(kp, OpKind::PoolAvg) == Padding::Same &&
                                        param::stride(kp, OpKind::PoolAvg) == std::array<int32_t, 2>{1, 1};
                if ((pool_same1 || d_fault == PointwiseFault::PoolKernelAnyStride) &&
                    param::kernel(kp) == std::array<int32_t, 2>{sh[2], sh[3]} && (*xd)[1] == sh[0])
                    window = std::array<int32_t, 2>{sh[2], sh[3]};
            }
        }
        if (!window) return std::nullopt;
        const auto st = param::stride(base, OpKind::Conv2d);
        Params pool = param::pool((*window)[0], (*window)[1], st[0], st[1], param::padding(base, OpKind::Conv2d), Activation::None);
        return scale(linear(OpKind::PoolAvg, pool, {in[0]}), coef);
    }

    // conv2d(const_iconv[c,c,k1,k2], K) for K of dims `kd`, linear in K (see special_conv).
    Comb flip(const Comb& kernel, int32_t k1, int32_t k2, const std::vector<int64_t>& kd) {
        Comb out;
        for (const auto& [coef, atom] : kernel) {
            const Atom a = d_atoms[atom];
            if (a.kind == Atom::Kind::Linear && a.op == OpKind::Conv2d && a.sizes.size() == 6 && a.sizes[0] == k1 &&
                a.sizes[1] == k2) {
                // Flipped twice: K itself, enlarged to k1 x k2 (at its own size, K).
                const int inner = a.factors[0];
                const int64_t ih = a.sizes[2], iw = a.sizes[3];
                if (ih == k1 && iw == k2) {
                    out = add(out, {{coef, inner}});
                    continue;
                }
                Atom e = atom_of(Atom::Kind::Linear, OpKind::Enlarge);
                e.factors = {inner};
                e.nonneg = d_atoms[inner].nonneg;
                // Dims of K enlarged: K's first two (the flip's swapped back), then k1, k2.
                e.key = "enlarge[" + dims_text({a.sizes[4], a.sizes[5], k1, k2}) + "]a" + std::to_string(inner);
                out = add(out, {{coef, intern(std::move(e))}});
                continue;
            }
            if (a.kind == Atom::Kind::Const && a.op == OpKind::ConstIconv && kd[2] == k1 && kd[3] == k2 && kd[0] == kd[1]) {
                // The identity kernel at the flip's size is symmetric under it.
                out = add(out, {{coef, atom}});
                continue;
            }
            if (a.kind == Atom::Kind::Elem && a.op == OpKind::Relu) {
                out = add(out, scale(elem(OpKind::Relu, {flip(a.args[0], k1, k2, kd)}), coef));
                continue;
            }
            Atom f = atom_of(Atom::Kind::Linear, OpKind::Conv2d);
            f.factors = {atom};
            f.sizes = {k1, k2, kd[2], kd[3], kd[0], kd[1]};
            f.nonneg = a.nonneg;
            f.key = "flip[" + dims_text(f.sizes) + "]a" + std::to_string(atom);
            out = add(out, {{coef, intern(std::move(f))}});
        }
        return out;
    }

    Comb build(const Graph& g, ValueRef v, std::map<ValueRef, Comb>& memo) {
        const Node& n = g.node(v.node);
        if (g.type(v).is_distributed()) throw std::domain_error("a distributed tensor");
        std::vector<Comb> in;
        for (ValueRef r : n.inputs) in.push_back(value(g, r, memo));
        switch (n.op) {
            case OpKind::Input: {
                Atom a = atom_of(Atom::Kind::Var, OpKind::Input);
                a.var = param::variable(n.params);
                a.key = "var" + std::to_string(a.var);
                return single(intern(std::move(a)));
            }
            case OpKind::ConstOne: {
                Atom a = atom_of(Atom::Kind::One, OpKind::ConstOne);
                a.key = "one";
                return single(intern(std::move(a)));
            }
            case OpKind::EwAdd: return add(in[0], in[1]);
            case OpKind::Smul:
                if (g.type(n.inputs[1]).rank() != 0) throw std::domain_error("a smul whose scalar is not rank 0");
                return scale(in[0], scalar(in[1], {}));
            case OpKind::EwMul: return ewmul(in[0], in[1]);
            case OpKind::Enlarge: {
                // Linear in the kernel; the reference operand gives only the size.
                Comb out;
                for (const auto& [c, a] : in[0]) {
                    Atom e = atom_of(Atom::Kind::Linear, OpKind::Enlarge);
                    e.factors = {a};
                    e.nonneg = d_atoms[a].nonneg;
                    auto dims = concrete_dims(g.type(v));
                    e.key = "enlarge[" + (dims ? dims_text(*dims) : g.type(v).to_string()) + "]a" + std::to_string(a);
                    out = add(out, {{c, intern(std::move(e))}});
                }
                return out;
            }
            case OpKind::Relu: return relu(in[0]);
            case OpKind::Sigmoid:
            RF_UNARY_ELEMENTWISE_CASES
            case OpKind::Tanh: return elem(n.op, in);
            case OpKind::Transpose: {
                Comb out;
                for (const auto& [coef, atom] : in[0]) out = add(out, scale(transpose(param::list(n.params), atom), coef));
                return out;
            }
            case OpKind::Matmul:
            case OpKind::Conv2d:
            case OpKind::PoolAvg: {

                Activation act = param::activation(n.params, n.op);
                Params base = n.op == OpKind::Matmul ? param::matmul(Activation::None)
                              : n.op == OpKind::Conv2d
                                  ? param::conv2d(param::stride(n.params, n.op)[0], param::stride(n.params, n.op)[1],
                                                  param::padding(n.params, n.op), Activation::None)
                                  : param::pool(param::kernel(n.params)[0], param::kernel(n.params)[1],
                                                param::stride(n.params, n.op)[0], param::stride(n.params, n.op)[1],
                                                param::padding(n.params, n.op), Activation::None);
                std::optional<Comb> special;
                if (n.op == OpKind::Conv2d) special = special_conv(g, n, base, in);
                Comb lin = special ? *special : linear(n.op, base, in);
                switch (act) {
                    case Activation::None: return lin;
                    case Activation::Relu: return relu(lin);
                    case Activation::Sigmoid: return elem(OpKind::Sigmoid, {lin});
                    case Activation::Tanh: return elem(OpKind::Tanh, {lin});
                }
                return lin;
            }
            case OpKind::PoolMax: return poolmax(n.params, v.output, in);
            case OpKind::ConstImm:
            case OpKind::ConstIconv:
            case OpKind::ConstPool: return constant(n.op, n.params);
            case OpKind::Concat:
            case OpKind::Split: return concat_or_split(g, n, v, in);
            case OpKind::Reshape:
            case OpKind::Repartition:
            case OpKind::Combine:
            case OpKind::Replicate:
            case OpKind::Reduction: return opaque(n.op, n.params, v.output, in);
        }
        throw std::logic_error("pointwise: unknown operator");
    }

    void fact(TermId f) {
        std::string name = "def" + std::to_string(d_q.query.assertions.size());
        d_q.query.assertions.push_back({name, "definition", AssertionKind::Fact, f});
    }

    TermId fresh(const std::string& base) {
        std::string name = base;
        for (int k = 1; terms().find(name) >= 0; ++k) name = base + "_" + std::to_string(k);
        return terms().app(terms().declare(name, {}, Sort::Real));
    }

    TermId below(int sym, int64_t th) {
        auto it = d_below.find({sym, th});
        if (it != d_below.end()) return it->second;
        std::string name = "below_" + std::to_string(sym) + (th < 0 ? "_m" : "_") + std::to_string(th < 0 ? -th : th);
        TermId b = terms().app(terms().declare(name, {}, Sort::Bool));
        d_below.emplace(std::make_pair(sym, th), b);
        return b;
    }

    static std::string idx_text(const Index& idx) {
        std::string s;
        for (const Pos& i : idx) s += "_" + std::to_string(i.sym) + (i.off ? (i.off > 0 ? "p" : "m") + std::to_string(i.off > 0 ? i.off : -i.off) : "");
        return s;
    }

    TermId scalar_atom(int id, const Index& idx) {
        auto memo_key = std::make_pair(id, idx);
        auto it = d_scalar.find(memo_key);
        if (it != d_scalar.end()) return it->second;
        const Atom a = d_atoms[id];  // a copy: interning below may grow d_atoms
        Terms& t = terms();
        TermId r = -1;
        switch (a.kind) {
            case Atom::Kind::Var: r = fresh(d_rule.variables()[a.var].name + "_at" + idx_text(idx)); break;
            case Atom::Kind::One: r = t.real_lit(1); break;
            case Atom::Kind::Linear:
            case Atom::Kind::Opaque:
                r = fresh(std::string(op_name(a.op)) + std::to_string(id) + "_at" + idx_text(idx));
                d_opaque.insert(op_name(a.op));
                if (a.nonneg) fact(t.le(t.real_lit(0), r));
                break;
            case Atom::Kind::Const: {
                std::vector<int32_t> shape = param::list(a.params);
                if (a.op == OpKind::ConstPool) {
                    // One value everywhere: 1/(kh*kw).
                    std::string name = "const_pool" + std::to_string(id);
                    if (terms().find(name) >= 0) return terms().app(terms().find(name));
                    r = terms().app(terms().declare(name, {}, Sort::Real));
                    fact(t.eq(t.mul({t.real_lit(int64_t{shape.at(2)} * shape.at(3)), r}), t.real_lit(1)));
                    break;
                }
                // 0 or 1; the identity matrix (and a dense identity kernel) is symmetric in its
                // first two indices, so both orders name one real.
                Index at = idx;
                if (at.size() >= 2 && shape.size() >= 2 && shape[0] == shape[1] && at[1] < at[0]) std::swap(at[0], at[1]);
                std::string name = std::string(op_name(a.op)) + std::to_string(id) + "_at" + idx_text(at);
                if (terms().find(name) >= 0) {
                    r = terms().app(terms().find(name));
                    break;
                }
                r = terms().app(terms().declare(name, {}, Sort::Real));
                fact(t.or_({t.eq(r, t.real_lit(0)), t.eq(r, t.real_lit(1))}));
                break;
            }
            case Atom::Kind::Transpose: {
                // out[i_0, ..., i_{r-1}] = x[j] with j[perm[k]] = i_k.
                Index inner(idx.size());
                for (size_t k = 0; k < a.perm.size() && k < idx.size(); ++k) inner[a.perm[k]] = idx[k];
                r = scalar(a.args[0], inner);
                break;
            }
            case Atom::Kind::Shift: {
                Index inner = idx;
                inner[a.axis].off += a.sizes[0];
                r = scalar(a.args[0], inner);
                break;
            }
            case Atom::Kind::Concat: {
                // Operand i holds positions [S_i, S_{i+1}) along the axis, S the running sums.
                r = fresh("concat" + std::to_string(id) + "_at" + idx_text(idx));
                const Pos p = idx[a.axis];
                int64_t start = 0;
                for (size_t i = 0; i < a.args.size(); ++i) {
                    const int64_t end = start + a.sizes[i];
                    std::vector<TermId> in_part;
                    if (i > 0) in_part.push_back(t.not_(below(p.sym, start - p.off)));
                    if (i + 1 < a.args.size()) in_part.push_back(below(p.sym, end - p.off));
                    Index inner = idx;
                    inner[a.axis].off -= start;
                    fact(t.implies(t.and_(in_part), t.eq(r, scalar(a.args[i], inner))));
                    start = end;
                }
                break;
            }
            case Atom::Kind::Elem: {
                std::vector<TermId> xs;
                for (const Comb& c : a.args) xs.push_back(scalar(c, idx));
                if (a.op == OpKind::EwMul) {
                    r = t.mul(xs);
                } else if (a.op == OpKind::Relu) {
                    if (d_fault == PointwiseFault::ReluIsIdentity) {
                        r = xs[0];
                        break;
                    }
                    r = fresh("relu" + std::to_string(id) + "_at" + idx_text(idx));
                    d_nonneg_terms.insert(r);
                    TermId zero = t.real_lit(0);
                    fact(t.or_({t.and_({t.le(zero, xs[0]), t.eq(r, xs[0])}), t.and_({t.le(xs[0], zero), t.eq(r, zero)})}));
                } else {
                    r = fresh(std::string(op_name(a.op)) + std::to_string(id) + "_at" + idx_text(idx));
                    d_uf.push_back({a.op, xs[0], r});
                }
                break;
            }
        }
        d_scalar.emplace(memo_key, r);
        return r;
    }

    const Rule& d_rule;
    PointwiseFault d_fault;
    PointwiseQuery d_q;
    std::vector<Atom> d_atoms;
    std::map<std::string, int> d_index;
    std::map<std::pair<int, Index>, TermId> d_scalar;
    std::map<int, int64_t> d_sym_dim;  // each index symbol's range, when concrete
    std::map<std::pair<int, int64_t>, TermId> d_below;  // pos_sym < t, as Booleans
    std::vector<UfApp> d_uf;
    std::set<std::string> d_opaque;
    std::set<TermId> d_nonneg_terms;  // reals known >= 0 (relu's), for coef_nonneg
};

}  // namespace

std::optional<PointwiseQuery> encode_pointwise(const Rule& rule, std::string& why, PointwiseFault fault) {
    try {
        Encoder e(rule, fault);
        std::map<ValueRef, Comb> lmemo, rmemo;
        std::vector<TermId> differ;
        std::string identity;
        for (size_t o = 0; o < rule.num_outputs(); ++o) {
            const ValueRef lo = rule.lhs.outputs()[o], ro = rule.rhs.outputs()[o];
            Comb l = e.value(rule.lhs, lo, lmemo);
            Comb r = e.value(rule.rhs, ro, rmemo);
            const TensorType& type = rule.lhs.type(lo);
            Index idx(type.rank());
            for (size_t k = 0; k < idx.size(); ++k) {
                idx[k] = Pos{static_cast<int>(100 * o + k), 0};
                if (type.dims[k].terms().empty()) e.set_range(idx[k].sym, type.dims[k].constant());
            }
            TermId ls = e.scalar(l, idx), rs = e.scalar(r, idx);
            identity += (identity.empty() ? "" : "; ") + term_to_smtlib(e.terms(), ls) + " = " + term_to_smtlib(e.terms(), rs);
            if (ls != rs) differ.push_back(e.terms().distinct(ls, rs));
        }
        PointwiseQuery q = e.finish(std::move(differ));
        q.identity = std::move(identity);
        return q;
    } catch (const std::domain_error& x) {
        why = std::string("outside the pointwise fragment: ") + x.what();
        return std::nullopt;
    }
}

}  // namespace rf::prover
