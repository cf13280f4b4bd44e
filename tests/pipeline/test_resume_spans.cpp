// pipeline/resume_spans.h: what a resumed stage redoes is exactly what its run did not finish,
// whatever batch size the run and the resume use (issue 24: a resume with another --batch read
// "batch 3 done" at its own batch size and skipped work never done).
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "pipeline/resume_spans.h"

using namespace rf::pipeline;

namespace {

std::set<size_t> open_items(const std::vector<std::string>& done, size_t n, size_t batch) {
    std::set<size_t> items;
    for (const Span& s : open_spans(done, n, batch)) {
        CHECK(s.size() >= 1);
        CHECK(s.size() <= batch);
        for (size_t i = s.lo; i < s.hi; ++i) CHECK(items.insert(i).second);
    }
    return items;
}

}  // namespace

TEST_CASE("resume spans: spans done at one batch size leave exactly the rest open at another", "[pipeline]") {
    // The case: 450 candidates, batch 32, four spans stored; resumed at 128.
    std::vector<std::string> done;
    for (size_t b = 0; b < 4; ++b) done.push_back(span_unit({b * 32, (b + 1) * 32}));
    std::set<size_t> open = open_items(done, 450, 128);
    CHECK(open.size() == 450 - 128);
    CHECK(*open.begin() == 128);
    CHECK(*open.rbegin() == 449);

    // Random histories: any batch sizes, any subset of spans done, any resume batch.
    std::mt19937 rng(24);
    for (int trial = 0; trial < 200; ++trial) {
        const size_t n = rng() % 300, first = 1 + rng() % 40, second = 1 + rng() % 40;
        INFO("trial " << trial << ": n " << n << ", batch " << first << " then " << second);
        std::vector<std::string> units;
        std::set<size_t> expect;
        for (const Span& s : plan_spans({}, n, first)) {
            if (rng() % 2)
                units.push_back(span_unit(s));
            else
                for (size_t i = s.lo; i < s.hi; ++i) expect.insert(i);
        }
        // Then part of the rest at the second size, as a second interrupted resume would.
        for (const Span& s : open_spans(units, n, second))
            if (rng() % 3 == 0) {
                units.push_back(span_unit(s));
                for (size_t i = s.lo; i < s.hi; ++i) expect.erase(i);
            }
        CHECK(open_items(units, n, 1 + rng() % 50) == expect);
    }
}

TEST_CASE("resume spans: an older version's batch numbers are read at the given batch size", "[pipeline]") {
    CHECK(open_items({"b0", "b2"}, 50, 10) == std::set<size_t>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                                                               30, 31, 32, 33, 34, 35, 36, 37, 38, 39,
                                                               40, 41, 42, 43, 44, 45, 46, 47, 48, 49});
    CHECK_THROWS_WITH(plan_spans({"thread 1"}, 10, 5), Catch::Contains("'thread 1'"));
    CHECK_THROWS_WITH(plan_spans({"i5-x"}, 10, 5), Catch::Contains("did not write"));
}
