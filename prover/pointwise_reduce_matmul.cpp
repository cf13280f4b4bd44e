// matmul as a sum over its contraction index in the pointwise strategy (prover/pointwise_encoder.h):
// the factors that do not depend on that index leave the sum.
//
// Why: matmul stays an opaque atom in the normal form (its element is a sum the scalar query
// cannot see into), which made every identity between an outer product and a broadcast product
// unknown: matmul(x, y) with x [n,1] and y [1,m] is ewmul(x, y), and ewmul(c, matmul(x, w)) with c
// [1,m] is matmul(x, ewmul(c, w)). Out[i,j] = sum_k A[i,k] B[k,j]: a factor of A constant along k
// (its columns) depends on i alone, a factor of B constant along k (its rows) on j alone, and
// both come out as element-wise factors of the result; what is left is a matmul of the rest, or,
// when an operand is all such factors, a sum of the other along k (K times a constant). A
// matmul with one column (or row) is such a sum too: matmul(x, transpose(v)) for v [1,d] is
// reduce_sum[axis=1](ewmul(x, v)).
#include <utility>

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
    if (out.empty()) return one_column(a, b, rank);
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

std::optional<Comb> Encoder::one_column(int a, int b, int rank) {
    // B constant along its columns (one column, broadcast): Out[i,j] = sum_k A[i,k] B^T[j,k], a
    // sum along A's columns of A times B^T; A constant along its rows: a sum along B's rows of
    // A^T times B. With the contraction's length known only (a sum of a constant needs it).
    const std::optional<Contraction> c = d_contraction;
    if (!c) return std::nullopt;
    const uint64_t col = uint64_t{1} << (rank - 1), row = uint64_t{1} << (rank - 2);
    std::vector<int32_t> swap(rank);
    for (int k = 0; k < rank; ++k) swap[k] = k;
    std::swap(swap[rank - 1], swap[rank - 2]);
    // The swap is its own inverse: a swapped atom's swap is the atom.
    auto swapped = [&](int x) {
        const Atom& t = d_atoms[x];
        return t.kind == Atom::Kind::Transpose && t.perm == swap ? single(t.args[0][0].second) : transpose(swap, x);
    };
    if (d_atoms[b].flat & col) return reduce(ewmul(single(a), swapped(b)), rank - 1, c->k, rank, false);
    if (d_atoms[a].flat & row) return reduce(ewmul(swapped(a), single(b)), rank - 2, c->k, rank, false);
    return std::nullopt;
}

}  // namespace rf::prover::pointwise_detail
