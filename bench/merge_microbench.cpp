// What TASO's merges can gain on one CPU core, measured on the kernels the CPU executor uses:
// each merge that the 8 built-in models offer (docs/optimize.md), as separate OpenBLAS calls
// against the merged call, plus the ReLU loop with and without a branch. Standalone, because it
// asks a question about the hardware and the BLAS, not about ruleforge:
//
//   g++ -O2 -fopenmp -std=c++20 bench/merge_microbench.cpp -o /tmp/merge_microbench -lopenblas
//   OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /tmp/merge_microbench
//
// Every figure is the median CPU time (CLOCK_PROCESS_CPUTIME_ID) of 15 runs after one warm-up.
#include <cblas.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <vector>

namespace {

double cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

void gemm(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.f, a, lda, b, ldb, 0.f, c, ldc);
}

template <class F>
double median_ms(F&& f, int reps = 15) {
    std::vector<double> v;
    f();
    for (int i = 0; i < reps; ++i) {
        const double t = cpu_ms();
        f();
        v.push_back(cpu_ms() - t);
    }
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

std::vector<float> random(size_t n) {
    std::vector<float> v(n);
    std::mt19937 r(1);
    for (float& x : v) x = static_cast<float>(r() % 1000) / 1000.f - 0.5f;
    return v;
}

// The executor's im2col for a stride-1 SAME KxK convolution of one [C,H,W] image.
void im2col(const float* x, int C, int H, int W, int K, float* col) {
    const int p = K / 2;
    for (int c = 0; c < C; ++c)
        for (int ky = 0; ky < K; ++ky)
            for (int kx = 0; kx < K; ++kx) {
                float* d = col + ((c * K + ky) * K + kx) * H * W;
                for (int y = 0; y < H; ++y) {
                    const int iy = y - p + ky;
                    float* dr = d + y * W;
                    if (iy < 0 || iy >= H) {
                        std::fill(dr, dr + W, 0.f);
                        continue;
                    }
                    const float* s = x + (c * H + iy) * W;
                    for (int xx = 0; xx < W; ++xx) {
                        const int ix = xx - p + kx;
                        dr[xx] = (ix >= 0 && ix < W) ? s[ix] : 0.f;
                    }
                }
            }
}

__attribute__((noinline)) void relu_branch(float* v, size_t n) {
    for (size_t i = 0; i < n; ++i) v[i] = v[i] < 0.f ? 0.f : v[i];
}

__attribute__((noinline)) void relu_simd(float* v, size_t n) {
#pragma omp simd
    for (size_t i = 0; i < n; ++i) v[i] = v[i] < 0.f ? 0.f : v[i];
}

}  // namespace

