// The built-in benchmark models, one builder per model; registry.cpp names them. Each
// builder follows TASO's example script for that network (examples/*.py), with the shapes the
// TASO and TENSAT papers evaluate; docs/models.md lists what each one substitutes.
#pragma once

#include "applier/model.h"

namespace rf::applier::models {

Model resnet50();
Model resnext50();
Model bert();
// Transformer blocks with the operators of issue 22 (docs/transformer.md, "Models").
Model bert_layer();
Model gpt2_block();
Model llama_block();
Model nasnet_a();
Model nasrnn();
Model inception_v3();
Model squeezenet();
Model vgg19();

}  // namespace rf::applier::models
