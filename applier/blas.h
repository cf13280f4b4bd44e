// Single-precision matrix product from OpenBLAS, loaded on first use. Internal to rf_applier.
//
// OpenBLAS (the pthread build libopenblas-dev selects) starts its own thread pool when the
// library is loaded, and those threads spin for a while. Linked into ruleforge, every command paid
// that (figures in docs/PERFORMANCE.md, "Figures behind design choices"), and on a 16-core node
// each process would start 15 spinning threads. Only the CPU executor multiplies matrices, so
// only it loads the library.
#pragma once

namespace rf::applier::blas {

/// C = A B in row-major storage: A is m x k (row stride lda), B is k x n (ldb), C is m x n (ldc).
/// Throws std::runtime_error when OpenBLAS cannot be loaded.
void sgemm(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc);

}  // namespace rf::applier::blas
