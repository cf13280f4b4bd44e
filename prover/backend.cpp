#include "prover/backend.h"

namespace rf::prover {

const char* verdict_name(const ProofResult& r) {
    struct V {
        const char* operator()(const Proved&) const { return "proved"; }
        const char* operator()(const Refuted&) const { return "refuted"; }
        const char* operator()(const Unknown&) const { return "unknown"; }
        const char* operator()(const Timeout&) const { return "timeout"; }
    };
    return std::visit(V{}, r.outcome);
}

const char* backend_name(BackendKind k) {
    switch (k) {
        case BackendKind::Z3: return "z3";
        case BackendKind::Cvc5: return "cvc5";
    }
    return "?";
}

std::optional<BackendKind> backend_from_name(std::string_view name) {
    if (name == "z3") return BackendKind::Z3;
    if (name == "cvc5") return BackendKind::Cvc5;
    return std::nullopt;
}

std::unique_ptr<Backend> make_backend(BackendKind k) {
    switch (k) {
        case BackendKind::Z3: return make_z3_backend();
        case BackendKind::Cvc5: return make_cvc5_backend();
    }
    return nullptr;
}

}  // namespace rf::prover
