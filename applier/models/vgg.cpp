// VGG-19 (Simonyan & Zisserman, configuration E; TASO has no script for it): 16 3x3
// convolutions in five blocks with 2x2 max-pooling, then three fully connected layers, input
// 1x3x224x224 as in TENSAT's serialized vgg.model. ReLU is fused into the convolutions and the
// first two matmuls; dropout (an identity at inference) is left out; the classifier weights are
// stored [in, out], so no transpose precedes the matmuls (TENSAT's file transposes [out, in]).
#include "applier/models/catalog.h"
#include "applier/models/net_builder.h"

namespace rf::applier::models {

Model vgg19() {
    NetBuilder nb;
    ValueRef t = nb.input("input", {1, 3, 224, 224});
    const int64_t widths[5] = {64, 128, 256, 512, 512};
    const int convs[5] = {2, 2, 4, 4, 4};
    for (int b = 0; b < 5; ++b) {
        for (int i = 0; i < convs[b]; ++i) t = nb.conv(t, widths[b], 3, 3, 1, 1, Padding::Same, Activation::Relu);
        t = nb.maxpool(t, 2, 2, 2, 2, Padding::Valid);
    }
    t = nb.reshape(t, {1, 512 * 7 * 7});
    t = nb.matmul(t, nb.weight({512 * 7 * 7, 4096}), Activation::Relu);
    t = nb.matmul(t, nb.weight({4096, 4096}), Activation::Relu);
    t = nb.matmul(t, nb.weight({4096, 1000}));
    return std::move(nb).finish("vgg19", {t});
}

}  // namespace rf::applier::models
