// Exact evaluation: the domain of rationals with one positive int64 denominator per tensor.
//
// Every tensor leaves an operator in lowest terms (the gcd of the denominator and all numerators
// is 1). That form is unique for a given rational tensor, so callers may hash (num, den)
// directly, and operator== is a plain comparison in the common case. Arithmetic is checked with
// the compiler's overflow builtins; an overflow anywhere aborts the evaluation (EvalOverflow),
// because a wrapped value would make two different graphs look equal or equal ones different.
#include <algorithm>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <string>

#include "ir/eval.h"
#include "ir/eval_modular.h"
#include "ir/eval_ops.h"
#include "ir/mix64.h"

namespace rf {

namespace {

using eval_detail::Dims;

[[noreturn]] void overflow(const char* where) {
    throw EvalOverflow(std::string("exact evaluation overflowed int64 in ") + where);
}

uint64_t magnitude(int64_t v) { return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v); }

int64_t checked_mul(int64_t a, int64_t b, const char* where) {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) overflow(where);
    return r;
}

constexpr uint64_t kSigmoidSalt = 0x5167'6d6f'6964'0001ULL;
constexpr uint64_t kTanhSalt = 0x7461'6e68'0000'0002ULL;

// The stand-in for sigmoid/tanh: a fixed function of the reduced rational num/den, so that only
// the value (not its representation) decides the result, with range [-16, 16] so that sums of
// results stay far from overflow and collisions between distinct inputs are rare but possible
// (as for any function the proofs must not assume anything about).
int64_t random_function(int64_t num, int64_t den, uint64_t seed, uint64_t salt) {
    if (den != 1) {
        const int64_t g = static_cast<int64_t>(std::gcd(magnitude(num), static_cast<uint64_t>(den)));
        num /= g;
        den /= g;
    }
    uint64_t h = mix64(seed ^ salt);
    h = mix64(h ^ static_cast<uint64_t>(num));
    h = mix64(h ^ static_cast<uint64_t>(den));
    return static_cast<int64_t>(h % 33) - 16;
}

// A rational in lowest terms with a positive denominator, every operation checked: the number
// type of Ring and Order entries of ir/elementwise_ops.h.
struct Rational {
    int64_t num, den;
    explicit Rational(int64_t k) : num(k), den(1) {}
    Rational(int64_t n, int64_t d) : num(n), den(d) {
        const int64_t g = static_cast<int64_t>(std::gcd(magnitude(num), static_cast<uint64_t>(den)));
        if (g > 1) num /= g, den /= g;
    }
    static int64_t add(int64_t a, int64_t b) {
        int64_t r;
        if (__builtin_add_overflow(a, b, &r)) overflow("an element-wise operator");
        return r;
    }
    static int64_t mul(int64_t a, int64_t b) { return checked_mul(a, b, "an element-wise operator"); }
    friend Rational operator-(Rational a) { return {mul(a.num, -1), a.den}; }
    friend Rational operator+(Rational a, Rational b) {
        return {add(mul(a.num, b.den), mul(b.num, a.den)), mul(a.den, b.den)};
    }
    friend Rational operator-(Rational a, Rational b) { return a + -b; }
    friend Rational operator*(Rational a, Rational b) { return {mul(a.num, b.num), mul(a.den, b.den)}; }
    // Denominators are positive: compare the cross products.
    static int cmp(Rational a, Rational b) {
        const int64_t l = mul(a.num, b.den), r = mul(b.num, a.den);
        return (l > r) - (l < r);
    }
    friend bool operator<(Rational a, Rational b) { return cmp(a, b) < 0; }
    friend bool operator<=(Rational a, Rational b) { return cmp(a, b) <= 0; }
    friend bool operator>(Rational a, Rational b) { return cmp(a, b) > 0; }
    friend bool operator>=(Rational a, Rational b) { return cmp(a, b) >= 0; }
    friend bool operator==(Rational a, Rational b) { return cmp(a, b) == 0; }
    friend bool operator!=(Rational a, Rational b) { return cmp(a, b) != 0; }
};

