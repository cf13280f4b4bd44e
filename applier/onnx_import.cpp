#include "applier/onnx_import.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "applier/onnx_importer.h"

namespace rf::applier {

using onnx_import_detail::Importer;

Model import_onnx(const std::string& bytes, const std::string& source, const std::string& name) {
    onnx::ModelProto m;
    if (!m.ParseFromString(bytes)) throw std::runtime_error(source + ": not an ONNX model (protobuf parse failed)");
    return Importer(source).run(m, name);
}

Model load_onnx_model(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));  // errno: from open()
    std::ostringstream ss;
    ss << in.rdbuf();
    return import_onnx(ss.str(), path, std::filesystem::path(path).stem().string());
}

}  // namespace rf::applier
