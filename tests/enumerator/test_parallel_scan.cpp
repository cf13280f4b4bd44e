// The enumerator's parallel prefix sums and selections must equal the serial loops for every
// thread count: class, node and value ids are derived from them, and the output may not depend
// on the threads.
#include <catch2/catch.hpp>

#include <omp.h>

#include <random>

#include "enumerator/parallel_scan.h"

using namespace rf::enumerator;

namespace {

struct ThreadCount {
    int saved = omp_get_max_threads();
    explicit ThreadCount(int n) { omp_set_num_threads(n); }
    ~ThreadCount() { omp_set_num_threads(saved); }
};

}  // namespace

TEST_CASE("exclusive_scan and select_indices equal the serial loops at any thread count", "[enumerator]") {
    std::mt19937_64 rng(7);
    for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{5}, size_t{1000}, size_t{100003}}) {
        std::vector<uint32_t> value(n);
        for (uint32_t& v : value) v = static_cast<uint32_t>(rng() % 4);  // zeros included
        std::vector<uint64_t> offsets{17};
        std::vector<uint32_t> selected;
        for (size_t i = 0; i < n; ++i) {
            offsets.push_back(offsets.back() + value[i]);
            if (value[i] == 1) selected.push_back(static_cast<uint32_t>(i));
        }
        for (int threads : {1, 2, 3, 8}) {
            INFO("n = " << n << ", threads = " << threads);
            ThreadCount tc(threads);
            const BigVector<uint64_t> got = exclusive_scan(n, uint64_t{17}, [&](size_t i) { return value[i]; });
            CHECK(std::vector<uint64_t>(got.begin(), got.end()) == offsets);
            const BigVector<uint32_t> sel = select_indices<uint32_t>(n, [&](size_t i) { return value[i] == 1; });
            CHECK(std::vector<uint32_t>(sel.begin(), sel.end()) == selected);
        }
    }
}
