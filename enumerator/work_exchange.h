// How enumerate() shares each size level's work with cooperating processes (the MPI ranks of
// `discover --distributed`; pipeline/ implements this over MPI, so the enumerator never sees
// MPI). Every process runs enumerate() with the same configuration and keeps the same store of
// graphs and classes; each phase below is split, and one all-gather per phase gives every
// process every share, so the result is the single-process result whatever the number of ranks:
//   generate      the extension tasks, round-robin; the new nodes exchanged as (template,
//                 operand, operand) triples that each process proposes again (cached typings)
//   fingerprint   the first-point evaluation of the new graphs, round-robin; hashes exchanged
//   classes       each primary hash has one owning rank (hash mod P), which compares the
//                 graphs of its buckets in full and decides their classes; verdicts exchanged,
//                 then every process assigns class ids in the same order. The new
//                 representatives' first-point values go to every rank (the next level extends
//                 them), except at the last level
//   candidates    the pair checks (common sub-graph, renaming key), round-robin; verdicts and
//                 keys exchanged, then each process builds the kept candidates' rules
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace rf::enumerator {

class WorkExchange {
public:
    virtual ~WorkExchange() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    /// Every process's bytes in rank order (this one's included); `phase` names the traffic
    /// ("enumerate size 3 classes") for the communication figures.
    virtual std::vector<std::vector<uint8_t>> allgather(const std::vector<uint8_t>& mine, const std::string& phase) = 0;
};

/// Plain little-endian packing of the exchanged records (every process is the same binary).
class ByteWriter {
public:
    template <class T>
    void put(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto* p = reinterpret_cast<const uint8_t*>(&v);
        d_bytes.insert(d_bytes.end(), p, p + sizeof v);
    }
    template <class T>
    void put_vector(const std::vector<T>& v) {
        put<uint64_t>(v.size());
        for (const T& x : v) put(x);
    }
    void put_string(const std::string& s) {
        put<uint64_t>(s.size());
        d_bytes.insert(d_bytes.end(), s.begin(), s.end());
    }
    std::vector<uint8_t>& bytes() { return d_bytes; }

private:
    std::vector<uint8_t> d_bytes;
};

class ByteReader {
public:
    explicit ByteReader(const std::vector<uint8_t>& b) : d_b(b) {}
    template <class T>
    T get() {
        static_assert(std::is_trivially_copyable_v<T>);
        need(sizeof(T));
        T v;
        std::memcpy(&v, d_b.data() + d_pos, sizeof v);
        d_pos += sizeof v;
        return v;
    }
    template <class T>
    std::vector<T> get_vector() {
        const uint64_t n = get<uint64_t>();
        need(n * sizeof(T));
        std::vector<T> v(n);
        for (T& x : v) x = get<T>();
        return v;
    }
    std::string get_string() {
        const uint64_t n = get<uint64_t>();
        need(n);
        std::string s(reinterpret_cast<const char*>(d_b.data() + d_pos), n);
        d_pos += n;
        return s;
    }
    bool done() const { return d_pos == d_b.size(); }

private:
    void need(uint64_t n) const {
        // Every rank runs the same binary on the same configuration: a short message is a bug.
        if (d_pos + n > d_b.size())
            throw std::logic_error("enumerator: a work-exchange message is shorter than its records");
    }
    const std::vector<uint8_t>& d_b;
    size_t d_pos = 0;
};

}  // namespace rf::enumerator
