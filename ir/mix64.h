// mix64: splitmix64's finaliser, the one 64-bit mixer behind every seeded random function and
// seed derivation (evaluation domains, shape plans, stand-in values, axiom validation), so that
// all of them scramble alike.
#pragma once

#include <cstdint>

namespace rf {

constexpr uint64_t mix64(uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace rf
