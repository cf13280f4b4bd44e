// Canonical form: one representative per graph up to renaming its input variables and
// reordering independent nodes, so that equal graphs print the same text and hash the same.
//
// The order is a depth-first post-order from the outputs (operands left to right); variables are
// renamed v0, v1, ... and shape symbols d0, d1, ... in order of first visit; nodes that no output
// reaches are dropped. Commutative operands are NOT reordered: `ewadd(a, b)` and `ewadd(b, a)`
// are different graphs that the fingerprinter proves equal, which is a rule worth keeping once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/rule.h"

namespace rf {

Graph canonicalize(const Graph& g);
/// Both sides renamed with one table: variables numbered by first visit in the left side, then
/// the right side. The name and conditions are kept.
Rule canonicalize(const Rule& r);

/// A node list, linear in the graph's size: `v0: act[d0,d1]; v1: weight[d1,d2]; %2 = matmul(v0, v1); out %2`.
std::string canonical_text(const Graph& g);
/// The canonical rule in native syntax, without its name.
std::string canonical_text(const Rule& r);

/// XXH3-64 of canonical_text: stable across runs, machines and builds (stored in databases).
uint64_t canonical_hash(const Graph& g);
uint64_t canonical_hash(const Rule& r);
uint64_t text_hash(const std::string& text);

/// Renumbers the shape symbols of a variable table 0, 1, ... in order of first appearance.
void renumber_symbols(std::vector<Variable>& vars);

}  // namespace rf
