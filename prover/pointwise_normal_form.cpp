// The multilinear normal form of the pointwise strategy: each operator as a sum of coefficient
// times atom (prover/pointwise_encoder.h).
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "prover/pointwise_encoder.h"

namespace rf::prover::pointwise_detail {

Comb Encoder::value(const Graph& g, ValueRef v, std::map<ValueRef, Comb>& memo) {
    auto it = memo.find(v);
    if (it != memo.end()) return it->second;
    Comb c = build(g, v, memo);
    memo.emplace(v, c);
    return c;
}

std::optional<int64_t> Encoder::number(TermId c) {
    const TermNode& n = terms().node(c);
    if (n.op == TermOp::RealLit) return n.value;
    return std::nullopt;
}

TermId Encoder::cmul(TermId a, TermId b) {
    auto x = number(a), y = number(b);
    if (x && y && *x < (int64_t{1} << 30) && *y < (int64_t{1} << 30)) return terms().real_lit(*x * *y);
    if (x == int64_t{1}) return b;
    if (y == int64_t{1}) return a;
    // 1/L times L is 1 (a reduce_mean's 1/n meets a sum's n): pointwise_reduce.cpp.
    return d_inverse_of.empty() ? terms().mul({a, b}) : cancel_inverses(terms().mul({a, b}));
}

TermId Encoder::csum(const std::vector<TermId>& cs) {
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

bool Encoder::positive(TermId c) {
    const TermNode& n = terms().node(c);
    if (n.op == TermOp::RealLit) return n.value > 0;
    if (d_positive_terms.count(c)) return true;
    if (n.op != TermOp::Add && n.op != TermOp::Mul) return false;
    return std::all_of(n.kids.begin(), n.kids.end(), [&](TermId k) { return positive(k); });
}

bool Encoder::nonneg(const Comb& c) {
    return std::all_of(c.begin(), c.end(),
                       [&](const auto& e) { return positive(e.first) && d_atoms[e.second].nonneg; });
}

int Encoder::intern(Atom a) {
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
        case Atom::Kind::Opaque:
            a.nonneg = std::all_of(a.args.begin(), a.args.end(), [&](const Comb& c) { return nonneg(c); });
            break;
        case Atom::Kind::Linear: break;  // set by linear()
        case Atom::Kind::Sum: break;     // set below
    }
    set_reduce_flags(a);
    d_atoms.push_back(std::move(a));
    int id = static_cast<int>(d_atoms.size() - 1);
    d_index.emplace(d_atoms.back().key, id);
    return id;
}

std::string Encoder::comb_key(const Comb& c) {
    std::string s = "(";
    for (const auto& [coef, atom] : c) s += "c" + std::to_string(coef) + "*a" + std::to_string(atom) + ";";
    return s + ")";
}

Comb Encoder::add(const Comb& a, const Comb& b) {
    std::map<int, std::vector<TermId>> by_atom;
    for (const auto* c : {&a, &b})
        for (const auto& [coef, atom] : *c) by_atom[atom].push_back(coef);
    Comb out;
    for (auto& [atom, coefs] : by_atom) {
        const TermId c = csum(coefs);
        if (number(c) != int64_t{0}) out.push_back({c, atom});  // x - x is no term (exp of it is 1)
    }
    return out;
}

Comb Encoder::scale(const Comb& a, TermId s) {
    Comb out;
    for (const auto& [coef, atom] : a) out.push_back({cmul(coef, s), atom});
    return out;
}

Comb Encoder::elem(OpKind op, std::vector<Comb> args) {
    Atom a = atom_of(Atom::Kind::Elem, op);
    if (op == OpKind::EwMul && comb_key(args[1]) < comb_key(args[0])) std::swap(args[0], args[1]);
    a.key = std::string(op_name(op));
    for (const Comb& c : args) a.key += comb_key(c);
    a.args = std::move(args);
    return single(intern(std::move(a)));
}

Comb Encoder::linear(OpKind op, const Params& p, const std::vector<Comb>& args, bool dense) {
    d_q.normalised = true;
    // The matmul node's contraction length (not known for the parts a concat splits a
    // contraction into: pointwise_concat.cpp drops it there).
    const std::optional<Contraction> contraction = d_contraction;
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
            // odd size is the identity (of a dense convolution only: grouped, each output
            // channel reads another group's channels).
            const Atom& w = d_atoms[atoms[1]];
            if (w.kind == Atom::Kind::Linear && w.op == OpKind::Enlarge) atoms[1] = w.factors[0];
            const Atom& k = d_atoms[atoms[1]];
            if (dense && k.kind == Atom::Kind::Const && k.op == OpKind::ConstIconv) {
                std::vector<int32_t> shape = param::list(k.params);
                if (shape.size() == 4 && shape[2] % 2 == 1 && shape[3] % 2 == 1) {
                    out = add(out, {{coef, atoms[0]}});
                    continue;
                }
            }
        }
        if (auto r = linear_over_concat(op, p, atoms, dense)) {
            out = add(out, scale(*r, coef));
            continue;
        }
        if (op == OpKind::PoolAvg && atoms.size() == 1) {
            if (auto pc = pool_concat(op, p, 0, atoms[0])) {
                out = add(out, scale(*pc, coef));
                continue;
            }
        }
        if (op == OpKind::Matmul && atoms.size() == 2) {
            // The identity matrix is a unit of matmul.
            auto is_imm = [&](int x) {
                return d_atoms[x].kind == Atom::Kind::Const && d_atoms[x].op == OpKind::ConstImm;
            };
            if (is_imm(atoms[0]) || is_imm(atoms[1])) {
                out = add(out, {{coef, is_imm(atoms[0]) ? atoms[1] : atoms[0]}});
                continue;
            }
        }
        if (op == OpKind::Matmul && atoms.size() == 2) {
            if (std::optional<Comb> r = matmul_factors(p, atoms[0], atoms[1])) {
                out = add(out, scale(*r, coef));
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
        if (op == OpKind::Matmul && contraction) a.contraction = contraction->k;
        a.nonneg = std::all_of(atoms.begin(), atoms.end(), [&](int x) { return d_atoms[x].nonneg; });
        a.key = std::string(op_name(op)) + "[";
        for (int32_t x : p.v) a.key += std::to_string(x) + ",";
        a.key += "]";
        for (int x : atoms) a.key += "a" + std::to_string(x) + ";";
        out = add(out, {{coef, intern(std::move(a))}});
    }
    return out;
}

Comb Encoder::opaque(OpKind op, const Params& p, uint32_t output, const std::vector<Comb>& args) {
    Atom a = atom_of(Atom::Kind::Opaque, op);
    a.params = p;  // poolmax's window, for its sign fact (pointwise_scalar.cpp)
    a.key = std::string(op_name(op)) + "#" + std::to_string(output) + "[";
    for (int32_t x : p.v) a.key += std::to_string(x) + ",";
    a.key += "]";
    for (const Comb& c : args) a.key += comb_key(c);
    a.args = args;
    return single(intern(std::move(a)));
}

Comb Encoder::concat(int axis, const std::vector<int64_t>& sizes_in, size_t rank, const std::vector<Comb>& parts_in) {
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
    // Adjacent slices of one tensor along the axis are one slice (so a concat of all of its
    // slices in order is the tensor): the concat of a grouped convolution's blocks meets the
    // dense convolution they cut.
    std::vector<int64_t> merged_sizes{sizes[0]};
    std::vector<Comb> merged{parts[0]};
    for (size_t i = 1; i < parts.size(); ++i) {
        if (auto m = merge_slices(merged.back(), parts[i], axis)) {
            merged.back() = *m;
            merged_sizes.back() += sizes[i];
        } else {
            merged.push_back(parts[i]);
            merged_sizes.push_back(sizes[i]);
        }
    }
    if (merged.size() == 1) return merged[0];
    sizes = std::move(merged_sizes);
    parts = std::move(merged);
    // A coefficient that every term of every part has comes out: concat(2a, 2b) = 2 concat(a, b).
    const TermId common = parts[0].empty() ? -1 : parts[0][0].first;
    const bool factor =
        common >= 0 && number(common) != int64_t{1} && std::all_of(parts.begin(), parts.end(), [&](const Comb& c) {
            return !c.empty() && std::all_of(c.begin(), c.end(), [&](const auto& e) { return e.first == common; });
        });
    if (factor) {
        std::vector<Comb> unit;
        for (const Comb& c : parts) {
            Comb u;
            for (const auto& e : c) u.push_back({terms().real_lit(1), e.second});
            unit.push_back(u);
        }
        return scale(concat(axis, sizes, rank, unit), common);
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

std::optional<Comb> Encoder::merge_slices(const Comb& x, const Comb& y, int axis) {
    // Each term of x a slice along `axis`, and y the same terms over the positions that follow.
    if (x.size() != y.size() || x.empty()) return std::nullopt;
    struct Cut {
        TermId coef;
        int source;
        int64_t off, len, full;
    };
    auto cut_of = [&](TermId coef, int atom) -> std::optional<Cut> {
        const Atom& a = d_atoms[atom];
        if (a.kind != Atom::Kind::Shift || a.sizes.size() != 3 || a.axis != axis) return std::nullopt;
        return Cut{coef, a.args[0][0].second, a.sizes[0], a.sizes[1], a.sizes[2]};
    };
    std::map<int, Cut> next;  // y's terms by their slices' source
    for (const auto& [coef, atom] : y) {
        auto c = cut_of(coef, atom);
        if (!c || !next.emplace(c->source, *c).second) return std::nullopt;
    }
    std::vector<Cut> cuts;
    for (const auto& [coef, atom] : x) {
        auto c = cut_of(coef, atom);
        if (!c) return std::nullopt;
        auto it = next.find(c->source);
        if (it == next.end()) return std::nullopt;
        const Cut& t = it->second;
        if (t.coef != c->coef || t.off != c->off + c->len || t.full != c->full) return std::nullopt;
        c->len += t.len;
        cuts.push_back(*c);
    }
    Comb out;  // built after every check: slice_atom may grow d_atoms
    for (const Cut& c : cuts) out = add(out, scale(slice_atom(c.source, axis, c.off, c.len, c.full), c.coef));
    return out;
}

Comb Encoder::constant(OpKind op, const Params& p) {
    Atom a = atom_of(Atom::Kind::Const, op);
    a.params = p;
    a.key = std::string(op_name(op)) + "[";
    for (int32_t x : param::list(p)) a.key += std::to_string(x) + ",";
    a.key += "]";
    return single(intern(std::move(a)));
}

Comb Encoder::transpose(const std::vector<int32_t>& perm, int atom) {
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

Comb Encoder::relu(const Comb& in) {
    if (in.size() == 1) {
        const auto [coef, atom] = in[0];
        const Atom a = d_atoms[atom];  // a copy: interning below may grow d_atoms
        // Element-wise, so per part of a concat; relu(0) = 0, so it keeps an enlarged kernel's zeros.
        if (a.kind == Atom::Kind::Concat) {
            std::vector<Comb> parts;
            for (const Comb& part : a.args) parts.push_back(relu(scale(part, coef)));
            return concat(a.axis, a.sizes, a.rank, parts);
        }
        // Idempotent: relu(c * relu(A)) = c * relu(A) for c >= 0.
        if (a.kind == Atom::Kind::Elem && a.op == OpKind::Relu && coef_nonneg(coef)) return in;
        if (a.kind == Atom::Kind::Linear && a.op == OpKind::Enlarge && coef_nonneg(coef))
            return scale(enlarged(relu(single(a.factors[0])), a), coef);
        if (coef_nonneg(coef)) return scale(elem(OpKind::Relu, {single(atom)}), coef);
        const auto [k, rest] = split_number(coef);
        if (k > 1) return scale(elem(OpKind::Relu, {{{rest, atom}}}), terms().real_lit(k));
    }
    return elem(OpKind::Relu, {in});
}

Comb Encoder::concat_or_split(const Graph& g, const Node& n, ValueRef v, const std::vector<Comb>& in) {
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

Comb Encoder::ewmul(const Comb& x, const Comb& y) {
    // Bilinear: distributes over sums, coefficients pulled out.
    Comb out;
    for (const auto& [c, a] : x)
        for (const auto& [d, b] : y) {
            const Atom p = d_atoms[a], q = d_atoms[b];  // copies: interning may grow d_atoms
            // Element-wise, so per part of a concat (the other operand cut to the part).
            if (p.kind == Atom::Kind::Concat || q.kind == Atom::Kind::Concat) {
                const Atom& cc = p.kind == Atom::Kind::Concat ? p : q;
                const int other = p.kind == Atom::Kind::Concat ? b : a;
                std::vector<Comb> parts;
                int64_t start = 0, total = 0;
                for (int64_t n : cc.sizes) total += n;
                for (size_t i = 0; i < cc.args.size(); ++i) {
                    // An operand constant along the axis (broadcast there) is itself in every part.
                    const bool flat = d_atoms[other].flat >> cc.axis & 1;
                    parts.push_back(ewmul(
                        cc.args[i], flat ? single(other) : slice(single(other), cc.axis, start, cc.sizes[i], total)));
                    start += cc.sizes[i];
                }
                out = add(out, scale(concat(cc.axis, cc.sizes, cc.rank, parts), cmul(c, d)));
                continue;
            }
            // 0 * 0 = 0: a product of two kernels enlarged alike is the enlarged product.
            if (p.kind == Atom::Kind::Linear && p.op == OpKind::Enlarge && q.kind == Atom::Kind::Linear &&
                q.op == OpKind::Enlarge && enlarged_dims(p) == enlarged_dims(q)) {
                out = add(out, scale(enlarged(ewmul(single(p.factors[0]), single(q.factors[0])), p), cmul(c, d)));
                continue;
            }
            if (reciprocal_of(a) == b || reciprocal_of(b) == a) {  // x / x = 1 (pointwise_transformer.cpp)
                out = add(out, scale(one(), cmul(c, d)));
                continue;
            }
            // A * relu(A) = relu(A)^2 (both are 0 where A <= 0): a square, which poolmax
            // sees as a monotone map.
            int l = a, r = b;
            if (relu_of(l) == r)
                r = l;
            else if (relu_of(r) == l)
                l = r;
            out = add(out, scale(elem(OpKind::EwMul, {single(l), single(r)}), cmul(c, d)));
        }
    return out;
}

std::string Encoder::enlarged_dims(const Atom& e) {
    // The key is "enlarge[DIMS]aID" (build, flip).
    return e.key.substr(0, e.key.rfind("]a"));
}

Comb Encoder::enlarged(const Comb& inner, const Atom& like) {
    Comb out;
    for (const auto& [c, a] : inner) {
        Atom e = atom_of(Atom::Kind::Linear, OpKind::Enlarge);
        e.factors = {a};
        e.nonneg = d_atoms[a].nonneg;
        e.key = enlarged_dims(like) + "]a" + std::to_string(a);
        out = add(out, {{c, intern(std::move(e))}});
    }
    return out;
}

int Encoder::relu_of(int atom) {
    const Atom& a = d_atoms[atom];
    if (a.kind != Atom::Kind::Elem || a.op != OpKind::Relu || a.args[0].size() != 1 ||
        number(a.args[0][0].first) != int64_t{1})
        return -1;
    return a.args[0][0].second;
}

std::pair<int64_t, TermId> Encoder::split_number(TermId c) {
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

bool Encoder::coef_nonneg(TermId c) {
    const TermNode n = terms().node(c);
    if (n.op == TermOp::RealLit) return n.value >= 0;
    if (d_nonneg_terms.count(c)) return true;
    if (n.op == TermOp::Add) return std::all_of(n.kids.begin(), n.kids.end(), [&](TermId k) { return coef_nonneg(k); });
    if (n.op != TermOp::Mul) return false;
    std::map<TermId, int> times;
    for (TermId k : n.kids) ++times[k];
    return std::all_of(times.begin(), times.end(),
                       [&](const auto& e) { return e.second % 2 == 0 || coef_nonneg(e.first); });
}

Comb Encoder::build(const Graph& g, ValueRef v, std::map<ValueRef, Comb>& memo) {
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
        // ewsub and ewdiv: prover/pointwise_transformer.cpp; reductions, softmax and the norms:
        // prover/pointwise_reduce.cpp.
        case OpKind::EwSub: return ewsub(in[0], in[1]);
        case OpKind::EwDiv: return ewdiv(in[0], in[1]);
        case OpKind::ReduceSum:
        case OpKind::ReduceMean:
        case OpKind::Softmax:
        case OpKind::LayerNorm:
        case OpKind::RmsNorm: {
            const int axis = param::axis(n.params);
            const TensorType& t = g.type(n.inputs[0]);
            if (n.op == OpKind::ReduceSum || n.op == OpKind::ReduceMean)
                return reduce(in[0], axis, t.dims[axis], t.rank(), n.op == OpKind::ReduceMean);
            return axis_op(n.op, in[0], axis, t.dims[axis], t.rank());
        }
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
        case OpKind::Sigmoid: RF_UNARY_ELEMENTWISE_CASES
        case OpKind::Tanh:  // exp, sqrt, gelu per part of a concat (pointwise_reduce.cpp)
            return n.op == OpKind::Sigmoid || n.op == OpKind::Tanh ? elem(n.op, in) : unary(n.op, in[0]);
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
            if (n.op == OpKind::Conv2d && !special) special = grouped_conv(g, n, base, in);
            // A convolution is dense when its input's channels are its kernel's.
            const bool dense = n.op != OpKind::Conv2d || g.type(n.inputs[0]).dims[1] == g.type(n.inputs[1]).dims[1];
            if (n.op == OpKind::Matmul && g.type(n.inputs[0]).rank() >= 2)
                d_contraction = Contraction{g.type(n.inputs[0]).dims.back(), g.type(n.inputs[0]).rank()};
            Comb lin = special ? *special : linear(n.op, base, in, dense);
            d_contraction.reset();
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

}  // namespace rf::prover::pointwise_detail
