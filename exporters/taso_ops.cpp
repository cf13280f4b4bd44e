#include "exporters/taso_ops.h"

#include <array>
#include <map>
#include <optional>

namespace rf::exporters {

namespace {

constexpr std::array<const char*, kTasoOpCount> kOpNames = {
    "INPUT",        "WEIGHT",        "ANY",    "CONV2D",    "DROPOUT", "LINEAR",      "POOL2D_MAX",   "POOL2D_AVG",
    "RELU",         "SIGMOID",       "TANH",   "BATCHNORM", "CONCAT",  "SPLIT",       "RESHAPE",      "TRANSPOSE",
    "EW_ADD",       "EW_MUL",        "MATMUL", "MUL",       "ENLARGE", "MERGE_GCONV", "CONSTANT_IMM", "CONSTANT_ICONV",
    "CONSTANT_ONE", "CONSTANT_POOL",
};

constexpr std::array<const char*, kTasoParamCount> kParamNames = {
    "OP_TYPE",  "NUM_INPUTS", "NUM_OUTPUTS", "GROUP",  "KERNEL_H", "KERNEL_W", "STRIDE_H",
    "STRIDE_W", "PAD",        "ACTI",        "NUMDIM", "AXIS",     "PERM",     "OUTSHUFFLE",
};

int32_t code(TasoOp t) { return static_cast<int32_t>(t); }
int32_t code(TasoParam p) { return static_cast<int32_t>(p); }

[[noreturn]] void refuse(OpKind k, const std::string& why) {
    throw NotExpressible("operator " + std::string(op_name(k)) + ": " + why);
}

// The parameters of one operator being read, checked as they are taken.
class ParamReader {
public:
    ParamReader(const TasoOperator& op, const std::string& label) : d_label(label) {
        for (const auto& [key, value] : op.params) {
            if (!taso_param_name(key)) fail("unknown parameter key " + std::to_string(key));
            if (!d_values.emplace(key, value).second)
                fail(std::string("parameter ") + taso_param_name(key) + " given twice");
        }
    }

    [[noreturn]] void fail(const std::string& msg) const { throw LiftError(d_label + ": " + msg); }

    std::optional<int32_t> find(TasoParam p) const {
        auto it = d_values.find(code(p));
        if (it == d_values.end()) return std::nullopt;
        return it->second;
    }

    int32_t need(TasoParam p, int32_t lo, int32_t hi) const {
        auto v = find(p);
        if (!v)
            fail(std::string("missing parameter ") + taso_param_name(code(p)) + " (" + std::to_string(code(p)) + ")");
        check(p, *v, lo, hi);
        return *v;
    }

    int32_t get(TasoParam p, int32_t lo, int32_t hi, int32_t fallback) const {
        auto v = find(p);
        if (!v) return fallback;
        check(p, *v, lo, hi);
        return *v;
    }

private:
    void check(TasoParam p, int32_t v, int32_t lo, int32_t hi) const {
        if (v < lo || v > hi)
            fail(std::string("parameter ") + taso_param_name(code(p)) + " = " + std::to_string(v) + " out of range " +
                 std::to_string(lo) + ".." + std::to_string(hi));
    }

