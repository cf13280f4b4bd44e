// One GPT-2 (small) block: 12 heads, hidden 768, sequence 128, feed-forward 3072 with gelu.
// Pre-norm: x + attn(ln1(x)), then h + mlp(ln2(h)). The causal mask is an additive model input
// "mask" [1, 128, 128] (0 on and below the diagonal, a large negative value above in a real
// run; the validator draws it like any input), broadcast over the heads before the softmax.
#include "applier/models/attention.h"
#include "applier/models/catalog.h"

namespace rf::applier::models {

Model gpt2_block() {
    constexpr int64_t kSeq = 128, kHidden = 768, kHeads = 12, kFf = 3072;
    const AttentionShape shape{kSeq, kHidden, kHeads, true};
    NetBuilder nb;
    ValueRef x = nb.input("input", {kSeq, kHidden});
    ValueRef mask = nb.input("mask", {1, kSeq, kSeq});
    ValueRef a = attention(nb, nb.affine(nb.layernorm(x, 1), "ln1"), shape, "attn", mask);
    ValueRef h = nb.add(x, a);
    ValueRef m = nb.affine(nb.layernorm(h, 1), "ln2");
    ValueRef f = nb.linear(nb.gelu(nb.linear(m, kFf, "ff1")), kHidden, "ff2");
    const ValueRef out = nb.add(h, f);
    Model model = std::move(nb).finish("gpt2_block", {out});
    set_attention_scale(model, shape, "attn");
    return model;
}

}  // namespace rf::applier::models
