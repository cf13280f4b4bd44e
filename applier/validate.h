// Numeric validation of a rule on a model: apply it at each site alone and at all compatible
// sites together, run the original and the rewritten graph on the same seeded random inputs
// and weights, and compare the outputs within a float32 tolerance sized by the graphs'
// accumulation lengths (docs/applier.md derives it). A proved rule should never mismatch; a
// mismatch means a wrong rule, a wrong shape condition, or a bug in the matcher or rewriter --
// each worth a failure record naming the rule, model and site.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "applier/cost.h"
#include "applier/executor.h"
#include "applier/match.h"
#include "ir/eval.h"
#include "ir/graph.h"
#include "ir/rule.h"

namespace rf::applier {

/// Values for every variable of `g`, each drawn from a generator seeded by `seed` and the
/// variable's name, so graphs over one variable table get equal values. Activations are
/// uniform in [-1, 1); weights uniform with He scaling (variance 2 / fan-in) so that deep
/// models neither vanish nor overflow; per-feature vectors broadcast over rows (weights
/// [1, ..., 1, d] of rank >= 2: biases, norm gains) uniform in [-1, 1), as He scaling with a
/// fan-in of 1 would make them +-2.4 and a transformer's attention logits overflow exp;
/// rank-0 scalars uniform in [0.5, 1.5).
std::vector<FloatTensor> random_variables(const Graph& g, uint64_t seed);

/// Longest path, in rounding steps, from an input to an output: each operator adds its
/// reduction length (conv: C/groups*KH*KW, matmul: K, pooling: the window, reduce_sum and
/// reduce_mean: the axis, softmax: the axis + 3, layernorm and rmsnorm: twice the axis + 3,
/// other: 1). exp and softmax also multiply the error that reaches them: exp's relative
/// condition number is |x|, softmax's at most 2 max|x| (first-order), so the length entering
/// them is scaled by `exp_scale` (exp) or 2 * exp_scale (softmax), where exp_scale bounds
/// the magnitude of their operands (at least 1). Division, sqrt and gelu are one step each
/// (their relative condition numbers are at most 1).
double accumulation_length(const Graph& g, double exp_scale = 1);
/// The relative tolerance for comparing two graphs' outputs: 2 * 2^-24 * the larger
/// accumulation length, between 1e-6 and 1e-2 (docs/applier.md says why).
double comparison_tolerance(const Graph& a, const Graph& b, double exp_scale = 1);
/// The largest magnitude of any operand of an exp or softmax node of `g` on `vars`, run on
/// `ex` (at least 1; 1 when there is none): the exp_scale of the two functions above.
double exp_operand_scale(Executor& ex, const Graph& g, const std::vector<FloatTensor>& vars);

struct Comparison {
    double max_abs_error = 0;  ///< largest |expected - got| over all outputs
    double max_rel_error = 0;  ///< per output: max abs error / max |expected|; the largest
    double tolerance = 0;      ///< the relative tolerance it was held to
    bool ok = true;
    std::string detail;  ///< for a failure: which output, element, values
};

Comparison compare_outputs(const std::vector<FloatTensor>& expected, const std::vector<FloatTensor>& got,
                           double tolerance);

enum class SiteStatus { Valid, Mismatch, Error };
const char* site_status_name(SiteStatus s);

struct SiteCheck {
    std::string site;  ///< Match::site(), or "all:N" for the N compatible sites together
    SiteStatus status = SiteStatus::Valid;
    Comparison cmp;
    std::string message;  ///< for Mismatch / Error
};

/// One rule in one direction on one model.
struct RuleReport {
    std::string rule;       ///< the rule's name
    std::string direction;  ///< "fwd" (left to right) or "rev"
    size_t matched = 0;     ///< sites found
    size_t validated = 0;   ///< sites checked one at a time
    size_t applied = 0;     ///< sites in the combined rewrite, when it validated
    size_t mismatches = 0, errors = 0;
    std::vector<SiteCheck> sites;                         ///< one-site checks, then the combined one
    std::optional<double> time_before_ms, time_after_ms;  ///< whole model, median
};

struct ValidateOptions {
    uint64_t seed = 1;
    size_t max_sites = SIZE_MAX;  ///< one-site checks per rule and direction (all: SIZE_MAX)
    bool time = true;             ///< time the model before and after the combined rewrite
    TimingOptions timing{};
};

/// The original model, its random values and reference outputs, computed once and shared by
/// every rule checked on it.
class ModelValidator {
public:
    /// Throws std::runtime_error when the model's own outputs are not finite.
    ModelValidator(std::string model_name, const Graph& model, Executor& ex, ValidateOptions options);
    /// The same on given variable values (model_variables in applier/precompute.h: the values a
    /// model carries, such as an attention's 1/sqrt(dk) scale, seeded random ones for the rest).
    ModelValidator(std::string model_name, const Graph& model, Executor& ex, ValidateOptions options,
                   std::vector<FloatTensor> variables);

    /// Checks `rule` read left to right (reverse = false) or right to left.
    /// Sites must satisfy the rule's preconditions (Rule::preconditions).
    RuleReport check_rule(const Rule& rule, bool reverse = false);
    /// The outputs of `g` (a rewrite of the model) against the model's.
    Comparison compare_with_model(const Graph& g);

    double time_before_ms();
    const std::vector<FloatTensor>& variables() const { return d_vars; }
    const std::string& model_name() const { return d_name; }

private:
    std::string d_name;
    const Graph& d_model;
    Executor& d_ex;
    ValidateOptions d_options;
    std::vector<FloatTensor> d_vars, d_expected;
    double d_exp_scale = 1;  ///< exp_operand_scale of the model
    std::optional<double> d_time_before;
};

}  // namespace rf::applier
