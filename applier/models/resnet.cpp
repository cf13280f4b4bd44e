// ResNet-50 and ResNeXt-50, after TASO's examples/resnet50.py and examples/resnext50.py.
//
// TASO's ResNet-50 starts at the first bottleneck (input 1x64x56x56: the stem convolution and
// pooling are left out) and its ResNeXt-50 keeps the stem (input 1x3x224x224); neither has batch
// normalisation or the final classifier, and both fuse ReLU into the convolutions. We keep that,
// because those graphs are the ones TASO's and TENSAT's published speed-ups are measured on.
#include "applier/models/catalog.h"
#include "applier/models/net_builder.h"

namespace rf::applier::models {

namespace {

// One bottleneck: 1x1 reduce, 3x3 (grouped for ResNeXt, strided), 1x1 expand, plus a 1x1
// projection of the shortcut when the stride or the channel count changes.
ValueRef bottleneck(NetBuilder& nb, ValueRef input, int stride, int64_t width, int64_t expansion, int64_t groups) {
    ValueRef t = nb.conv(input, width, 1, 1, 1, 1, Padding::Same, Activation::Relu);
    t = nb.conv(t, width, 3, 3, stride, stride, Padding::Same, Activation::Relu, groups);
    t = nb.conv(t, expansion * width, 1, 1, 1, 1, Padding::Same);
    if (stride > 1 || nb.dim(input, 1) != expansion * width)
        input = nb.conv(input, expansion * width, 1, 1, stride, stride, Padding::Same, Activation::Relu);
    return nb.relu(nb.add(input, t));
}

// The four stages of 3, 4, 6 and 3 blocks; every stage but the first starts with stride 2.
ValueRef stages(NetBuilder& nb, ValueRef t, int64_t width, int64_t expansion, int64_t groups) {
    const int blocks[4] = {3, 4, 6, 3};
    for (int s = 0; s < 4; ++s) {
        for (int b = 0; b < blocks[s]; ++b) t = bottleneck(nb, t, (s > 0 && b == 0) ? 2 : 1, width, expansion, groups);
        width *= 2;
    }
    return t;
}

}  // namespace

Model resnet50() {
    NetBuilder nb;
    ValueRef x = nb.input("input", {1, 64, 56, 56});
    ValueRef out = stages(nb, x, 64, 4, 1);
    return std::move(nb).finish("resnet50", {out});
}

Model resnext50() {
    NetBuilder nb;
    ValueRef x = nb.input("input", {1, 3, 224, 224});
    ValueRef t = nb.conv(x, 64, 7, 7, 2, 2, Padding::Same, Activation::Relu);
    t = nb.maxpool(t, 3, 3, 2, 2, Padding::Same);
    ValueRef out = stages(nb, t, 128, 2, 32);
    return std::move(nb).finish("resnext50", {out});
}

}  // namespace rf::applier::models
