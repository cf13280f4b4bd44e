// Exact fingerprints: what a graph computes, summarised as a 128-bit hash of its exact outputs
// at every evaluation point of a ShapePlan.
//
// A fingerprint only *proposes* that two graphs are equal: a hash hit is confirmed by comparing
// the full outputs (ExactTensor ==) before two graphs share a class, so no hash width, however
// small, can merge different graphs. The width is adjustable (`hash_bits`) exactly so that tests
// can force collisions and watch the confirmation step catch them. A point where a graph does
// not type-check, or where exact evaluation overflowed, is part of the fingerprint; overflow
// additionally makes the graph unmergeable (its values are unknown, not equal to anything).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/eval.h"
#include "ir/tensor_type.h"

namespace rf::fingerprint {

struct Fingerprint {
    uint64_t hi = 0, lo = 0;
    bool operator==(const Fingerprint& o) const { return hi == o.hi && lo == o.lo; }
    bool operator!=(const Fingerprint& o) const { return !(*this == o); }
    bool operator<(const Fingerprint& o) const { return hi < o.hi || (hi == o.hi && lo < o.lo); }
    /// 32 hex digits.
    std::string to_string() const;
};

/// Keeps the low `bits` bits (1..128) of a fingerprint: the test hook that forces collisions.
Fingerprint truncate(Fingerprint f, int bits);
/// Keeps the low `bits` bits (1..64) of a 64-bit hash.
uint64_t truncate64(uint64_t h, int bits);

/// A hash of a type's dims and concat boundaries (boundaries decide what split does, so two
/// values that print alike but split differently are different values).
uint64_t type_hash(const TensorType& t);
/// A hash of one exact value (lowest terms, as the evaluator returns it) and its type's hash.
uint64_t value_hash(const ExactTensor& t, uint64_t type_hash);

/// What evaluating a graph at one point gave: values, a type error, or an overflow.
enum class PointStatus : uint8_t { Ok, IllTyped, Overflow };

/// The hash of one output at one evaluation point: a marker when the graph is ill-typed or
/// overflowed there (`value` is then unused), else value_hash(*value, type_hash). The enumerator
/// (enumerator/term_store.cpp) and the reference path (graph_fingerprint.h) both hash points
/// with it and combine them with combine_points, so their fingerprints agree by construction.
uint64_t point_hash(PointStatus status, const ExactTensor* value = nullptr, uint64_t type_hash = 0);

/// The fingerprint of a graph's point hashes, in point order, kept to its low `bits` bits.
Fingerprint combine_points(const std::vector<uint64_t>& point_hashes, int bits = 128);

}  // namespace rf::fingerprint
