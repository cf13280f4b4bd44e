// pipeline/ordered_pipeline.h: items made on worker threads are consumed in order on the
// caller's thread, an early stop or an error ends the workers, and a producer's error reaches
// the caller.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "pipeline/ordered_pipeline.h"

using rf::pipeline::ordered_pipeline;

TEST_CASE("ordered_pipeline: items arrive in order whatever order the workers finish in", "[pipeline]") {
    for (int workers : {1, 2, 5}) {
        std::vector<size_t> seen;
        std::thread::id caller = std::this_thread::get_id();
        bool on_caller = true;
        ordered_pipeline<size_t>(
            50, workers, 3,
            [](size_t i) {
                // Later items finish first now and then.
                if (i % 7 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
                return i * i;
            },
            [&](size_t k, size_t& v) {
                on_caller = on_caller && std::this_thread::get_id() == caller;
                CHECK(v == k * k);
                seen.push_back(k);
                return true;
            });
        REQUIRE(seen.size() == 50);
        for (size_t k = 0; k < seen.size(); ++k) CHECK(seen[k] == k);
        CHECK(on_caller);
    }
}

TEST_CASE("ordered_pipeline: at most `ahead` items are made beyond the one consumed", "[pipeline]") {
    std::atomic<size_t> made{0};
    size_t most_ahead = 0;
    ordered_pipeline<int>(
        40, 4, 2,
        [&](size_t) {
            ++made;
            return 1;
        },
        [&](size_t k, int&) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            most_ahead = std::max(most_ahead, made.load() - k);
            return true;
        });
    CHECK(made == 40);
    CHECK(most_ahead <= 3);  // item k itself and at most 2 beyond it
}

TEST_CASE("ordered_pipeline: an early stop and errors end the workers", "[pipeline]") {
    size_t consumed = 0;
    ordered_pipeline<int>(
        1000, 2, 4, [](size_t) { return 0; },
        [&](size_t k, int&) {
            ++consumed;
            return k < 9;
        });
    CHECK(consumed == 10);

    CHECK_THROWS_WITH(ordered_pipeline<int>(
                          100, 2, 4,
                          [](size_t i) -> int {
                              if (i == 17) throw std::runtime_error("item 17 failed");
                              return 0;
                          },
                          [](size_t, int&) { return true; }),
                      "item 17 failed");
    CHECK_THROWS_WITH(ordered_pipeline<int>(
                          100, 2, 4, [](size_t) { return 0; },
                          [](size_t k, int&) -> bool {
                              if (k == 5) throw std::runtime_error("write failed");
                              return true;
                          }),
                      "write failed");
}
