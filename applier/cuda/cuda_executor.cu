// The CUDA executor: convolution through cuDNN, matmul through cuBLAS, and own kernels
// (cuda_kernels.cuh) for every other operator, each written to compute what the reference
// evaluator computes (ir/eval.h's conventions: NCHW, SAME padding with the smaller half before,
// average pooling over the full window, max pooling ignoring padding). Tensor cores are kept
// off (FMA math in cuDNN, default math in cuBLAS): TF32 would round operands to 10 bits and
// no float32 tolerance could then tell a wrong rule from rounding.
//
// prepare() uploads the variables, computes constants on the host, allocates every live
// value and plans each convolution (descriptors, algorithm, workspace) once; execute() only
// launches and synchronises, so timing sees the operators alone.
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "applier/cuda/cuda_kernels.cuh"
#include "applier/executor.h"
#include "ir/elementwise_ops.h"
#include "ir/eval_kernels.h"

namespace rf::applier {

namespace {

using eval_detail::Dims;

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(e));
}
void check(cublasStatus_t s, const char* what) {
    if (s != CUBLAS_STATUS_SUCCESS)
        throw std::runtime_error(std::string("cuBLAS: ") + what + ": status " + std::to_string(s));
}
void check(cudnnStatus_t s, const char* what) {
    if (s != CUDNN_STATUS_SUCCESS)
        throw std::runtime_error(std::string("cuDNN: ") + what + ": " + cudnnGetErrorString(s));
}

Dims dims_of(const TensorType& t) {
    Dims d;
    for (const Dim& x : t.dims) d.push_back(x.value());
    return d;
}

/// A device buffer of floats.
struct DeviceBuffer {
    float* ptr = nullptr;
    size_t n = 0;
    DeviceBuffer() = default;
    explicit DeviceBuffer(size_t count) : n(count) {
        if (n) check(cudaMalloc(&ptr, n * sizeof(float)), "cudaMalloc");
    }
    DeviceBuffer(DeviceBuffer&& o) noexcept : ptr(o.ptr), n(o.n) { o.ptr = nullptr; }
    DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
        std::swap(ptr, o.ptr);
        std::swap(n, o.n);
        return *this;
    }
    ~DeviceBuffer() {
        if (ptr) cudaFree(ptr);
    }
};

