// enumerate() in its two steps (enumerate_classes, then enumerate_candidates), as `enumerate --db`
// runs it to store the classes while the candidates are extracted: the same result as one call,
// with the classes read on another thread during the extraction (rf_tsan_tests runs this under
// ThreadSanitizer, where such a read racing with a write would be reported).
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "enumerator/enumerator.h"
#include "ir/canonical.h"
#include "ir/native_text.h"

using namespace rf;

namespace {

// Every class as text: its fingerprint, its representative and its members.
std::vector<std::string> class_texts(const enumerator::EnumResult& r) {
    std::vector<std::string> out;
    for (size_t i = 0; i < r.num_classes(); ++i) {
        const enumerator::EnumClass c = r.get_class(i);
        std::string t = r.class_fingerprint(i).to_string() + " " + std::to_string(r.class_size(i)) + " " +
                        c.fingerprint.to_string() + " " + canonical_text(c.representative);
        for (const Graph& m : c.members) t += " | " + canonical_text(m);
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<std::string> candidate_texts(const enumerator::EnumResult& r) {
    std::vector<std::string> out;
    for (const enumerator::Candidate& c : r.candidates)
        out.push_back(print_native(c.rule) + " " + std::to_string(c.class_index));
    return out;
}

}  // namespace

TEST_CASE("enumerator: in two steps, classes read during the candidate extraction, one call's result", "[enumerator]") {
    enumerator::EnumConfig c = enumerator::preset_config("taso", 2);
    c.threads = 2;
    const enumerator::EnumResult whole = enumerator::enumerate(c);
    REQUIRE(whole.candidates.size() > 100);

    enumerator::EnumResult r = enumerator::enumerate_classes(c);
    CHECK(r.candidates.empty());
    REQUIRE(r.num_classes() == whole.num_classes());
    REQUIRE_FALSE(r.profile.empty());
    CHECK(r.profile.back().phase == "classes");
    std::vector<std::string> during;
    std::thread reader([&] { during = class_texts(r); });
    enumerator::enumerate_candidates(r);
    reader.join();

    CHECK(during == class_texts(whole));
    CHECK(candidate_texts(r) == candidate_texts(whole));
    REQUIRE(r.levels.size() == whole.levels.size());
    for (size_t l = 0; l < r.levels.size(); ++l) {
        CHECK(r.levels[l].candidates == whole.levels[l].candidates);
        CHECK(r.levels[l].drops.total() == whole.levels[l].drops.total());
        CHECK(r.levels[l].drops.renaming == whole.levels[l].drops.renaming);
    }
    REQUIRE(r.profile.size() == whole.profile.size());
    CHECK(r.profile.back().phase == "candidates");
}
