#include "applier/executor.h"

#include <stdexcept>

namespace rf::applier {

namespace {

class ReferenceRun final : public PreparedRun {
public:
    ReferenceRun(const Graph& g, const std::vector<FloatTensor>& vars) : d_g(g), d_vars(vars) {}
    void execute() override { d_out = evaluate_float(d_g, d_vars); }
    std::vector<FloatTensor> outputs() override { return d_out; }

private:
    const Graph& d_g;
    const std::vector<FloatTensor>& d_vars;
    std::vector<FloatTensor> d_out;
};

class ReferenceExecutor final : public Executor {
public:
    std::string name() const override { return "reference"; }
    std::unique_ptr<PreparedRun> prepare(const Graph& g, const std::vector<FloatTensor>& variables) override {
        return std::make_unique<ReferenceRun>(g, variables);
    }
};

}  // namespace

std::unique_ptr<Executor> make_reference_executor() { return std::make_unique<ReferenceExecutor>(); }

std::unique_ptr<Executor> make_executor(const std::string& device) {
    if (device == "cpu") return make_cpu_executor();
    if (device == "reference") return make_reference_executor();
    if (device == "cuda") return make_cuda_executor();
    throw std::invalid_argument("unknown device '" + device + "' (cpu, reference or cuda)");
}

std::vector<FloatTensor> run_graph(Executor& ex, const Graph& g, const std::vector<FloatTensor>& variables) {
    auto run = ex.prepare(g, variables);
    run->execute();
    return run->outputs();
}

}  // namespace rf::applier
