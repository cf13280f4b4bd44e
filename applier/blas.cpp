#include "applier/blas.h"

#include <cblas.h>  // the signature and enumerators only: the library is not linked
#include <dlfcn.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace rf::applier::blas {

namespace {

using SgemmFn = decltype(&cblas_sgemm);

SgemmFn load_sgemm() {
    static std::once_flag once;
    static SgemmFn fn = nullptr;
    static std::string error;
    std::call_once(once, [] {
        // The run-time name first; the development link CMake found as the fallback.
        for (const char* name : {RF_OPENBLAS_SONAME, RF_OPENBLAS_LIBRARY}) {
            void* handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
            if (!handle) {
                const char* e = dlerror();
                error += std::string(error.empty() ? "" : "; ") + (e ? e : name);
                continue;
            }
            fn = reinterpret_cast<SgemmFn>(dlsym(handle, "cblas_sgemm"));
            if (fn) return;
            error += std::string(error.empty() ? "" : "; ") + name + " has no cblas_sgemm";
        }
        error = "cannot load OpenBLAS for the CPU executor (install libopenblas0): " + error;
    });
    if (!fn) throw std::runtime_error(error);
    return fn;
}

}  // namespace

void sgemm(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc) {
    load_sgemm()(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.f, a, lda, b, ldb, 0.f, c, ldc);
}

}  // namespace rf::applier::blas
