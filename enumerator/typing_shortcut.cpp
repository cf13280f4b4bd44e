#include "enumerator/typing_shortcut.h"

namespace rf::enumeration {

bool obviously_ill_typed(const OpTemplate& t, const std::vector<TensorType>& in) {
    if (in.size() < 2) return false;
    const TensorType &a = in[0], &b = in[1];
    auto differ = [](const Dim& x, const Dim& y) { return x.is_concrete() && y.is_concrete() && x.value() != y.value(); };
    switch (t.op) {
        case OpKind::EwAdd:
        case OpKind::EwMul:
            if (a.rank() != b.rank()) return true;
            for (size_t i = 0; i < a.rank(); ++i)
                if (differ(a.dims[i], b.dims[i])) return true;
            return false;
        case OpKind::Smul: return b.rank() != 0;
        case OpKind::Matmul: return a.rank() != b.rank() || a.rank() < 2 || a.rank() > 3 || differ(a.dims[a.rank() - 1], b.dims[b.rank() - 2]);
        case OpKind::Concat: {
            if (a.rank() != b.rank()) return true;
            const int axis = param::axis(t.params);
            for (size_t i = 0; i < a.rank(); ++i)
                if (static_cast<int>(i) != axis && differ(a.dims[i], b.dims[i])) return true;
            return false;
        }
        case OpKind::Conv2d: {
            if (a.rank() != 4 || b.rank() != 4) return true;
            const Dim &c = a.dims[1], &cg = b.dims[1];
            return c.is_concrete() && cg.is_concrete() && (cg.value() <= 0 || c.value() % cg.value() != 0);
        }
        case OpKind::Enlarge: {
            if (a.rank() != 4 || b.rank() != 4) return true;
            for (int i : {2, 3})
                if (a.dims[i].is_concrete() && b.dims[i].is_concrete()) {
                    const int64_t diff = b.dims[i].value() - a.dims[i].value();
                    if (diff < 0 || diff % 2 != 0) return true;
                }
            return false;
        }
        default: return false;
    }
}

}  // namespace rf::enumeration
