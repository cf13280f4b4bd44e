// The modular domain: exact evaluation of what rationals cannot hold (exp, sqrt, gelu, softmax,
// the norms), for fingerprints, after Mirage (OSDI'25).
//
// Why: fingerprints need an exact domain in which true identities give equal values, and the
// rationals have no exp. Every value here is a pair: its image in Z_p and its image in Z_q,
// p = 2q + 1 the largest safe prime below 2^62. Sums, products and division (by a modular
// inverse) act on both images, so every rational identity holds in each. exp maps the Z_q
// image into Z_p through the group homomorphism x -> w^x, w = 4 of order q in Z_p*: exp of a
// sum is the product of the exps, exp(0) = 1, and softmax is invariant under a shift along its
// axis. sqrt, gelu, sigmoid, tanh, relu and max pooling (which need the order or the reals) are
// seeded random functions of the Z_p image, so an identity that holds for every function holds
// here and others do not.
//
// Limits (docs/transformer.md): exp's result has a Z_p image only (kUnknownQ), so an exp whose
// operand depends on an exp (or on sqrt, gelu, ...) is a random function of that operand, not
// the homomorphism: exp(exp(a) + exp(b)) and exp(exp(a)) * exp(exp(b)) get different values
// (one exp per path, as in Mirage). Two values that agree in Z_p are taken as equal; a
// polynomial of degree d vanishes at a random point with probability <= d/p, p ~ 2^62. A zero
// divisor (probability ~1/p at random points) gives 0.
#include "ir/eval_modular.h"

#include <initializer_list>
#include <string>

#include "ir/eval_ops.h"
#include "ir/mix64.h"

namespace rf {

namespace {

constexpr uint64_t P = kModP, Q = kModQ, U = kUnknownQ;

uint64_t addm(uint64_t a, uint64_t b, uint64_t m) {
    const uint64_t r = a + b;  // < 2^63: no wrap
    return r >= m ? r - m : r;
}
uint64_t subm(uint64_t a, uint64_t b, uint64_t m) { return a >= b ? a - b : a + (m - b); }
uint64_t mulm(uint64_t a, uint64_t b, uint64_t m) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(a) * b % m);
}
uint64_t powm(uint64_t a, uint64_t e, uint64_t m) {
    uint64_t r = 1;
    for (; e; e >>= 1, a = mulm(a, a, m))
        if (e & 1) r = mulm(r, a, m);
    return r;
}
// p and q are prime: Fermat. The inverse of 0 is taken as 0 (see the file comment).
uint64_t invm(uint64_t a, uint64_t m) { return a ? powm(a, m - 2, m) : 0; }
uint64_t from_int(int64_t v, uint64_t m) {
    const uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    const uint64_t r = mag % m;
    return v < 0 && r ? m - r : r;
}

// A seeded random function of a Z_p image; its result's Z_q image is unknown.
ModValue random_function(uint64_t p, uint64_t seed, uint64_t salt) { return {mix64(mix64(seed ^ salt) ^ p) % P, U}; }

constexpr uint64_t kReluSalt = 0x6d72'656c'7500'0001ULL;
constexpr uint64_t kSigmoidSalt = 0x6d73'6967'0000'0002ULL;
constexpr uint64_t kTanhSalt = 0x6d74'616e'0000'0003ULL;
constexpr uint64_t kMaxElemSalt = 0x6d6d'6178'6500'0004ULL;
constexpr uint64_t kMaxSetSalt = 0x6d6d'6178'7300'0005ULL;

ModValue mod_add(ModValue a, ModValue b) { return {addm(a.p, b.p, P), a.q == U || b.q == U ? U : addm(a.q, b.q, Q)}; }
ModValue mod_sub(ModValue a, ModValue b) { return {subm(a.p, b.p, P), a.q == U || b.q == U ? U : subm(a.q, b.q, Q)}; }
ModValue mod_mul(ModValue a, ModValue b) { return {mulm(a.p, b.p, P), a.q == U || b.q == U ? U : mulm(a.q, b.q, Q)}; }
ModValue mod_div(ModValue a, ModValue b) {
    return {mulm(a.p, invm(b.p, P), P), a.q == U || b.q == U ? U : mulm(a.q, invm(b.q, Q), Q)};
}
ModValue mod_rational(int64_t num, int64_t den) {
    return {mulm(from_int(num, P), invm(from_int(den, P), P), P), mulm(from_int(num, Q), invm(from_int(den, Q), Q), Q)};
}

// The number type of a Ring entry of ir/elementwise_ops.h.
struct Mv {
    ModValue v;
    explicit Mv(int64_t k) : v(mod_rational(k, 1)) {}
    explicit Mv(ModValue x) : v(x) {}
    friend Mv operator+(Mv a, Mv b) { return Mv(mod_add(a.v, b.v)); }
    friend Mv operator-(Mv a, Mv b) { return Mv(mod_sub(a.v, b.v)); }
    friend Mv operator*(Mv a, Mv b) { return Mv(mod_mul(a.v, b.v)); }
    friend Mv operator-(Mv a) { return Mv(mod_sub(ModValue{0, 0}, a.v)); }
};

struct ModArith {
    uint64_t seed = 0;
    static ModValue add(ModValue a, ModValue b) { return mod_add(a, b); }
    static ModValue sub(ModValue a, ModValue b) { return mod_sub(a, b); }
    static ModValue mul(ModValue a, ModValue b) { return mod_mul(a, b); }
    // Kernels skip a zero factor: only one zero in both images may be skipped.
    static bool is_zero(ModValue a) { return a.p == 0 && a.q == 0; }
    static ModValue zero() { return {0, 0}; }
    static ModValue one() { return {1, 1}; }
    // max over a window: a random function of the window's multiset (as in eval_field.cpp).
    ModValue max_first(ModValue v) const { return random_function(v.p, seed, kMaxElemSalt); }
    ModValue max_next(ModValue acc, ModValue v) const { return {addm(acc.p, max_first(v).p, P), U}; }
    ModValue max_end(ModValue acc) const { return random_function(acc.p, seed, kMaxSetSalt); }
};

