// The few MPI calls a distributed `discover` makes, behind a small byte-vector layer, so that no
// other file includes <mpi.h> and every byte that crosses between ranks is counted (the closing
// summary reports the communication volume).
//
// Waiting never spins a core: OpenMPI's blocking calls busy-poll, which on a node where the
// same cores run the prover threads would steal them from the solvers. Every wait here probes
// or tests, then sleeps (backing off to 10 ms); work units last seconds, so the added latency
// does not matter.
//
// MPI is initialised by the first Mpi object (thread level "funneled": only the thread that
// made it calls MPI; OpenMP and prover threads never do) and finalised when it goes, so a plain
// `ruleforge discover` without --distributed never touches MPI and needs no mpirun.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace rf::pipeline {

class Mpi {
public:
    Mpi();
    ~Mpi();
    Mpi(const Mpi&) = delete;
    Mpi& operator=(const Mpi&) = delete;

    int rank() const { return d_rank; }
    int size() const { return d_size; }

    struct Message {
        int source = 0;
        int tag = 0;
        std::vector<uint8_t> bytes;
    };
    static constexpr int kAny = -1;

    void send(int dest, int tag, const std::vector<uint8_t>& bytes);
    /// A message that has arrived, if any (source/tag kAny for any).
    std::optional<Message> try_receive(int source, int tag);
    /// Waits (sleeping, see above) for a message.
    Message receive(int source, int tag);

    /// The root's bytes, on every rank.
    std::vector<uint8_t> broadcast(std::vector<uint8_t> bytes, int root);
    /// Every rank's bytes, on every rank, in rank order.
    std::vector<std::vector<uint8_t>> allgather(const std::vector<uint8_t>& bytes);
    /// out[r] goes to rank r; returns in[r], what rank r sent here.
    std::vector<std::vector<uint8_t>> alltoall(const std::vector<std::vector<uint8_t>>& out);

    /// Returns when every rank has called it.
    void barrier();

    /// Ends every rank of the job (mpirun reports it); for an error after the ranks have split
    /// up, when the others would otherwise wait for this one forever.
    [[noreturn]] void abort(int code);

    uint64_t bytes_sent() const { return d_sent; }
    uint64_t bytes_received() const { return d_received; }

private:
    bool d_owns = false;  ///< this object initialised MPI and finalises it
    int d_rank = 0, d_size = 1;
    uint64_t d_sent = 0, d_received = 0;
};

}  // namespace rf::pipeline
