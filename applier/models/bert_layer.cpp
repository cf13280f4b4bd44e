// One BERT-base encoder layer (12 heads, hidden 768, sequence 128, feed-forward 3072), the
// post-norm block of the original BERT: attention with biased projections and softmax,
// residual, layer norm, feed-forward with gelu, residual, layer norm. Unlike `bert` (TASO's
// softmax-free benchmark) it is the whole layer, with the operators of issue 22; each norm's
// affine part is ewmul/ewadd with [1, 768] weights broadcast over the rows.
#include "applier/models/attention.h"
#include "applier/models/catalog.h"

namespace rf::applier::models {

Model bert_layer() {
    constexpr int64_t kSeq = 128, kHidden = 768, kHeads = 12, kFf = 3072;
    const AttentionShape shape{kSeq, kHidden, kHeads, true};
    NetBuilder nb;
    ValueRef x = nb.input("input", {kSeq, kHidden});
    ValueRef a = attention(nb, x, shape, "attn");
    ValueRef h = nb.affine(nb.layernorm(nb.add(x, a), 1), "ln1");
    ValueRef f = nb.linear(nb.gelu(nb.linear(h, kFf, "ff1")), kHidden, "ff2");
    ValueRef out = nb.affine(nb.layernorm(nb.add(h, f), 1), "ln2");
    Model model = std::move(nb).finish("bert_layer", {out});
    set_attention_scale(model, shape, "attn");
    return model;
}

}  // namespace rf::applier::models
