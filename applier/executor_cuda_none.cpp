// What a build without nvcc says when asked for the CUDA executor (applier/cuda/ has the real
// one, compiled only when the top CMakeLists found CUDA).
#ifndef RF_HAVE_CUDA
#include <stdexcept>

#include "applier/executor.h"

namespace rf {

std::unique_ptr<Executor> make_cuda_executor() {
    throw std::runtime_error("built without CUDA: this ruleforge was configured without nvcc (RF_HAVE_CUDA off); "
                             "use --device cpu");
}

bool built_with_cuda() { return false; }

}  // namespace rf
#endif