struct ExactArith : eval_detail::OrderedMax<int64_t> {
    bool overflowed = false;
    int64_t add(int64_t a, int64_t b) {
        int64_t r;
        overflowed |= __builtin_add_overflow(a, b, &r);
        return r;
    }
    int64_t mul(int64_t a, int64_t b) {
        int64_t r;
        overflowed |= __builtin_mul_overflow(a, b, &r);
        return r;
    }
    int64_t sub(int64_t a, int64_t b) {
        int64_t r;
        overflowed |= __builtin_sub_overflow(a, b, &r);
        return r;
    }
    static bool is_zero(int64_t a) { return a == 0; }
    static int64_t zero() { return 0; }
    static int64_t one() { return 1; }
};

// For kernels whose every partial sum is known to fit: no flags, so the loops stay tight.
struct UncheckedArith : eval_detail::OrderedMax<int64_t> {
    static int64_t add(int64_t a, int64_t b) { return a + b; }
    static int64_t mul(int64_t a, int64_t b) { return a * b; }
    static int64_t sub(int64_t a, int64_t b) { return a - b; }
    static bool is_zero(int64_t a) { return a == 0; }
    static int64_t zero() { return 0; }
    static int64_t one() { return 1; }
};

uint64_t max_magnitude(const std::vector<int64_t>& v) {
    uint64_t m = 0;
    for (int64_t x : v) m = std::max(m, magnitude(x));
    return m;
}

class ExactDomain {
public:
    using Tensor = ExactTensor;
    using Elem = int64_t;
    using Arith = ExactArith;

    explicit ExactDomain(uint64_t seed) : d_seed(seed) {}

    static std::vector<int64_t>& data(Tensor& t) { return t.num; }
    static const std::vector<int64_t>& data(const Tensor& t) { return t.num; }
    static int64_t scale(const Tensor& t) { return t.den; }

    static void check_input(const Tensor& t, const std::string& name) {
        if (t.den <= 0)
            throw EvalError("variable " + name + ": denominator " + std::to_string(t.den) + " is not positive");
    }

    Tensor make(Dims dims, int64_t den) const {
        Tensor t;
        t.num.assign(static_cast<size_t>(eval_detail::volume(dims)), 0);
        t.dims = std::move(dims);
        t.den = den;
        return t;
    }

    int64_t mul_scale(int64_t a, int64_t b) const { return checked_mul(a, b, "a denominator"); }

    /// Operands over their lcm denominator; those already over it are used in place.
    std::vector<const Tensor*> align(const std::vector<const Tensor*>& in, std::vector<Tensor>& storage,
                                     int64_t& common) const {
        common = in[0]->den;
        bool all_equal = true;
        for (const Tensor* t : in) {
            if (t->den == common) continue;
            all_equal = false;
            common =
                checked_mul(common / static_cast<int64_t>(std::gcd(common, t->den)), t->den, "a common denominator");
        }
        if (all_equal) return in;
        storage.reserve(in.size());  // pointers into storage must stay valid
        std::vector<const Tensor*> out;
        for (const Tensor* t : in) {
            if (t->den == common) {
                out.push_back(t);
                continue;
            }
            const int64_t f = common / t->den;
            Tensor& r = storage.emplace_back(make(t->dims, common));
            ExactArith ar;
            for (size_t i = 0; i < t->num.size(); ++i) r.num[i] = ar.mul(t->num[i], f);
            if (ar.overflowed) overflow("rescaling to a common denominator");
            out.push_back(&r);
        }
        return out;
    }

