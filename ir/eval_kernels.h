// The index logic of every operator, written once and templated over the element arithmetic.
//
// Exact evaluation (int64 numerators over one denominator per tensor) and float evaluation run
// the same loops: only the arithmetic object `Ar` differs (overflow-checked int64 or plain
// float). Denominators, alignment and activations are the caller's business (eval_ops.h), so
// each kernel here is pure index arithmetic over contiguous row-major buffers. Kernels never
// allocate in their loops; outputs are zero-filled by the caller where a kernel accumulates into them.
//
// An arithmetic object provides add, mul, is_zero, zero(), one() and the max-pooling reduction
// max_first / max_next / max_end (the real maximum in the ordered domains; an uninterpreted
// symmetric function of the window in the prime field, which has no order); a checked exact one
// records overflow in a sticky flag that the caller checks once after the kernel, so the inner
// loops carry no branch for it, and where a magnitude bound proves that no partial sum can
// overflow the caller passes an unchecked one instead (eval_exact.cpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

namespace rf::eval_detail {

using Dims = std::vector<int64_t>;

inline int64_t volume(const Dims& d) {
    int64_t v = 1;
    for (int64_t x : d) v *= x;
    return v;
}

/// The max-pooling reduction of an ordered element type (exact and float arithmetic).
template <class T>
struct OrderedMax {
    static T max_first(T v) { return v; }
    static T max_next(T acc, T v) { return acc < v ? v : acc; }
    static T max_end(T acc) { return acc; }
};

/// Padding before the first element of a sliding window: SAME splits the total as TASO and
/// cuDNN do (the smaller half before); VALID pads nothing.
inline int64_t pad_before(bool same, int64_t in, int64_t out, int64_t k, int64_t stride) {
    if (!same) return 0;
    return std::max<int64_t>((out - 1) * stride + k - in, 0) / 2;
}

inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
inline int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

/// Geometry of a 2-D sliding window over NCHW data.
struct Window {
    int64_t kh, kw, sh, sw, ph, pw;
};

/// out[n,o,y,x] += sum_{c,ky,kx} x[n, g*CG + c, y*sh - ph + ky, x*sw - pw + kx] * w[o,c,ky,kx],
/// where g = o / (O / groups) and groups = C / CG (implied by the weight's shape).
template <class Ar, class T>
void conv2d(Ar& ar, const T* x, const Dims& xd, const T* w, const Dims& wd, T* out, const Dims& od, const Window& win) {
    const int64_t N = xd[0], C = xd[1], H = xd[2], W = xd[3];
    const int64_t O = wd[0], CG = wd[1], KH = wd[2], KW = wd[3];
    const int64_t OH = od[2], OW = od[3];
    const int64_t per_group = O / (C / CG);
    // Locals, not win.*: the output stores could alias them, which forbids hoisting.
    const int64_t sh = win.sh, sw = win.sw, ph = win.ph, pw = win.pw;
    // The output rows/columns a kernel tap reaches without leaving the input depend on the tap
    // alone: computed once here rather than (with divisions) for every channel pair.
    std::vector<int64_t> ranges(static_cast<size_t>(2 * (KH + KW)));
    int64_t *y_lo = ranges.data(), *y_hi = y_lo + KH, *x_lo = y_hi + KH, *x_hi = x_lo + KW;
    for (int64_t ky = 0; ky < KH; ++ky) {
        const int64_t off = ky - ph;
        y_lo[ky] = std::max<int64_t>(0, ceil_div(-off, sh));
        y_hi[ky] = std::min<int64_t>(OH, floor_div(H - 1 - off, sh) + 1);
    }
    for (int64_t kx = 0; kx < KW; ++kx) {
        const int64_t off = kx - pw;
        x_lo[kx] = std::max<int64_t>(0, ceil_div(-off, sw));
        x_hi[kx] = std::min<int64_t>(OW, floor_div(W - 1 - off, sw) + 1);
    }
    for (int64_t n = 0; n < N; ++n) {
        for (int64_t o = 0; o < O; ++o) {
            T* oplane = out + (n * O + o) * OH * OW;
            const int64_t c0 = (o / per_group) * CG;
            for (int64_t c = 0; c < CG; ++c) {
                const T* xplane = x + (n * C + c0 + c) * H * W;
                const T* wk = w + (o * CG + c) * KH * KW;
                for (int64_t ky = 0; ky < KH; ++ky) {
                    for (int64_t kx = 0; kx < KW; ++kx) {
                        const T wv = wk[ky * KW + kx];
                        // Enlarged and identity kernels are mostly zeros.
                        if (Ar::is_zero(wv)) continue;
                        const int64_t lo = x_lo[kx], hi = x_hi[kx], xoff = kx - pw;
                        for (int64_t oy = y_lo[ky], oy_end = y_hi[ky]; oy < oy_end; ++oy) {
                            T* orow = oplane + oy * OW;
                            const T* xrow = xplane + (oy * sh + ky - ph) * W;
                            for (int64_t ox = lo; ox < hi; ++ox)
                                orow[ox] = ar.add(orow[ox], ar.mul(wv, xrow[ox * sw + xoff]));
                        }
                    }
                }
            }
        }
    }
}

/// out[b] += a[b] (M x K) * bm[b] (K x N) for each of `batch` matrices.
template <class Ar, class T>
void matmul(Ar& ar, const T* a, const T* bm, T* out, int64_t batch, int64_t M, int64_t K, int64_t N) {
    for (int64_t b = 0; b < batch; ++b) {
        for (int64_t i = 0; i < M; ++i) {
            T* orow = out + (b * M + i) * N;
            const T* arow = a + (b * M + i) * K;
            for (int64_t k = 0; k < K; ++k) {
                const T av = arow[k];
                if (Ar::is_zero(av)) continue;
                const T* brow = bm + (b * K + k) * N;
                for (int64_t j = 0; j < N; ++j) orow[j] = ar.add(orow[j], ar.mul(av, brow[j]));
            }
        }
    }
}

/// How a matmul's operands and result are spread over devices (see matmul_distribution in
/// shape_rules.cpp): batch, row, contracted and column parts, and the extra replicas e.
struct MatmulParts {
    int64_t row_parts, contracted_parts, col_parts, extra;
};

/// A matmul of distributed operands, each holding its replicas first: result replica c*e + ei,
/// at (b, i, j), sums over the contracted part c the products of left replica (column part of
/// j)*e + ei and right replica (row part of i)*e + ei.
template <class Ar, class T>
void parallel_matmul(Ar& ar, const T* a, const T* bm, T* out, int64_t batch, int64_t M, int64_t K, int64_t N,
                     const MatmulParts& parts) {
    const int64_t mb = M / parts.row_parts, kb = K / parts.contracted_parts, nb = N / parts.col_parts, e = parts.extra;
    const int64_t a_size = batch * M * K, b_size = batch * K * N, o_size = batch * M * N;
    for (int64_t c = 0; c < parts.contracted_parts; ++c)
        for (int64_t ei = 0; ei < e; ++ei) {
            T* o = out + (c * e + ei) * o_size;
            for (int64_t b = 0; b < batch; ++b)
                for (int64_t i = 0; i < M; ++i) {
                    const int64_t row_part = i / mb;
                    const T* arow_base = a + (b * M + i) * K;
                    const T* bbase = bm + (row_part * e + ei) * b_size + b * K * N;
                    for (int64_t j = 0; j < N; ++j) {
                        const T* arow = arow_base + ((j / nb) * e + ei) * a_size;
                        T acc = o[(b * M + i) * N + j];
                        for (int64_t k = c * kb; k < (c + 1) * kb; ++k)
                            acc = ar.add(acc, ar.mul(arow[k], bbase[k * N + j]));
                        o[(b * M + i) * N + j] = acc;
                    }
                }
        }
}

/// Window sums with padding counted as zeros (average pooling divides by the full area after).
/// Window maxima over the in-bounds elements only (padding is ignored, as cuDNN does).
template <class Ar, class T>
void pool(Ar& ar, bool is_max, const T* x, const Dims& xd, T* out, const Dims& od, const Window& win) {
    const int64_t planes = xd[0] * xd[1], H = xd[2], W = xd[3], OH = od[2], OW = od[3];
    const int64_t kh = win.kh, kw = win.kw, sh = win.sh, sw = win.sw, ph = win.ph, pw = win.pw;
    for (int64_t p = 0; p < planes; ++p) {
        const T* xp = x + p * H * W;
        T* op = out + p * OH * OW;
        for (int64_t oy = 0; oy < OH; ++oy) {
            const int64_t y0 = oy * sh - ph;
            const int64_t ylo = std::max<int64_t>(y0, 0), yhi = std::min<int64_t>(y0 + kh, H);
            for (int64_t ox = 0; ox < OW; ++ox) {
                const int64_t x0 = ox * sw - pw;
                const int64_t xlo = std::max<int64_t>(x0, 0), xhi = std::min<int64_t>(x0 + kw, W);
                T acc = Ar::zero();
                bool any = false;
                for (int64_t y = ylo; y < yhi; ++y) {
                    const T* row = xp + y * W;
                    for (int64_t xx = xlo; xx < xhi; ++xx) {
                        if (!is_max)
                            acc = ar.add(acc, row[xx]);
                        else
                            acc = any ? ar.max_next(acc, row[xx]) : ar.max_first(row[xx]);
                        any = true;
                    }
                }
                op[oy * OW + ox] = is_max && any ? ar.max_end(acc) : acc;
            }
        }
    }
}

/// out = x with axes permuted: out.dims[i] = x.dims[perm[i]]. Walks the output in order with an
/// odometer over the input strides; the last output axis is the inner loop.
template <class T>
void transpose(const T* x, const Dims& xd, const std::vector<int32_t>& perm, T* out) {
    const size_t r = xd.size();
    if (r == 0) {
        out[0] = x[0];
        return;
    }
    std::array<int64_t, 8> in_stride{}, step{}, extent{}, idx{};
    int64_t s = 1;
    for (size_t i = r; i-- > 0;) {
        in_stride[i] = s;
        s *= xd[i];
    }
    for (size_t i = 0; i < r; ++i) {
        step[i] = in_stride[perm[i]];
        extent[i] = xd[perm[i]];
    }
    const int64_t total = volume(xd), inner = extent[r - 1], inner_step = step[r - 1];
    int64_t src = 0;
    for (int64_t done = 0; done < total; done += inner) {
        for (int64_t j = 0; j < inner; ++j) out[done + j] = x[src + j * inner_step];
        // Advance the odometer over the outer axes.
        for (size_t i = r - 1; i-- > 0;) {
            src += step[i];
            if (++idx[i] < extent[i]) break;
            src -= step[i] * extent[i];
            idx[i] = 0;
        }
    }
}

/// The tensor seen as [outer, axis, inner] around one axis.
struct AxisView {
    int64_t outer = 1, axis = 1, inner = 1;
};

inline AxisView axis_view(const Dims& d, size_t axis) {
    AxisView v;
    for (size_t i = 0; i < axis; ++i) v.outer *= d[i];
    v.axis = d[axis];
    for (size_t i = axis + 1; i < d.size(); ++i) v.inner *= d[i];
    return v;
}

/// Calls f(i, ia, ib) for every flat index i of a result of dims `od`, with the flat indices ia
/// and ib of the operands (dims ad, bd, of the result's rank) that element reads: an operand's
/// axis of length 1 broadcasts (numpy and ONNX). Operands of the result's dims take the plain
/// loop, so unbroadcast element-wise operators cost what they did before broadcasting.
template <class F>
void broadcast_each(const Dims& od, const Dims& ad, const Dims& bd, F&& f) {
    const int64_t n = volume(od);
    if (ad == od && bd == od) {
        for (int64_t i = 0; i < n; ++i) f(i, i, i);
        return;
    }
    const size_t r = od.size();
    std::vector<int64_t> sa(r, 0), sb(r, 0), idx(r, 0);
    int64_t stride_a = 1, stride_b = 1;
    for (size_t k = r; k-- > 0;) {
        sa[k] = ad[k] == 1 ? 0 : stride_a;
        sb[k] = bd[k] == 1 ? 0 : stride_b;
        stride_a *= ad[k];
        stride_b *= bd[k];
    }
    int64_t ia = 0, ib = 0;
    for (int64_t i = 0; i < n; ++i) {
        f(i, ia, ib);
        for (size_t k = r; k-- > 0;) {  // odometer over the result's axes
            ia += sa[k];
            ib += sb[k];
            if (++idx[k] < od[k]) break;
            ia -= sa[k] * od[k];
            ib -= sb[k] * od[k];
            idx[k] = 0;
        }
    }
}

/// Concatenation along an axis: for each outer index, the operands' blocks one after another.
template <class T>
void concat(const std::vector<const T*>& parts, const std::vector<int64_t>& part_axis, int64_t outer, int64_t inner,
            T* out) {
    for (int64_t o = 0; o < outer; ++o) {
        for (size_t k = 0; k < parts.size(); ++k) {
            const int64_t block = part_axis[k] * inner;
            std::copy_n(parts[k] + o * block, block, out);
            out += block;
        }
    }
}

/// out[o, 0, i] = sum over k of x[o, k, i], for x seen as [outer, axis, inner] (out is zero-filled).
template <class Ar, class T>
void reduce_sum(Ar& ar, const T* x, const AxisView& v, T* out) {
    for (int64_t o = 0; o < v.outer; ++o)
        for (int64_t k = 0; k < v.axis; ++k) {
            const T* row = x + (o * v.axis + k) * v.inner;
            T* orow = out + o * v.inner;
            for (int64_t i = 0; i < v.inner; ++i) orow[i] = ar.add(orow[i], row[i]);
        }
}

/// The slice [begin, begin + len) of the middle axis of an [outer, axis, inner] tensor.
template <class T>
void slice(const T* x, const AxisView& v, int64_t begin, int64_t len, T* out) {
    for (int64_t o = 0; o < v.outer; ++o)
        std::copy_n(x + (o * v.axis + begin) * v.inner, len * v.inner, out + o * len * v.inner);
}

/// Places kernel w [O,C,kh,kw] at the centre of a zero-filled [O,C,KH,KW].
template <class T>
void enlarge(const T* w, const Dims& wd, T* out, const Dims& od) {
    const int64_t planes = wd[0] * wd[1], kh = wd[2], kw = wd[3], KH = od[2], KW = od[3];
    const int64_t dy = (KH - kh) / 2, dx = (KW - kw) / 2;
    for (int64_t p = 0; p < planes; ++p)
        for (int64_t y = 0; y < kh; ++y) std::copy_n(w + (p * kh + y) * kw, kw, out + (p * KH + y + dy) * KW + dx);
}

/// The identity convolution kernel [C, C or 1, kh, kw]: 1 at the spatial centre of the planes
/// that connect a channel to itself (every plane of a depthwise [C,1,kh,kw]), 0 elsewhere.
template <class T>
void identity_conv_kernel(const Dims& d, T one, T* out) {
    const int64_t O = d[0], C = d[1], KH = d[2], KW = d[3];
    for (int64_t o = 0; o < O; ++o)
        for (int64_t c = 0; c < C; ++c)
            if (C == 1 || c == o) out[((o * C + c) * KH + KH / 2) * KW + KW / 2] = one;
}

}  // namespace rf::eval_detail
