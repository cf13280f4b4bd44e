// Enumeration shared between cooperating processes (enumerator/work_exchange.h), simulated in
// one process: P threads each run enumerate() as one rank, exchanging through memory. Each rank
// must end with exactly the single-process result (candidates, their order and names, classes,
// per-level figures), and each must have done and sent its share of every phase. The MPI
// version of the same exchange runs end to end in tests/pipeline/test_mpi.cpp.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "enumerator/enumerator.h"
#include "enumerator/work_exchange.h"
#include "ir/native_text.h"

using namespace rf;

namespace {

// An all-gather among P threads. Calls are numbered per thread; all threads make the same
// sequence of calls, so call k of every thread meets in round k.
class Hub {
public:
    explicit Hub(int ranks) : d_ranks(ranks) {}
    std::vector<std::vector<uint8_t>> allgather(int rank, uint64_t call, const std::vector<uint8_t>& mine) {
        std::unique_lock lock(d_m);
        Round& r = d_rounds[call];
        if (r.slots.empty()) r.slots.resize(d_ranks);
        r.slots[rank] = mine;
        if (++r.arrived == d_ranks) d_cv.notify_all();
        d_cv.wait(lock, [&] { return r.arrived == d_ranks || d_broken; });
        if (d_broken) throw std::runtime_error("another rank failed");
        std::vector<std::vector<uint8_t>> out = r.slots;
        if (++r.taken == d_ranks) d_rounds.erase(call);
        return out;
    }

