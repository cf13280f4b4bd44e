// poolmax in the pointwise strategy's normal form (prover/pointwise_encoder.h): what comes out
// of a maximum over a window (positive coefficients, uniform terms, monotone maps of one atom),
// and pooling through a concat.
#include <algorithm>
#include <map>
#include <optional>

#include "prover/pointwise_encoder.h"

namespace rf::prover::pointwise_detail {

std::optional<Comb> Encoder::pool_concat(OpKind op, const Params& p, uint32_t output, int atom) {
    const Atom c = d_atoms[atom];
    if (c.kind != Atom::Kind::Concat || c.axis > 1 || c.rank != 4) return std::nullopt;
    std::vector<Comb> parts;
    for (const Comb& part : c.args)
        parts.push_back(op == OpKind::PoolMax ? poolmax(p, output, {part}) : linear(op, p, {part}));
    return concat(c.axis, c.sizes, c.rank, parts);
}

Comb Encoder::poolmax(const Params& p, uint32_t output, const std::vector<Comb>& in) {
    // A uniform tensor (ones, the pool kernel: every element equal) is its own maximum, whatever
    // its coefficient's sign, and adding one moves every maximum by it (the window's padding is
    // left out of the maximum, not read as zeros).
    auto uniform = [&](int atom) {
        const Atom& a = d_atoms[atom];
        return a.kind == Atom::Kind::One || (a.kind == Atom::Kind::Const && a.op == OpKind::ConstPool);
    };
    Comb rest, moved;
    for (const auto& e : in[0]) (uniform(e.second) ? moved : rest).push_back(e);
    if (rest.empty()) return in[0];
    if (!moved.empty()) return add(poolmax(p, output, {rest}), moved);
    // A sum of non-decreasing maps of one atom B with coefficients >= 0 is non-decreasing in B,
    // so every term takes its maximum where B does: poolmax of the sum is the sum of the terms'
    // poolmaxes (poolmax(x + relu(x)) = poolmax(x) + relu(poolmax(x))).
    if (in[0].size() > 1) {
        std::optional<int> base;
        bool monotone = true;
        for (const auto& [coef, atom] : in[0]) {
            const int b = monotone_base(atom);
            monotone = monotone && b >= 0 && coef_nonneg(coef) && (!base || *base == b);
            base = b;
        }
        if (monotone) {
            Comb out;
            for (const auto& e : in[0]) out = add(out, poolmax(p, output, {{e}}));
            return out;
        }
    }
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
            return scale(relu(poolmax(p, output, {inner})), coef);
        }
        // So is a power B^k for k odd, or of a non-negative B: poolmax(B^k) = poolmax(B)^k.
        if (auto pw = power(atom); pw && pw->second > 1 && (pw->second % 2 == 1 || d_atoms[pw->first].nonneg)) {
            const Comb base = poolmax(p, output, {single(pw->first)});
            Comb prod = base;
            for (int i = 1; i < pw->second; ++i) prod = ewmul(prod, base);
            return scale(prod, coef);
        }
        // An even power B^(2m) is (B^2)^m, and B^2 >= 0: poolmax(B^(2m)) = poolmax(B^2)^m.
        if (auto pw = power(atom); pw && pw->second > 2 && pw->second % 2 == 0) {
            const Comb square = ewmul(single(pw->first), single(pw->first));
            const Comb base = poolmax(p, output, {square});
            Comb prod = base;
            for (int i = 1; i < pw->second / 2; ++i) prod = ewmul(prod, base);
            return scale(prod, coef);
        }
        if (auto pc = pool_concat(OpKind::PoolMax, p, output, atom)) return scale(*pc, coef);
        Comb inner = opaque(OpKind::PoolMax, p, output, {single(atom)});
        return scale(inner, coef);
    }
    return opaque(OpKind::PoolMax, p, output, in);
}

int Encoder::monotone_base(int atom) {
    if (const int a = relu_of(atom); a >= 0) return a;
    auto pw = power(atom);
    if (!pw) return -1;
    if (pw->second == 1) return atom;
    if (pw->second % 2 == 1) return monotone_base(pw->first);
    if (const int a = relu_of(pw->first); a >= 0) return a;  // relu(B)^k: 0, then increasing
    return -1;
}

std::optional<std::pair<int, int>> Encoder::power(int atom) {
    const Atom& a = d_atoms[atom];
    if (a.kind != Atom::Kind::Elem || a.op != OpKind::EwMul) return std::pair{atom, 1};
    for (const Comb& c : a.args)
        if (c.size() != 1 || number(c[0].first) != int64_t{1}) return std::nullopt;
    auto l = power(a.args[0][0].second), r = power(a.args[1][0].second);
    if (!l || !r || l->first != r->first) return std::nullopt;
    return std::pair{l->first, l->second + r->second};
}

}  // namespace rf::prover::pointwise_detail