int main() {
    {  // BERT: the four projections of one layer's input, [64,1024] x [1024,1024] each
        const int M = 64, K = 1024, N = 1024;
        auto a = random(static_cast<size_t>(M) * K), b = random(static_cast<size_t>(K) * N * 4);
        std::vector<float> c(static_cast<size_t>(M) * N * 4), parts(c.size());
        const double sep = median_ms([&] {
            for (int i = 0; i < 4; ++i)
                gemm(M, N, K, a.data(), K, b.data() + static_cast<size_t>(i) * K * N, N,
                     c.data() + static_cast<size_t>(i) * M * N, N);
        });
        const double mer = median_ms([&] { gemm(M, 4 * N, K, a.data(), K, b.data(), 4 * N, c.data(), 4 * N); });
        const double split = median_ms([&] {
            for (int i = 0; i < 4; ++i)
                for (int r = 0; r < M; ++r)
                    std::memcpy(&parts[(static_cast<size_t>(i) * M + r) * N],
                                &c[static_cast<size_t>(r) * 4 * N + static_cast<size_t>(i) * N], N * 4);
        });
        std::printf(
            "bert, 4 projections [64,1024]x[1024,1024]: separate %.3f ms, merged %.3f ms, split "
            "copies %.3f ms\n",
            sep, mer, split);
    }
    {  // NasRNN: 8 gates of one step, [1,512] x [512,512], weights streamed from memory (as in the model)
        const int K = 512, N = 512, sets = 40;
        auto a = random(K);
        std::vector<std::vector<float>> ws;
        for (int s = 0; s < sets; ++s) ws.push_back(random(static_cast<size_t>(K) * N * 8));
        std::vector<float> c(static_cast<size_t>(N) * 8);
        int s = 0;
        const double sep = median_ms(
            [&] {
                const auto& b = ws[s++ % sets];
                for (int i = 0; i < 8; ++i)
                    gemm(1, N, K, a.data(), K, b.data() + static_cast<size_t>(i) * K * N, N, c.data() + i * N, N);
            },
            sets - 1);
        const double mer =
            median_ms([&] { gemm(1, 8 * N, K, a.data(), K, ws[s++ % sets].data(), 8 * N, c.data(), 8 * N); }, sets - 1);
        std::printf("nasrnn, 8 gates [1,512]x[512,512]: separate %.3f ms, merged %.3f ms\n", sep, mer);
    }
    for (const auto [C, HW, O] : std::vector<std::array<int, 3>>{{256, 35 * 35, 64}, {768, 17 * 17, 192}}) {
        // Inception: three 1x1 convolutions of one input (one GEMM each, no im2col)
        auto x = random(static_cast<size_t>(C) * HW), w = random(static_cast<size_t>(3) * O * C);
        std::vector<float> c(static_cast<size_t>(3) * O * HW);
        const double sep = median_ms([&] {
            for (int i = 0; i < 3; ++i)
                gemm(O, HW, C, w.data() + static_cast<size_t>(i) * O * C, C, x.data(), HW,
                     c.data() + static_cast<size_t>(i) * O * HW, HW);
        });
        const double mer = median_ms([&] { gemm(3 * O, HW, C, w.data(), C, x.data(), HW, c.data(), HW); });
        std::printf("three 1x1 convolutions C=%d O=%d HW=%d: separate %.3f ms, merged %.3f ms\n", C, O, HW, sep, mer);
    }
    {  // two 3x3 convolutions of one input: the merge saves one im2col
        const int C = 64, H = 56, E = 64, HW = H * H;
        auto x = random(static_cast<size_t>(C) * HW), w = random(static_cast<size_t>(18) * E * C);
        std::vector<float> col(static_cast<size_t>(9) * C * HW), out(static_cast<size_t>(2) * E * HW);
        const double sep = median_ms([&] {
            for (int i = 0; i < 2; ++i) {
                im2col(x.data(), C, H, H, 3, col.data());
                gemm(E, HW, 9 * C, w.data() + static_cast<size_t>(i) * E * 9 * C, 9 * C, col.data(), HW,
                     out.data() + static_cast<size_t>(i) * E * HW, HW);
            }
        });
        const double mer = median_ms([&] {
            im2col(x.data(), C, H, H, 3, col.data());
            gemm(2 * E, HW, 9 * C, w.data(), 9 * C, col.data(), HW, out.data(), HW);
        });
        std::printf("two 3x3 convolutions C=64 56x56 O=64: separate %.3f ms, merged %.3f ms\n", sep, mer);
    }
    for (const auto [C, H, E] :
         std::vector<std::array<int, 3>>{{16, 55, 64}, {32, 27, 128}, {48, 13, 192}, {64, 13, 256}}) {
        // SqueezeNet's fire module: 1x1 and 3x3 expand convolutions of the squeeze output,
        // against TASO's enlarge-then-merge (one 3x3 convolution with both kernels, 1x1 zero-padded)
        const int HW = H * H;
        auto x = random(static_cast<size_t>(C) * HW), w = random(static_cast<size_t>(18) * E * C);
        std::vector<float> col(static_cast<size_t>(9) * C * HW), out(static_cast<size_t>(2) * E * HW), copy(out.size());
        const double sep = median_ms([&] {
            gemm(E, HW, C, w.data(), C, x.data(), HW, out.data(), HW);
            im2col(x.data(), C, H, H, 3, col.data());
            gemm(E, HW, 9 * C, w.data(), 9 * C, col.data(), HW, out.data() + static_cast<size_t>(E) * HW, HW);
        });
        const double concat = median_ms([&] { std::memcpy(copy.data(), out.data(), out.size() * 4); });
        const double mer = median_ms([&] {
            im2col(x.data(), C, H, H, 3, col.data());
            gemm(2 * E, HW, 9 * C, w.data(), 9 * C, col.data(), HW, out.data(), HW);
        });
        std::printf(
            "fire C=%d %dx%d E=%d: 1x1 + 3x3 %.3f ms (+ concat copy %.3f), enlarged and merged "
            "%.3f ms\n",
            C, H, H, E, sep, concat, mer);
    }
    {  // ReLU over a convolution's output (random signs), with the branch and vectorised
        const size_t n = 256 * 56 * 56;
        const auto base = random(n);
        std::vector<float> v(n);
        double t[2];
        for (int k = 0; k < 2; ++k) {
            std::vector<double> ms;
            for (int i = 0; i < 11; ++i) {
                std::memcpy(v.data(), base.data(), n * 4);
                const double t0 = cpu_ms();
                (k == 0 ? relu_branch : relu_simd)(v.data(), n);
                ms.push_back(cpu_ms() - t0);
            }
            std::sort(ms.begin(), ms.end());
            t[k] = ms[ms.size() / 2];
        }
        std::printf("relu over [1,256,56,56], random signs: with a branch %.3f ms, vectorised %.3f ms\n", t[0], t[1]);
    }
}
