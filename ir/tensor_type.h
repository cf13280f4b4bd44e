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
    /// How the tensor is spread over devices, as FlexFlow/Unity's parallel tensors are: dimension
    /// i is cut into degrees[i] equal parts (`degrees` is empty when no dimension is cut), and the
    /// whole exists as `replicas` copies or partial sums. One device holds one part of one
    /// replica. A value holds every replica: its dims are [replicas, dims...] when replicas > 1,
    /// and a partition changes no value, only where its parts live.
    std::vector<int32_t> degrees;
    int32_t replicas = 1;

    size_t rank() const { return dims.size(); }
    bool is_concrete() const;
    /// Number of elements; asserts is_concrete().
    int64_t volume() const;
    const SplitInfo& split(size_t axis) const;
    void set_split(size_t axis, SplitInfo s);
    int32_t degree(size_t axis) const;
    /// Keeps `degrees` empty while every degree is 1, so equal distributions compare equal.
    void set_degree(size_t axis, int32_t d);
    bool is_distributed() const { return !degrees.empty() || replicas != 1; }
    /// Same degrees and replicas.
    bool same_distribution(const TensorType& o) const { return degrees == o.degrees && replicas == o.replicas; }

    /// "[2,4,5,5]" (boundaries are not printed: they are derived from the graph); a distributed
    /// type as "[8/2,4]*2": 8 cut in 2 parts, the whole replicated twice.
    std::string to_string() const;

    /// Dimensions equal (boundaries and distribution ignored).
    bool same_shape(const TensorType& o) const { return dims == o.dims; }
    bool operator==(const TensorType& o) const;
};

TensorType make_type(std::vector<Dim> dims);

/// The distribution suffix of to_string for one dimension ("/2", or "" for degree 1) and for the
/// replicas ("*2", or "").
std::string degree_suffix(int32_t degree);
std::string replicas_suffix(int32_t replicas);

}  // namespace rf
