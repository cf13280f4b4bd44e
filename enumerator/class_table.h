// The fingerprint classes of an enumeration, and the candidate extraction that reads them.
// Internal to rf_enumerator.
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "enumerator/enumerator.h"
#include "enumerator/term_store.h"

namespace rf::enumerator {

inline constexpr uint32_t kNoClass = UINT32_MAX;

/// A class: 32 bytes and no allocation of its own (22.7 M classes at size 4, of which 2 M
/// have members). Its members (excluding rep, in the order they joined: structural-key order
/// within a level, levels in turn) are a list through ValueRec::next_member.
struct ClassRec {
    ValueId rep = 0;
    ValueId first_member = UINT32_MAX, last_member = UINT32_MAX;
    uint32_t num_members = 0;
    uint64_t pkey = 0;              ///< primary (point-0) hash of the representative
    uint32_t next_same = kNoClass;  ///< the next class (by id) with the same primary hash

    ClassRec() = default;
    ClassRec(ValueId r, uint64_t pk) : rep(r), pkey(pk) {}
    /// Appends v to the members (one thread per class at a time).
    void add_member(ValueId v, BigVector<ValueRec>& values) {
        (num_members == 0 ? first_member : values[last_member].next_member) = v;
        last_member = v;
        ++num_members;
    }
    /// Calls f(v) for each member in order.
    template <class F>
    void for_each_member(const BigVector<ValueRec>& values, F&& f) const {
        for (ValueId v = first_member; v != UINT32_MAX; v = values[v].next_member) f(v);
    }
};
static_assert(sizeof(ClassRec) == 32);

/// The classes, and an index from primary hash to the classes that have it. Almost every hash
/// has one class, so the index holds the first and last of a chain through ClassRec::next_same
/// rather than a vector per hash (one allocation per class less, on ~0.5 M classes at size 3).
struct ClassTable {
    BigVector<ClassRec> classes;
    struct Chain {
        uint32_t first, last;
    };
    std::unordered_map<uint64_t, Chain> by_pkey;  ///< overflowed classes excluded

    /// Appends class c to its hash's chain.
    void index(uint32_t c) {
        auto [it, fresh] = by_pkey.try_emplace(classes[c].pkey, Chain{c, c});
        if (!fresh) {
            classes[it->second.last].next_same = c;
            it->second.last = c;
        }
    }
    /// The first class with primary hash pk (kNoClass when none); follow next_same for the rest.
    uint32_t first_with(uint64_t pk) const {
        auto it = by_pkey.find(pk);
        return it == by_pkey.end() ? kNoClass : it->second.first;
    }

    /// The fingerprints of the classes that have members, sorted by class, as the bucket
    /// resolution computed them: the store prints them, and recomputing one means evaluating
    /// the representative at every point again (15 % of the size-3 store). A class missing here
    /// (a rank that did not resolve its bucket) is evaluated again by the reader.
    std::vector<std::pair<uint32_t, fingerprint::Fingerprint>> member_fps;
    const fingerprint::Fingerprint* fingerprint_of(uint32_t c) const {
        auto it = std::lower_bound(
            member_fps.begin(), member_fps.end(), c,
            [](const std::pair<uint32_t, fingerprint::Fingerprint>& e, uint32_t x) { return e.first < x; });
        return it != member_fps.end() && it->first == c ? &it->second : nullptr;
    }
};

/// Single- and two-output candidates, drops counted into `levels` by the larger side's size.
std::vector<Candidate> extract_candidates(const TermStore& store, const ClassTable& table,
                                          std::vector<LevelStats>& levels, int threads);

}  // namespace rf::enumerator
