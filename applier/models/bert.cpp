// BERT, after TASO's examples/bert.py: 8 self-attention layers over a 64-token sequence with
// hidden size 1024 and 16 heads.
//
// Per layer: Q, K and V projections (matmul), reshape to [64,16,64], transpose to heads-first
// [16,64,64], two batched matmuls (Q x K, then x V), transpose and reshape back to [64,1024].
// As in TASO (and TENSAT's bert.rs), the layer's final linear projection reads the layer's
// *input*, not the attention result -- that is what makes the four matmuls on one input the
// merge opportunity TASO reports -- and softmax, scaling, K's transpose, layer norm and the
// feed-forward block are absent. TASO leaves the attention results dangling; here each layer's
// attention result is a graph output (as TENSAT keeps them alive through noop), so no node is dead.
#include "applier/models/catalog.h"
#include "applier/models/net_builder.h"

namespace rf::applier::models {

namespace {

constexpr int64_t kSeq = 64, kHidden = 1024, kHeads = 16;

struct Layer {
    ValueRef next;       ///< the projection that feeds the next layer
    ValueRef attention;  ///< the attention result
};

Layer attention(NetBuilder& nb, ValueRef input) {
    const int64_t dk = kHidden / kHeads;
    ValueRef heads[3];
    for (ValueRef& h : heads) {
        ValueRef p = nb.matmul(input, nb.weight({kHidden, kHidden}));
        p = nb.reshape(p, {kSeq, kHeads, dk});
        h = nb.transpose(p, {1, 0, 2});
    }
    ValueRef logits = nb.matmul(heads[0], heads[1]);
    ValueRef out = nb.matmul(logits, heads[2]);
    out = nb.transpose(out, {1, 0, 2});
    out = nb.reshape(out, {kSeq, kHidden});
    ValueRef next = nb.matmul(input, nb.weight({kHidden, kHidden}));
    return {next, out};
}

}  // namespace

Model bert() {
    NetBuilder nb;
    ValueRef t = nb.input("input", {kSeq, kHidden});
    std::vector<ValueRef> outputs;
    for (int i = 0; i < 8; ++i) {
        Layer l = attention(nb, t);
        outputs.push_back(l.attention);
        t = l.next;
    }
    outputs.push_back(t);
    return std::move(nb).finish("bert", std::move(outputs));
}

}  // namespace rf::applier::models
