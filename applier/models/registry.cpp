// The table of built-in models and the by-extension dispatch of model files.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>

#include "applier/model.h"
#include "applier/models/catalog.h"
#include "applier/onnx_import.h"
#include "applier/tensat_model.h"

namespace rf::applier {

namespace {

const std::map<std::string, std::function<Model()>>& registry() {
    static const std::map<std::string, std::function<Model()>> r = {
        {"bert", models::bert},
        {"bert_layer", models::bert_layer},
        {"gpt2_block", models::gpt2_block},
        {"llama_block", models::llama_block},
        {"inception_v3", models::inception_v3},
        {"nasnet_a", models::nasnet_a},
        {"nasrnn", models::nasrnn},
        {"resnet50", models::resnet50},
        {"resnext50", models::resnext50},
        {"squeezenet", models::squeezenet},
        {"vgg19", models::vgg19},
    };
    return r;
}

}  // namespace

std::vector<std::string> model_names() {
    std::vector<std::string> names;
    for (const auto& [name, fn] : registry()) names.push_back(name);
    return names;  // std::map keeps them sorted
}

Model build_model(const std::string& name) {
    auto it = registry().find(name);
    if (it == registry().end()) {
        std::string known;
        for (const std::string& n : model_names()) known += (known.empty() ? "" : ", ") + n;
        throw std::invalid_argument("unknown model '" + name + "'; known: " + known);
    }
    return it->second();
}

Model load_model_file(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".model") return load_tensat_model(path);
    if (ext == ".onnx") return load_onnx_model(path);
    throw std::runtime_error(path + ": unknown model file type '" + ext + "' (expected .model or .onnx)");
}

}  // namespace rf::applier