struct Handles {
    cublasHandle_t blas = nullptr;
    cudnnHandle_t dnn = nullptr;
    Handles() {
        check(cublasCreate(&blas), "cublasCreate");
        check(cublasSetMathMode(blas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        check(cudnnCreate(&dnn), "cudnnCreate");
    }
    ~Handles() {
        if (dnn) cudnnDestroy(dnn);
        if (blas) cublasDestroy(blas);
    }
};

/// One convolution's cuDNN plan. Asymmetric SAME padding (cuDNN pads symmetrically) is made
/// explicit: the input is first copied into a zero-padded buffer and convolved unpadded.
struct ConvPlan {
    cudnnTensorDescriptor_t x = nullptr, y = nullptr;
    cudnnFilterDescriptor_t w = nullptr;
    cudnnConvolutionDescriptor_t conv = nullptr;
    cudnnConvolutionFwdAlgo_t algo{};
    size_t workspace = 0;
    bool explicit_pad = false;
    int64_t ph = 0, pw = 0, padded_h = 0, padded_w = 0;
    DeviceBuffer padded;
    ~ConvPlan() {
        if (x) cudnnDestroyTensorDescriptor(x);
        if (y) cudnnDestroyTensorDescriptor(y);
        if (w) cudnnDestroyFilterDescriptor(w);
        if (conv) cudnnDestroyConvolutionDescriptor(conv);
    }
};

class CudaRun final : public PreparedRun {
public:
    CudaRun(Handles& h, const Graph& g, const std::vector<FloatTensor>& vars) : d_h(h), d_g(g) {
        const auto& nodes = g.nodes();
        d_live.assign(nodes.size(), 0);
        for (const ValueRef& v : g.outputs()) d_live[v.node] = 1;
        for (size_t i = nodes.size(); i-- > 0;)
            if (d_live[i])
                for (const ValueRef& v : nodes[i].inputs) d_live[v.node] = 1;
        d_values.resize(nodes.size());
        d_plans.resize(nodes.size());
        size_t workspace = 0;
        for (size_t i = 0; i < nodes.size(); ++i) {
            if (!d_live[i]) continue;
            const Node& n = nodes[i];
            for (const TensorType& t : n.outputs) {
                if (!t.is_concrete())
                    throw EvalError(std::string(op_name(n.op)) + " (node " + std::to_string(i) + "): type " +
                                    t.to_string() + " is not concrete");
                // Simulated devices are the CPU evaluator's job; the GPU runs whole tensors.
                if (t.is_distributed())
                    throw EvalError(std::string(op_name(n.op)) + " (node " + std::to_string(i) + "): type " +
                                    t.to_string() + " is distributed; the CUDA executor runs undistributed graphs");
                d_values[i].emplace_back(static_cast<size_t>(t.volume()));
            }
            if (n.op == OpKind::Input) {
                const int32_t var = param::variable(n.params);
                const Variable& decl = g.variables()[var];
                if (static_cast<size_t>(var) >= vars.size() || vars[var].dims != dims_of(decl.type))
                    throw EvalError("variable " + decl.name + ": no value of type " + decl.type.to_string());
                upload(d_values[i][0], vars[var].data);
            } else if (is_constant_op(n.op)) {
                upload(d_values[i][0], eval_node_float(n, {}, {})[0].data);
            } else if (n.op == OpKind::Conv2d) {
                d_plans[i] = plan_conv(n, g.type(n.inputs[0]), g.type(n.inputs[1]));
                workspace = std::max(workspace, d_plans[i]->workspace);
            }
        }
        d_workspace = DeviceBuffer((workspace + sizeof(float) - 1) / sizeof(float));
    }

    void execute() override {
        const auto& nodes = d_g.nodes();
        for (size_t i = 0; i < nodes.size(); ++i)
            if (d_live[i] && nodes[i].op != OpKind::Input && !is_constant_op(nodes[i].op)) run_node(i);
        check(cudaGetLastError(), "kernel launch");
        check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    std::vector<FloatTensor> outputs() override {
        std::vector<FloatTensor> out;
        for (const ValueRef& v : d_g.outputs()) {
            FloatTensor t;
            t.dims = dims_of(d_g.type(v));
            t.data.resize(d_values[v.node][v.output].n);
            check(cudaMemcpy(t.data.data(), d_values[v.node][v.output].ptr, t.data.size() * sizeof(float),
                             cudaMemcpyDeviceToHost),
                  "download");
            out.push_back(std::move(t));
        }
        return out;
    }

private:
    static void upload(DeviceBuffer& b, const std::vector<float>& host) {
        check(cudaMemcpy(b.ptr, host.data(), host.size() * sizeof(float), cudaMemcpyHostToDevice), "upload");
    }

    std::unique_ptr<ConvPlan> plan_conv(const Node& n, const TensorType& xt, const TensorType& wt) {
        auto p = std::make_unique<ConvPlan>();
        const Dims xd = dims_of(xt), wd = dims_of(wt), od = dims_of(n.outputs[0]);
        auto [sh, sw] = param::stride(n.params, n.op);
        const bool same = param::padding(n.params, n.op) == Padding::Same;
        const int64_t th = same ? std::max<int64_t>((od[2] - 1) * sh + wd[2] - xd[2], 0) : 0;
        const int64_t tw = same ? std::max<int64_t>((od[3] - 1) * sw + wd[3] - xd[3], 0) : 0;
        p->ph = th / 2;
        p->pw = tw / 2;
        p->explicit_pad = (th % 2) != 0 || (tw % 2) != 0;
        int64_t H = xd[2], W = xd[3], cph = p->ph, cpw = p->pw;
        if (p->explicit_pad) {
            p->padded_h = H + th;
            p->padded_w = W + tw;
            p->padded = DeviceBuffer(static_cast<size_t>(xd[0] * xd[1] * p->padded_h * p->padded_w));
            H = p->padded_h;
            W = p->padded_w;
            cph = cpw = 0;
        }
        check(cudnnCreateTensorDescriptor(&p->x), "x descriptor");
        check(cudnnSetTensor4dDescriptor(p->x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, int(xd[0]), int(xd[1]), int(H),
                                         int(W)),
              "x descriptor");
        check(cudnnCreateFilterDescriptor(&p->w), "w descriptor");
        check(cudnnSetFilter4dDescriptor(p->w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, int(wd[0]), int(wd[1]), int(wd[2]),
                                         int(wd[3])),
              "w descriptor");
        check(cudnnCreateConvolutionDescriptor(&p->conv), "conv descriptor");
        check(cudnnSetConvolution2dDescriptor(p->conv, int(cph), int(cpw), int(sh), int(sw), 1, 1,
                                              CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
              "conv descriptor");
        check(cudnnSetConvolutionGroupCount(p->conv, int(xd[1] / wd[1])), "group count");
        check(cudnnSetConvolutionMathType(p->conv, CUDNN_FMA_MATH), "math type");
        int n_out, c_out, h_out, w_out;
        check(cudnnGetConvolution2dForwardOutputDim(p->conv, p->x, p->w, &n_out, &c_out, &h_out, &w_out),
              "output dims");
        if (n_out != od[0] || c_out != od[1] || h_out != od[2] || w_out != od[3])
            throw std::runtime_error("cuDNN: conv2d output " + std::to_string(h_out) + "x" + std::to_string(w_out) +
                                     " differs from the IR's " + std::to_string(od[2]) + "x" + std::to_string(od[3]));
        check(cudnnCreateTensorDescriptor(&p->y), "y descriptor");
        check(cudnnSetTensor4dDescriptor(p->y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, int(od[0]), int(od[1]), int(od[2]),
                                         int(od[3])),
              "y descriptor");
        cudnnConvolutionFwdAlgoPerf_t perf[8];
        int found = 0;
        check(cudnnGetConvolutionForwardAlgorithm_v7(d_h.dnn, p->x, p->w, p->conv, p->y, 8, &found, perf), "algorithm");
        bool chosen = false;
        for (int k = 0; k < found && !chosen; ++k)
            if (perf[k].status == CUDNN_STATUS_SUCCESS && perf[k].mathType == CUDNN_FMA_MATH) {
                p->algo = perf[k].algo;
                chosen = true;
            }
        if (!chosen) p->algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
        check(cudnnGetConvolutionForwardWorkspaceSize(d_h.dnn, p->x, p->w, p->conv, p->y, p->algo, &p->workspace),
              "workspace size");
        return p;
    }

    const float* in(const Node& n, size_t k) const { return d_values[n.inputs[k].node][n.inputs[k].output].ptr; }

    // Matmul through cuBLAS; broadcast batch dimensions take one product per batch index.
    void run_matmul(const Node& n, float* out, int64_t count) {
        const Dims ad = dims_of(d_g.type(n.inputs[0])), bd = dims_of(d_g.type(n.inputs[1])), od = dims_of(n.outputs[0]);
        const size_t r = ad.size();
        const int M = int(ad[r - 2]), K = int(ad[r - 1]), N = int(bd[r - 1]);
        const Dims ob(od.begin(), od.end() - 2), ab(ad.begin(), ad.end() - 2), bb(bd.begin(), bd.end() - 2);
        const float one = 1.f, zero = 0.f;
        // Row-major C = A B is column-major C^T = B^T A^T.
        if (ab == ob && bb == ob) {
            check(cublasSgemmStridedBatched(d_h.blas, CUBLAS_OP_N, CUBLAS_OP_N, N, M, K, &one, in(n, 1), N,
                                            int64_t(K) * N, in(n, 0), K, int64_t(M) * K, &zero, out, N, int64_t(M) * N,
                                            int(eval_detail::volume(ob))),
                  "cublasSgemmStridedBatched");
        } else {
            eval_detail::broadcast_each(ob, ab, bb, [&](int64_t b, int64_t ia, int64_t ib) {
                check(cublasSgemm(d_h.blas, CUBLAS_OP_N, CUBLAS_OP_N, N, M, K, &one, in(n, 1) + ib * K * N, N,
                                  in(n, 0) + ia * M * K, K, &zero, out + b * M * N, N),
                      "cublasSgemm");
            });
        }
        cuda::activate(out, count, static_cast<int>(param::activation(n.params, n.op)));
    }

    // The binary element-wise operators; broadcast operands take the indexing kernel.
    void run_elementwise(const Node& n, float* out, int64_t count) {
        const cuda::BinaryOp op = n.op == OpKind::EwAdd   ? cuda::BinaryOp::Add
                                  : n.op == OpKind::EwSub ? cuda::BinaryOp::Sub
                                  : n.op == OpKind::EwMul ? cuda::BinaryOp::Mul
                                                          : cuda::BinaryOp::Div;
        const Dims ad = dims_of(d_g.type(n.inputs[0])), bd = dims_of(d_g.type(n.inputs[1])), od = dims_of(n.outputs[0]);
        if (ad == od && bd == od)
            cuda::binary(in(n, 0), in(n, 1), out, count, op, false);
        else
            cuda::binary_broadcast(in(n, 0), in(n, 1), out, od, ad, bd, op);
    }

    // Reductions, softmax and the norms along one axis: one thread per line.
    void run_axis_op(const Node& n, float* out) {
        const Dims xd = dims_of(d_g.type(n.inputs[0]));
        const eval_detail::AxisView v = eval_detail::axis_view(xd, static_cast<size_t>(param::axis(n.params)));
        const cuda::AxisOp op = n.op == OpKind::ReduceSum    ? cuda::AxisOp::Sum
                                : n.op == OpKind::ReduceMean ? cuda::AxisOp::Mean
                                : n.op == OpKind::Softmax    ? cuda::AxisOp::Softmax
                                : n.op == OpKind::LayerNorm  ? cuda::AxisOp::LayerNorm
                                                             : cuda::AxisOp::RmsNorm;
        cuda::axis_op(in(n, 0), out, v.outer, v.axis, v.inner, op);
    }

    void run_node(size_t i) {
        const Node& n = d_g.node(static_cast<uint32_t>(i));
        float* out = d_values[i][0].ptr;
        const int64_t count = static_cast<int64_t>(d_values[i][0].n);
        switch (n.op) {
            case OpKind::Input:
            case OpKind::ConstImm:
            case OpKind::ConstIconv:
            case OpKind::ConstOne:
            case OpKind::ConstPool: return;  // uploaded in prepare()
            case OpKind::Conv2d: {
                ConvPlan& p = *d_plans[i];
                const float* x = in(n, 0);
                const Dims xd = dims_of(d_g.type(n.inputs[0]));
                if (p.explicit_pad) {
                    cuda::pad2d(x, p.padded.ptr, xd[0] * xd[1], xd[2], xd[3], p.padded_h, p.padded_w, p.ph, p.pw);
                    x = p.padded.ptr;
                }
                const float one = 1.f, zero = 0.f;
                check(cudnnConvolutionForward(d_h.dnn, &one, p.x, x, p.w, in(n, 1), p.conv, p.algo, d_workspace.ptr,
                                              p.workspace, &zero, p.y, out),
                      "cudnnConvolutionForward");
                cuda::activate(out, count, static_cast<int>(param::activation(n.params, n.op)));
                return;
            }
            case OpKind::Matmul: return run_matmul(n, out, count);
            case OpKind::EwAdd:
            case OpKind::EwSub:
            case OpKind::EwMul:
            case OpKind::EwDiv: return run_elementwise(n, out, count);
            case OpKind::Smul: cuda::binary(in(n, 0), in(n, 1), out, count, cuda::BinaryOp::Mul, true); return;
            case OpKind::ReduceSum:
            case OpKind::ReduceMean:
            case OpKind::Softmax:
            case OpKind::LayerNorm:
            case OpKind::RmsNorm: return run_axis_op(n, out);
            case OpKind::Relu:
            case OpKind::Sigmoid:
            case OpKind::Tanh: {
                const Activation a = n.op == OpKind::Relu      ? Activation::Relu
                                     : n.op == OpKind::Sigmoid ? Activation::Sigmoid
                                                               : Activation::Tanh;
                check(cudaMemcpyAsync(out, in(n, 0), count * sizeof(float), cudaMemcpyDeviceToDevice), "copy");
                cuda::activate(out, count, static_cast<int>(a));
                return;
            }
#define RF_CUDA_UNARY_ELEMENTWISE(kind, ...) \
    case OpKind::kind: cuda::unary_elementwise<UnaryElementwise<OpKind::kind>>(in(n, 0), out, count); return;
                RF_UNARY_ELEMENTWISE_OPS(RF_CUDA_UNARY_ELEMENTWISE)
#undef RF_CUDA_UNARY_ELEMENTWISE
            case OpKind::Reshape:
                check(cudaMemcpyAsync(out, in(n, 0), count * sizeof(float), cudaMemcpyDeviceToDevice), "copy");
                return;
            case OpKind::Repartition:
            case OpKind::Combine:
            case OpKind::Replicate:
            case OpKind::Reduction:
                throw EvalError(std::string(op_name(n.op)) +
                                ": a parallel operator; the CUDA executor runs undistributed graphs");
            case OpKind::Transpose: {
                const Dims xd = dims_of(d_g.type(n.inputs[0]));
                cuda::transpose(in(n, 0), out, xd, param::list(n.params));
                return;
            }
            case OpKind::Concat: {
                const Dims od = dims_of(n.outputs[0]);
                const size_t axis = static_cast<size_t>(param::axis(n.params));
                int64_t outer = 1, inner = 1;
                for (size_t k = 0; k < axis; ++k) outer *= od[k];
                for (size_t k = axis + 1; k < od.size(); ++k) inner *= od[k];
                int64_t offset = 0;
                for (size_t k = 0; k < n.inputs.size(); ++k) {
                    const int64_t part = d_g.type(n.inputs[k]).dims[axis].value();
                    cuda::copy_block(in(n, k), out, outer, part, od[axis], offset, inner, true);
                    offset += part;
                }
                return;
            }
            case OpKind::Split: {
                const Dims xd = dims_of(d_g.type(n.inputs[0]));
                const size_t axis = static_cast<size_t>(param::axis(n.params));
                int64_t outer = 1, inner = 1;
                for (size_t k = 0; k < axis; ++k) outer *= xd[k];
                for (size_t k = axis + 1; k < xd.size(); ++k) inner *= xd[k];
                const int64_t left = n.outputs[0].dims[axis].value();
                cuda::copy_block(in(n, 0), d_values[i][0].ptr, outer, left, xd[axis], 0, inner, false);
                cuda::copy_block(in(n, 0), d_values[i][1].ptr, outer, xd[axis] - left, xd[axis], left, inner, false);
                return;
            }
            case OpKind::PoolAvg:
            case OpKind::PoolMax: {
                const Dims xd = dims_of(d_g.type(n.inputs[0])), od = dims_of(n.outputs[0]);
                auto [kh, kw] = param::kernel(n.params);
                auto [sh, sw] = param::stride(n.params, n.op);
                const bool same = param::padding(n.params, n.op) == Padding::Same;
                const int64_t ph = eval_detail::pad_before(same, xd[2], od[2], kh, sh);
                const int64_t pw = eval_detail::pad_before(same, xd[3], od[3], kw, sw);
                cuda::pool(in(n, 0), out, xd[0] * xd[1], xd[2], xd[3], od[2], od[3], kh, kw, sh, sw, ph, pw,
                           n.op == OpKind::PoolMax);
                cuda::activate(out, count, static_cast<int>(param::activation(n.params, n.op)));
                return;
            }
            case OpKind::Enlarge: {
                const Dims xd = dims_of(d_g.type(n.inputs[0])), od = dims_of(n.outputs[0]);
                check(cudaMemsetAsync(out, 0, count * sizeof(float)), "memset");
                cuda::pad2d(in(n, 0), out, xd[0] * xd[1], xd[2], xd[3], od[2], od[3], (od[2] - xd[2]) / 2,
                            (od[3] - xd[3]) / 2);
                return;
            }
        }
    }

    Handles& d_h;
    const Graph& d_g;
    std::vector<char> d_live;
    std::vector<std::vector<DeviceBuffer>> d_values;
    std::vector<std::unique_ptr<ConvPlan>> d_plans;
    DeviceBuffer d_workspace;
};

class CudaExecutor final : public Executor {
public:
    std::string name() const override { return "cuda"; }
    std::unique_ptr<PreparedRun> prepare(const Graph& g, const std::vector<FloatTensor>& variables) override {
        return std::make_unique<CudaRun>(d_handles, g, variables);
    }

private:
    Handles d_handles;
};

}  // namespace

}  // namespace rf::applier

// The module's entry point, found with dlsym by applier/executor_cuda.cpp: a C name, and errors
// as text, so nothing but the Executor interface crosses the boundary.
extern "C" __attribute__((visibility("default"))) rf::applier::Executor* rf_cuda_executor_create(char* why,
                                                                                                 size_t why_size) {
    auto fail = [&](const std::string& m) -> rf::applier::Executor* {
        std::snprintf(why, why_size, "%s", m.c_str());
        return nullptr;
    };
    try {
        int count = 0;
        cudaError_t e = cudaGetDeviceCount(&count);
        if (e != cudaSuccess) return fail(std::string("no CUDA device: ") + cudaGetErrorString(e));
        if (count == 0) return fail("no CUDA device: the driver reports none");
        return new rf::applier::CudaExecutor();
    } catch (const std::exception& ex) {
        return fail(std::string("CUDA executor: ") + ex.what());
    }
}
