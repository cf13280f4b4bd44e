#include "pipeline/mpi_work_exchange.h"

#include <algorithm>
#include <chrono>

namespace rf::pipeline {

std::vector<std::vector<uint8_t>> MpiWorkExchange::allgather(const std::vector<uint8_t>& mine,
                                                             const std::string& phase) {
    const uint64_t before = d_mpi.bytes_sent();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::vector<uint8_t>> all = d_mpi.allgather(mine);
    d_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto it = std::find_if(d_traffic.begin(), d_traffic.end(), [&](const Traffic& t) { return t.phase == phase; });
    if (it == d_traffic.end()) it = d_traffic.insert(d_traffic.end(), Traffic{phase, 0});
    it->bytes += d_mpi.bytes_sent() - before;
    return all;
}

}  // namespace rf::pipeline
