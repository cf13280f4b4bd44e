// Inception-v3, after TASO's examples/inceptionv3.py, at batch 1 (input 1x3x299x299).
//
// Every convolution fuses ReLU (batch normalisation is left out, as in TASO). TASO writes
// padding as PyTorch does and maps it with get_pads(): explicit padding -> SAME, no padding on a
// kernel larger than 1x1 -> VALID; we write SAME/VALID directly. One deliberate difference:
// TASO's "global average pool" passes no kernel and so pools 1x1 (a no-op); here it is the real
// 8x8 VALID average pool, as in TENSAT's serialized inceptionv3.model.
#include "applier/models/catalog.h"
#include "applier/models/net_builder.h"

namespace rf::applier::models {

namespace {

constexpr Padding S = Padding::Same, V = Padding::Valid;

ValueRef conv(NetBuilder& nb, ValueRef v, int64_t out, int kh, int kw, int stride, Padding pad) {
    return nb.conv(v, out, kh, kw, stride, stride, pad, Activation::Relu);
}

ValueRef front(NetBuilder& nb, ValueRef v) {
    v = conv(nb, v, 32, 3, 3, 2, V);      // 32x149x149
    v = conv(nb, v, 32, 3, 3, 1, V);      // 32x147x147
    v = conv(nb, v, 64, 3, 3, 1, S);      // 64x147x147
    v = nb.maxpool(v, 3, 3, 2, 2, V);     // 64x73x73
    v = conv(nb, v, 80, 1, 1, 1, S);      // 80x73x73
    v = conv(nb, v, 192, 3, 3, 1, V);     // 192x71x71
    return nb.maxpool(v, 3, 3, 2, 2, V);  // 192x35x35
}

ValueRef block_a(NetBuilder& nb, ValueRef v, int64_t pool_features) {
    ValueRef b1 = conv(nb, v, 64, 1, 1, 1, S);
    ValueRef b5 = conv(nb, conv(nb, v, 48, 1, 1, 1, S), 64, 5, 5, 1, S);
    ValueRef b3 = conv(nb, v, 64, 1, 1, 1, S);
    b3 = conv(nb, conv(nb, b3, 96, 3, 3, 1, S), 96, 3, 3, 1, S);
    ValueRef bp = conv(nb, nb.avgpool(v, 3, 3, 1, 1, S), pool_features, 1, 1, 1, S);
    return nb.concat(1, {b1, b5, b3, bp});
}

ValueRef block_b(NetBuilder& nb, ValueRef v) {
    ValueRef b3 = conv(nb, v, 384, 3, 3, 2, V);
    ValueRef bd = conv(nb, v, 64, 1, 1, 1, S);
    bd = conv(nb, conv(nb, bd, 96, 3, 3, 1, S), 96, 3, 3, 2, V);
    ValueRef bp = nb.maxpool(v, 3, 3, 2, 2, V);
    return nb.concat(1, {b3, bd, bp});
}

ValueRef block_c(NetBuilder& nb, ValueRef v, int64_t c7) {
    ValueRef b1 = conv(nb, v, 192, 1, 1, 1, S);
    ValueRef b7 = conv(nb, v, c7, 1, 1, 1, S);
    b7 = conv(nb, b7, c7, 1, 7, 1, S);
    b7 = conv(nb, b7, 192, 7, 1, 1, S);
    ValueRef bd = conv(nb, v, c7, 1, 1, 1, S);
    bd = conv(nb, bd, c7, 7, 1, 1, S);
    bd = conv(nb, bd, c7, 1, 7, 1, S);
    bd = conv(nb, bd, c7, 7, 1, 1, S);
    bd = conv(nb, bd, 192, 1, 7, 1, S);
    ValueRef bp = conv(nb, nb.avgpool(v, 3, 3, 1, 1, S), 192, 1, 1, 1, S);
    return nb.concat(1, {b1, b7, bd, bp});
}

ValueRef block_d(NetBuilder& nb, ValueRef v) {
    ValueRef b3 = conv(nb, conv(nb, v, 192, 1, 1, 1, S), 320, 3, 3, 2, V);
    ValueRef b7 = conv(nb, v, 192, 1, 1, 1, S);
    b7 = conv(nb, b7, 192, 1, 7, 1, S);
    b7 = conv(nb, b7, 192, 7, 1, 1, S);
    b7 = conv(nb, b7, 192, 3, 3, 2, V);
    ValueRef bp = nb.maxpool(v, 3, 3, 2, 2, V);
    return nb.concat(1, {b3, b7, bp});
}

ValueRef block_e(NetBuilder& nb, ValueRef v) {
    ValueRef b1 = conv(nb, v, 320, 1, 1, 1, S);
    ValueRef b3 = conv(nb, v, 384, 1, 1, 1, S);
    ValueRef b3a = conv(nb, b3, 384, 1, 3, 1, S);
    ValueRef b3b = conv(nb, b3, 384, 3, 1, 1, S);
    ValueRef bd = conv(nb, conv(nb, v, 448, 1, 1, 1, S), 384, 3, 3, 1, S);
    ValueRef bda = conv(nb, bd, 384, 1, 3, 1, S);
    ValueRef bdb = conv(nb, bd, 384, 3, 1, 1, S);
    ValueRef bp = conv(nb, nb.avgpool(v, 3, 3, 1, 1, S), 192, 1, 1, 1, S);
    return nb.concat(1, {b1, b3a, b3b, bda, bdb, bp});
}

}  // namespace

Model inception_v3() {
    NetBuilder nb;
    ValueRef v = nb.input("input", {1, 3, 299, 299});
    v = front(nb, v);
    v = block_a(nb, v, 32);
    v = block_a(nb, v, 64);
    v = block_a(nb, v, 64);
    v = block_b(nb, v);
    for (int64_t c7 : {128, 160, 160, 192}) v = block_c(nb, v, c7);
    v = block_d(nb, v);
    v = block_e(nb, v);
    v = block_e(nb, v);
    v = nb.avgpool(v, 8, 8, 1, 1, V);  // 2048x1x1
    return std::move(nb).finish("inception_v3", {v});
}

}  // namespace rf::applier::models
