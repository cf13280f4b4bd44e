#include "applier/cuda/cuda_kernels.cuh"

#include <stdexcept>

namespace rf::applier::cuda {

namespace {

constexpr int kThreads = 256;

int blocks_for(int64_t n) {
    int64_t b = (n + kThreads - 1) / kThreads;
    return static_cast<int>(b < 65535 * 32 ? (b > 0 ? b : 1) : 65535 * 32);
}

__global__ void binary_kernel(const float* a, const float* b, float* out, int64_t n, int op, bool scalar) {
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
        const float y = b[scalar ? 0 : i];
        out[i] = op == 0 ? a[i] + y : op == 1 ? a[i] * y : op == 2 ? a[i] - y : a[i] / y;
    }
}

struct Broadcast8 {
    int rank;
    int64_t out_dims[8];
    int64_t a_strides[8];  ///< 0 where a broadcasts
    int64_t b_strides[8];
};

__global__ void binary_broadcast_kernel(const float* a, const float* b, float* out, int64_t n, int op, Broadcast8 s) {
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
        int64_t rem = i, ia = 0, ib = 0;
        for (int k = s.rank - 1; k >= 0; --k) {
            const int64_t idx = rem % s.out_dims[k];
            rem /= s.out_dims[k];
            ia += idx * s.a_strides[k];
            ib += idx * s.b_strides[k];
        }
        const float x = a[ia], y = b[ib];
        out[i] = op == 0 ? x + y : op == 1 ? x * y : op == 2 ? x - y : x / y;
    }
}

__global__ void axis_op_kernel(const float* x, float* out, int64_t outer, int64_t axis, int64_t inner, int op) {
    const int64_t lines = outer * inner;
    for (int64_t l = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; l < lines; l += int64_t(gridDim.x) * blockDim.x) {
        const int64_t o = l / inner, in_ = l % inner;
        const float* xl = x + o * axis * inner + in_;
        if (op <= 1) {  // sum, mean
            float s = 0.f;
            for (int64_t k = 0; k < axis; ++k) s += xl[k * inner];
            out[o * inner + in_] = op == 1 ? s / float(axis) : s;
            continue;
        }
        float* ol = out + o * axis * inner + in_;
        if (op == 2) {  // softmax
            float m = xl[0];
            for (int64_t k = 1; k < axis; ++k) m = fmaxf(m, xl[k * inner]);
            float s = 0.f;
            for (int64_t k = 0; k < axis; ++k) s += expf(xl[k * inner] - m);
            for (int64_t k = 0; k < axis; ++k) ol[k * inner] = expf(xl[k * inner] - m) / s;
            continue;
        }
        float mean = 0.f;
        if (op == 3) {
            for (int64_t k = 0; k < axis; ++k) mean += xl[k * inner];
            mean /= float(axis);
        }
        float var = 0.f;
        for (int64_t k = 0; k < axis; ++k) {
            const float d = xl[k * inner] - mean;
            var += d * d;
        }
        const float den = sqrtf(var / float(axis) + 1e-5f);
        for (int64_t k = 0; k < axis; ++k) ol[k * inner] = (xl[k * inner] - mean) / den;
    }
}

__global__ void activate_kernel(float* x, int64_t n, int act) {
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
        const float v = x[i];
        if (act == 1)
            x[i] = 1.f / (1.f + expf(-v));
        else if (act == 2)
            x[i] = v < 0.f ? 0.f : v;
        else if (act == 3)
            x[i] = tanhf(v);
    }
}

struct Shape8 {
    int rank;
    int64_t out_dims[8];
    int64_t in_strides[8];  ///< stride in the input of output axis i
};

__global__ void transpose_kernel(const float* x, float* out, int64_t n, Shape8 s) {
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
        int64_t rem = i, off = 0;
        for (int k = s.rank - 1; k >= 0; --k) {
            off += (rem % s.out_dims[k]) * s.in_strides[k];
            rem /= s.out_dims[k];
        }
        out[i] = x[off];
    }
}

__global__ void copy_block_kernel(const float* src, float* dst, int64_t outer, int64_t part, int64_t total,
                                  int64_t offset, int64_t inner, bool into_big) {
    const int64_t n = outer * part * inner;
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
        const int64_t in_ = i % inner, a = (i / inner) % part, o = i / (inner * part);
        const int64_t big = (o * total + offset + a) * inner + in_;
        if (into_big)
            dst[big] = src[i];
        else
            dst[i] = src[big];
    }
}

__global__ void pad2d_kernel(const float* in, float* out, int64_t planes, int64_t H, int64_t W, int64_t OH, int64_t OW,
                             int64_t top, int64_t left) {
    const int64_t n = planes * OH * OW;
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
        const int64_t x = i % OW, y = (i / OW) % OH, p = i / (OW * OH);
        const int64_t iy = y - top, ix = x - left;
        out[i] = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? in[(p * H + iy) * W + ix] : 0.f;
    }
}

