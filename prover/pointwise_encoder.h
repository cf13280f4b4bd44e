// The pointwise strategy's encoder (prover/pointwise.h), shared by the files that implement it:
// each side of a rule is put in multilinear normal form (pointwise_normal_form.cpp, with the
// convolutions that are index maps in pointwise_convolutions.cpp), then one symbolic position of
// each output becomes a real term (pointwise_scalar.cpp); reductions, softmax and the norms are
// sums over an axis (pointwise_reduce.cpp). Internal to rf_prover.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "prover/pointwise.h"
#include "prover/smtlib.h"

namespace rf::prover::pointwise_detail {

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
constexpr int kBroadcastPos = 9999;  // the one position of a length-1 axis

struct Atom {
    // Const: const_pool (every element 1/(kh*kw)), const_imm and const_iconv (every element 0
    // or 1, symmetric where the constant is).
    // Concat: operands' combs in args, sizes along `axis`; Shift: args[0] read at an offset
    // along `axis` (split's second output). Sum: args[0] (one atom) summed over the axes in
    // `sizes` (sorted): its element at a position is one real, whatever the position along them.
    enum class Kind { Var, One, Const, Elem, Transpose, Linear, Opaque, Concat, Shift, Sum } kind = Kind::Var;
    int axis = 0;
    std::vector<int64_t> sizes;      // Concat: each operand's size along axis; Shift: {offset}
                                     // (a slice: {offset, length, full size}); a flip
                                     // (special_conv): {k1, k2, kh, kw, o, c}
    size_t rank = 0;                 // Concat
    bool nonneg = false;             // every element >= 0 (a sign fact the solver is given)
    bool positive = false;           // every element > 0 (exp, a sum of such, ...), where defined
    uint64_t flat = 0;               // bit k: the value does not change along axis k (length 1, a sum)
    int dims = -1;                   // the rank, where known (reductions read matmul's row/column axes)
    std::optional<Dim> contraction;  // Linear matmul: the contraction's length, where known
    Params params;                   // Const, Linear
    std::vector<int> factors;        // Linear: the operand atoms (a matmul chain flattened)
    OpKind op = OpKind::Input;
    int var = -1;               // Var
    std::vector<int32_t> perm;  // Transpose
    std::vector<Comb> args;     // Elem: operands; Transpose: one single-atom comb
    std::string key;
};

// A type's dimensions when all are numbers (the special convolutions below need them).
inline std::optional<std::vector<int64_t>> concrete_dims(const TensorType& t) {
    std::vector<int64_t> out;
    for (const Dim& d : t.dims) {
        if (!d.is_concrete()) return std::nullopt;
        out.push_back(d.constant());
    }
    return out;
}

inline std::string dims_text(const std::vector<int64_t>& dims) {
    std::string s;
    for (int64_t x : dims) s += std::to_string(x) + ",";
    return s;
}

inline Atom atom_of(Atom::Kind kind, OpKind op) {
    Atom a;
    a.kind = kind;
    a.op = op;
    return a;
}

class Encoder {
public:
    Encoder(const Rule& rule, PointwiseFault fault) : d_rule(rule), d_fault(fault) {}
    Comb value(const Graph& g, ValueRef v, std::map<ValueRef, Comb>& memo);

    TermId scalar(const Comb& c, const Index& idx);
    PointwiseQuery finish(std::vector<TermId> differ);

    Terms& terms() { return d_q.query.terms; }
    /// Division (pointwise_transformer.cpp): assume every divisor non-zero; the divisors' scalars.
    void assume_nonzero_divisors() { d_assume_nonzero_divisors = true; }
    const std::vector<TermId>& divisors() const { return d_divisors; }
    void set_range(int sym, int64_t n) { d_sym_dim[sym] = n; }

private:
    struct UfApp {
        OpKind op;
        TermId arg, value;
    };

    // Coefficient arithmetic with numbers folded, so that equal coefficients are one term (the
    // keys of atoms built over them must agree).
    std::optional<int64_t> number(TermId c);
    TermId cmul(TermId a, TermId b);
    TermId csum(const std::vector<TermId>& cs);

