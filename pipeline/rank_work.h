// What each MPI rank of a distributed `discover` did, and how evenly: the figures the progress
// lines and the closing summary report (one entry per rank, rank 0 first).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rf::pipeline {

/// One rank's share of the proving stage (cumulative over the run's proving) and of the
/// enumeration.
struct RankWork {
    int rank = 0;
    int threads = 0;
    uint64_t candidates = 0;                      ///< candidates this rank proved
    uint64_t chunks = 0;                          ///< assignments it received
    double busy_seconds = 0;                      ///< wall time spent proving
    double wait_seconds = 0;                      ///< wall time spent waiting for an assignment
    double solver_seconds = 0;                    ///< sum of its checks' own times (over all its threads)
    double enumerate_seconds = 0;                 ///< its share of the enumeration, wall time, exchanges excluded
    double exchange_seconds = 0;                  ///< wall time in the enumeration's exchanges (waiting included)
    uint64_t bytes_sent = 0, bytes_received = 0;  ///< as counted by rank 0, to and from it
};

/// Bytes that crossed between ranks in one phase ("enumerate size 2", "prove", ...), all ranks
/// together.
struct Traffic {
    std::string phase;
    uint64_t bytes = 0;
};

/// max / mean of one of the ranks' figures: 1 is a perfect balance, P means one rank did it
/// all. 0 when every rank's figure is 0.
inline double imbalance(const std::vector<RankWork>& ranks, double RankWork::*figure) {
    double max = 0, sum = 0;
    for (const RankWork& r : ranks) {
        max = r.*figure > max ? r.*figure : max;
        sum += r.*figure;
    }
    return sum > 0 ? max / (sum / ranks.size()) : 0;
}

/// Of the proving (busy seconds).
inline double load_imbalance(const std::vector<RankWork>& ranks) { return imbalance(ranks, &RankWork::busy_seconds); }
/// Of the enumeration (every rank does a share of every level).
inline double enumeration_imbalance(const std::vector<RankWork>& ranks) {
    return imbalance(ranks, &RankWork::enumerate_seconds);
}

}  // namespace rf::pipeline
