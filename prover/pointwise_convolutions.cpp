// Convolutions that the pointwise strategy reads through index maps: the identity kernel as
// input (a flip), pooled identity kernels, and grouped convolutions as their dense blocks
// (channel slices) (prover/pointwise_encoder.h).
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "prover/pointwise_encoder.h"

namespace rf::prover::pointwise_detail {

std::optional<Comb> Encoder::special_conv(const Graph& g, const Node& n, const Params& base,
                                          const std::vector<Comb>& in) {
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
            out = add(out, scale(linear(OpKind::PoolAvg, pool.params,
                                        {linear(OpKind::Conv2d, base, {single(pool.factors[0]), in[1]})}),
                                 coef));
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
    Params pool =
        param::pool((*window)[0], (*window)[1], st[0], st[1], param::padding(base, OpKind::Conv2d), Activation::None);
    return scale(linear(OpKind::PoolAvg, pool, {in[0]}), coef);
}

std::optional<Comb> Encoder::grouped_conv(const Graph& g, const Node& n, const Params& base,
                                          const std::vector<Comb>& in) {
    // Only the channel counts are read: batch and spatial sizes may be symbols.
    const TensorType &xt = g.type(n.inputs[0]), &kt = g.type(n.inputs[1]);
    if (xt.rank() != 4 || kt.rank() != 4 || !xt.dims[1].is_concrete() || !kt.dims[0].is_concrete() ||
        !kt.dims[1].is_concrete())
        return std::nullopt;
    const int64_t c = xt.dims[1].value(), cg = kt.dims[1].value(), o = kt.dims[0].value();
    if (cg <= 0 || c == cg || c % cg != 0) return std::nullopt;
    const int64_t groups = c / cg;
    // Many groups would make as many case splits in the scalar query for little gain.
    if (o % groups != 0 || groups > 16) return std::nullopt;
    const int64_t per_group = o / groups;
    std::vector<Comb> parts;
    for (int64_t k = 0; k < groups; ++k) {
        // (The planted fault: every group reads the input's first channels.)
        const int64_t first = d_fault == PointwiseFault::GroupsReadFirstChannels ? 0 : k * cg;
        Comb block = linear(OpKind::Conv2d, base, {slice(in[0], 1, first, cg, c), in[1]});
        parts.push_back(slice(block, 1, k * per_group, per_group, o));
    }
    return concat(1, std::vector<int64_t>(static_cast<size_t>(groups), per_group), 4, parts);
}

Comb Encoder::slice(const Comb& c, int axis, int64_t off, int64_t len, int64_t full) {
    Comb out;
    for (const auto& [coef, atom] : c) out = add(out, scale(slice_atom(atom, axis, off, len, full), coef));
    return out;
}

Comb Encoder::slice_atom(int atom, int axis, int64_t off, int64_t len, int64_t full) {
    if (off == 0 && len == full) return single(atom);
    const Atom a = d_atoms[atom];                        // a copy: interning below may grow d_atoms
    if (a.kind == Atom::Kind::One) return single(atom);  // ones everywhere, whatever the shape
    if (a.kind == Atom::Kind::Concat && a.axis == axis) {
        // The parts that meet [off, off + len), each cut to it.
        std::vector<Comb> parts;
        std::vector<int64_t> sizes;
        int64_t start = 0;
        for (size_t i = 0; i < a.args.size(); ++i) {
            const int64_t end = start + a.sizes[i], lo = std::max(off, start), hi = std::min(off + len, end);
            if (lo < hi) {
                parts.push_back(slice(a.args[i], axis, lo - start, hi - lo, a.sizes[i]));
                sizes.push_back(hi - lo);
            }
            start = end;
        }
        if (parts.size() == 1) return parts[0];
        return concat(axis, sizes, a.rank, parts);
    }
    if (a.kind == Atom::Kind::Concat) {
        // A concat along another axis: the same positions of every part.
        std::vector<Comb> parts;
        for (const Comb& part : a.args) parts.push_back(slice(part, axis, off, len, full));
        return concat(a.axis, a.sizes, a.rank, parts);
    }
    if (a.kind == Atom::Kind::Elem) {
        // Element-wise over operands of one shape: the operator of the operands' slices.
        std::vector<Comb> args;
        for (const Comb& x : a.args) args.push_back(slice(x, axis, off, len, full));
        if (a.op == OpKind::EwMul) return ewmul(args[0], args[1]);
        if (a.op == OpKind::Relu) return relu(args[0]);
        return elem(a.op, std::move(args));
    }
    if (a.kind == Atom::Kind::Shift && a.sizes.size() == 3 && a.axis == axis)
        return slice(a.args[0], axis, a.sizes[0] + off, len, a.sizes[2]);  // a slice of a slice
    Atom s = atom_of(Atom::Kind::Shift, OpKind::Split);
    s.axis = axis;
    s.sizes = {off, len, full};
    s.key = "slice" + std::to_string(axis) + "[" + dims_text(s.sizes) + "]a" + std::to_string(atom);
    s.args = {single(atom)};
    return single(intern(std::move(s)));
}

Comb Encoder::flip(const Comb& kernel, int32_t k1, int32_t k2, const std::vector<int64_t>& kd) {
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
            out = add(out, scale(relu(flip(a.args[0], k1, k2, kd)), coef));
            continue;
        }
        if (a.kind == Atom::Kind::Concat && a.axis <= 1 && a.rank == 4) {
            // The flip swaps K's first two axes: a concat along one is a concat along the other
            // of the parts' flips.
            std::vector<Comb> parts;
            for (size_t i = 0; i < a.args.size(); ++i)
                parts.push_back(
                    flip(a.args[i], k1, k2,
                         {a.axis == 0 ? a.sizes[i] : kd[0], a.axis == 1 ? a.sizes[i] : kd[1], kd[2], kd[3]}));
            out = add(out, scale(concat(1 - a.axis, a.sizes, 4, parts), coef));
            continue;
        }
        if (a.kind == Atom::Kind::Elem && a.op == OpKind::EwMul) {
            // An index map (0 out of range, and 0 * 0 = 0): the product of the flipped operands.
            out = add(out, scale(ewmul(flip(a.args[0], k1, k2, kd), flip(a.args[1], k1, k2, kd)), coef));
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

}  // namespace rf::prover::pointwise_detail