    // A coefficient that is a positive number (1, 1+1, ...), so scaling keeps signs.
    bool positive(TermId c);
    bool nonneg(const Comb& c);

    int intern(Atom a);
    static std::string comb_key(const Comb& c);

    Comb single(int atom) { return {{terms().real_lit(1), atom}}; }

    // Sums two combinations, merging equal atoms.
    Comb add(const Comb& a, const Comb& b);
    Comb scale(const Comb& a, TermId s);

    Comb elem(OpKind op, std::vector<Comb> args);

    // A linear (in each operand) operator: distributes over the operands' sums. `dense`: a
    // conv2d's groups are known to be 1 (the steps that read its kernel as a whole need it).
    Comb linear(OpKind op, const Params& p, const std::vector<Comb>& args, bool dense = true);
    Comb opaque(OpKind op, const Params& p, uint32_t output, const std::vector<Comb>& args);
    // One product term of `linear` whose operand atoms include a concat the operator can be
    // taken through (prover/pointwise_concat.cpp); nullopt when none can.
    std::optional<Comb> linear_over_concat(OpKind op, const Params& p, const std::vector<int>& atoms, bool dense);

    Comb concat(int axis, const std::vector<int64_t>& sizes_in, size_t rank, const std::vector<Comb>& parts_in);
    // x then y along `axis` as one sum of slices, when every term of x is a slice whose next
    // positions are a term of y with the same coefficient (nullopt otherwise).
    std::optional<Comb> merge_slices(const Comb& x, const Comb& y, int axis);
    Comb constant(OpKind op, const Params& p);

    // A transpose of one atom; of a concat, the concat of the transposed parts along the axis
    // the permutation moves it to.
    Comb transpose(const std::vector<int32_t>& perm, int atom);

    // relu is positively homogeneous: relu(c * A) = c * relu(A) for a number c > 0, so a linear
    // operator over it sees relu(A) (scalar facts are no help inside an opaque convolution).
    // The same holds for a fused relu.
    Comb relu(const Comb& in);

    // A pooling works per batch item and channel, so it commutes with a concat along axis 0 or 1.
    std::optional<Comb> pool_concat(OpKind op, const Params& p, uint32_t output, int atom);

    // poolmax is positively homogeneous and keeps a uniform constant: poolmax(c * A) = c *
    // poolmax(A) for a positive number c, and poolmax of const_one or const_pool is itself.
    Comb poolmax(const Params& p, uint32_t output, const std::vector<Comb>& in);

    // Concat and split as index maps when the sizes along the axis are known numbers; an
    // opaque function of the operands otherwise.
    Comb concat_or_split(const Graph& g, const Node& n, ValueRef v, const std::vector<Comb>& in);

    // B when `atom` is a non-decreasing map of one atom B (B, relu(B), an odd power of such,
    // relu(B)^k); -1 otherwise.
    int monotone_base(int atom);

    // `atom` as a power B^k of an element-wise product of one atom B (k = 1: B itself).
    std::optional<std::pair<int, int>> power(int atom);
    Comb ewmul(const Comb& x, const Comb& y);
    // ewsub, ewdiv (x times a reciprocal atom), and the scalars and facts of exp and of the
    // reciprocal (pointwise_transformer.cpp); transformer_scalar gives -1 for another operator.
    Comb ewsub(const Comb& x, const Comb& y);
    Comb ewdiv(const Comb& x, const Comb& y);
    TermId transformer_scalar(const Atom& a, const std::vector<TermId>& xs, int id, const Index& idx);
    // The atom whose reciprocal `atom` is (-1: none): x * recip(x) is 1 in the normal form,
    // which holds where the divisor is not zero, so every reciprocal interned (even one that
    // leaves the query so, or sits inside a sum) is a divisor of the query: register_divisors.
    int reciprocal_of(int atom);
    Comb one();

public:
    void register_divisors(const Index& idx);

private:
    void transformer_facts();

