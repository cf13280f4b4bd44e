// Sorting on all threads, for total orders only. Internal to rf_enumerator.
//
// libstdc++'s parallel mode sorts with multiway mergesort by default, which allocates a copy of
// the range on every call; first touching that memory made the proposal keys of size 3 sort no
// faster at 2 threads than at 1. Balanced quicksort sorts in place and halves the time at 2
// threads (docs/PERFORMANCE.md, "Memory first touch"). It is not stable. Callers pass a total order, so the result depends on neither the
// algorithm nor the thread count.
#pragma once

#include <parallel/algorithm>

namespace rf::enumerator {

template <class It, class Less>
void parallel_sort(It begin, It end, Less less) {
    __gnu_parallel::sort(begin, end, less, __gnu_parallel::balanced_quicksort_tag());
}

}  // namespace rf::enumerator
