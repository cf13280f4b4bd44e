// The keys ruledb deduplicates by, computed from the IR before anything touches the database
// (so OpenMP threads can do the costly canonicalisation in parallel and hand the writer only
// text).
//
// A rule's key is its canonical text in its canonical orientation: rules equal up to renaming
// variables, reordering independent nodes, or exchanging the two sides are one equation and get
// one key. The orientation is chosen deterministically: a side that does not bind every variable
// of the other cannot be the left one; otherwise the side with more operators goes left (rewrite
// towards fewer operators); otherwise the smaller canonical text wins.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/rule.h"

namespace rf::ruledb {

struct GraphEntry {
    std::string text{};  ///< canonical_text(graph)
    std::string hash{};  ///< 16 hex digits of its XXH3-64
    int num_ops = 0;
    int num_outputs = 0;
};

struct RuleEntry {
    std::string text{};         ///< canonical native text (no name) in canonical orientation
    std::string hash{};         ///< 16 hex digits of text_hash(text)
    std::string source_text{};  ///< the rule as given (names, order, orientation), without its name
    std::string name{};
    bool swapped = false;            ///< the canonical orientation exchanges the given sides
    GraphEntry lhs{}, rhs{};         ///< the sides in canonical orientation
    std::vector<std::string> ops{};  ///< operator names over both sides, sorted, unique
    std::vector<std::string> conditions{};
};

/// 16 lowercase hex digits.
std::string hash_hex(uint64_t h);
GraphEntry describe_graph(const Graph& g);
RuleEntry describe_rule(const Rule& r);
/// describe_rule() of a rule that is canonical already (canonicalize(r) gives r, as for the
/// enumerator's candidates): the canonicalisations describe_rule() would repeat are skipped,
/// and the other orientation is only canonicalised where the orientation rule compares texts.
/// The result is describe_rule(r)'s, field for field.
RuleEntry describe_canonical_rule(const Rule& r);

}  // namespace rf::ruledb
