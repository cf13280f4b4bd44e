#include "enumerator/reference_check.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include <omp.h>

#include "fingerprint/graph_fingerprint.h"
#include "ir/native_text.h"

namespace rf::enumerator {

namespace {

constexpr size_t kMaxExamples = 20;

std::string spell(const Graph& g) {
    try {
        return print_native_graph(g);
    } catch (const std::exception&) {
        return "(graph not printable)";
    }
}

}  // namespace

ReferenceReport check_partition(const PartitionView& partition, const fingerprint::ShapePlan& plan,
                                uint64_t function_seed, int hash_bits, int threads) {
    const auto t0 = std::chrono::steady_clock::now();
    ReferenceReport rep;
    const size_t n = partition.num_classes;
    rep.classes = n;
    // Per class: the untruncated reference fingerprint of its representative (to find two
    // classes with equal values) and whether it overflowed.
    std::vector<fingerprint::Fingerprint> full(n);
    std::vector<uint8_t> overflowed(n, 0);
    std::vector<std::pair<size_t, std::string>> problems;
    std::mutex m;
    auto problem = [&](size_t cls, std::string what) {
        std::lock_guard<std::mutex> lock(m);
        problems.emplace_back(cls, std::move(what));
    };
    uint64_t graphs = 0;
#pragma omp parallel for schedule(dynamic, 64) reduction(+ : graphs) num_threads(threads > 0 ? threads : omp_get_max_threads())
    for (size_t i = 0; i < n; ++i) {
        const EnumClass c = partition.get_class(i);
        const fingerprint::GraphValues rv = fingerprint::evaluate_points(c.representative, plan, function_seed);
        ++graphs;
        full[i] = rv.fingerprint(128);
        overflowed[i] = rv.overflowed();
        const fingerprint::Fingerprint expected = fingerprint::truncate(full[i], hash_bits);
        if (expected != c.fingerprint)
            problem(i, "class " + std::to_string(i) + ": fingerprint " + c.fingerprint.to_string() +
                           " is not the reference fingerprint " + expected.to_string() + " of its representative " +
                           spell(c.representative));
        if (overflowed[i] && !c.members.empty())
            problem(i, "class " + std::to_string(i) + ": its representative overflowed, yet it has " +
                           std::to_string(c.members.size()) + " members");
        for (const Graph& g : c.members) {
            ++graphs;
            if (!fingerprint::same_values(rv, fingerprint::evaluate_points(g, plan, function_seed)))
                problem(i, "class " + std::to_string(i) + ": member " + spell(g) +
                               " does not compute what the representative " + spell(c.representative) + " computes");
        }
    }
    rep.graphs = graphs;
    // Classes with equal reference values: equal 128-bit fingerprints, confirmed in full.
    std::vector<size_t> order;
    for (size_t i = 0; i < n; ++i) {
        if (overflowed[i])
            ++rep.overflowed;
        else
            order.push_back(i);
    }
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return full[a] < full[b] || (full[a] == full[b] && a < b); });
    for (size_t lo = 0; lo < order.size();) {
        size_t hi = lo + 1;
        while (hi < order.size() && full[order[hi]] == full[order[lo]]) ++hi;
        for (size_t x = lo; x < hi; ++x)
            for (size_t y = x + 1; y < hi; ++y) {
                const size_t a = order[x], b = order[y];
                const EnumClass ca = partition.get_class(a), cb = partition.get_class(b);
                if (fingerprint::same_values(fingerprint::evaluate_points(ca.representative, plan, function_seed),
                                             fingerprint::evaluate_points(cb.representative, plan, function_seed)))
                    problem(b, "classes " + std::to_string(a) + " and " + std::to_string(b) +
                                   " compute the same values: " + spell(ca.representative) + " and " +
                                   spell(cb.representative));
            }
        lo = hi;
    }
    std::sort(problems.begin(), problems.end());
    rep.problems = problems.size();
    for (size_t k = 0; k < problems.size() && k < kMaxExamples; ++k) rep.examples.push_back(problems[k].second);
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rep;
}

ReferenceReport check_against_reference(const EnumResult& result, const EnumConfig& config) {
    PartitionView view;
    view.num_classes = result.num_classes();
    view.get_class = [&](size_t i) { return result.get_class(i); };
    return check_partition(view, config.plan, config.function_seed, config.hash_bits, config.threads);
}

}  // namespace rf::enumerator
