// Own CUDA kernels for the operators that need neither cuBLAS nor cuDNN: element-wise
// arithmetic and activations, transpose, the block copies behind concat and split, zero
// padding (explicit SAME padding for cuDNN, and enlarge), and pooling written to match the
// reference evaluator exactly (cuDNN's pooling cannot express asymmetric SAME padding). All
// launch on the default stream; the caller synchronises.
#pragma once

#include <cstdint>
#include <vector>

namespace rf::applier::cuda {

enum class BinaryOp { Add, Mul, Sub, Div };

/// out[i] = a[i] op b[scalar ? 0 : i].
void binary(const float* a, const float* b, float* out, int64_t n, BinaryOp op, bool scalar);
/// out = a op b with numpy broadcasting of length-1 axes between operands of the result's rank
/// (at most 8): out has dims `od`, a has `ad`, b has `bd`.
void binary_broadcast(const float* a, const float* b, float* out, const std::vector<int64_t>& od,
                      const std::vector<int64_t>& ad, const std::vector<int64_t>& bd, BinaryOp op);

/// What axis_op computes along the middle axis of an [outer, axis, inner] tensor.
enum class AxisOp { Sum, Mean, Softmax, LayerNorm, RmsNorm };
/// Sum and Mean write [outer, 1, inner]; Softmax (max subtracted first), LayerNorm and RmsNorm
/// (eps 1e-5, no affine part) write [outer, axis, inner]. One thread per (outer, inner) line.
void axis_op(const float* x, float* out, int64_t outer, int64_t axis, int64_t inner, AxisOp op);
/// In place: 0 none, 1 sigmoid, 2 relu, 3 tanh (rf::Activation's numbering).
void activate(float* x, int64_t n, int activation);
/// out = x with axes permuted (out.dims[i] = dims[perm[i]]), rank at most 8.
void transpose(const float* x, float* out, const std::vector<int64_t>& dims, const std::vector<int32_t>& perm);
/// Copies a [outer, part, inner] block between a tensor [outer, total, inner] (at `offset` on
/// the middle axis) and a compact one: into the big tensor when `into_big` (concat), out of it
/// otherwise (split).
void copy_block(const float* src, float* dst, int64_t outer, int64_t part, int64_t total, int64_t offset, int64_t inner,
                bool into_big);
/// out[p, y, x] = in[p, y - top, x - left] inside, 0 outside; out is [planes, OH, OW].
void pad2d(const float* in, float* out, int64_t planes, int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t top,
           int64_t left);
/// Average (padding counted as zeros, divided by kh*kw) or max (padding ignored) pooling.
void pool(const float* x, float* out, int64_t planes, int64_t H, int64_t W, int64_t OH, int64_t OW, int64_t kh,
          int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw, bool is_max);

/// out[i] = Entry::value(x[i]): the one kernel of the same-shape unary family, whose scalar
/// functions ir/elementwise_ops.h gives as host-and-device templates.
template <class Entry>
__global__ void unary_elementwise_kernel(const float* x, float* out, int64_t n) {
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) out[i] = Entry::template value<float>(x[i]);
}
template <class Entry>
void unary_elementwise(const float* x, float* out, int64_t n) {
    constexpr int kThreads = 256;
    if (n > 0) unary_elementwise_kernel<Entry><<<int((n + kThreads - 1) / kThreads), kThreads>>>(x, out, n);
}

}  // namespace rf::applier::cuda