    /// A rank failed: the others stop waiting for it.
    void fail() {
        std::lock_guard lock(d_m);
        d_broken = true;
        d_cv.notify_all();
    }

private:
    struct Round {
        std::vector<std::vector<uint8_t>> slots;
        int arrived = 0, taken = 0;
    };
    int d_ranks;
    std::mutex d_m;
    std::condition_variable d_cv;
    std::map<uint64_t, Round> d_rounds;
    bool d_broken = false;
};

class ThreadExchange final : public enumerator::WorkExchange {
public:
    ThreadExchange(Hub& hub, int rank, int ranks) : d_hub(hub), d_rank(rank), d_ranks(ranks) {}
    int rank() const override { return d_rank; }
    int size() const override { return d_ranks; }
    std::vector<std::vector<uint8_t>> allgather(const std::vector<uint8_t>& mine, const std::string& phase) override {
        sent[phase] += mine.size();
        return d_hub.allgather(d_rank, d_calls++, mine);
    }
    std::map<std::string, uint64_t> sent;

private:
    Hub& d_hub;
    int d_rank, d_ranks;
    uint64_t d_calls = 0;
};

std::vector<std::string> texts(const enumerator::EnumResult& r) {
    std::vector<std::string> out;
    for (const enumerator::Candidate& c : r.candidates)
        out.push_back(print_native(c.rule) + " #" + std::to_string(c.class_index) + " " + std::to_string(c.lhs_size) +
                      "/" + std::to_string(c.rhs_size));
    return out;
}

std::vector<std::string> levels(const enumerator::EnumResult& r) {
    std::vector<std::string> out;
    for (const enumerator::LevelStats& l : r.levels)
        out.push_back(std::to_string(l.graphs) + " " + std::to_string(l.pair_graphs) + " " +
                      std::to_string(l.new_classes) + " " + std::to_string(l.joined) + " " +
                      std::to_string(l.full_evaluations) + " " + std::to_string(l.hash_collisions) + " " +
                      std::to_string(l.overflows) + " " + std::to_string(l.candidates) + " " +
                      std::to_string(l.drops.total()) + " " + std::to_string(l.drops.renaming) + " " +
                      std::to_string(l.drops.common_subgraph));
    return out;
}

// `stride`: compare every stride-th class's fingerprint (each costs a full evaluation).
void check_shared(enumerator::EnumConfig cfg, int ranks, size_t stride = 1) {
    cfg.threads = 1;
    const enumerator::EnumResult single = enumerator::enumerate(cfg);
    REQUIRE(!single.candidates.empty());
    Hub hub(ranks);
    std::vector<std::unique_ptr<ThreadExchange>> ex;
    for (int r = 0; r < ranks; ++r) ex.push_back(std::make_unique<ThreadExchange>(hub, r, ranks));
    std::vector<enumerator::EnumResult> results(ranks);
    std::vector<std::string> errors(ranks);
    std::vector<std::thread> threads;
    for (int r = 0; r < ranks; ++r)
        threads.emplace_back([&, r] {
            enumerator::EnumConfig c = cfg;
            c.exchange = ex[r].get();
            try {
                results[r] = enumerator::enumerate(c);
            } catch (const std::exception& e) {
                errors[r] = e.what();
                hub.fail();
            }
        });
    for (std::thread& t : threads) t.join();
    for (int r = 0; r < ranks; ++r) {
        INFO("rank " << r << " of " << ranks);
        CHECK(errors[r] == "");
    }
    for (int r = 0; r < ranks; ++r) {
        INFO("rank " << r << " of " << ranks);
        if (!errors[r].empty()) continue;
        CHECK(texts(results[r]) == texts(single));
        CHECK(levels(results[r]) == levels(single));
        REQUIRE(results[r].num_classes() == single.num_classes());
        for (size_t i = 0; i < single.num_classes(); ++i) {
            if (results[r].class_size(i) != single.class_size(i) ||
                (i % stride == 0 && results[r].class_fingerprint(i) != single.class_fingerprint(i))) {
                FAIL("class " << i << " differs");
            }
        }
        // Every rank did and sent its share of each phase at every level.
        for (int n = 1; n <= cfg.max_ops; ++n)
            for (const char* phase : {"generate", "fingerprint", "classes"}) {
                INFO("size " << n << " " << phase);
                CHECK(ex[r]->sent.count("enumerate size " + std::to_string(n) + " " + phase));
            }
        CHECK(ex[r]->sent["enumerate size " + std::to_string(cfg.max_ops) + " fingerprint"] > 0);
        CHECK(ex[r]->sent["enumerate candidates"] > 0);
        // The representatives' values travel at every level but the last.
        CHECK(ex[r]->sent.count("enumerate size 1 representatives"));
        CHECK(!ex[r]->sent.count("enumerate size " + std::to_string(cfg.max_ops) + " representatives"));
    }
}

}  // namespace

TEST_CASE("shared enumeration: 2 and 3 ranks end with the single-process result (TASO, size 2)",
          "[enumerator][exchange]") {
    enumerator::EnumConfig cfg = enumerator::preset_config("taso", 2);
    for (int ranks : {2, 3}) {
        INFO(ranks << " ranks");
        check_shared(cfg, ranks);
    }
}

TEST_CASE("shared enumeration: size 3 on a few templates, with forced fingerprint collisions",
          "[enumerator][exchange]") {
    enumerator::EnumConfig cfg = enumerator::preset_config("taso", 3);
    cfg.templates = enumerator::select_templates(cfg.templates, "ewadd,ewmul,matmul,relu,transpose,split_1");
    check_shared(cfg, 2);
    // Few hash bits: most buckets are "hard" (shared by unrelated graphs), so the owners'
    // full comparisons and the verdicts they send decide nearly every class.
    cfg.max_ops = 2;
    cfg.hash_bits = 6;
    check_shared(cfg, 3);
}

TEST_CASE("shared enumeration: TASO's size 3, 2 ranks, equals the single-process result", "[enumerator][exchange]") {
    // The full setting: the ranks compute some typings in different orders (each first meets
    // the pairs of its own tasks), so their type ids differ; the task list, which each rank
    // splits by position, must not (it once did: 18 graphs were enumerated twice or not at all).
    check_shared(enumerator::preset_config("taso", 3), 2, 97);
}
