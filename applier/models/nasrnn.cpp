// NasRNN, after TASO's examples/nasrnn.py: the recurrent cell found by neural architecture
// search, unrolled over 5 steps with hidden size 512. Each step combines the input x and the
// state h in 8 ways (x*W + h*U, fresh weights each), mixes them with relu/sigmoid/tanh, ewadd and
// ewmul, and emits tanh of the mix as the next state. The initial state is a weight, as in TASO.
#include "applier/models/catalog.h"
#include "applier/models/net_builder.h"

namespace rf::applier::models {

namespace {

constexpr int64_t kHidden = 512;
constexpr int kSteps = 5;

ValueRef combine(NetBuilder& nb, ValueRef x, ValueRef h) {
    ValueRef a = nb.matmul(x, nb.weight({nb.dim(x, 1), kHidden}));
    ValueRef b = nb.matmul(h, nb.weight({nb.dim(h, 1), kHidden}));
    return nb.add(a, b);
}

ValueRef nas_node(NetBuilder& nb, ValueRef h, ValueRef x) {
    ValueRef t[8];
    for (ValueRef& v : t) v = combine(nb, x, h);
    ValueRef m0 = nb.add(nb.relu(t[0]), nb.sigmoid(t[3]));
    ValueRef m1 = nb.add(nb.sigmoid(t[1]), nb.tanh(t[2]));
    ValueRef m2 = nb.mul(nb.sigmoid(t[4]), nb.tanh(t[5]));
    ValueRef m3 = nb.mul(nb.sigmoid(t[6]), nb.relu(t[7]));
    ValueRef m4 = nb.add(nb.sigmoid(m1), nb.tanh(m2));
    ValueRef m5 = nb.mul(nb.tanh(m0), nb.tanh(m3));
    ValueRef m6 = nb.mul(nb.tanh(m4), nb.tanh(m5));
    return nb.tanh(m6);
}

}  // namespace

Model nasrnn() {
    NetBuilder nb;
    std::vector<ValueRef> xs;
    for (int i = 0; i < kSteps; ++i) xs.push_back(nb.input("x" + std::to_string(i), {1, kHidden}));
    ValueRef state = nb.weight({1, kHidden}, "h0");
    for (int i = 0; i < kSteps; ++i) state = nas_node(nb, state, xs[static_cast<size_t>(i)]);
    return std::move(nb).finish("nasrnn", {state});
}

}  // namespace rf::applier::models
