// matmul as a sum over its contraction index in the pointwise strategy (prover/pointwise_encoder.h):
// the factors that do not depend on that index leave the sum.
//
// Why: matmul stays an opaque atom in the normal form (its element is a sum the scalar query
// cannot see into), which made every identity between an outer product and a broadcast product
// unknown: matmul(x, y) with x [n,1] and y [1,m] is ewmul(x, y), and ewmul(c, matmul(x, w)) with c
// [1,m] is matmul(x, ewmul(c, w)). Out[i,j] = sum_k A[i,k] B[k,j]: a factor of A constant along k
// (its columns) depends on i alone, a factor of B constant along k (its rows) on j alone, and
// both come out as element-wise factors of the result; what is left is a matmul of the rest, or,
// when an operand is all such factors, a sum of the other along k (K times a constant).
#include "prover/pointwise_encoder.h"

namespace rf::prover::pointwise_detail {

std::optional<Comb> Encoder::matmul_factors(const Params& p, int a, int b) {
    const std::optional<Contraction> c = d_contraction;
    const int rank = c ? static_cast<int>(c->rank) : d_atoms[a].dims;
    auto fits = [&](int x) { return d_atoms[x].dims == rank || d_atoms[x].kind == Atom::Kind::One; };
    if (rank < 2 || rank > 63 || !fits(a) || !fits(b)) return std::nullopt;
    const uint64_t col = uint64_t{1} << (rank - 1), row = uint64_t{1} << (rank - 2);
    std::vector<int> out, ra, rb;
    for (int f : factors_of(a)) (d_atoms[f].flat & col ? out : ra).push_back(f);
    for (int f : factors_of(b)) (d_atoms[f].flat & row ? out : rb).push_back(f);
    if (out.empty()) return std::nullopt;
    Comb rest;
    if (!ra.empty() && !rb.empty())
        rest = linear(OpKind::Matmul, p, {single(product(ra)), single(product(rb))});
    else if (!c)
        return std::nullopt;  // the contraction's length is not known here
    else if (ra.empty() && rb.empty())
        return scale(single(product(out)), length(c->k));
    else if (ra.empty())
        rest = reduce(single(product(rb)), rank - 2, c->k, rank, false);  // sum_k B[k,j]
    else
        rest = reduce(single(product(ra)), rank - 1, c->k, rank, false);  // sum_k A[i,k]
    return ewmul(single(product(out)), rest);
}

}  // namespace rf::prover::pointwise_detail
