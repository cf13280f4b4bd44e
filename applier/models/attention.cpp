#include "applier/models/attention.h"

#include <cmath>

namespace rf::applier::models {

ValueRef attention(NetBuilder& nb, ValueRef x, const AttentionShape& s, const std::string& prefix,
                   std::optional<ValueRef> mask) {
    const int64_t dk = s.hidden / s.heads;
    auto heads = [&](const char* which, const std::vector<int32_t>& perm) {
        ValueRef p = nb.linear(x, s.hidden, prefix + "_" + which, s.bias);
        return nb.transpose(nb.reshape(p, {s.seq, s.heads, dk}), perm);
    };
    ValueRef q = heads("q", {1, 0, 2});  // [heads, seq, dk]
    ValueRef k = heads("k", {1, 2, 0});  // [heads, dk, seq]
    ValueRef v = heads("v", {1, 0, 2});
    ValueRef logits = nb.smul(nb.matmul(q, k), nb.weight({}, prefix + "_scale"));
    if (mask) logits = nb.add(logits, *mask);
    ValueRef ctx = nb.matmul(nb.softmax(logits, 2), v);  // [heads, seq, dk]
    ctx = nb.reshape(nb.transpose(ctx, {1, 0, 2}), {s.seq, s.hidden});
    return nb.linear(ctx, s.hidden, prefix + "_o", s.bias);
}

void set_attention_scale(Model& m, const AttentionShape& s, const std::string& prefix) {
    const auto dk = static_cast<double>(s.hidden / s.heads);
    m.weights[prefix + "_scale"] = FloatTensor{{}, {static_cast<float>(1 / std::sqrt(dk))}};
}

}  // namespace rf::applier::models
