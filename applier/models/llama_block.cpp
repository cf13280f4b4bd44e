// A Llama block at BERT-base width (12 heads, hidden 768, sequence 128; the feed-forward is
// 2048 = 8/3 * 768, Llama's ratio), so the three transformer blocks compare at one size and a
// CPU validates it in seconds (Llama-7B's 4096/11008 would cost about 20 times as much).
// Pre-norm with rmsnorm (weight, no bias), bias-free projections, and the SiLU-gated
// feed-forward down(silu(gate(x)) * up(x)), silu(x) = x * sigmoid(x). Rotary position
// embeddings are left out: they need sin/cos tables and a rotate-half the IR has no operator
// for, and they touch only Q and K before the attention's matmul.
#include "applier/models/attention.h"
#include "applier/models/catalog.h"

namespace rf::applier::models {

Model llama_block() {
    constexpr int64_t kSeq = 128, kHidden = 768, kHeads = 12, kFf = 2048;
    const AttentionShape shape{kSeq, kHidden, kHeads, false};
    NetBuilder nb;
    ValueRef x = nb.input("input", {kSeq, kHidden});
    ValueRef a = attention(nb, nb.affine(nb.rmsnorm(x, 1), "norm1", false), shape, "attn");
    ValueRef h = nb.add(x, a);
    ValueRef m = nb.affine(nb.rmsnorm(h, 1), "norm2", false);
    ValueRef gate = nb.linear(m, kFf, "gate", false);
    ValueRef silu = nb.mul(gate, nb.sigmoid(gate));
    ValueRef f = nb.linear(nb.mul(silu, nb.linear(m, kFf, "up", false)), kHidden, "down", false);
    const ValueRef out = nb.add(h, f);
    Model model = std::move(nb).finish("llama_block", {out});
    set_attention_scale(model, shape, "attn");
    return model;
}

}  // namespace rf::applier::models
