// The enumerator's classes against the reference path (enumerator/reference_check.h): equal on
// TASO's setting at size 2 and under forced fingerprint collisions, and the check itself catches
// a member in the wrong class, a class split in two and a wrong fingerprint.
#include <catch2/catch.hpp>

#include <string>

#include "enumerator/reference_check.h"

using namespace rf;

namespace {

bool mentions(const enumerator::ReferenceReport& r, const std::string& what) {
    for (const std::string& e : r.examples)
        if (e.find(what) != std::string::npos) return true;
    return false;
}

// The first class with members, and another class (not an input) after it.
std::pair<size_t, size_t> two_classes(const enumerator::EnumResult& r) {
    size_t a = r.num_classes(), b = r.num_classes();
    for (size_t i = 0; i < r.num_classes() && a == r.num_classes(); ++i)
        if (r.class_size(i) > 0) a = i;
    REQUIRE(a < r.num_classes());
    for (size_t i = a + 1; i < r.num_classes() && b == r.num_classes(); ++i)
        if (r.get_class(i).representative.nodes().size() > 1) b = i;  // an operator over inputs
    REQUIRE(b < r.num_classes());
    return {a, b};
}

}  // namespace

TEST_CASE("reference check: TASO's setting at size 2 is the partition the reference values induce", "[enumerator]") {
    enumerator::EnumConfig c = enumerator::preset_config("taso", 2);
    c.threads = 2;
    enumerator::EnumResult r = enumerator::enumerate(c);
    const enumerator::ReferenceReport rep = enumerator::check_against_reference(r, c);
    INFO((rep.examples.empty() ? std::string() : rep.examples.front()));
    CHECK(rep.ok());
    CHECK(rep.classes == r.num_classes());
    uint64_t graphs = c.plan.base_variables().size();
    for (const enumerator::LevelStats& l : r.levels) graphs += l.graphs;
    CHECK(rep.graphs == graphs);  // every single-output graph, inputs included
}

TEST_CASE("reference check: forced fingerprint collisions still give the reference partition", "[enumerator]") {
    enumerator::EnumConfig c = enumerator::preset_config("taso", 2);
    c.hash_bits = 10;  // 1,024 fingerprints for 11,469 classes
    enumerator::EnumResult r = enumerator::enumerate(c);
    uint64_t collisions = 0;
    for (const enumerator::LevelStats& l : r.levels) collisions += l.hash_collisions;
    CHECK(collisions > 0);
    const enumerator::ReferenceReport rep = enumerator::check_against_reference(r, c);
    CHECK(rep.ok());
}

TEST_CASE("reference check: a wrong partition is reported", "[enumerator]") {
    enumerator::EnumConfig c = enumerator::preset_config("taso", 2);
    enumerator::EnumResult r = enumerator::enumerate(c);
    // Not a structured binding: the lambdas below capture these, which clang 14 (the TSan build)
    // does not allow for bindings.
    const auto [a_class, b_class] = two_classes(r);
    const size_t a = a_class, b = b_class;
    enumerator::PartitionView view;
    view.num_classes = r.num_classes();

    SECTION("a member in another class") {
        view.get_class = [&](size_t i) {
            enumerator::EnumClass k = r.get_class(i);
            if (i == b) k.members.push_back(r.get_class(a).members.front());
            if (i == a) k.members.erase(k.members.begin());
            return k;
        };
        const enumerator::ReferenceReport rep =
            enumerator::check_partition(view, c.plan, c.function_seed, c.hash_bits, 2);
        CHECK(rep.problems >= 1);
        CHECK(mentions(rep, "class " + std::to_string(b) + ": member"));
    }
    SECTION("a class split in two") {
        view.num_classes = r.num_classes() + 1;
        view.get_class = [&](size_t i) {
            if (i == r.num_classes()) {  // the moved member as a class of its own
                enumerator::EnumClass k;
                k.representative = r.get_class(a).members.front();
                k.fingerprint = r.class_fingerprint(a);
                return k;
            }
            enumerator::EnumClass k = r.get_class(i);
            if (i == a) k.members.erase(k.members.begin());
            return k;
        };
        const enumerator::ReferenceReport rep =
            enumerator::check_partition(view, c.plan, c.function_seed, c.hash_bits, 2);
        CHECK(rep.problems == 1);
        CHECK(mentions(rep, "classes " + std::to_string(a) + " and " + std::to_string(r.num_classes()) +
                                " compute the same values"));
    }
    SECTION("a wrong fingerprint") {
        view.get_class = [&](size_t i) {
            enumerator::EnumClass k = r.get_class(i);
            if (i == b) k.fingerprint.lo ^= 1;
            return k;
        };
        const enumerator::ReferenceReport rep =
            enumerator::check_partition(view, c.plan, c.function_seed, c.hash_bits, 1);
        CHECK(rep.problems == 1);
        CHECK(mentions(rep, "class " + std::to_string(b) + ": fingerprint"));
    }
}
