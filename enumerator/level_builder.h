// The level builder behind enumerate() (internal to rf_enumerator): the Enumerator class and
// the records its phases hand each other. Its work is split by phase into files of their own:
// enumerator.cpp (levels, node records, the result), generate.cpp (proposing the nodes of a
// size level) and classify.cpp (fingerprints, hash buckets, class assignment).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <xxhash.h>

#include "enumerator/big_vector.h"
#include "enumerator/class_table.h"
#include "enumerator/enumerator.h"
#include "enumerator/term_store.h"
#include "enumerator/work_exchange.h"
#include "support/progress.h"

namespace rf::enumerator {

/// A node of the level being built. A level's proposals and its node and value records are
/// all alive while the nodes are added (26 M proposals at size 4), so a
/// proposal keeps only what add_nodes cannot derive: the nodes below it come from its operands'
/// sets, its output types from its typings.
struct Proposal {
    uint16_t tmpl;
    uint8_t arity;
    uint8_t nout;
    ValueId a, b;
    uint64_t skey;
    std::array<uint32_t, kMaxInsts> typing;  ///< kNoTyping where ill-typed
};
static_assert(sizeof(Proposal) <= 40, "one proposal per graph of a level");

/// A slice of generate()'s work: template `tmpl` over first operands as[lo, hi) and, for a
/// binary template, second operands from `bs` (disjoint operands) or found through the node
/// index (operands sharing nodes, `shared`, second operand of size s2).
struct GenTask {
    int tmpl;
    const std::vector<ValueId>* as;
    size_t lo, hi;
    const std::vector<ValueId>* bs = nullptr;
    bool shared = false;
    int s2 = 0;
};

struct Classification;  // one level's classification in progress (classify.cpp)

inline uint64_t mix_key(uint64_t a, uint64_t b) {
    const uint64_t w[2] = {a, b};
    return XXH3_64bits(w, sizeof w);
}

class Enumerator {
public:
    Enumerator(TermStore& s, ClassTable& t, std::vector<PhaseProfile>& profile)
        : d_s(s), d_t(t), d_progress(s.config().progress), d_profile(profile) {}
    void run(std::vector<LevelStats>& levels);

private:
    // generate.cpp
    bool operands_ok(const OpTemplate& t, ValueId a, ValueId b) const;
    /// Appends the node tmpl(a, b) when it is new, well typed at the base shape and of size n.
    /// With `create` false (parallel phase) a typing not cached yet is not computed: the call
    /// returns false and the caller proposes the pair again, serially, with `create` true.
    bool propose(int tmpl, ValueId a, ValueId b, int n, std::vector<Proposal>& out, bool create);
    void run_task(const GenTask& t, int n, std::vector<Proposal>& out, std::vector<std::array<ValueId, 3>>& deferred);
    /// The proposals of size n (in lists that must outlive `order`), and `order`, the order in
    /// which they become nodes.
    std::vector<std::vector<Proposal>> generate(int n, BigVector<const Proposal*>& order);
    /// Representatives of each size below n grouped by base type, in the order of the types'
    /// content (the same on every cooperating process).
    struct TypeGroup {
        TypeId type;
        std::vector<ValueId> values;
    };
    std::vector<std::vector<TypeGroup>> group_by_type(int n) const;
    /// Every typing the parallel pass of level n can ask for, computed up front.
    void prepare_level_typings(int n, const std::vector<std::vector<TypeGroup>>& by_type);
    /// The level's work split into small tasks; nullary templates are proposed into `props`.
    std::vector<GenTask> make_tasks(int n, const std::vector<std::vector<TypeGroup>>& by_type,
                                    std::vector<Proposal>& props);
    /// Runs the tasks on all threads into one list per task (then one per thread).
    std::vector<std::vector<Proposal>> run_tasks(int n, const std::vector<GenTask>& tasks);
    /// The order in which the proposals of all lists become nodes (thread-independent).
    static void order_proposals(const std::vector<std::vector<Proposal>>& local, BigVector<const Proposal*>& order);
    /// Computes the typings of (template, operand, operand) triples at every instantiation.
    void prepare_typings_of(const std::vector<std::array<ValueId, 3>>& pairs);
    /// Gives every cooperating process the nodes each proposed: thread t appends the others'
    /// to local[first_extra + t].
    void share_proposals(WorkExchange& ex, int n, std::vector<std::vector<Proposal>>& local, size_t first_extra);

    // enumerator.cpp
    void add_nodes(const BigVector<const Proposal*>& order);
    void index_inputs();

    // classify.cpp
    void classify(int n, ValueId first, LevelStats& st);
    void fingerprint_values(Classification& w);
    void share_fingerprints(Classification& w);
    void make_buckets(Classification& w);
    void resolve_buckets(Classification& w);
    void share_verdicts(Classification& w);
    void assign_classes(Classification& w, LevelStats& st);
    void index_new_classes(Classification& w);
    void share_representatives(Classification& w, const std::vector<uint32_t>& new_reps);
    void overflow_classes(Classification& w, LevelStats& st);

    TermStore& d_s;
    ClassTable& d_t;
    support::Progress d_progress;
    std::vector<PhaseProfile>& d_profile;
    std::vector<std::vector<ValueId>> d_reps_by_size;
    std::vector<std::vector<ValueId>> d_containing;  ///< node id -> representatives containing it
    /// The representatives of size `size` that contain node `id`. Representatives are added
    /// level by level, so each d_containing list is sorted by size.
    std::span<const ValueId> containing(NodeId id, int size) const {
        if (id >= d_containing.size()) return {};
        const std::vector<ValueId>& all = d_containing[id];
        auto by_size = [&](ValueId v, int sz) { return d_s.size(v) < sz; };
        auto lo = std::lower_bound(all.begin(), all.end(), size, by_size);
        auto hi = std::lower_bound(lo, all.end(), size + 1, by_size);
        return {lo, hi};
    }
};

}  // namespace rf::enumerator
