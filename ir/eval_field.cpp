// Field evaluation: the domain of GF(2^61 - 1), for proofs of polynomial identities at concrete
// shapes by random evaluation (Schwartz-Zippel), as the axiom validation needs them.
//
// The Mersenne prime makes reduction two shifts and an add; 61 bits leave the chance that a
// non-zero polynomial of degree d vanishes at a random point at d / 2^61. Division (average
// pooling, the pool constant) multiplies by the inverse, so the exact rationals map into the
// field homomorphically. The operations a field cannot express (relu and max need an order;
// sigmoid and tanh have no rational value) become seeded random functions: a proof that holds
// for them holds for any function there, the real one included.
#include <initializer_list>
#include <string>

#include "ir/eval.h"
#include "ir/eval_ops.h"
#include "ir/mix64.h"

namespace rf {

namespace {

constexpr uint64_t P = kFieldPrime;

uint64_t reduce(unsigned __int128 x) {
    // x = hi * 2^61 + lo == hi + lo (mod 2^61 - 1).
    uint64_t r = static_cast<uint64_t>(x & P) + static_cast<uint64_t>(x >> 61);
    r = (r & P) + (r >> 61);
    return r >= P ? r - P : r;
}

uint64_t fadd(uint64_t a, uint64_t b) {
    uint64_t r = a + b;  // < 2^62: no wrap
    return r >= P ? r - P : r;
}

uint64_t fmul(uint64_t a, uint64_t b) { return reduce(static_cast<unsigned __int128>(a) * b); }

uint64_t fpow(uint64_t a, uint64_t e) {
    uint64_t r = 1;
    for (; e; e >>= 1, a = fmul(a, a))
        if (e & 1) r = fmul(r, a);
    return r;
}

uint64_t finv(uint64_t a) { return fpow(a, P - 2); }  // a != 0: Fermat

uint64_t from_int(int64_t v) {
    const uint64_t m = static_cast<uint64_t>(v < 0 ? -(v + 1) : v) + (v < 0 ? 1 : 0);  // |v| without UB
    const uint64_t r = m % P;
    return v < 0 && r ? P - r : r;
}

// A seeded random function GF(p) -> GF(p), one per salt.
uint64_t random_function(uint64_t v, uint64_t seed, uint64_t salt) { return mix64(mix64(seed ^ salt) ^ v) % P; }

constexpr uint64_t kReluSalt = 0x7265'6c75'0000'0001ULL;
constexpr uint64_t kSigmoidSalt = 0x5167'6d6f'6964'0002ULL;
constexpr uint64_t kTanhSalt = 0x7461'6e68'0000'0003ULL;
constexpr uint64_t kMaxElemSalt = 0x6d61'7865'0000'0004ULL;
constexpr uint64_t kMaxSetSalt = 0x6d61'7873'0000'0005ULL;

// A field element with the ring operators, the number type of a Ring entry of
// ir/elementwise_ops.h.
struct Fp {
    uint64_t v;
    explicit Fp(int64_t k) : v(from_int(k)) {}
    static Fp raw(uint64_t x) {
        Fp f(0);
        f.v = x;
        return f;
    }
    friend Fp operator+(Fp a, Fp b) { return raw(fadd(a.v, b.v)); }
    friend Fp operator*(Fp a, Fp b) { return raw(fmul(a.v, b.v)); }
    friend Fp operator-(Fp a) { return raw(a.v ? P - a.v : 0); }
    friend Fp operator-(Fp a, Fp b) { return a + -b; }
};

struct FieldArith {
    uint64_t seed = 0;
    static uint64_t add(uint64_t a, uint64_t b) { return fadd(a, b); }
    static uint64_t mul(uint64_t a, uint64_t b) { return fmul(a, b); }
    static uint64_t sub(uint64_t a, uint64_t b) { return fadd(a, b ? P - b : 0); }
    static bool is_zero(uint64_t a) { return a == 0; }
    static uint64_t zero() { return 0; }
    static uint64_t one() { return 1; }
    // max over a window as F(sum of g(v)): a random function of the window's multiset (a sum of
    // random values of distinct multisets collides with probability ~1/p), with the additive
    // structure of the sum hidden behind F.
    uint64_t max_first(uint64_t v) const { return random_function(v, seed, kMaxElemSalt); }
    uint64_t max_next(uint64_t acc, uint64_t v) const { return fadd(acc, max_first(v)); }
    uint64_t max_end(uint64_t acc) const { return random_function(acc, seed, kMaxSetSalt); }
};

class FieldDomain : public eval_detail::UnscaledDomain<FieldTensor, uint64_t> {
public:
    using Arith = FieldArith;

