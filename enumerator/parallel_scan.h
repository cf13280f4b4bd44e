// Prefix sums and order-keeping selection on all threads. Internal to rf_enumerator.
//
// At 2 threads the serial loops these replace (offsets of per-class, per-proposal and
// per-bucket slots; the lists of kept indices) left the other thread spin-waiting. Each block
// of the range is counted on its own thread and a serial pass over the per-block totals (one per
// thread) places them, so the results are those of the serial loops for any thread count.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <vector>

#include "enumerator/big_vector.h"

namespace rf::enumerator {

namespace scan_detail {
inline size_t blocks() { return static_cast<size_t>(std::max(1, omp_get_max_threads())); }
inline size_t block_begin(size_t n, size_t b, size_t blocks) { return n * b / blocks; }
}  // namespace scan_detail

/// out[0] = base and out[i + 1] = out[i] + size(i) for i < n: n + 1 offsets.
template <class T, class Size>
BigVector<T> exclusive_scan(size_t n, T base, Size size) {
    using namespace scan_detail;
    const size_t nb = blocks();
    BigVector<T> out;
    resize_exact(out, n + 1);
    std::vector<T> at(nb + 1, T{});
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < nb; ++b) {
        T sum{};
        for (size_t i = block_begin(n, b, nb); i < block_begin(n, b + 1, nb); ++i) {
            out[i + 1] = static_cast<T>(size(i));
            sum += out[i + 1];
        }
        at[b + 1] = sum;
    }
    at[0] = base;
    for (size_t b = 0; b < nb; ++b) at[b + 1] += at[b];
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < nb; ++b) {
        T run = at[b];
        for (size_t i = block_begin(n, b, nb); i < block_begin(n, b + 1, nb); ++i) {
            run += out[i + 1];
            out[i + 1] = run;
        }
    }
    out[0] = base;
    return out;
}

/// The indices i < n with keep(i), in increasing order. keep is called twice per index.
template <class Index, class Keep>
BigVector<Index> select_indices(size_t n, Keep keep) {
    using namespace scan_detail;
    const size_t nb = blocks();
    std::vector<size_t> at(nb + 1, 0);
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < nb; ++b) {
        size_t count = 0;
        for (size_t i = block_begin(n, b, nb); i < block_begin(n, b + 1, nb); ++i) count += keep(i) ? 1 : 0;
        at[b + 1] = count;
    }
    for (size_t b = 0; b < nb; ++b) at[b + 1] += at[b];
    BigVector<Index> out;
    resize_exact(out, at[nb]);
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < nb; ++b) {
        size_t k = at[b];
        for (size_t i = block_begin(n, b, nb); i < block_begin(n, b + 1, nb); ++i)
            if (keep(i)) out[k++] = static_cast<Index>(i);
    }
    return out;
}

}  // namespace rf::enumerator