    // An enlarged kernel's dims as its key writes them, and `inner` enlarged as `like` is.
    static std::string enlarged_dims(const Atom& e);
    Comb enlarged(const Comb& inner, const Atom& like);

    // The atom A when `atom` is relu(A) of one atom with coefficient 1; -1 otherwise.
    int relu_of(int atom);

    // A coefficient as k * rest, k its numeric factor (1 when it has none).
    std::pair<int64_t, TermId> split_number(TermId c);

    // A coefficient that is >= 0 for every value of the scalars: a number >= 0, a relu of a
    // scalar, a sum of such, or a product whose factors of odd multiplicity are such.
    bool coef_nonneg(TermId c);

    // The identity kernel const_iconv[c,c,k1,k2] (k1, k2 odd) is 1 at its centre where its first two
    // indices agree, and 0 elsewhere. Two convolutions with a constant are index maps:
    //  - conv2d(const_iconv, K) under SAME padding at stride 1, K dense with odd kh <= k1, kw <= k2:
    //    out[n,o,i,j] = K[o,n,m1-i+ph,m2-j+pw] (0 out of range), a flip with the first two axes
    //    swapped. Flipping twice gives K enlarged (centred) to k1 x k2, so the flip is an atom
    //    that meets itself; relu(0) = 0, so it commutes with relu.
    //  - conv2d(x, poolavg[k1,k2](const_iconv[c,c,k1,k2])) (the pool at stride 1, SAME) is a
    //    kernel of 1/(k1*k2) on its diagonal, and conv2d(x, const_pool[c,1,k1,k2]) one per channel:
    //    both are poolavg[k1,k2](x) at the convolution's stride and padding.
    std::optional<Comb> special_conv(const Graph& g, const Node& n, const Params& base, const std::vector<Comb>& in);

    // A grouped convolution (groups G = C / CG > 1, every channel count a number) is G dense
    // ones side by side: output channels [g*O/G, (g+1)*O/G) are those of the dense
    // conv2d(x[:, g*CG:(g+1)*CG], W), so the result is the concat along the channel axis of
    // slices of dense convolutions of the input's channel slices. A slice of a concat is its
    // part, and a concat of adjacent slices of one tensor is that tensor, so a grouped
    // convolution over a channel concat meets the dense ones its groups are.
    std::optional<Comb> grouped_conv(const Graph& g, const Node& n, const Params& base, const std::vector<Comb>& in);

    // Positions [off, off + len) along `axis` of a tensor `full` long there: an index map,
    // pushed through concats along the axis and element-wise operators.
    Comb slice(const Comb& c, int axis, int64_t off, int64_t len, int64_t full);
    Comb slice_atom(int atom, int axis, int64_t off, int64_t len, int64_t full);

    // conv2d(const_iconv[c,c,k1,k2], K) for K of dims `kd`, linear in K (see special_conv).
    Comb flip(const Comb& kernel, int32_t k1, int32_t k2, const std::vector<int64_t>& kd);
    Comb build(const Graph& g, ValueRef v, std::map<ValueRef, Comb>& memo);

    // Facts of the positions where const_imm or const_iconv is not 0 (pointwise_scalar.cpp).
    void diagonal_facts();
    void fact(TermId f);
    TermId fresh(const std::string& base);

    TermId below(int sym, int64_t th);
    static std::string idx_text(const Index& idx);

    TermId scalar_atom(int id, const Index& idx);

    // A concat's element: each operand's, on the positions it holds (a case split).

