#include "fingerprint/fingerprint.h"

#include <cstdio>

#include <xxhash.h>

namespace rf::fingerprint {

std::string Fingerprint::to_string() const {
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hi),
                  static_cast<unsigned long long>(lo));
    return buf;
}

uint64_t truncate64(uint64_t h, int bits) { return bits >= 64 ? h : (h & ((uint64_t{1} << bits) - 1)); }

Fingerprint truncate(Fingerprint f, int bits) {
    if (bits >= 128) return f;
    if (bits <= 64) return Fingerprint{0, truncate64(f.lo, bits)};
    return Fingerprint{truncate64(f.hi, bits - 64), f.lo};
}

namespace {

void hash_split(XXH3_state_t* st, const SplitInfo& s) {
    const uint8_t tag = s ? 1 : 0;
    XXH3_64bits_update(st, &tag, 1);
    if (!s) return;
    const int64_t left = s->left_size.is_concrete() ? s->left_size.value() : -1;
    XXH3_64bits_update(st, &left, sizeof left);
    hash_split(st, s->left);
    hash_split(st, s->right);
}

}  // namespace

uint64_t type_hash(const TensorType& t) {
    XXH3_state_t* st = XXH3_createState();
    XXH3_64bits_reset(st);
    const uint64_t rank = t.rank();
    XXH3_64bits_update(st, &rank, sizeof rank);
    for (size_t i = 0; i < t.rank(); ++i) {
        const int64_t d = t.dims[i].is_concrete() ? t.dims[i].value() : -1;
        XXH3_64bits_update(st, &d, sizeof d);
        hash_split(st, t.split(i));
    }
    // Distributed types hash apart from the whole ones (whose hashes are as before).
    if (t.is_distributed()) {
        for (size_t i = 0; i < t.rank(); ++i) {
            const int32_t g = t.degree(i);
            XXH3_64bits_update(st, &g, sizeof g);
        }
        XXH3_64bits_update(st, &t.replicas, sizeof t.replicas);
    }
    const uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

uint64_t value_hash(const ExactTensor& t, uint64_t th) {
    if (t.modular) {
        // The Z_p images only: values that agree there are taken as equal (ir/eval_modular.cpp),
        // and the Z_q image of an equal value may be known on one side only.
        const uint64_t head[2] = {th, 0x6d6f'6475'6c61'7200ULL};
        uint64_t h = XXH3_64bits(head, sizeof head);
        std::vector<uint64_t> ps;
        ps.reserve(t.mod.size());
        for (const ModValue& v : t.mod) ps.push_back(v.p);
        return XXH3_64bits_withSeed(ps.data(), ps.size() * sizeof(uint64_t), h);
    }
    // Values are in lowest terms, so (num, den) is unique to the rational tensor.
    const uint64_t head[2] = {th, static_cast<uint64_t>(t.den)};
    const uint64_t seed = XXH3_64bits(head, sizeof head);
    return XXH3_64bits_withSeed(t.num.data(), t.num.size() * sizeof(int64_t), seed);
}

uint64_t point_hash(PointStatus status, const ExactTensor* value, uint64_t type_hash) {
    // Markers hashed in place of a value at a point where the graph is ill-typed or overflowed.
    constexpr uint64_t kIllTypedHash = 0x1117'7e9e'd000'0001ULL;
    constexpr uint64_t kOverflowHash = 0x0f10'3333'0000'0002ULL;
    switch (status) {
        case PointStatus::IllTyped: return kIllTypedHash;
        case PointStatus::Overflow: return kOverflowHash;
        case PointStatus::Ok: break;
    }
    return value_hash(*value, type_hash);
}

Fingerprint combine_points(const std::vector<uint64_t>& point_hashes, int bits) {
    const XXH128_hash_t h = XXH3_128bits(point_hashes.data(), point_hashes.size() * sizeof(uint64_t));
    return truncate(Fingerprint{h.high64, h.low64}, bits);
}

}  // namespace rf::fingerprint
