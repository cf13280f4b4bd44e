// Multi-head scaled dot-product attention, written once for the three transformer blocks
// (bert_layer, gpt2_block, llama_block) so they differ only where the real networks differ.
#pragma once

#include <optional>
#include <string>

#include "applier/models/net_builder.h"

namespace rf::applier::models {

struct AttentionShape {
    int64_t seq, hidden, heads;
    bool bias;  ///< projections with a [1, out] bias (BERT, GPT-2) or without (Llama)
};

/// x [seq, hidden] -> Q, K, V projections, split into heads ([heads, seq, dk]; K as
/// [heads, dk, seq]), logits Q K^T smul a rank-0 scale weight (1/sqrt(dk) in a trained model),
/// plus `mask` ([1, seq, seq], broadcast over the heads) when given, softmax over the keys,
/// times V, heads joined back to [seq, hidden], output projection.
ValueRef attention(NetBuilder& nb, ValueRef x, const AttentionShape& s, const std::string& prefix,
                   std::optional<ValueRef> mask = std::nullopt);

/// Gives the model the value of the attention's scale weight, 1/sqrt(dk): the one weight whose
/// value is the architecture's (validation draws the others at random), and a random scale
/// near 1 would make the logits 8 times too large for exp.
void set_attention_scale(Model& m, const AttentionShape& s, const std::string& prefix);

}  // namespace rf::applier::models
