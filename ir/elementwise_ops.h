// The semantics of the same-shape unary family (RF_UNARY_ELEMENTWISE_OPS in ir/op_kind.h): one
// entry per operator giving its scalar function once, as a template over the domain's number
// type, so that exact, field and float evaluation and the CUDA executor all read it here and a
// new operator's value is written in exactly one place.
//
// An entry says what its function needs of the numbers, which decides how the domains that
// cannot compute it stand in for it:
//   Ring   written with unary -, +, -, * and integer constants `T(k)`: every domain computes it
//          (rationals exactly, the field homomorphically, floats).
//   Order  also compares (<, <=, ==, ...): exact and float compute it; the field has no order,
//          so there it is a seeded random function of the value, as relu is.
//   Reals  anything else (exp, tanh, division by a value): floats (and CUDA) only; exact and
//          field evaluation use a seeded random function of the value, as sigmoid and tanh do,
//          so a proof found there holds for any function, the real one included.
// `value` is `RF_HOST_DEVICE` so that the CUDA executor's one generic kernel runs it.
//
// Example (what a row `X(Neg, "neg", ...)` in RF_UNARY_ELEMENTWISE_OPS needs here):
//   template <> struct UnaryElementwise<OpKind::Neg> {
//       static constexpr ScalarNeeds needs = ScalarNeeds::Ring;
//       template <class T> RF_HOST_DEVICE static T value(T x) { return -x; }
//   };
#pragma once

#include <math.h>

#include <cstdint>
#include <string_view>
#include <type_traits>

#include "ir/op_kind.h"

#if defined(__CUDACC__)
#define RF_HOST_DEVICE __host__ __device__
#else
#define RF_HOST_DEVICE
#endif

namespace rf {

/// What an entry's scalar function needs of its numbers (see the file comment).
enum class ScalarNeeds { Ring, Order, Reals };

/// One specialisation per row of RF_UNARY_ELEMENTWISE_OPS; a row without one stops the build at
/// the check below, naming the operator.
template <OpKind K>
struct UnaryElementwise;

// ---- entries (one per operator of the family, in catalogue order) ----
// The Reals functions below are written in float (expf, sqrtf, erff exist on the host and in
// CUDA device code alike): only the float domains instantiate them.

/// exp(x). `exponential` marks the one function the modular fingerprint domain (ir/eval_modular.cpp)
/// computes as a group homomorphism, x -> w^x, so that exp of a sum is the product of exps there.
template <>
struct UnaryElementwise<OpKind::Exp> {
    static constexpr ScalarNeeds needs = ScalarNeeds::Reals;
    static constexpr bool exponential = true;
    template <class T>
    RF_HOST_DEVICE static T value(T x) {
        return static_cast<T>(expf(static_cast<float>(x)));
    }
};

/// sqrt(x); NaN below zero, as in IEEE arithmetic and ONNX.
template <>
struct UnaryElementwise<OpKind::Sqrt> {
    static constexpr ScalarNeeds needs = ScalarNeeds::Reals;
    template <class T>
    RF_HOST_DEVICE static T value(T x) {
        return static_cast<T>(sqrtf(static_cast<float>(x)));
    }
};

/// gelu(x) = x * Phi(x) = x/2 * (1 + erf(x / sqrt(2))): ONNX's Gelu with approximate = "none".
template <>
struct UnaryElementwise<OpKind::Gelu> {
    static constexpr ScalarNeeds needs = ScalarNeeds::Reals;
    template <class T>
    RF_HOST_DEVICE static T value(T x) {
        const float v = static_cast<float>(x);
        return static_cast<T>(0.5f * v * (1.f + erff(v * 0.70710678118654752f)));
    }
};

/// Whether an entry is the exponential (see UnaryElementwise<OpKind::Exp>); C++17, as the CUDA
/// executor reads this header too.
template <class Entry, class = void>
struct IsExponential : std::false_type {};
template <class Entry>
struct IsExponential<Entry, std::void_t<decltype(Entry::exponential)>> : std::bool_constant<Entry::exponential> {};
template <class Entry>
constexpr bool is_exponential() {
    return IsExponential<Entry>::value;
}

// ---- checks on the rows ----

/// The salt of the seeded random function that stands in for an operator where its domain
/// cannot compute it: FNV-1a of its native spelling, so every operator gets its own function.
constexpr uint64_t unary_elementwise_salt(std::string_view native_name) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : native_name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return h;
}

namespace elementwise_detail {
// A row of the family must be element-wise, unary with one output, and have its entry above.
#define RF_UNARY_ELEMENTWISE_CHECK(kind, name, tensat, min_arity, max_arity, outputs, commutative, traits, ...)     \
    static_assert(((traits)&kElementwise) != 0, name ": a same-shape unary operator needs the kElementwise trait"); \
    static_assert((min_arity) == 1 && (max_arity) == 1 && (outputs) == 1,                                           \
                  name ": must take one operand, give one result");                                                 \
    static_assert(sizeof(UnaryElementwise<OpKind::kind>) > 0, name ": needs its entry in ir/elementwise_ops.h");
RF_UNARY_ELEMENTWISE_OPS(RF_UNARY_ELEMENTWISE_CHECK)
#undef RF_UNARY_ELEMENTWISE_CHECK
}  // namespace elementwise_detail

}  // namespace rf