    /// A sum of `terms` products of one element of each factor is at most
    /// terms * prod(max |element|) in magnitude, and so is every partial sum: when that bound
    /// fits in int64 the kernel cannot overflow and runs unchecked.
    template <class Kernel>
    void run_bounded(std::initializer_list<const Tensor*> factors, int64_t terms, Kernel&& kernel) const {
        uint64_t bound = static_cast<uint64_t>(terms);
        bool fits = true;
        for (const Tensor* t : factors) fits = fits && !__builtin_mul_overflow(bound, max_magnitude(t->num), &bound);
        if (fits && bound <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            UncheckedArith ar;
            kernel(ar);
            return;
        }
        ExactArith ar;
        kernel(ar);
        if (ar.overflowed) overflow("an accumulation");
    }

    /// Division by a positive integer goes into the denominator, so it stays exact.
    void divide(Tensor& t, int64_t k) const { t.den = checked_mul(t.den, k, "a division"); }

    Tensor finish(Tensor t, const ExactArith& ar, Activation act) const {
        if (ar.overflowed) overflow("an operator");
        switch (act) {
            case Activation::None: break;
            case Activation::Relu:
                // The denominator is positive: the sign of a value is the sign of its numerator.
                for (int64_t& v : t.num) v = v < 0 ? 0 : v;
                break;
            case Activation::Sigmoid:
            case Activation::Tanh: {
                const uint64_t salt = act == Activation::Sigmoid ? kSigmoidSalt : kTanhSalt;
                for (int64_t& v : t.num) v = random_function(v, t.den, d_seed, salt);
                t.den = 1;
                break;
            }
        }
        normalize(t);
        return t;
    }

    /// a / b element by element, exactly: each quotient in lowest terms, then all over their
    /// common denominator. A zero divisor leaves the value undefined (EvalUndefined): a rule
    /// with division holds where its divisors are not zero, so such a point says nothing.
    Tensor ew_div(const Tensor& a, const Tensor& b, const Dims& od) const {
        std::vector<Rational> q(static_cast<size_t>(eval_detail::volume(od)), Rational(0));
        eval_detail::broadcast_each(od, a.dims, b.dims, [&](int64_t i, int64_t ia, int64_t ib) {
            if (b.num[ib] == 0) throw EvalUndefined("ewdiv: division by zero");
            int64_t n = checked_mul(a.num[ia], b.den, "a division"), d = checked_mul(b.num[ib], a.den, "a division");
            if (d < 0) n = checked_mul(n, -1, "a division"), d = checked_mul(d, -1, "a division");
            q[i] = Rational(n, d);
        });
        return over_common_denominator(od, q);
    }

    /// num/den as a tensor of `rank` axes of length 1.
    Tensor constant(size_t rank, int64_t num, int64_t den) const {
        Tensor t = make(Dims(rank, 1), den);
        t.num[0] = num;
        normalize(t);
        return t;
    }

    // Ring and Order functions are computed exactly, element by element, and the results put
    // over their common denominator; Reals ones have no rational value and become a seeded
    // random function of the value, as sigmoid and tanh do.
    template <class Entry>
    Tensor unary_elementwise(const Tensor& x, uint64_t salt) const {
        Tensor t = x;
        if constexpr (Entry::needs == ScalarNeeds::Reals) {
            for (int64_t& v : t.num) v = random_function(v, t.den, d_seed, salt);
            t.den = 1;
        } else {
            std::vector<Rational> r;
            r.reserve(t.num.size());
            for (int64_t v : t.num) r.push_back(Entry::template value<Rational>(Rational(v, t.den)));
            return over_common_denominator(t.dims, r);
        }
        normalize(t);
        return t;
    }

    /// Rationals of one tensor put over their common denominator, in lowest terms.
    Tensor over_common_denominator(const Dims& dims, const std::vector<Rational>& r) const {
        int64_t common = 1;
        for (const Rational& x : r)
            common = checked_mul(common / static_cast<int64_t>(std::gcd(common, x.den)), x.den, "a common denominator");
        Tensor t = make(dims, common);
        for (size_t i = 0; i < r.size(); ++i) t.num[i] = checked_mul(r[i].num, common / r[i].den, "a rescaling");
        normalize(t);
        return t;
    }

private:
    uint64_t d_seed;
};