    explicit FieldDomain(uint64_t seed) : d_seed(seed) {}
    static void check_input(const Tensor& t, const std::string& name) {
        for (uint64_t v : t.data)
            if (v >= P) throw EvalError("variable " + name + ": value " + std::to_string(v) + " is not in the field");
    }

    template <class Kernel>
    void run_bounded(std::initializer_list<const Tensor*>, int64_t, Kernel&& kernel) const {
        FieldArith ar{d_seed};
        kernel(ar);
    }
    void divide(Tensor& t, int64_t k) const {
        const uint64_t inv = finv(from_int(k));
        for (uint64_t& v : t.data) v = fmul(v, inv);
    }
    Tensor finish(Tensor t, const FieldArith&, Activation act) const {
        uint64_t salt = 0;
        switch (act) {
            case Activation::None: return t;
            case Activation::Relu: salt = kReluSalt; break;
            case Activation::Sigmoid: salt = kSigmoidSalt; break;
            case Activation::Tanh: salt = kTanhSalt; break;
        }
        for (uint64_t& v : t.data) v = random_function(v, d_seed, salt);
        return t;
    }
    /// a * b^-1 element-wise; a zero divisor gives 0 (a rule with division holds where its
    /// divisors are not zero, and a random point makes one zero with probability ~1/p).
    Tensor ew_div(const Tensor& a, const Tensor& b, const eval_detail::Dims& od) const {
        Tensor t = make(od, 1);
        eval_detail::broadcast_each(od, a.dims, b.dims, [&](int64_t i, int64_t ia, int64_t ib) {
            t.data[i] = b.data[ib] ? fmul(a.data[ia], finv(b.data[ib])) : 0;
        });
        return t;
    }
    Tensor constant(size_t rank, int64_t num, int64_t den) const {
        Tensor t = make(eval_detail::Dims(rank, 1), 1);
        t.data[0] = fmul(from_int(num), finv(from_int(den)));
        return t;
    }
    // A Ring function maps into the field homomorphically; the field has no order and no
    // transcendental values, so anything else is a seeded random function of the value.
    template <class Entry>
    Tensor unary_elementwise(const Tensor& x, uint64_t salt) const {
        Tensor t = x;
        if constexpr (Entry::needs == ScalarNeeds::Ring) {
            for (uint64_t& v : t.data) v = Entry::template value<Fp>(Fp::raw(v)).v;
        } else {
            for (uint64_t& v : t.data) v = random_function(v, d_seed, salt);
        }
        return t;
    }

private:
    uint64_t d_seed;
};

}  // namespace

std::vector<FieldTensor> evaluate_field(const Graph& g, const std::vector<FieldTensor>& variables,
                                        uint64_t function_seed) {
    FieldDomain dom(function_seed);
    return eval_detail::evaluate_graph(dom, g, variables);
}

FieldTensor random_field(const TensorType& t, std::mt19937_64& rng) {
    if (!t.is_concrete()) throw EvalError("random_field: type " + t.to_string() + " is not concrete");
    FieldTensor r;
    r.dims = eval_detail::concrete_dims(t);
    r.data.resize(static_cast<size_t>(eval_detail::volume(r.dims)));
    for (uint64_t& v : r.data) {
        do v = rng() >> 3;  // 61 bits; rejecting p itself keeps the draw uniform
        while (v >= P);
    }
    return r;
}

FieldTensor to_field(const ExactTensor& t) {
    FieldTensor r;
    r.dims = t.dims;
    const uint64_t inv = finv(from_int(t.den));
    r.data.reserve(t.num.size());
    for (int64_t v : t.num) r.data.push_back(fmul(from_int(v), inv));
    return r;
}

}  // namespace rf
