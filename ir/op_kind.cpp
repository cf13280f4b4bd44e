#include "ir/op_kind.h"

#include <cassert>

namespace rf {

namespace {

constexpr ParamSpec kStride{"stride", ParamKind::Pair, 0, 1, true};
constexpr ParamSpec kConvPad{"pad", ParamKind::Padding, 2, 0, true};
constexpr ParamSpec kConvAct{"act", ParamKind::Activation, 3, 0, true};
constexpr ParamSpec kMatmulAct{"act", ParamKind::Activation, 0, 0, true};
constexpr ParamSpec kPoolKernel{"kernel", ParamKind::Pair, 0, 0, false};
constexpr ParamSpec kPoolStride{"stride", ParamKind::Pair, 2, 1, true};
constexpr ParamSpec kPoolPad{"pad", ParamKind::Padding, 4, 0, true};
constexpr ParamSpec kPoolAct{"act", ParamKind::Activation, 5, 0, true};
constexpr ParamSpec kAxis{"axis", ParamKind::Int, 0, 0, false};
constexpr ParamSpec kPerm{"perm", ParamKind::List, 0, 0, false};
constexpr ParamSpec kShuffle{"shuffle", ParamKind::Int, 9, 0, true};
constexpr ParamSpec kShape{"shape", ParamKind::List, 0, 0, false};
constexpr ParamSpec kParallelDim{"dim", ParamKind::Int, 0, 0, false};
constexpr ParamSpec kPartitionDegree{"degree", ParamKind::Int, 1, 0, false};
constexpr ParamSpec kReplicaDegree{"degree", ParamKind::Int, 0, 0, false};

// Parameter layouts, named by the catalogue's `parameter layout` column.
constexpr std::array<ParamSpec, 0> kNoParams{};  // input's variable id is not a printed parameter
constexpr std::array kConv2dParams{kStride, kConvPad, kConvAct};
constexpr std::array kMatmulParams{kMatmulAct};
constexpr std::array kPoolParams{kPoolKernel, kPoolStride, kPoolPad, kPoolAct};
constexpr std::array kTransposeParams{kPerm, kShuffle};
constexpr std::array kAxisParams{kAxis};
constexpr std::array kShapeParams{kShape};
constexpr std::array kPartitionParams{kParallelDim, kPartitionDegree};
constexpr std::array kReplicaParams{kReplicaDegree};

std::vector<OpInfo> build_table() {
    std::vector<OpInfo> t;
#define RF_OP_INFO(kind, name, tensat, lo, hi, outs, comm, traits, layout, taso, flexflow, onnx) \
    t.push_back(OpInfo{OpKind::kind, name, tensat, lo, hi, outs, comm, traits,                   \
                       std::vector<ParamSpec>(layout.begin(), layout.end()), taso, flexflow, onnx});
    RF_OPS(RF_OP_INFO)
#undef RF_OP_INFO
    return t;
}

// The slot of the operator's parameter of kind `kind` (its activation, its padding), or -1.
int slot_of(OpKind k, ParamKind kind) {
    for (const ParamSpec& s : op_info(k).params)
        if (s.kind == kind) return s.slot;
    return -1;
}

const std::vector<OpInfo>& table() {
    static const std::vector<OpInfo> t = build_table();
    return t;
}

}  // namespace

const OpInfo& op_info(OpKind k) {
    const auto& t = table();
    assert(static_cast<size_t>(k) < t.size());
    return t[static_cast<size_t>(k)];
}

bool is_partition_op(OpKind k) { return op_info(k).has(kPartition); }

bool is_parallel_op(OpKind k) { return op_info(k).has(kPartition | kReplica); }

bool is_constant_op(OpKind k) { return op_info(k).has(kConstant); }

bool uses_order(OpKind k, const Params& p) {
    return op_info(k).has(kUsesOrder) || param::activation(p, k) == Activation::Relu;
}

const char* op_name(OpKind k) { return op_info(k).name.data(); }

std::optional<OpKind> op_from_name(std::string_view native_name) {
    for (const OpInfo& info : table())
        if (info.name == native_name && info.kind != OpKind::Input) return info.kind;
    return std::nullopt;
}

namespace {
template <class Column>
std::optional<OpKind> find_op(Column column) {
    for (const OpInfo& info : table())
        if (column(info)) return info.kind;
    return std::nullopt;
}
}  // namespace

std::optional<OpKind> op_from_onnx_name(std::string_view op_type) {
    if (op_type.empty()) return std::nullopt;
    return find_op([&](const OpInfo& i) { return i.onnx_name == op_type; });
}

std::optional<OpKind> op_from_flexflow_name(std::string_view type) {
    if (type.empty()) return std::nullopt;
    return find_op([&](const OpInfo& i) { return i.flexflow_name == type; });
}

std::optional<OpKind> op_from_taso_op(int32_t op_type) {
    if (op_type < 0) return std::nullopt;
    return find_op([&](const OpInfo& i) { return i.taso_op == op_type; });
}

const std::vector<OpKind>& all_op_kinds() {
    static const std::vector<OpKind> kinds = [] {
        std::vector<OpKind> v;
        for (const OpInfo& info : table()) v.push_back(info.kind);
        return v;
    }();
    return kinds;
}

const char* padding_name(Padding p) {
    switch (p) {
        case Padding::Same: return "same";
        case Padding::Valid: return "valid";
    }
    return "?";
}

const char* activation_name(Activation a) {
    switch (a) {
        case Activation::None: return "none";
        case Activation::Sigmoid: return "sigmoid";
        case Activation::Relu: return "relu";
        case Activation::Tanh: return "tanh";
    }
    return "?";
}

namespace param {

int32_t axis(const Params& p) { return p.v[kAxis.slot]; }

Padding padding(const Params& p, OpKind k) {
    const int slot = slot_of(k, ParamKind::Padding);
    assert(slot >= 0);
    return static_cast<Padding>(p.v[slot]);
}

Activation activation(const Params& p, OpKind k) {
    const int slot = slot_of(k, ParamKind::Activation);
    return slot < 0 ? Activation::None : static_cast<Activation>(p.v[slot]);
}

std::array<int32_t, 2> stride(const Params& p, OpKind k) {
    assert(k == OpKind::Conv2d || k == OpKind::PoolAvg || k == OpKind::PoolMax);
    int s = (k == OpKind::Conv2d) ? kStride.slot : kPoolStride.slot;
    return {p.v[s], p.v[s + 1]};
}

std::array<int32_t, 2> kernel(const Params& p) { return {p.v[kPoolKernel.slot], p.v[kPoolKernel.slot + 1]}; }

std::vector<int32_t> list(const Params& p, int slot) {
    int n = p.v[slot];
    assert(n >= 0 && n <= kMaxListLen);
    return std::vector<int32_t>(p.v.begin() + slot + 1, p.v.begin() + slot + 1 + n);
}

bool shuffle(const Params& p) { return p.v[kShuffle.slot] != 0; }

int32_t parallel_dim(const Params& p) { return p.v[kParallelDim.slot]; }

int32_t degree(const Params& p, OpKind k) {
    assert(is_parallel_op(k));
    return p.v[is_partition_op(k) ? kPartitionDegree.slot : kReplicaDegree.slot];
}

Params conv2d(int sh, int sw, Padding pad, Activation act) {
    Params p;
    p.v[0] = sh;
    p.v[1] = sw;
    p.v[2] = static_cast<int32_t>(pad);
    p.v[3] = static_cast<int32_t>(act);
    return p;
}

Params matmul(Activation act) {
    Params p;
    p.v[0] = static_cast<int32_t>(act);
    return p;
}

Params pool(int kh, int kw, int sh, int sw, Padding pad, Activation act) {
    Params p;
    p.v[0] = kh;
    p.v[1] = kw;
    p.v[2] = sh;
    p.v[3] = sw;
    p.v[4] = static_cast<int32_t>(pad);
    p.v[5] = static_cast<int32_t>(act);
    return p;
}

Params axis_param(int axis) {
    Params p;
    p.v[0] = axis;
    return p;
}

Params transpose(const std::vector<int32_t>& perm, bool shuffle) {
    Params p = shape_list(perm);
    p.v[kShuffle.slot] = shuffle ? 1 : 0;
    return p;
}

Params shape_list(const std::vector<int32_t>& dims) {
    assert(dims.size() <= static_cast<size_t>(kMaxListLen));
    Params p;
    p.v[0] = static_cast<int32_t>(dims.size());
    for (size_t i = 0; i < dims.size(); ++i) p.v[1 + i] = dims[i];
    return p;
}

Params input(int32_t variable) {
    Params p;
    p.v[0] = variable;
    return p;
}

int32_t variable(const Params& p) { return p.v[0]; }

Params partition(OpKind k, int32_t dim, int32_t degree) {
    assert(is_partition_op(k));
    (void)k;
    Params p;
    p.v[kParallelDim.slot] = dim;
    p.v[kPartitionDegree.slot] = degree;
    return p;
}

Params replica(int32_t degree) {
    Params p;
    p.v[kReplicaDegree.slot] = degree;
    return p;
}

}  // namespace param
}  // namespace rf
