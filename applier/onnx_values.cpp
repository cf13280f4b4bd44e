// The values of ONNX tensors as the importer reads them (applier/onnx_values.h).
#include "applier/onnx_values.h"

#include <cstring>

namespace rf::applier::onnx_values {

std::string join(const std::vector<int64_t>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return "[" + s + "]";
}

std::vector<int64_t> int_values(const onnx::TensorProto& t) {
    std::vector<int64_t> v;
    if (t.data_type() == onnx::TensorProto::INT64) {
        if (t.int64_data_size() > 0) return {t.int64_data().begin(), t.int64_data().end()};
        const std::string& raw = t.raw_data();
        if (raw.size() % 8 != 0) throw NodeError("tensor '" + t.name() + "': raw int64 data of odd length");
        v.resize(raw.size() / 8);
        // ONNX stores little-endian, as x86 does. No copy from an empty tensor: memcpy from or to
        // the null data() of an empty vector is undefined (found by UBSan in a fuzz_onnx run).
        if (!raw.empty()) std::memcpy(v.data(), raw.data(), raw.size());
    } else if (t.data_type() == onnx::TensorProto::INT32) {
        if (t.int32_data_size() > 0) return {t.int32_data().begin(), t.int32_data().end()};
        const std::string& raw = t.raw_data();
        if (raw.size() % 4 != 0) throw NodeError("tensor '" + t.name() + "': raw int32 data of odd length");
        std::vector<int32_t> w(raw.size() / 4);
        if (!raw.empty()) std::memcpy(w.data(), raw.data(), raw.size());
        v.assign(w.begin(), w.end());
    } else {
        throw NodeError("tensor '" + t.name() + "' must hold integers (INT64 or INT32)");
    }
    return v;
}

std::optional<FloatTensor> float_values(const onnx::TensorProto& t) {
    FloatTensor v;
    v.dims.assign(t.dims().begin(), t.dims().end());
    int64_t n = 1;
    for (int64_t d : v.dims) n *= d;
    if (t.data_type() != onnx::TensorProto::FLOAT)
        throw NodeError("tensor '" + t.name() + "' is used as a weight but is not FLOAT (data type " +
                        std::to_string(t.data_type()) + ")");
    if (t.float_data_size() > 0) {
        v.data.assign(t.float_data().begin(), t.float_data().end());
    } else if (!t.raw_data().empty()) {
        v.data.resize(t.raw_data().size() / 4);
        std::memcpy(v.data.data(), t.raw_data().data(),
                    v.data.size() * 4);  // little-endian, as x86
    } else {
        return std::nullopt;
    }
    if (static_cast<int64_t>(v.data.size()) != n)
        throw NodeError("tensor '" + t.name() + "' has " + std::to_string(v.data.size()) + " values for dims " +
                        join(v.dims));
    return v;
}

FloatTensor broadcast(const FloatTensor& small, const std::vector<int64_t>& dims, int axis) {
    FloatTensor out;
    out.dims = dims;
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    out.data.resize(static_cast<size_t>(n));
    const size_t r = dims.size(), sr = small.dims.size();
    for (int64_t i = 0; i < n; ++i) {
        int64_t rest = i, src = 0, stride = 1;
        if (axis >= 0) {
            int64_t inner = 1;
            for (size_t a = static_cast<size_t>(axis) + 1; a < r; ++a) inner *= dims[a];
            src = (i / inner) % dims[static_cast<size_t>(axis)];
        } else {
            for (size_t k = 0; k < r; ++k) {
                const size_t a = r - 1 - k;
                const int64_t idx = rest % dims[a];
                rest /= dims[a];
                if (k < sr) {
                    const int64_t sd = small.dims[sr - 1 - k];
                    src += (sd == 1 ? 0 : idx) * stride;
                    stride *= sd;
                }
            }
        }
        out.data[static_cast<size_t>(i)] = small.data[static_cast<size_t>(src)];
    }
    return out;
}

}  // namespace rf::applier::onnx_values
