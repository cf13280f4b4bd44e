// libFuzzer target: ONNX model import (a serialized ModelProto). A model that cannot be imported
// is a std::runtime_error naming the node; anything else (another exception, a crash, a
// sanitizer report) is a finding.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "applier/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    try {
        rf::applier::Model m = rf::applier::import_onnx(bytes, "fuzz-input.onnx", "fuzz");
        (void)m.graph.nodes().size();
    } catch (const std::runtime_error&) {
        // the user error: not an ONNX model, or one with a node the IR cannot express
    }
    return 0;
}
