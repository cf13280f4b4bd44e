#include "pipeline/mpi_comm.h"

#include <chrono>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

#include <mpi.h>

namespace rf::pipeline {

namespace {

void check(int rc, const char* call) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw std::runtime_error(std::string(call) + " failed: " + std::string(text, len));
}

// Sleeps between polls: nothing for the first few, then 1 ms doubling to 10 ms.
class Backoff {
public:
    void pause() {
        if (++d_polls < 16) {
            std::this_thread::yield();
            return;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(d_us));
        d_us = std::min(d_us * 2, 10000);
    }

private:
    int d_polls = 0;
    int d_us = 1000;
};

void wait(MPI_Request& req) {
    Backoff b;
    for (;;) {
        int done = 0;
        check(MPI_Test(&req, &done, MPI_STATUS_IGNORE), "MPI_Test");
        if (done) return;
        b.pause();
    }
}

int as_count(size_t n) {
    if (n > static_cast<size_t>(std::numeric_limits<int>::max()))
        throw std::runtime_error("an MPI message of " + std::to_string(n) + " bytes is over MPI's 2 GiB count limit");
    return static_cast<int>(n);
}

}  // namespace

Mpi::Mpi() {
    int initialised = 0;
    check(MPI_Initialized(&initialised), "MPI_Initialized");
    if (!initialised) {
        int provided = 0;
        check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
        d_owns = true;
        if (provided < MPI_THREAD_FUNNELED) throw std::runtime_error("MPI does not support threads (level funneled)");
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    check(MPI_Comm_rank(MPI_COMM_WORLD, &d_rank), "MPI_Comm_rank");
    check(MPI_Comm_size(MPI_COMM_WORLD, &d_size), "MPI_Comm_size");
}

Mpi::~Mpi() {
    if (d_owns) MPI_Finalize();
}

void Mpi::send(int dest, int tag, const std::vector<uint8_t>& bytes) {
    MPI_Request req;
    check(MPI_Isend(bytes.data(), as_count(bytes.size()), MPI_BYTE, dest, tag, MPI_COMM_WORLD, &req), "MPI_Isend");
    wait(req);
    d_sent += bytes.size();
}

std::optional<Mpi::Message> Mpi::try_receive(int source, int tag) {
    int flag = 0;
    MPI_Status st;
    check(MPI_Iprobe(source == kAny ? MPI_ANY_SOURCE : source, tag == kAny ? MPI_ANY_TAG : tag, MPI_COMM_WORLD, &flag,
                     &st),
          "MPI_Iprobe");
    if (!flag) return std::nullopt;
    int count = 0;
    check(MPI_Get_count(&st, MPI_BYTE, &count), "MPI_Get_count");
    Message m;
    m.source = st.MPI_SOURCE;
    m.tag = st.MPI_TAG;
    m.bytes.resize(count);
    check(MPI_Recv(m.bytes.data(), count, MPI_BYTE, m.source, m.tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    d_received += m.bytes.size();
    return m;
}

Mpi::Message Mpi::receive(int source, int tag) {
    Backoff b;
    for (;;) {
        if (auto m = try_receive(source, tag)) return std::move(*m);
        b.pause();
    }
}

std::vector<uint8_t> Mpi::broadcast(std::vector<uint8_t> bytes, int root) {
    uint64_t n = bytes.size();
    MPI_Request req;
    check(MPI_Ibcast(&n, 1, MPI_UINT64_T, root, MPI_COMM_WORLD, &req), "MPI_Ibcast");
    wait(req);
    bytes.resize(n);
    check(MPI_Ibcast(bytes.data(), as_count(n), MPI_BYTE, root, MPI_COMM_WORLD, &req), "MPI_Ibcast");
    wait(req);
    if (d_rank == root)
        d_sent += n * (d_size - 1);
    else
        d_received += n;
    return bytes;
}

std::vector<std::vector<uint8_t>> Mpi::allgather(const std::vector<uint8_t>& bytes) {
    return alltoall(std::vector<std::vector<uint8_t>>(d_size, bytes));  // alltoall counts the bytes
}

std::vector<std::vector<uint8_t>> Mpi::alltoall(const std::vector<std::vector<uint8_t>>& out) {
    if (static_cast<int>(out.size()) != d_size) throw std::logic_error("Mpi::alltoall: one buffer per rank expected");
    std::vector<int> send_counts(d_size), recv_counts(d_size), send_displs(d_size), recv_displs(d_size);
    std::vector<uint8_t> send_buf;
    for (int r = 0; r < d_size; ++r) {
        send_counts[r] = as_count(out[r].size());
        send_displs[r] = as_count(send_buf.size());
        send_buf.insert(send_buf.end(), out[r].begin(), out[r].end());
    }
    MPI_Request req;
    check(MPI_Ialltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, MPI_COMM_WORLD, &req),
          "MPI_Ialltoall");
    wait(req);
    size_t total = 0;
    for (int r = 0; r < d_size; ++r) {
        recv_displs[r] = as_count(total);
        total += recv_counts[r];
    }
    std::vector<uint8_t> recv_buf(total);
    check(MPI_Ialltoallv(send_buf.data(), send_counts.data(), send_displs.data(), MPI_BYTE, recv_buf.data(),
                         recv_counts.data(), recv_displs.data(), MPI_BYTE, MPI_COMM_WORLD, &req),
          "MPI_Ialltoallv");
    wait(req);
    std::vector<std::vector<uint8_t>> in(d_size);
    for (int r = 0; r < d_size; ++r) {
        in[r].assign(recv_buf.begin() + recv_displs[r], recv_buf.begin() + recv_displs[r] + recv_counts[r]);
        if (r == d_rank) continue;  // what a rank keeps for itself crosses no wire
        d_sent += out[r].size();
        d_received += in[r].size();
    }
    return in;
}

void Mpi::barrier() {
    MPI_Request req;
    check(MPI_Ibarrier(MPI_COMM_WORLD, &req), "MPI_Ibarrier");
    wait(req);
}

void Mpi::abort(int code) {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);  // MPI_Abort does not return; this keeps [[noreturn]] honest
}

}  // namespace rf::pipeline
