// NasNet-A, after TASO's examples/nasnet_a.py: three stages of five normal cells and one
// reduction cell, input 1x128x56x56 (after a 1x1 max-pool, as in TASO), 128/256/512 channels.
//
// A separable convolution is TASO's: a grouped KxK convolution with out_channels groups (a
// depthwise one when the input already has out_channels channels), then a 1x1 convolution.
// Two identical pooling nodes on the same input (TASO's normal cell pools `prev` twice, its
// reduction cell max-pools `cur` twice) are one node here: the IR merges equal nodes.
#include "applier/models/catalog.h"
#include "applier/models/net_builder.h"

namespace rf::applier::models {

namespace {

ValueRef squeeze(NetBuilder& nb, int64_t out, ValueRef x) {
    return nb.conv(x, out, 1, 1, 1, 1, Padding::Same, Activation::Relu);
}

// Brings `input` to `current`'s channels and spatial size.
ValueRef fit(NetBuilder& nb, ValueRef current, ValueRef input) {
    if (nb.dim(input, 2) == nb.dim(current, 2)) return squeeze(nb, nb.dim(current, 1), input);
    return nb.conv(input, nb.dim(current, 1), 3, 3, 2, 2, Padding::Same, Activation::Relu);
}

ValueRef separable(NetBuilder& nb, ValueRef x, int64_t out, int k, int stride) {
    ValueRef t = nb.conv(x, out, k, k, stride, stride, Padding::Same, Activation::None, out);
    return nb.conv(t, out, 1, 1, 1, 1, Padding::Same);
}

ValueRef normal_cell(NetBuilder& nb, ValueRef prev, ValueRef cur, int64_t out) {
    cur = squeeze(nb, out, cur);
    prev = fit(nb, cur, prev);
    ValueRef ts[10] = {
        separable(nb, cur, out, 3, 1),
        cur,
        separable(nb, prev, out, 3, 1),
        separable(nb, cur, out, 3, 1),
        nb.avgpool(cur, 3, 3, 1, 1, Padding::Same),
        prev,
        nb.avgpool(prev, 3, 3, 1, 1, Padding::Same),
        nb.avgpool(prev, 3, 3, 1, 1, Padding::Same),
        separable(nb, prev, out, 3, 1),
        separable(nb, prev, out, 3, 1),
    };
    std::vector<ValueRef> outputs;
    for (int i = 0; i < 5; ++i) outputs.push_back(nb.add(ts[2 * i], ts[2 * i + 1]));
    return nb.concat(1, outputs);
}

ValueRef reduction_cell(NetBuilder& nb, ValueRef prev, ValueRef cur, int64_t out) {
    cur = squeeze(nb, out, cur);
    prev = fit(nb, cur, prev);
    std::vector<ValueRef> o;
    o.push_back(nb.add(separable(nb, prev, out, 7, 2), separable(nb, cur, out, 5, 2)));
    o.push_back(nb.add(nb.maxpool(cur, 3, 3, 2, 2, Padding::Same), separable(nb, prev, out, 7, 2)));
    o.push_back(nb.add(nb.avgpool(cur, 3, 3, 2, 2, Padding::Same), separable(nb, prev, out, 5, 2)));
    o.push_back(nb.add(nb.maxpool(cur, 3, 3, 2, 2, Padding::Same), separable(nb, o[0], out, 3, 1)));
    o.push_back(nb.add(nb.avgpool(o[0], 3, 3, 1, 1, Padding::Same), o[1]));
    return nb.concat(1, o);
}

}  // namespace

Model nasnet_a() {
    NetBuilder nb;
    ValueRef input = nb.input("input", {1, 128, 56, 56});
    input = nb.maxpool(input, 1, 1, 1, 1, Padding::Same);
    int64_t out = 128;
    for (int stage = 0; stage < 3; ++stage) {
        ValueRef prev = input, cur = input;
        for (int j = 0; j < 5; ++j) {
            ValueRef t = normal_cell(nb, prev, cur, out);
            prev = cur;
            cur = t;
        }
        out *= 2;
        input = reduction_cell(nb, prev, cur, out);
    }
    return std::move(nb).finish("nasnet_a", {input});
}

}  // namespace rf::applier::models