// Exact evaluation proper: each node in the rational domain, unless its operator needs the
// modular one (kModular) or an operand is already modular (ir/eval_modular.cpp).
class ExactEval {
public:
    using Tensor = ExactTensor;

    explicit ExactEval(uint64_t seed) : d_rational(seed), d_seed(seed) {}

    static size_t count(const Tensor& t) { return t.modular ? t.mod.size() : t.num.size(); }
    static void check_input(const Tensor& t, const std::string& name) {
        if (!t.modular) ExactDomain::check_input(t, name);
    }
    std::vector<Tensor> eval_node(const Node& node, const std::vector<const Tensor*>& in,
                                  const std::vector<const TensorType*>& in_types) {
        bool modular = needs_modular(node.op);
        for (const Tensor* t : in) modular = modular || t->modular;
        if (modular) return eval_detail::eval_node_modular(node, in, in_types, d_seed);
        return eval_detail::eval_op(d_rational, node, in, in_types);
    }

private:
    ExactDomain d_rational;
    uint64_t d_seed;
};

}  // namespace

void normalize(ExactTensor& t) {
    if (t.den == 1) return;
    uint64_t g = static_cast<uint64_t>(t.den);
    for (int64_t v : t.num) {
        g = std::gcd(g, magnitude(v));
        if (g == 1) return;
    }
    const int64_t d = static_cast<int64_t>(g);
    for (int64_t& v : t.num) v /= d;
    t.den /= d;
}

bool ExactTensor::operator==(const ExactTensor& o) const {
    if (modular || o.modular) {
        if (dims != o.dims) return false;
        const ExactTensor a = to_modular(*this), b = to_modular(o);
        if (a.mod.size() != b.mod.size()) return false;
        for (size_t i = 0; i < a.mod.size(); ++i)
            if (a.mod[i].p != b.mod[i].p) return false;
        return true;
    }
    if (dims != o.dims || num.size() != o.num.size()) return false;
    if (den == o.den) return num == o.num;
    // a/p == b/q  <=>  a*q == b*p; the products fit in 128 bits.
    for (size_t i = 0; i < num.size(); ++i)
        if (static_cast<__int128>(num[i]) * o.den != static_cast<__int128>(o.num[i]) * den) return false;
    return true;
}

std::vector<ExactTensor> eval_node_exact(const Node& node, const std::vector<const ExactTensor*>& in,
                                         const std::vector<TensorType>& in_types, uint64_t function_seed) {
    for (size_t i = 0; i < in.size(); ++i)
        if (in[i] && in[i]->den <= 0)
            throw EvalError(std::string(op_name(node.op)) + ": operand " + std::to_string(i) +
                            " has a non-positive denominator");
    ExactEval dom(function_seed);
    return eval_detail::eval_node_checked(dom, node, in, in_types);
}

std::vector<ExactTensor> evaluate_exact(const Graph& g, const std::vector<ExactTensor>& variables,
                                        uint64_t function_seed) {
    ExactEval dom(function_seed);
    std::vector<ExactTensor> out = eval_detail::evaluate_graph(dom, g, variables);
    for (ExactTensor& t : out) normalize(t);  // an output may be a variable as the caller gave it
    return out;
}

ExactTensor random_exact(const TensorType& t, std::mt19937_64& rng, int64_t lo, int64_t hi) {
    if (!t.is_concrete()) throw EvalError("random_exact: type " + t.to_string() + " is not concrete");
    if (lo > hi) throw EvalError("random_exact: empty range");
    ExactTensor r;
    r.dims = eval_detail::concrete_dims(t);
    r.num.resize(static_cast<size_t>(eval_detail::volume(r.dims)));
    // Not std::uniform_int_distribution: its output differs between standard libraries, and a
    // fingerprint must not. The modulo bias is irrelevant for ranges this small.
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    for (int64_t& v : r.num) v = static_cast<int64_t>(static_cast<uint64_t>(lo) + (span == 0 ? rng() : rng() % span));
    return r;
}

}  // namespace rf