class ModularDomain {
public:
    using Tensor = ExactTensor;
    using Elem = ModValue;
    using Arith = ModArith;

    explicit ModularDomain(uint64_t seed) : d_seed(seed) {}

    static std::vector<ModValue>& data(Tensor& t) { return t.mod; }
    static const std::vector<ModValue>& data(const Tensor& t) { return t.mod; }
    static int64_t scale(const Tensor&) { return 1; }
    static void check_input(const Tensor&, const std::string&) {}

    Tensor make(eval_detail::Dims dims, int64_t) const {
        Tensor t;
        t.modular = true;
        t.mod.assign(static_cast<size_t>(eval_detail::volume(dims)), ModValue{0, 0});
        t.dims = std::move(dims);
        return t;
    }
    int64_t mul_scale(int64_t, int64_t) const { return 1; }
    std::vector<const Tensor*> align(const std::vector<const Tensor*>& in, std::vector<Tensor>&,
                                     int64_t& common) const {
        common = 1;
        return in;
    }
    template <class Kernel>
    void run_bounded(std::initializer_list<const Tensor*>, int64_t, Kernel&& kernel) const {
        ModArith ar{d_seed};
        kernel(ar);
    }
    void divide(Tensor& t, int64_t k) const {
        const ModValue inv = mod_rational(1, k);
        for (ModValue& v : t.mod) v = mod_mul(v, inv);
    }
    Tensor finish(Tensor t, const ModArith&, Activation act) const {
        uint64_t salt = 0;
        switch (act) {
            case Activation::None: return t;
            case Activation::Relu: salt = kReluSalt; break;
            case Activation::Sigmoid: salt = kSigmoidSalt; break;
            case Activation::Tanh: salt = kTanhSalt; break;
        }
        for (ModValue& v : t.mod) v = random_function(v.p, d_seed, salt);
        return t;
    }
    Tensor ew_div(const Tensor& a, const Tensor& b, const eval_detail::Dims& od) const {
        Tensor t = make(od, 1);
        eval_detail::broadcast_each(
            od, a.dims, b.dims, [&](int64_t i, int64_t ia, int64_t ib) { t.mod[i] = mod_div(a.mod[ia], b.mod[ib]); });
        return t;
    }
    Tensor constant(size_t rank, int64_t num, int64_t den) const {
        Tensor t = make(eval_detail::Dims(rank, 1), 1);
        t.mod[0] = mod_rational(num, den);
        return t;
    }
    // Ring functions act on both images; exp is w^x on the Z_q image where that is known;
    // everything else is a seeded random function of the Z_p image.
    template <class Entry>
    Tensor unary_elementwise(const Tensor& x, uint64_t salt) const {
        Tensor t = x;
        for (ModValue& v : t.mod) {
            if constexpr (Entry::needs == ScalarNeeds::Ring)
                v = Entry::template value<Mv>(Mv(v)).v;
            else if constexpr (is_exponential<Entry>())
                v = v.q != U ? ModValue{powm(kModGenerator, v.q, P), U} : random_function(v.p, d_seed, salt);
            else
                v = random_function(v.p, d_seed, salt);
        }
        return t;
    }

private:
    uint64_t d_seed;
};

}  // namespace

bool needs_modular(OpKind op) { return op_info(op).has(kModular); }

bool needs_modular(const Graph& g) {
    for (const Node& n : g.nodes())
        if (needs_modular(n.op)) return true;
    return false;
}

ExactTensor to_modular(const ExactTensor& t) {
    if (t.modular) return t;
    ExactTensor r;
    r.dims = t.dims;
    r.modular = true;
    r.mod.reserve(t.num.size());
    const ModValue inv = mod_rational(1, t.den);
    for (int64_t v : t.num) r.mod.push_back(mod_mul(mod_rational(v, 1), inv));
    return r;
}

ExactTensor random_modular(const TensorType& t, std::mt19937_64& rng) {
    if (!t.is_concrete()) throw EvalError("random_modular: type " + t.to_string() + " is not concrete");
    ExactTensor r;
    r.dims = eval_detail::concrete_dims(t);
    r.modular = true;
    r.mod.resize(static_cast<size_t>(eval_detail::volume(r.dims)));
    // Rejection keeps each image uniform; p, q < 2^62.
    auto draw = [&](uint64_t m) {
        uint64_t v;
        do v = rng() >> 2;
        while (v >= m);
        return v;
    };
    for (ModValue& v : r.mod) {
        v.p = draw(P);
        v.q = draw(Q);
    }
    return r;
}

namespace eval_detail {

std::vector<ExactTensor> eval_node_modular(const Node& node, const std::vector<const ExactTensor*>& in,
                                           const std::vector<const TensorType*>& in_types, uint64_t function_seed) {
    std::vector<ExactTensor> converted;
    converted.reserve(in.size());  // pointers into it must stay valid
    std::vector<const ExactTensor*> ops;
    for (const ExactTensor* t : in) {
        if (t->modular) {
            ops.push_back(t);
            continue;
        }
        converted.push_back(to_modular(*t));
        ops.push_back(&converted.back());
    }
    ModularDomain dom(function_seed);
    return eval_op(dom, node, ops, in_types);
}

}  // namespace eval_detail

}  // namespace rf
