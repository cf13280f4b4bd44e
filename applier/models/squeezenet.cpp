// SqueezeNet 1.1 (Iandola et al.; TASO has no script for it): the architecture of TENSAT's
// serialized squeezenet.model, input 1x3x224x224, built TASO-style -- ReLU fused into the
// convolutions, dropout (an identity at inference) left out.
#include "applier/models/catalog.h"
#include "applier/models/net_builder.h"

namespace rf::applier::models {

namespace {

ValueRef fire(NetBuilder& nb, ValueRef x, int64_t squeeze, int64_t expand) {
    ValueRef s = nb.conv(x, squeeze, 1, 1, 1, 1, Padding::Same, Activation::Relu);
    ValueRef e1 = nb.conv(s, expand, 1, 1, 1, 1, Padding::Same, Activation::Relu);
    ValueRef e3 = nb.conv(s, expand, 3, 3, 1, 1, Padding::Same, Activation::Relu);
    return nb.concat(1, {e1, e3});
}

}  // namespace

Model squeezenet() {
    NetBuilder nb;
    ValueRef x = nb.input("input", {1, 3, 224, 224});
    ValueRef t = nb.conv(x, 64, 3, 3, 2, 2, Padding::Valid, Activation::Relu);  // 64x111x111
    t = nb.maxpool(t, 3, 3, 2, 2, Padding::Valid);                              // 55x55
    t = fire(nb, t, 16, 64);
    t = fire(nb, t, 16, 64);
    t = nb.maxpool(t, 3, 3, 2, 2, Padding::Valid);  // 27x27
    t = fire(nb, t, 32, 128);
    t = fire(nb, t, 32, 128);
    t = nb.maxpool(t, 3, 3, 2, 2, Padding::Valid);  // 13x13
    t = fire(nb, t, 48, 192);
    t = fire(nb, t, 48, 192);
    t = fire(nb, t, 64, 256);
    t = fire(nb, t, 64, 256);
    t = nb.conv(t, 1000, 1, 1, 1, 1, Padding::Same, Activation::Relu);
    t = nb.avgpool(t, 13, 13, 13, 13, Padding::Valid);  // 1000x1x1
    t = nb.reshape(t, {1, 1000});
    return std::move(nb).finish("squeezenet", {t});
}

}  // namespace rf::applier::models
