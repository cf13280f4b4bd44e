#include "ir/tensor_type.h"

#include <cassert>

namespace rf {

const char* role_name(Role r) {
    switch (r) {
        case Role::Activation: return "act";
        case Role::Weight: return "weight";
    }
    return "?";
}

bool same_split(const SplitInfo& a, const SplitInfo& b) {
    if (a == b) return true;
    if (!a || !b) return false;
    return a->left_size == b->left_size && same_split(a->left, b->left) && same_split(a->right, b->right);
}

bool TensorType::is_concrete() const {
    for (const Dim& d : dims)
        if (!d.is_concrete()) return false;
    return true;
}

int64_t TensorType::volume() const {
    int64_t v = 1;
    for (const Dim& d : dims) v *= d.value();
    return v;
}

const SplitInfo& TensorType::split(size_t axis) const {
    static const SplitInfo none;
    assert(axis < dims.size());
    return splits.empty() ? none : splits[axis];
}

void TensorType::set_split(size_t axis, SplitInfo s) {
    assert(axis < dims.size());
    if (splits.empty()) {
        if (!s) return;
        splits.resize(dims.size());
    }
    splits[axis] = std::move(s);
}

int32_t TensorType::degree(size_t axis) const {
    assert(axis < dims.size());
    return degrees.empty() ? 1 : degrees[axis];
}

void TensorType::set_degree(size_t axis, int32_t d) {
    assert(axis < dims.size() && d >= 1);
    if (degrees.empty()) {
        if (d == 1) return;
        degrees.assign(dims.size(), 1);
    }
    degrees[axis] = d;
    for (int32_t x : degrees)
        if (x != 1) return;
    degrees.clear();
}

std::string degree_suffix(int32_t degree) { return degree == 1 ? "" : "/" + std::to_string(degree); }

std::string replicas_suffix(int32_t replicas) { return replicas == 1 ? "" : "*" + std::to_string(replicas); }

std::string TensorType::to_string() const {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i) {
        if (i) s += ",";
        s += dims[i].to_string() + degree_suffix(degree(i));
    }
    return s + "]" + replicas_suffix(replicas);
}

bool TensorType::operator==(const TensorType& o) const {
    if (dims != o.dims || !same_distribution(o)) return false;
    for (size_t i = 0; i < dims.size(); ++i)
        if (!same_split(split(i), o.split(i))) return false;
    return true;
}

TensorType make_type(std::vector<Dim> dims) {
    TensorType t;
    t.dims = std::move(dims);
    return t;
}

}  // namespace rf
