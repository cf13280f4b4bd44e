// Float evaluation: float32 with the real sigmoid and tanh, for checking a rewritten model
// against the original within a tolerance. The operators themselves are eval_ops.h's, shared
// with exact evaluation; this file only says what float arithmetic and activations are.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>

#include "ir/eval.h"
#include "ir/eval_ops.h"

namespace rf {

namespace {

struct FloatArith : eval_detail::OrderedMax<float> {
    float add(float a, float b) const { return a + b; }
    float mul(float a, float b) const { return a * b; }
    float sub(float a, float b) const { return a - b; }
    static bool is_zero(float a) { return a == 0.f; }
    static float zero() { return 0.f; }
    static float one() { return 1.f; }
};

// Floats carry no denominator.
class FloatDomain : public eval_detail::UnscaledDomain<FloatTensor, float> {
public:
    using Arith = FloatArith;

    static void check_input(const Tensor&, const std::string&) {}
    template <class Kernel>
    void run_bounded(std::initializer_list<const Tensor*>, int64_t, Kernel&& kernel) const {
        FloatArith ar;
        kernel(ar);
    }
    void divide(Tensor& t, int64_t k) const {
        const float d = static_cast<float>(k);
        for (float& v : t.data) v /= d;
    }
    Tensor finish(Tensor t, const FloatArith&, Activation act) const {
        switch (act) {
            case Activation::None: break;
            case Activation::Relu:
                for (float& v : t.data) v = v < 0.f ? 0.f : v;
                break;
            case Activation::Sigmoid:
                for (float& v : t.data) v = 1.f / (1.f + std::exp(-v));
                break;
            case Activation::Tanh:
                for (float& v : t.data) v = std::tanh(v);
                break;
        }
        return t;
    }
    Tensor ew_div(const Tensor& a, const Tensor& b, const eval_detail::Dims& od) const {
        Tensor t = make(od, 1);
        eval_detail::broadcast_each(od, a.dims, b.dims, [&](int64_t i, int64_t ia, int64_t ib) {
            if (d_near_zero && std::fabs(b.data[ib]) < d_min_divisor) *d_near_zero = true;
            t.data[i] = a.data[ia] / b.data[ib];
        });
        return t;
    }
    /// Where set, ew_div reports a divisor of magnitude below `min_divisor` there.
    void watch_divisors(float min_divisor, bool* near_zero) {
        d_min_divisor = min_divisor;
        d_near_zero = near_zero;
    }
    Tensor constant(size_t rank, int64_t num, int64_t den) const {
        Tensor t = make(eval_detail::Dims(rank, 1), 1);
        t.data[0] = static_cast<float>(static_cast<double>(num) / static_cast<double>(den));
        return t;
    }
    /// Softmax with the maximum of each line subtracted first, so that exp cannot overflow: the
    /// same value as exp(x) / sum exp(x) (softmax is invariant under a shift along its axis).
    Tensor softmax(const Tensor& x, size_t axis) const {
        Tensor t = x;
        const eval_detail::AxisView v = eval_detail::axis_view(x.dims, axis);
        for (int64_t o = 0; o < v.outer; ++o)
            for (int64_t i = 0; i < v.inner; ++i) {
                float* line = t.data.data() + o * v.axis * v.inner + i;
                float m = line[0];
                for (int64_t k = 1; k < v.axis; ++k) m = std::max(m, line[k * v.inner]);
                float s = 0.f;
                for (int64_t k = 0; k < v.axis; ++k) s += (line[k * v.inner] = std::exp(line[k * v.inner] - m));
                for (int64_t k = 0; k < v.axis; ++k) line[k * v.inner] /= s;
            }
        return t;
    }
    // Floats compute every scalar function, whatever it needs.
    template <class Entry>
    Tensor unary_elementwise(const Tensor& x, uint64_t) const {
        Tensor t = x;
        for (float& v : t.data) v = Entry::template value<float>(v);
        return t;
    }

private:
    float d_min_divisor = 0.f;
    bool* d_near_zero = nullptr;
};

}  // namespace

std::vector<FloatTensor> eval_node_float(const Node& node, const std::vector<const FloatTensor*>& in,
                                         const std::vector<TensorType>& in_types) {
    FloatDomain dom;
    return eval_detail::eval_node_checked(dom, node, in, in_types);
}

std::vector<FloatTensor> evaluate_float(const Graph& g, const std::vector<FloatTensor>& variables) {
    FloatDomain dom;
    return eval_detail::evaluate_graph(dom, g, variables);
}

std::vector<FloatTensor> evaluate_float(const Graph& g, const std::vector<FloatTensor>& variables, float min_divisor,
                                        bool& near_zero_divisor) {
    FloatDomain dom;
    near_zero_divisor = false;
    dom.watch_divisors(min_divisor, &near_zero_divisor);
    return eval_detail::evaluate_graph(dom, g, variables);
}

FloatTensor random_float(const TensorType& t, std::mt19937_64& rng, float lo, float hi) {
    if (!t.is_concrete()) throw EvalError("random_float: type " + t.to_string() + " is not concrete");
    FloatTensor r;
    r.dims = eval_detail::concrete_dims(t);
    r.data.resize(static_cast<size_t>(eval_detail::volume(r.dims)));
    // 24 random bits give every float in [0, 1) on a uniform grid, the same on every standard
    // library (std::uniform_real_distribution is not specified bit for bit).
    for (float& v : r.data) {
        const float u = static_cast<float>(rng() >> 40) * 0x1p-24f;
        v = lo + (hi - lo) * u;
        if (v >= hi) v = lo;  // rounding of lo + (hi-lo)*u can land on hi
    }
    return r;
}

}  // namespace rf
