// The CUDA executor is a module (librf_cuda.so, applier/cuda/) loaded on first use: linking
// cuBLAS into every program made every start pay cuBLASLt's static initialisers (applier/
// CMakeLists.txt). A build without nvcc says so when asked for it.
#include <stdexcept>
#include <string>

#ifdef RF_CUDA_MODULE
#include <dlfcn.h>
#include <cstdlib>
#include <mutex>
#endif

#include "applier/executor.h"

namespace rf::applier {

#ifdef RF_CUDA_MODULE

namespace {

// The module's one entry point (applier/cuda/cuda_executor.cu): an executor, or nullptr with
// the reason in `why`.
using CreateFn = Executor* (*)(char* why, size_t why_size);

CreateFn load_module() {
    static std::once_flag once;
    static CreateFn create = nullptr;
    static std::string error;
    std::call_once(once, [] {
        // RF_CUDA_MODULE in the environment overrides the build tree's path (a moved install).
        const char* env = std::getenv("RF_CUDA_MODULE");
        const std::string path = env && *env ? env : RF_CUDA_MODULE;
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char* e = dlerror();
            error = "cannot load the CUDA executor module " + path + ": " + (e ? e : "unknown error") +
                    " (set RF_CUDA_MODULE to librf_cuda.so, or use --device cpu)";
            return;
        }
        create = reinterpret_cast<CreateFn>(dlsym(handle, "rf_cuda_executor_create"));
        if (!create) error = "the CUDA executor module " + path + " has no rf_cuda_executor_create";
    });
    if (!create) throw std::runtime_error(error);
    return create;
}

}  // namespace

std::unique_ptr<Executor> make_cuda_executor() {
    CreateFn create = load_module();
    char why[512] = {0};
    Executor* ex = create(why, sizeof why);
    if (!ex) throw std::runtime_error(why);
    return std::unique_ptr<Executor>(ex);
}

bool built_with_cuda() { return true; }

#else

std::unique_ptr<Executor> make_cuda_executor() {
    throw std::runtime_error(
        "built without CUDA: this ruleforge was configured without nvcc (RF_HAVE_CUDA off); "
        "use --device cpu");
}

bool built_with_cuda() { return false; }

#endif

}  // namespace rf::applier
