// The enumerator's compact graph store. Every operator node is (template, operand values) with
// the operand values being class representatives, so a graph is one node plus pointers into
// smaller graphs, never a copy. A value is one output of a node (a split node has two) or an
// input variable; its "graph" is the DAG below it, whose operator nodes are kept as a small
// sorted id list (size <= kMaxOps), which is what size counting and sharing checks need.
// Types are interned per instantiation (TypeId), and typing results are cached per (template,
// instantiation, operand types), so the enumerator type-checks a candidate node with one lookup.
// Values are evaluated on demand, exactly, with the IR's eval_node_exact.
//
// Internal to rf_enumerator: nothing here leaves the library except through to_graph().
#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "enumerator/big_vector.h"
#include "enumerator/preset.h"
#include "fingerprint/fingerprint.h"
#include "ir/eval.h"
#include "ir/graph.h"

namespace rf::enumerator {

using ValueId = uint32_t;
using NodeId = uint32_t;
using TypeId = uint32_t;
inline constexpr int kMaxOps = 6;
inline constexpr int kMaxInsts = 4;
inline constexpr TypeId kIllTyped = UINT32_MAX;
inline constexpr NodeId kNoNode = UINT32_MAX;
/// Typing-cache operand slot of a template with fewer operands.
inline constexpr TypeId kNoOperand = 0x3fffff;

struct NodeSet {
    std::array<NodeId, kMaxOps> ids{};
    uint8_t n = 0;
    bool contains(NodeId x) const;
};
/// Sorted union; false when it would exceed kMaxOps.
bool merge_sets(const NodeSet& a, const NodeSet& b, NodeSet& out);
/// The smallest node in both sets, or kNoNode.
NodeId first_shared(const NodeSet& a, const NodeSet& b);

inline constexpr uint32_t kNoTyping = UINT32_MAX;

struct NodeRec {
    uint16_t tmpl = 0;
    uint8_t arity = 0;
    uint8_t num_outputs = 1;
    std::array<ValueId, 2> in{};
    NodeSet nodes;  ///< this node and every operator node below it
    ValueId first_value = 0;
    /// Index of the node's typing at each instantiation (kNoTyping where it is ill-typed), so
    /// evaluation needs no typing-cache lookup.
    std::array<uint32_t, kMaxInsts> typing{};
};

enum ValueFlags : uint8_t { kRep = 1, kOverflow = 2 };

struct ValueRec {
    NodeId node = kNoNode;  ///< kNoNode for an input variable
    int32_t var = -1;
    uint8_t out = 0;
    uint8_t flags = 0;
    std::array<TypeId, kMaxInsts> type{};
    /// The next member of this value's class (class_table.h), UINT32_MAX for the last: a class
    /// keeps its members as a list through its values, not as a vector of its own.
    uint32_t next_member = UINT32_MAX;
    uint64_t skey = 0;  ///< structural key: deterministic, independent of ids and threads
    uint32_t cls = UINT32_MAX;
};
static_assert(sizeof(ValueRec) <= 48, "one per single-output graph: 26 M at size 4");

struct Typing {
    bool ok = false;
    std::array<TypeId, 2> out{kIllTyped, kIllTyped};
    Node proto;  ///< op, params, dummy inputs and output types, for eval_node_exact
    std::vector<TensorType> in_types;
};

/// One value's outcome at every point: what a fingerprint hashes and a confirmation compares.
struct FullValues {
    std::vector<uint8_t> status;  ///< PointStatus per point
    std::vector<ExactTensor> values;
    std::vector<TypeId> types;
    bool overflow = false;
    fingerprint::Fingerprint fp;
};

class TermStore {
public:
    explicit TermStore(const EnumConfig& cfg);

    const EnumConfig& config() const { return d_cfg; }
    const fingerprint::ShapePlan& plan() const { return d_cfg.plan; }
    int num_insts() const { return d_cfg.plan.num_insts(); }

    BigVector<NodeRec> nodes;
    BigVector<ValueRec> values;

    int size(ValueId v) const { return values[v].node == kNoNode ? 0 : nodes[values[v].node].nodes.n; }
    const NodeSet& node_set(ValueId v) const {
        static const NodeSet empty;
        return values[v].node == kNoNode ? empty : nodes[values[v].node].nodes;
    }
    const TensorType& type(TypeId t) const { return d_types[t]; }
    /// A key of the type's content (dimensions and split structure): equal on every process for
    /// equal types, where type ids depend on the order types were first met.
    const std::string& type_key_of(TypeId t) const { return d_type_keys[t]; }
    uint64_t type_hash_of(TypeId t) const {
        assert(t < d_type_hash.size());
        return d_type_hash[t];
    }
    /// Cached typing of template `tmpl` on operand types at an instantiation (single-threaded).
    const Typing& typing(int tmpl, int inst, TypeId a, TypeId b) { return *d_typings[typing_index(tmpl, inst, a, b)]; }
    /// The same typing's index (stable: the cache only grows), computing it when missing
    /// (single-threaded).
    uint32_t typing_index(int tmpl, int inst, TypeId a, TypeId b);
    struct TypingKey {
        int tmpl, inst;
        TypeId a, b;  ///< kNoOperand for a template's missing operands
    };
    /// Computes the typings among `keys` that are not cached yet, on OpenMP threads (type
    /// inference is pure; only storing them is serial). Rejected typings cost a thrown
    /// TypeError each, so this is where generate()'s serial time went before.
    void prepare_typings(std::span<const TypingKey> keys);
    /// The index of a typing already computed, or kNoTyping; safe while no thread adds typings.
    uint32_t find_typing(int tmpl, int inst, TypeId a, TypeId b) const;
    const Typing& typing_at(uint32_t index) const { return *d_typings[index]; }
    /// Structural key of a node proposal.
    uint64_t node_key(int tmpl, ValueId a, ValueId b, int arity) const;

