// Linear operators over concats (prover/pointwise_encoder.h): a convolution or matmul whose
// operand is a concat along an axis the operator keeps is the concat of its results, and a
// contraction over concats of equal parts is the sum of the parts' results.
#include <utility>

#include "prover/pointwise_encoder.h"

namespace rf::prover::pointwise_detail {

std::optional<Comb> Encoder::linear_over_concat(OpKind op, const Params& p, const std::vector<int>& atoms, bool dense) {
    {
        // A concat along the batch axis of a convolution's input, or the row axis of a
        // matmul's left operand, is a concat of the results (same sizes along it).
        const Atom& c = d_atoms[atoms[0]];
        if (atoms.size() == 2 && c.kind == Atom::Kind::Concat &&
            ((op == OpKind::Conv2d && c.axis == 0) ||
             (op == OpKind::Matmul && c.rank >= 2 && static_cast<size_t>(c.axis) == c.rank - 2))) {
            const Atom cc = c;
            std::vector<Comb> parts;
            for (const Comb& part : cc.args) parts.push_back(linear(op, p, {part, single(atoms[1])}, dense));
            return concat(cc.axis, cc.sizes, op == OpKind::Conv2d ? 4 : cc.rank, parts);
        }
        // A concat along the column axis of a matmul's right operand is a concat of the
        // results along theirs.
        if (atoms.size() == 2 && op == OpKind::Matmul && d_atoms[atoms[1]].kind == Atom::Kind::Concat &&
            d_atoms[atoms[1]].rank >= 2 && static_cast<size_t>(d_atoms[atoms[1]].axis) == d_atoms[atoms[1]].rank - 1) {
            const Atom rc = d_atoms[atoms[1]];
            std::vector<Comb> parts;
            for (const Comb& part : rc.args) parts.push_back(linear(op, p, {single(atoms[0]), part}));
            return concat(rc.axis, rc.sizes, rc.rank, parts);
        }
        // A concat of kernels along their output channels: a concat of the results along the
        // channel axis, when the convolution is dense (grouped, an output channel's group
        // depends on the kernel's whole output count; poolavg has no second operand).
        if (dense && atoms.size() == 2 && op == OpKind::Conv2d && d_atoms[atoms[1]].kind == Atom::Kind::Concat &&
            d_atoms[atoms[1]].axis == 0) {
            const Atom kc = d_atoms[atoms[1]];
            std::vector<Comb> parts;
            for (const Comb& part : kc.args) parts.push_back(linear(op, p, {single(atoms[0]), part}));
            return concat(1, kc.sizes, 4, parts);
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
            const auto contraction = d_contraction;
            for (size_t i = 0; i < x.args.size(); ++i) {
                if (op == OpKind::Matmul) d_contraction = Contraction{Dim(x.sizes[i]), x.rank};  // the part's
                sum = add(sum, linear(op, p, {x.args[i], w.args[i]}));
            }
            d_contraction = contraction;
            return sum;
        }
    }
    return std::nullopt;
}

}  // namespace rf::prover::pointwise_detail
