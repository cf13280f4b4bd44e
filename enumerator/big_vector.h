// Containers for the enumeration's large record arrays (node, value and class records, pending
// candidate pairs), placed on transparent huge pages where the kernel allows it.
// Internal to rf_enumerator.
//
// Why: first touching fresh memory was half of the time the main thread ran alone at size 3
// (figures in docs/PERFORMANCE.md, "Memory first touch"). A vector's resize constructs its new
// elements on one thread, so the kernel maps and zeroes every new page there. So a large block
// is touched once, page by page, on all threads when it is allocated, and the serial
// construction then writes to mapped memory. MADV_HUGEPAGE makes that a fault per 2 MiB
// instead of per 4 KiB where transparent huge pages are allowed (only advice: ordinary pages
// otherwise). Large resizes go through resize_exact, so no slack is touched.
#pragma once

#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

#include <sys/mman.h>

namespace rf::enumerator {

template <class T>
struct HugePageAllocator {
    using value_type = T;
    static constexpr size_t kHugePage = size_t{2} << 20;

    HugePageAllocator() = default;
    template <class U>
    HugePageAllocator(const HugePageAllocator<U>&) {}

    T* allocate(size_t n) {
        const size_t bytes = n * sizeof(T);
        if (bytes < kHugePage) return std::allocator<T>().allocate(n);
        const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
        void* p = std::aligned_alloc(kHugePage, rounded);
        if (!p) throw std::bad_alloc();
        madvise(p, rounded, MADV_HUGEPAGE);  // refused where THP is off: nothing to do then
        touch(static_cast<char*>(p), rounded);
        return static_cast<T*>(p);
    }
    void deallocate(T* p, size_t n) {
        if (n * sizeof(T) < kHugePage)
            std::allocator<T>().deallocate(p, n);
        else
            std::free(p);
    }
    /// Faults the block in on all threads (each writes one byte per 4 KiB page of its chunks).
    static void touch(char* p, size_t bytes) {
        const long chunks = static_cast<long>(bytes / kHugePage);
#pragma omp parallel for schedule(static)
        for (long c = 0; c < chunks; ++c)
            for (size_t off = 0; off < kHugePage; off += 4096) p[static_cast<size_t>(c) * kHugePage + off] = 0;
    }

    template <class U>
    bool operator==(const HugePageAllocator<U>&) const {
        return true;
    }
};

template <class T>
using BigVector = std::vector<T, HugePageAllocator<T>>;

/// Resizes to n elements with a block of exactly n when it grows (a plain resize may double the
/// capacity, and the allocator faults in every page of the block).
template <class T>
void resize_exact(BigVector<T>& v, size_t n) {
    v.reserve(n);
    v.resize(n);
}

/// A fixed-size array whose elements are constructed and destroyed on all threads, where a
/// vector constructs them on one: for the pending candidate pairs (close to a million at size 3).
template <class T>
class ParallelArray {
    static_assert(std::is_nothrow_default_constructible_v<T>);

public:
    explicit ParallelArray(size_t n) : d_n(n), d_p(HugePageAllocator<T>().allocate(n)) {
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; ++i) new (d_p + i) T();
    }
    ~ParallelArray() {
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < d_n; ++i) d_p[i].~T();
        HugePageAllocator<T>().deallocate(d_p, d_n);
    }
    ParallelArray(const ParallelArray&) = delete;
    ParallelArray& operator=(const ParallelArray&) = delete;

    size_t size() const { return d_n; }
    T* data() { return d_p; }
    T& operator[](size_t i) { return d_p[i]; }
    const T& operator[](size_t i) const { return d_p[i]; }

private:
    size_t d_n;
    T* d_p;
};

}  // namespace rf::enumerator
