// An exact rational number with 64-bit parts for the scalar algebra (prover/scalar_algebra.h).
// Every operation computes in 128 bits and reports a result that does not fit instead of
// wrapping: a wrong coefficient would make a false identity look true, so overflow must end
// the algebraic decision (the solver decides instead), never change a number silently.
#pragma once

#include <cstdint>
#include <numeric>
#include <optional>
#include <string>

namespace rf::prover {

class ExactRational {
public:
    ExactRational() = default;
    /// n / 1 (n > INT64_MIN, so that every value can be negated).
    explicit ExactRational(int64_t n) : d_num(n) {}

    /// num / den in lowest terms with den > 0; nullopt for den = 0 or a result that overflows.
    static std::optional<ExactRational> make(__int128 num, __int128 den) {
        if (den == 0) return std::nullopt;
        if (den < 0) num = -num, den = -den;
        __int128 a = num < 0 ? -num : num, b = den;
        while (b != 0) a %= b, std::swap(a, b);
        if (a > 1) num /= a, den /= a;
        if (num > INT64_MAX || num < -INT64_MAX || den > INT64_MAX) return std::nullopt;
        ExactRational r;
        r.d_num = static_cast<int64_t>(num);
        r.d_den = static_cast<int64_t>(den);
        return r;
    }

    int64_t num() const { return d_num; }
    int64_t den() const { return d_den; }
    bool is_zero() const { return d_num == 0; }
    bool is_integer() const { return d_den == 1; }

    std::optional<ExactRational> operator+(const ExactRational& o) const {
        return make(__int128{d_num} * o.d_den + __int128{o.d_num} * d_den, __int128{d_den} * o.d_den);
    }
    std::optional<ExactRational> operator*(const ExactRational& o) const {
        return make(__int128{d_num} * o.d_num, __int128{d_den} * o.d_den);
    }
    std::optional<ExactRational> operator/(const ExactRational& o) const {
        return make(__int128{d_num} * o.d_den, __int128{d_den} * o.d_num);
    }
    bool operator==(const ExactRational& o) const { return d_num == o.d_num && d_den == o.d_den; }
    bool operator!=(const ExactRational& o) const { return !(*this == o); }

    std::string to_string() const {
        return d_den == 1 ? std::to_string(d_num) : std::to_string(d_num) + "/" + std::to_string(d_den);
    }

private:
    int64_t d_num = 0;
    int64_t d_den = 1;
};

}  // namespace rf::prover
