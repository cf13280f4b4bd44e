// The enumerator's work exchange (enumerator/work_exchange.h) over MPI, counting the bytes each
// phase sends so that the closing summary reports the communication volume per size level.
// Called only from the thread that made the Mpi object (the enumerator exchanges between its
// OpenMP regions, never inside them).
#pragma once

#include <string>
#include <vector>

#include "enumerator/work_exchange.h"
#include "pipeline/mpi_comm.h"
#include "pipeline/rank_work.h"

namespace rf::pipeline {

class MpiWorkExchange final : public enumerator::WorkExchange {
public:
    explicit MpiWorkExchange(Mpi& mpi) : d_mpi(mpi) {}
    int rank() const override { return d_mpi.rank(); }
    int size() const override { return d_mpi.size(); }
    std::vector<std::vector<uint8_t>> allgather(const std::vector<uint8_t>& mine, const std::string& phase) override;

    /// What this rank sent, by phase, in the order the phases first came.
    const std::vector<Traffic>& traffic() const { return d_traffic; }
    /// Wall time spent in exchanges, waiting for slower ranks included.
    double seconds() const { return d_seconds; }

private:
    Mpi& d_mpi;
    std::vector<Traffic> d_traffic;
    double d_seconds = 0;
};

}  // namespace rf::pipeline
