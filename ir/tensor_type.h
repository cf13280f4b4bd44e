// The type of a tensor value: its dimensions and, per dimension, where concatenations joined it.
//
// TASO's `split` has no split point of its own: it cuts a tensor where a `concat` joined it,
// and the boundary travels with the tensor through element-wise operators, convolution and
// matmul. TENSAT's syntax inherits this (`(split AXIS x)`), so the boundary is part of the type
// here too: a `SplitTree` per dimension records the concatenation structure, and `split` divides
// at its root. Unlike TASO, the right part's boundaries are re-based at the cut.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/dim.h"

namespace rf {

/// What an input variable stands for: an activation (runtime data) or a weight (known ahead of
/// time, so a rewrite may precompute on it). Scalars are rank-0 weights.
enum class Role : uint8_t { Activation, Weight };
const char* role_name(Role r);

/// The concatenation structure of one dimension: a binary tree whose root is the most recent
/// concat boundary. A null pointer means "no boundary".
struct SplitTree {
    Dim left_size;
    std::shared_ptr<const SplitTree> left, right;
};
using SplitInfo = std::shared_ptr<const SplitTree>;

/// Structural equality of split trees.
bool same_split(const SplitInfo& a, const SplitInfo& b);

struct TensorType {
    std::vector<Dim> dims;
    /// Either empty (no boundaries anywhere) or one entry per dimension.
    std::vector<SplitInfo> splits;

    size_t rank() const { return dims.size(); }
    bool is_concrete() const;
    /// Number of elements; asserts is_concrete().
    int64_t volume() const;
    const SplitInfo& split(size_t axis) const;
    void set_split(size_t axis, SplitInfo s);

    /// "[2,4,5,5]" (boundaries are not printed: they are derived from the graph).
    std::string to_string() const;

    /// Dimensions equal (boundaries ignored).
    bool same_shape(const TensorType& o) const { return dims == o.dims; }
    bool operator==(const TensorType& o) const;
};

TensorType make_type(std::vector<Dim> dims);

}  // namespace rf