    std::string d_label;
    std::map<int32_t, int32_t> d_values;
};

constexpr int32_t kBig = 1 << 20;

void need_inputs(const TasoOperator& op, const ParamReader& r, size_t lo, size_t hi) {
    if (op.inputs.size() < lo || op.inputs.size() > hi)
        r.fail("takes " + (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
               " operand(s), got " + std::to_string(op.inputs.size()));
}

Padding pad_of(const ParamReader& r) { return static_cast<Padding>(r.need(TasoParam::Pad, 0, 1)); }
Activation acti_of(const ParamReader& r) { return static_cast<Activation>(r.need(TasoParam::Acti, 0, 3)); }

}  // namespace

const char* taso_op_name(int32_t type) { return type >= 0 && type < kTasoOpCount ? kOpNames[type] : nullptr; }
const char* taso_param_name(int32_t key) { return key >= 0 && key < kTasoParamCount ? kParamNames[key] : nullptr; }

std::string taso_op_label(int32_t type) {
    const char* n = taso_op_name(type);
    return n ? std::string(n) : "unknown type " + std::to_string(type);
}

int32_t encode_permutation(const std::vector<int32_t>& perm) {
    int32_t code = 0;
    for (int32_t p : perm) code = code * static_cast<int32_t>(perm.size()) + p;
    return code;
}

std::optional<std::vector<int32_t>> decode_permutation(int32_t code, int32_t ndim) {
    if (ndim < 1 || ndim > kMaxListLen || code < 0) return std::nullopt;
    std::vector<int32_t> perm(ndim);
    for (int32_t i = ndim - 1; i >= 0; --i) {
        perm[i] = code % ndim;
        code /= ndim;
    }
    if (code != 0) return std::nullopt;
    std::vector<bool> seen(ndim, false);
    for (int32_t p : perm) {
        if (seen[p]) return std::nullopt;
        seen[p] = true;
    }
    return perm;
}

TasoOperator encode_taso_op(const ListedOp& op, TasoTarget target) {
    TasoOperator t;
    t.inputs = op.inputs;
    auto put = [&](TasoParam key, int32_t value) { t.params.emplace_back(code(key), value); };
    const bool taso = target == TasoTarget::Taso;
    const char* loader = taso ? "TASO's substitution loader" : "FlexFlow's substitution loader";
    const Params& p = op.params;
    // The operator's number is the catalogue's; what follows writes its parameters. An operator
    // TASO does not number never reaches the switch, so a new one needs no case here.
    const int32_t type = op_info(op.kind).taso_op;
    if (op.kind == OpKind::Input) throw NotExpressible("an input variable is not an operator");
    if (is_parallel_op(op.kind)) {
        if (taso) refuse(op.kind, "TASO has no parallel operators");
        refuse(op.kind,
               "FlexFlow's parallel operators are not TASO operators (the FlexFlow writer spells "
               "them)");
    }
    if (type < 0) refuse(op.kind, "TASO has no such operator");
    t.type = type;
    switch (static_cast<TasoOp>(type)) {
        case TasoOp::Conv2d: {
            // TASO's loader ignores the kernel size (the weight's shape has it); write it when known,
            // as TASO's own files do.
            const TensorType& w = op.input_types.at(1);
            if (w.rank() == 4 && w.dims[2].is_concrete() && w.dims[3].is_concrete()) {
                put(TasoParam::KernelH, static_cast<int32_t>(w.dims[2].value()));
                put(TasoParam::KernelW, static_cast<int32_t>(w.dims[3].value()));
            }
            auto [sh, sw] = param::stride(p, op.kind);
            put(TasoParam::StrideH, sh);
            put(TasoParam::StrideW, sw);
            put(TasoParam::Pad, static_cast<int32_t>(param::padding(p, op.kind)));
            put(TasoParam::Acti, static_cast<int32_t>(param::activation(p, op.kind)));
            return t;
        }
        case TasoOp::Matmul: put(TasoParam::Acti, static_cast<int32_t>(param::activation(p, op.kind))); return t;
        case TasoOp::EwAdd:
        case TasoOp::EwMul:
        case TasoOp::Mul:
        case TasoOp::Relu:
        case TasoOp::Sigmoid:
        case TasoOp::Tanh:
        case TasoOp::Enlarge: return t;
        case TasoOp::Transpose: {
            std::vector<int32_t> perm = param::list(p);
            put(TasoParam::NumDim, static_cast<int32_t>(perm.size()));
            put(TasoParam::Perm, encode_permutation(perm));
            put(TasoParam::OutShuffle, param::shuffle(p) ? 1 : 0);
            return t;
        }
        case TasoOp::Concat:
            put(TasoParam::NumInputs, static_cast<int32_t>(op.inputs.size()));
            put(TasoParam::Axis, param::axis(p));
            put(TasoParam::NumDim, static_cast<int32_t>(op.output_types.at(0).rank()));
            return t;
        case TasoOp::Split:
            put(TasoParam::NumOutputs, 2);
            put(TasoParam::Axis, param::axis(p));
            return t;
        case TasoOp::PoolMax:
        case TasoOp::PoolAvg: {
            if (taso) refuse(op.kind, std::string(loader) + " does not load POOL2D_MAX or POOL2D_AVG");
            if (op.kind == OpKind::PoolAvg) refuse(op.kind, std::string(loader) + " has no OP_POOL2D_AVG");
            auto [kh, kw] = param::kernel(p);
            auto [sh, sw] = param::stride(p, op.kind);
            put(TasoParam::KernelH, kh);
            put(TasoParam::KernelW, kw);
            put(TasoParam::StrideH, sh);
            put(TasoParam::StrideW, sw);
            put(TasoParam::Pad, static_cast<int32_t>(param::padding(p, op.kind)));
            put(TasoParam::Acti, static_cast<int32_t>(param::activation(p, op.kind)));
            return t;
        }
        case TasoOp::ConstImm:
        case TasoOp::ConstIconv:
        case TasoOp::ConstOne:
        case TasoOp::ConstPool:
            if (taso) refuse(op.kind, std::string(loader) + " does not load CONSTANT_* operators");
            refuse(op.kind, "FlexFlow's JSON cannot state a constant's shape");
        case TasoOp::Reshape:
            refuse(op.kind, std::string(loader) + (taso ? " does not load RESHAPE" : " has no reshape target shape"));
        // TASO's pattern placeholders and the operators ruleforge's catalogue does not number.
        case TasoOp::Input:
        case TasoOp::Weight:
        case TasoOp::Any:
        case TasoOp::Dropout:
        case TasoOp::Linear:
        case TasoOp::Batchnorm:
        case TasoOp::MergeGconv: break;
    }
    refuse(op.kind, "TASO operator " + taso_op_label(type) + " has no encoding");
}

DecodedOp decode_taso_op(const TasoOperator& op, const std::string& label) {
    ParamReader r(op, label);
    DecodedOp d;
    d.label = label;
    d.inputs = op.inputs;
    auto unsupported = [&](const std::string& why) -> DecodedOp {
        throw UnsupportedOp("operator " + taso_op_label(op.type) + ": " + why);
    };
    auto simple = [&](OpKind k) {
        const size_t arity = static_cast<size_t>(op_info(k).min_arity);
        need_inputs(op, r, arity, arity);
        d.kind = k;
        return d;
    };
    if (auto k = r.find(TasoParam::OpType); k && *k != op.type)
        r.fail("parameter OP_TYPE = " + std::to_string(*k) + " contradicts the operator type " +
               std::to_string(op.type));
    if (!taso_op_name(op.type)) r.fail("unknown TASO operator type " + std::to_string(op.type));
    switch (static_cast<TasoOp>(op.type)) {
        case TasoOp::Conv2d: {
            need_inputs(op, r, 2, 2);
            int32_t sh = r.need(TasoParam::StrideH, 1, kBig), sw = r.need(TasoParam::StrideW, 1, kBig);
            d.kind = OpKind::Conv2d;
            d.params = param::conv2d(sh, sw, pad_of(r), acti_of(r));
            return d;
        }
        case TasoOp::PoolMax:
        case TasoOp::PoolAvg: {
            if (op.inputs.size() == 2)
                return unsupported("pooling with a weight operand (TASO's runtime form) is not in the IR");
            need_inputs(op, r, 1, 1);
            int32_t kh = r.need(TasoParam::KernelH, 1, kBig), kw = r.need(TasoParam::KernelW, 1, kBig);
            int32_t sh = r.need(TasoParam::StrideH, 1, kBig), sw = r.need(TasoParam::StrideW, 1, kBig);
            Padding pad = pad_of(r);
            auto act = static_cast<Activation>(r.get(TasoParam::Acti, 0, 3, 0));
            d.kind = op.type == code(TasoOp::PoolMax) ? OpKind::PoolMax : OpKind::PoolAvg;
            d.params = param::pool(kh, kw, sh, sw, pad, act);
            return d;
        }
        case TasoOp::Relu:
        case TasoOp::Sigmoid:
        case TasoOp::Tanh:
        case TasoOp::EwAdd:
        case TasoOp::EwMul:
        case TasoOp::Mul: return simple(*op_from_taso_op(op.type));  // operands only
        case TasoOp::Matmul:
            need_inputs(op, r, 2, 2);
            d.kind = OpKind::Matmul;
            d.params = param::matmul(acti_of(r));
            return d;
        case TasoOp::Concat: {
            need_inputs(op, r, 2, kMaxListLen);
            int32_t ndim = r.need(TasoParam::NumDim, 1, kMaxListLen);
            int32_t axis = r.need(TasoParam::Axis, 0, ndim - 1);
            int32_t n = static_cast<int32_t>(op.inputs.size());
            r.get(TasoParam::NumInputs, n, n, n);
            d.kind = OpKind::Concat;
            d.params = param::axis_param(axis);
            d.rank_hint = ndim;
            return d;
        }
        case TasoOp::Split:
            need_inputs(op, r, 1, 1);
            r.get(TasoParam::NumOutputs, 2, 2, 2);
            d.kind = OpKind::Split;
            d.params = param::axis_param(r.need(TasoParam::Axis, 0, kMaxListLen - 1));
            return d;
        case TasoOp::Transpose: {
            need_inputs(op, r, 1, 1);
            int32_t ndim = r.need(TasoParam::NumDim, 1, kMaxListLen);
            int32_t code_value = r.need(TasoParam::Perm, 0, kBig * 16);
            auto perm = decode_permutation(code_value, ndim);
            if (!perm)
                r.fail("parameter PERM = " + std::to_string(code_value) + " is not a permutation of " +
                       std::to_string(ndim) + " axes");
            d.kind = OpKind::Transpose;
            d.params = param::transpose(*perm, r.need(TasoParam::OutShuffle, 0, 1) != 0);
            return d;
        }
        case TasoOp::Enlarge:
            d.kind = OpKind::Enlarge;
            if (op.inputs.size() == 1) {  // the generator's form: the target kernel as parameters
                int32_t kh = r.need(TasoParam::KernelH, 1, kBig), kw = r.need(TasoParam::KernelW, 1, kBig);
                d.implied_operands.emplace_back(OpKind::ConstOne, param::shape_list({1, 1, kh, kw}));
                return d;
            }
            need_inputs(op, r, 2, 2);
            return d;
        case TasoOp::ConstImm:
            need_inputs(op, r, 0, 0);
            d.kind = OpKind::ConstImm;
            d.params = param::shape_list({4, 4});
            return d;
        case TasoOp::ConstOne:
            need_inputs(op, r, 0, 0);
            d.kind = OpKind::ConstOne;
            d.params = param::shape_list({2, 4, 5, 5});
            return d;
        case TasoOp::ConstIconv:
        case TasoOp::ConstPool: {
            need_inputs(op, r, 0, 0);
            int32_t kh = r.get(TasoParam::KernelH, 1, kBig, 3), kw = r.get(TasoParam::KernelW, 1, kBig, 3);
            bool iconv = op.type == code(TasoOp::ConstIconv);
            d.kind = iconv ? OpKind::ConstIconv : OpKind::ConstPool;
            d.params = param::shape_list({4, iconv ? 4 : 1, kh, kw});
            return d;
        }
        case TasoOp::Input:
        case TasoOp::Weight:
        case TasoOp::Any: return unsupported("a pattern placeholder, not an operator of a rule");
        case TasoOp::Dropout:
        case TasoOp::Linear:
        case TasoOp::Batchnorm:
        case TasoOp::MergeGconv: return unsupported("not in ruleforge's IR");
        case TasoOp::Reshape: return unsupported("TASO states no target shape for it");
    }
    r.fail("unknown TASO operator type " + std::to_string(op.type));
}

}  // namespace rf::exporters