    /// The value of v at point p (children evaluated recursively, cached point-0 values used).
    /// Throws EvalOverflow. Requires v to be typed at p's instantiation. Thread-safe.
    ExactTensor evaluate(ValueId v, int point) const;
    /// The outcome at every point, with the fingerprint (of `hash_bits` bits).
    FullValues full_values(ValueId v) const;
    /// Whether the outputs `as` and `bs` (in corresponding order) agree at every point with
    /// `replaced`'s value replaced by a fresh random tensor of its type (one tensor per point,
    /// the same on both sides): whether a rule generalises over a shared sub-graph. False where
    /// either side overflows. Stops at the first point that differs, which is where most pairs
    /// are decided, so it costs one evaluation per side there, not one per point.
    bool agree_replacing(std::span<const ValueId> as, std::span<const ValueId> bs, ValueId replaced) const;
    /// The stand-ins agree_replacing() puts in for the leaves (size-1 values) at every point,
    /// drawn once: seeding a Mersenne twister per check and point cost more than evaluating
    /// a small tensor. The draws are the same as without it.
    void prepare_stand_ins();
    /// Exact comparison of two outcomes (false if either overflowed).
    static bool same(const FullValues& a, const FullValues& b);

    /// Cached point-0 values of representatives (so extending one costs one node evaluation).
    void cache_point0(ValueId v, ExactTensor t);
    const ExactTensor* cached_point0(ValueId v) const;

    /// The graph of some values over the plan's base variables (outputs in the given order).
    Graph to_graph(const std::vector<ValueId>& outputs) const;

    /// Values computed while evaluating one graph at one point: every output of every node
    /// below it (at most kMaxOps nodes of two outputs), plus a replaced sub-graph's stand-in.
    /// Fixed storage, so pointers into it stay valid and evaluation allocates no memo.
    struct Memo {
        static constexpr int kCap = 2 * kMaxOps + 1;
        std::array<ValueId, kCap> id{};
        std::array<ExactTensor, kCap> val;
        int n = 0;
        const ExactTensor* find(ValueId v) const {
            for (int i = 0; i < n; ++i)
                if (id[i] == v) return &val[i];
            return nullptr;
        }
        const ExactTensor* put(ValueId v, ExactTensor t) {
            id[n] = v;
            val[n] = std::move(t);
            return &val[n++];
        }
        /// The value behind p as an owned tensor (moved out when the memo owns it).
        ExactTensor take(const ExactTensor* p) {
            if (p >= &val[0] && p < &val[0] + n) return std::move(val[p - &val[0]]);
            return *p;
        }
    };

private:
    /// v's value at `point`: a pointer into the plan (inputs), the point-0 cache or `memo`.
    const ExactTensor* eval_rec(ValueId v, int point, Memo& memo, bool use_cache) const;
    TypeId intern(const TensorType& t);
    /// agree_replacing()'s random tensor for v at `point` (a function of v's structural key).
    ExactTensor stand_in(ValueId v, int point) const;
    /// The typing without interning its output types (pure, thread-safe).
    Typing infer_typing(int tmpl, int inst, TypeId a, TypeId b) const;
    /// Interns ty's output types and gives it the next index; ty stays where it is.
    uint32_t store_typing(uint64_t key, Typing& ty);

    EnumConfig d_cfg;
    std::vector<std::vector<Params>> d_params;  ///< per template, per instantiation
    std::deque<TensorType> d_types;             ///< a deque: references stay valid as types are added
    std::vector<uint64_t> d_type_hash;
    std::vector<std::string> d_type_keys;
    std::unordered_map<std::string, TypeId> d_type_index;
    /// The typings, by index, in blocks that never move: one per prepare_typings call, whose
    /// typings are computed in place on all threads (moving them into one container was serial).
    std::deque<ParallelArray<Typing>> d_typing_blocks;
    std::vector<const Typing*> d_typings;
    std::unordered_map<uint64_t, uint32_t> d_typing_index;
    std::vector<uint32_t> d_cache_slot;  ///< per value, index into d_cache or UINT32_MAX
    std::vector<ExactTensor> d_cache;
    std::vector<ExactTensor> d_stand_ins;  ///< per size-1 value and point (prepare_stand_ins)
};

}  // namespace rf::enumerator