__global__ void pool_kernel(const float* x, float* out, int64_t planes, int64_t H, int64_t W, int64_t OH, int64_t OW,
                            int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw, bool is_max) {
    const int64_t n = planes * OH * OW;
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
        const int64_t ox = i % OW, oy = (i / OW) % OH, p = i / (OW * OH);
        const int64_t y0 = oy * sh - ph, x0 = ox * sw - pw;
        const int64_t ylo = y0 > 0 ? y0 : 0, yhi = y0 + kh < H ? y0 + kh : H;
        const int64_t xlo = x0 > 0 ? x0 : 0, xhi = x0 + kw < W ? x0 + kw : W;
        const float* plane = x + p * H * W;
        float acc = 0.f;
        bool any = false;
        for (int64_t y = ylo; y < yhi; ++y)
            for (int64_t xx = xlo; xx < xhi; ++xx) {
                const float v = plane[y * W + xx];
                if (!is_max)
                    acc += v;
                else if (!any || acc < v)
                    acc = v;
                any = true;
            }
        out[i] = is_max ? acc : acc / float(kh * kw);
    }
}

}  // namespace

void binary(const float* a, const float* b, float* out, int64_t n, BinaryOp op, bool scalar) {
    binary_kernel<<<blocks_for(n), kThreads>>>(a, b, out, n, static_cast<int>(op), scalar);
}

void binary_broadcast(const float* a, const float* b, float* out, const std::vector<int64_t>& od,
                      const std::vector<int64_t>& ad, const std::vector<int64_t>& bd, BinaryOp op) {
    if (od.size() > 8) throw std::invalid_argument("binary_broadcast: rank above 8");
    Broadcast8 s{};
    s.rank = static_cast<int>(od.size());
    int64_t n = 1, sa = 1, sb = 1;
    for (int k = s.rank - 1; k >= 0; --k) {
        s.out_dims[k] = od[k];
        s.a_strides[k] = ad[k] == 1 ? 0 : sa;
        s.b_strides[k] = bd[k] == 1 ? 0 : sb;
        sa *= ad[k];
        sb *= bd[k];
        n *= od[k];
    }
    if (n > 0) binary_broadcast_kernel<<<blocks_for(n), kThreads>>>(a, b, out, n, static_cast<int>(op), s);
}

void axis_op(const float* x, float* out, int64_t outer, int64_t axis, int64_t inner, AxisOp op) {
    const int64_t lines = outer * inner;
    if (lines > 0 && axis > 0)
        axis_op_kernel<<<blocks_for(lines), kThreads>>>(x, out, outer, axis, inner, static_cast<int>(op));
}

void activate(float* x, int64_t n, int activation) {
    if (activation == 0) return;
    activate_kernel<<<blocks_for(n), kThreads>>>(x, n, activation);
}

void transpose(const float* x, float* out, const std::vector<int64_t>& dims, const std::vector<int32_t>& perm) {
    if (dims.size() > 8 || perm.size() != dims.size()) throw std::invalid_argument("transpose: rank above 8");
    Shape8 s{};
    s.rank = static_cast<int>(dims.size());
    std::vector<int64_t> stride(dims.size(), 1);
    for (size_t k = dims.size(); k-- > 1;) stride[k - 1] = stride[k] * dims[k];
    int64_t n = 1;
    for (size_t k = 0; k < dims.size(); ++k) {
        s.out_dims[k] = dims[perm[k]];
        s.in_strides[k] = stride[perm[k]];
        n *= dims[k];
    }
    transpose_kernel<<<blocks_for(n), kThreads>>>(x, out, n, s);
}

void copy_block(const float* src, float* dst, int64_t outer, int64_t part, int64_t total, int64_t offset, int64_t inner,
                bool into_big) {
    copy_block_kernel<<<blocks_for(outer * part * inner), kThreads>>>(src, dst, outer, part, total, offset, inner,
                                                                      into_big);
}

void pad2d(const float* in, float* out, int64_t planes, int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t top,
           int64_t left) {
    pad2d_kernel<<<blocks_for(planes * OH * OW), kThreads>>>(in, out, planes, H, W, OH, OW, top, left);
}

void pool(const float* x, float* out, int64_t planes, int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t kh,
          int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw, bool is_max) {
    pool_kernel<<<blocks_for(planes * OH * OW), kThreads>>>(x, out, planes, H, W, OH, OW, kh, kw, sh, sw, ph, pw,
                                                            is_max);
}

}  // namespace rf::applier::cuda
