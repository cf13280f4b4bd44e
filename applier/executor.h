// Running a graph on concrete float32 tensors, on one device, for validation and timing.
//
// Three executors share one interface: the reference evaluator (ir/eval.h, the definition of
// every operator), the fast CPU path (OpenBLAS sgemm for matmul and im2col + sgemm for conv,
// the reference kernels for the cheap element-wise rest), and CUDA (cuBLAS, cuDNN and own
// kernels; only in builds that found nvcc, and only where a GPU is present). Preparing a run is
// separate from executing it so that timing measures the operators alone: a CUDA run uploads
// the variables once in prepare(), and execute() may be repeated.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/eval.h"
#include "ir/graph.h"

namespace rf::applier {

/// A graph bound to its variable values, ready to run (possibly many times).
class PreparedRun {
public:
    virtual ~PreparedRun() = default;
    /// Computes the outputs; blocks until they are ready (so it can be timed).
    virtual void execute() = 0;
    /// The outputs of the last execute(), on the host, in the graph's output order.
    virtual std::vector<FloatTensor> outputs() = 0;
};

class Executor {
public:
    virtual ~Executor() = default;
    /// "reference", "cpu", "cuda".
    virtual std::string name() const = 0;
    /// Binds `g` to `variables` (variables[i] is graph variable i; they must outlive the run).
    /// Throws EvalError when a value does not match its variable or the graph is not concrete.
    virtual std::unique_ptr<PreparedRun> prepare(const Graph& g, const std::vector<FloatTensor>& variables) = 0;
};

std::unique_ptr<Executor> make_reference_executor();
std::unique_ptr<Executor> make_cpu_executor();
/// Throws std::runtime_error "built without CUDA ..." or "no CUDA device: ..." when unusable.
std::unique_ptr<Executor> make_cuda_executor();
/// True when this build has the CUDA executor (a GPU may still be missing).
bool built_with_cuda();

/// "cpu" (fast path), "reference" or "cuda"; throws std::invalid_argument for another name.
std::unique_ptr<Executor> make_executor(const std::string& device);

/// Runs once and returns the outputs.
std::vector<FloatTensor> run_graph(Executor& ex, const Graph& g, const std::vector<FloatTensor>& variables);

}  // namespace rf::applier