    TermId concat_scalar(const Atom& a, int id, const Index& idx);
    // Reductions (pointwise_reduce.cpp). reduce: reduce_sum (or, `mean`, reduce_mean) along
    // `axis` of a value whose axis is `len` long and whose rank is `rank`: linear, the
    // coefficients and every factor constant along the axis pulled out of the sum, through
    // transposes, concats and matmul's outer axes; one Sum atom per remaining summed atom.
    Comb reduce(const Comb& x, int axis, const Dim& len, size_t rank, bool mean);
    Comb sum_atom(int atom, int axis, const Dim& len, size_t rank);
    // softmax = exp(x) / sum exp(x); layernorm = (x - mean) / sqrt(var + 1e-5); rmsnorm =
    // x / sqrt(mean(x*x) + 1e-5), each along `axis`, by their definitions.
    Comb axis_op(OpKind op, const Comb& x, int axis, const Dim& len, size_t rank);
    // exp(a + b) = exp(a) * exp(b): exp of a sum is the product of the terms' exps, so a factor
    // that does not depend on a summed axis leaves the sum (softmax's shift invariance).
    Comb exp(const Comb& x);
    // An element-wise unary operator (exp, sqrt, ewdiv's reciprocal) per part of a concat.
    Comb unary(OpKind op, const Comb& x);
    std::optional<std::pair<Atom, std::vector<Comb>>> as_concat(const Comb& x);
    // A transpose's permutation inside an element-wise atom (empty: none), and the atom with
    // that transpose taken out of it (-1 when some operand is not such a transpose).
    std::vector<int32_t> perm_inside(int atom);
    int untranspose(int atom, const std::vector<int32_t>& perm);
    // matmul is a sum over its contraction index: a factor of the left operand constant along
    // its columns, or of the right one constant along its rows, leaves it (an element-wise factor
    // of the result); with the contraction's length K known (the node's, `d_contraction`), an
    // operand wholly constant along it makes the product K times (or a row/column sum of) the
    // other (an outer product of [n,1] and [1,m] is their element-wise product).
    std::optional<Comb> matmul_factors(const Params& p, int a, int b);
    std::optional<Comb> one_column(int a, int b, int rank);
    struct Contraction {
        Dim k;
        size_t rank;
    };
    // The matmul being normalised: its node's (build), a matmul atom's (a sum of it), a concat
    // part's (a contraction over a concat); none: not known.
    std::optional<Contraction> d_contraction;
    // The factors of a product of atoms (one atom: itself), and their product in one order.
    std::vector<int> factors_of(int atom);
    int product(std::vector<int> factors);
    // The scalar of an atom constant along an axis (read at its one position there), or of a
    // sum (a real with the sum's sign); -1 for the others.
    TermId reduce_scalar(const Atom& a, int id, const Index& idx);
    // A dimension's length as a real (a symbol's real is >= 1), and 1/length: a real whose
    // product with the length is 1; cmul cancels the two.
    TermId length(const Dim& d);
    TermId inverse(TermId len);
    TermId epsilon();  // 1e-5 as an exact rational: 100000 * eps = 1
    TermId cancel_inverses(TermId product);
    uint64_t comb_flat(const Comb& c);
    bool comb_positive(const Comb& c);
    void set_reduce_flags(Atom& a);

    const Rule& d_rule;
    PointwiseFault d_fault;
    PointwiseQuery d_q;
    std::vector<Atom> d_atoms;
    std::map<std::string, int> d_index;
    std::map<std::pair<int, Index>, TermId> d_scalar;
    std::map<int, int64_t> d_sym_dim;                   // each index symbol's range, when concrete
    std::map<std::pair<int, int64_t>, TermId> d_below;  // pos_sym < t, as Booleans
    std::vector<UfApp> d_uf;
    std::set<std::string> d_opaque;
    std::set<TermId> d_nonneg_terms;  // reals known >= 0 (relu's), for coef_nonneg
    std::vector<UfApp> d_exps;        // exp's applications, for its homomorphism facts
    std::vector<TermId> d_divisors;   // each division's divisor, as a real
    bool d_assume_nonzero_divisors = false;
    std::map<TermId, TermId> d_inverse_of;  // 1/L -> L (pointwise_reduce.cpp)
    std::set<TermId> d_positive_terms;      // reals known > 0: lengths, their inverses, eps
};

}  // namespace rf::prover::pointwise_detail
