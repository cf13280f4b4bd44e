// Bottom-up enumeration of every operator graph up to a size bound, grouped into classes of
// exactly equal graphs (Quartz's RepGen, with exact fingerprints).
//
// Size by size, a new graph is one operator node whose operands are inputs or class
// *representatives* of smaller sizes (sharing allowed, so its size is the number of distinct
// operator nodes below it). A graph with a non-representative sub-graph is never built: it is
// reachable from a smaller rule. Commutative operands are taken in one order only, and every
// node is hash-consed, so no graph is built twice. Each new graph is evaluated exactly at the
// plan's cheapest point; only when that value hits an existing class (or another new graph) is it
// evaluated at every point and compared in full before it joins a class; the representative of a
// class is its smallest member, ties broken by a structural key, so the result does not depend on
// arrival order or thread count. Two-output graphs (both outputs of a split, or two graphs sharing
// an operator node) form classes of output pairs. Candidates are (member, representative) pairs
// with trivial and redundant ones dropped and counted by reason (candidates.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "enumerator/preset.h"
#include "fingerprint/fingerprint.h"
#include "ir/graph.h"
#include "ir/rule.h"

namespace rf::enumerator {

class TermStore;
struct ClassTable;

/// Candidates dropped before any solver, by reason.
struct DropCounts {
    uint64_t common_subgraph = 0;      ///< a shared leaf sub-graph the rule generalises over
    uint64_t common_outermost_op = 0;  ///< same root operator on operands of equal classes
    uint64_t common_output = 0;        ///< two-output pair with one identical output
    uint64_t unbound_variable = 0;     ///< neither side binds all of the other's variables
    uint64_t single_rules = 0;         ///< two-output pair whose one side is inputs only: two
                                       ///< single-output rules say the same
    uint64_t renaming = 0;             ///< the same rule up to renaming, reordering, commuting,
                                       ///< exchanging sides
    uint64_t total() const {
        return common_subgraph + common_outermost_op + common_output + unbound_variable + single_rules + renaming;
    }
};

/// Figures for one size level (candidates are counted at the size of their larger side).
struct LevelStats {
    int size = 0;
    uint64_t graphs = 0;            ///< single-output graphs enumerated (one per node output)
    uint64_t pair_graphs = 0;       ///< two-output graphs formed
    uint64_t new_classes = 0;       ///< classes whose representative has this size
    uint64_t joined = 0;            ///< graphs that joined an existing class (members)
    uint64_t full_evaluations = 0;  ///< graphs evaluated at every point (a primary-hash hit)
    uint64_t hash_collisions = 0;   ///< fingerprint hits refuted by the full comparison
    uint64_t overflows = 0;         ///< graphs whose exact evaluation overflowed (own class)
    uint64_t candidates = 0;
    DropCounts drops;
    double seconds = 0;
};

/// A candidate rule: lhs is the larger graph (the member), rhs the class representative,
/// unless only the other direction binds every variable.
struct Candidate {
    Rule rule;
    int num_outputs = 1;
    int lhs_size = 0, rhs_size = 0;
    /// The single-output class (EnumResult index) the pair comes from; -1 for a two-output pair.
    int64_t class_index = -1;
};

/// Where a run's time and memory went: one record per phase of each size level (generate,
/// fingerprint, classes) and one for the candidate extraction over all levels (size 0).
struct PhaseProfile {
    std::string phase;
    int size = 0;
    double seconds = 0;
    double cpu_seconds = 0;       ///< user + system time of all the process's threads
    uint64_t peak_rss_bytes = 0;  ///< the process's peak resident memory at the phase's end
};

/// The clocks at a phase's start; phase_profile() reads them again at its end.
struct PhaseStart {
    std::chrono::steady_clock::time_point wall;
    double cpu = 0;
    static PhaseStart now();
};
PhaseProfile phase_profile(std::string phase, int size, const PhaseStart& start);

/// One class, materialised as IR graphs.
struct EnumClass {
    fingerprint::Fingerprint fingerprint;
    Graph representative;
    std::vector<Graph> members;  ///< excluding the representative
};

class EnumResult {
public:
    EnumResult();
    ~EnumResult();
    EnumResult(EnumResult&&) noexcept;
    EnumResult& operator=(EnumResult&&) noexcept;

    std::vector<LevelStats> levels;     ///< index 0: size 1
    std::vector<Candidate> candidates;  ///< sorted by canonical text
    std::vector<PhaseProfile> profile;  ///< in the order the phases ran
    double seconds = 0;

    /// Single-output classes (inputs included), in a deterministic order.
    size_t num_classes() const;
    /// Class i with its graphs (built on demand: the store keeps graphs compactly).
    EnumClass get_class(size_t i) const;
    /// Number of members (excluding the representative) of class i, without building graphs.
    size_t class_size(size_t i) const;
    /// The fingerprint of class i alone (what get_class(i).fingerprint is, without the graphs).
    fingerprint::Fingerprint class_fingerprint(size_t i) const;

private:
    friend EnumResult enumerate_classes(const EnumConfig& config);
    friend void enumerate_candidates(EnumResult& result);
    std::unique_ptr<TermStore> d_store;
    std::unique_ptr<ClassTable> d_classes;
};

/// Runs the enumeration; the result is identical for every thread count.
EnumResult enumerate(const EnumConfig& config);

/// enumerate() in its two steps, for a caller that works on the classes while the candidates
/// are extracted (`enumerate --db` stores the classes meanwhile, pipeline/enumerate_db.h):
/// the size levels and their classes, with no candidates yet.
EnumResult enumerate_classes(const EnumConfig& config);
/// The second step: extracts the candidates of a result of enumerate_classes() (the profile's
/// "candidates" phase; the levels' candidate and drop counts). Other threads may read the
/// classes meanwhile (num_classes, class_size, get_class, class_fingerprint), but not
/// `candidates`, `levels` or `profile`.
void enumerate_candidates(EnumResult& result);

}  // namespace rf::enumerator
