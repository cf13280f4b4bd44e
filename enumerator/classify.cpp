// Classification of one size level's new graphs (the Enumerator's second phase, after
// generate.cpp): a fingerprint at the plan's cheapest point, buckets of equal primary hash,
// full comparison in the buckets that may hold equal graphs, then deterministic class ids.
// Each step is a method of its own; with cooperating processes (work_exchange.h) a step's
// share_* partner gives every rank the results the others computed.
#include <algorithm>
#include <string>

#include <omp.h>

#include "enumerator/level_builder.h"
#include "enumerator/parallel_scan.h"
#include "enumerator/parallel_sort.h"
#include "fingerprint/graph_fingerprint.h"

namespace rf::enumerator {

struct Bucket {
    uint32_t begin, end;
    bool hard;  ///< more than one value, or a primary hash some class has already
};

struct Classification {
    int n = 0;
    ValueId first = 0;
    size_t count = 0;
    bool keep = false;  ///< a later level extends this one (keep the first-point values)
    WorkExchange* ex = nullptr;
    size_t ranks = 1, me = 0;
    bool shared = false;
    BigVector<uint64_t> pkey;       ///< primary hash of each new value
    std::vector<uint8_t> overflow;  ///< exact evaluation at the first point overflowed
    std::vector<ExactTensor> p0;    ///< first-point values, for the next level (keep only)
    BigVector<uint32_t> order;      ///< non-overflowed values in (hash, structural key) order
    BigVector<Bucket> buckets;
    /// Per value: an existing class, or -(1 + new local index within its bucket).
    BigVector<int64_t> verdict;
    std::vector<uint8_t> late_overflow;       ///< overflowed in the full evaluation
    uint64_t collisions = 0, full_evals = 0;  ///< of the buckets this process resolves
    /// A class that a value of bucket `bucket` joins, by its local id there (an existing class,
    /// or -(1 + new local index)), with the fingerprint the resolution computed for it.
    struct JoinedFp {
        uint32_t bucket;
        int64_t local;
        fingerprint::Fingerprint fp;
    };
    std::vector<std::vector<JoinedFp>> joined_fps;  ///< per thread
    uint32_t first_class = 0;
    BigVector<uint32_t> first_new;  ///< first new class id of each bucket (and the end)
    std::string phase(const char* what) const { return "enumerate size " + std::to_string(n) + " " + what; }
    size_t owner(const Bucket& bk) const { return static_cast<size_t>(pkey[order[bk.begin]] % ranks); }
};

void Enumerator::classify(int n, ValueId first, LevelStats& st) {
    Classification w;
    w.n = n;
    w.first = first;
    w.count = d_s.values.size() - first;
    w.keep = n < d_s.config().max_ops;
    // Cooperating processes (work_exchange.h): value i is evaluated by rank i mod P, and the
    // buckets of a primary hash are resolved by its owner, rank hash mod P.
    w.ex = d_s.config().exchange;
    w.ranks = w.ex ? static_cast<size_t>(w.ex->size()) : 1;
    w.me = w.ex ? static_cast<size_t>(w.ex->rank()) : 0;
    w.shared = w.ranks > 1;

    const PhaseStart fp = PhaseStart::now();
    fingerprint_values(w);
    if (w.shared) share_fingerprints(w);
    d_profile.push_back(phase_profile("fingerprint", n, fp));

    const PhaseStart cl = PhaseStart::now();
    make_buckets(w);
    resolve_buckets(w);
    if (w.shared) share_verdicts(w);
    assign_classes(w, st);
    index_new_classes(w);
    overflow_classes(w, st);
    d_progress.finish(d_t.classes.size());
    d_profile.push_back(phase_profile("classes", n, cl));
}

void Enumerator::fingerprint_values(Classification& w) {
    const auto& pts = d_s.plan().points();
    const int bits = std::min(d_s.config().hash_bits, 64);
    w.pkey = BigVector<uint64_t>(w.count);
    w.overflow.assign(w.count, 0);
    w.p0.resize(w.keep ? w.count : 0);
    d_progress.start(w.n, "fingerprint", w.count);
#pragma omp parallel for schedule(dynamic, 256)
    for (size_t i = 0; i < w.count; ++i) {
        if (i % w.ranks != w.me) continue;
        const ValueId v = w.first + static_cast<ValueId>(i);
        const ValueRec& r = d_s.values[v];
        uint64_t mask = 0;
        int firstp = -1;
        for (size_t p = 0; p < pts.size(); ++p)
            if (r.type[pts[p].inst] != kIllTyped) {
                mask |= uint64_t{1} << pts[p].inst;
                if (firstp < 0) firstp = static_cast<int>(p);
            }
        try {
            ExactTensor t = d_s.evaluate(v, firstp);
            w.pkey[i] = fingerprint::truncate64(
                mix_key(mask, fingerprint::value_hash(t, d_s.type_hash_of(r.type[pts[firstp].inst]))), bits);
            if (w.keep && firstp == 0) w.p0[i] = std::move(t);
        } catch (const EvalOverflow&) {
            w.overflow[i] = 1;
        }
        d_progress.tick();
    }
}

void Enumerator::share_fingerprints(Classification& w) {
    ByteWriter out;
    for (size_t i = w.me; i < w.count; i += w.ranks) {
        out.put<uint64_t>(w.pkey[i]);
        out.put<uint8_t>(w.overflow[i]);
    }
    const auto all = w.ex->allgather(out.bytes(), w.phase("fingerprint"));
    for (size_t r = 0; r < w.ranks; ++r) {
        if (r == w.me) continue;
        ByteReader rd(all[r]);
        for (size_t i = r; i < w.count; i += w.ranks) {
            w.pkey[i] = rd.get<uint64_t>();
            w.overflow[i] = rd.get<uint8_t>();
        }
    }
}

void Enumerator::make_buckets(Classification& w) {
    // Buckets of equal primary hash, in (hash, structural key) order.
    const BigVector<uint64_t>& pkey = w.pkey;
    w.order = select_indices<uint32_t>(w.count, [&](size_t i) { return !w.overflow[i]; });
    parallel_sort(w.order.begin(), w.order.end(), [&](uint32_t x, uint32_t y) {
        if (pkey[x] != pkey[y]) return pkey[x] < pkey[y];
        const uint64_t sx = d_s.values[w.first + x].skey, sy = d_s.values[w.first + y].skey;
        return sx != sy ? sx < sy : x < y;  // a total order: equal results for any split of the sort
    });
    const BigVector<uint32_t>& order = w.order;
    const BigVector<uint32_t> starts = select_indices<uint32_t>(
        order.size(), [&](size_t k) { return k == 0 || pkey[order[k]] != pkey[order[k - 1]]; });
    resize_exact(w.buckets, starts.size());
#pragma omp parallel for schedule(static)
    for (size_t bi = 0; bi < w.buckets.size(); ++bi) {
        Bucket& bk = w.buckets[bi];
        bk.begin = starts[bi];
        bk.end = bi + 1 < starts.size() ? starts[bi + 1] : static_cast<uint32_t>(order.size());
        bk.hard = bk.end - bk.begin > 1 || d_t.first_with(pkey[order[bk.begin]]) != kNoClass;
    }
}

void Enumerator::resolve_buckets(Classification& w) {
    // Resolution of hard buckets: every value evaluated at every point and compared in full
    // with the bucket's classes.
    w.verdict = BigVector<int64_t>(w.count, 0);
    w.late_overflow.assign(w.count, 0);
    uint64_t collisions = 0, full_evals = 0;
    w.joined_fps.assign(omp_get_max_threads(), {});
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : collisions, full_evals)
    for (size_t bi = 0; bi < w.buckets.size(); ++bi) {
        const Bucket& bk = w.buckets[bi];
        if (!bk.hard) {
            w.verdict[w.order[bk.begin]] = -1;
            continue;
        }
        if (w.owner(bk) != w.me) continue;
        struct Local {
            int64_t id;
            FullValues fv;
            bool joined = false;  ///< a value of this bucket joined it (its fingerprint is noted)
        };
        std::vector<Local> locals;
        for (uint32_t c = d_t.first_with(w.pkey[w.order[bk.begin]]); c != kNoClass; c = d_t.classes[c].next_same)
            locals.push_back({c, d_s.full_values(d_t.classes[c].rep)});
        int64_t fresh = 0;
        for (size_t k = bk.begin; k < bk.end; ++k) {
            const uint32_t i = w.order[k];
            FullValues fv = d_s.full_values(w.first + i);
            ++full_evals;
            if (fv.overflow) {
                w.late_overflow[i] = 1;
                continue;
            }
            int64_t match = 0;
            bool matched = false;
            for (Local& l : locals) {
                if (l.fv.fp != fv.fp) continue;
                if (TermStore::same(l.fv, fv)) {
                    match = l.id;
                    matched = true;
                    if (!l.joined)
                        w.joined_fps[omp_get_thread_num()].push_back({static_cast<uint32_t>(bi), l.id, l.fv.fp});
                    l.joined = true;
                    break;
                }
                ++collisions;
            }
            if (!matched) {
                match = -(++fresh);
                locals.push_back({match, std::move(fv)});
            }
            w.verdict[i] = match;
        }
    }
    w.collisions = collisions;
    w.full_evals = full_evals;
}

void Enumerator::share_verdicts(Classification& w) {
    ByteWriter out;
    out.put<uint64_t>(w.collisions);
    out.put<uint64_t>(w.full_evals);
    for (const Bucket& bk : w.buckets) {
        if (!bk.hard || w.owner(bk) != w.me) continue;
        for (size_t k = bk.begin; k < bk.end; ++k) {
            out.put<int64_t>(w.verdict[w.order[k]]);
            out.put<uint8_t>(w.late_overflow[w.order[k]]);
        }
    }
    const auto all = w.ex->allgather(out.bytes(), w.phase("classes"));
    for (size_t r = 0; r < w.ranks; ++r) {
        if (r == w.me) continue;
        ByteReader rd(all[r]);
        w.collisions += rd.get<uint64_t>();
        w.full_evals += rd.get<uint64_t>();
        for (const Bucket& bk : w.buckets) {
            if (!bk.hard || w.owner(bk) != r) continue;
            for (size_t k = bk.begin; k < bk.end; ++k) {
                w.verdict[w.order[k]] = rd.get<int64_t>();
                w.late_overflow[w.order[k]] = rd.get<uint8_t>();
            }
        }
    }
}

void Enumerator::assign_classes(Classification& w, LevelStats& st) {
    // Class assignment, deterministic: new classes are numbered in bucket order and, within a
    // bucket, in order of first appearance (a prefix sum over the buckets' counts of new
    // classes). A class belongs to the bucket of its primary hash only, so the buckets are
    // assigned on all threads without sharing a class; only the extension indexes are serial.
    w.first_class = static_cast<uint32_t>(d_t.classes.size());
    w.first_new = exclusive_scan(w.buckets.size(), w.first_class, [&](size_t bi) {
        int64_t most = 0;
        for (size_t k = w.buckets[bi].begin; k < w.buckets[bi].end; ++k)
            if (!w.late_overflow[w.order[k]]) most = std::max(most, -w.verdict[w.order[k]]);
        return static_cast<uint32_t>(most);
    });
    resize_exact(d_t.classes, w.first_new.back());
    uint64_t joined = 0;
#pragma omp parallel for schedule(dynamic, 1024) reduction(+ : joined)
    for (size_t bi = 0; bi < w.buckets.size(); ++bi) {
        const Bucket& bk = w.buckets[bi];
        int64_t seen = 0;  // new classes of this bucket so far
        for (size_t k = bk.begin; k < bk.end; ++k) {
            const uint32_t i = w.order[k];
            const ValueId v = w.first + i;
            if (w.late_overflow[i]) continue;
            const int64_t vd = w.verdict[i];
            uint32_t c;
            if (vd >= 0) {
                c = static_cast<uint32_t>(vd);
            } else if (-vd - 1 < seen) {
                c = w.first_new[bi] + static_cast<uint32_t>(-vd - 1);
            } else {
                c = w.first_new[bi] + static_cast<uint32_t>(seen++);
                d_t.classes[c] = ClassRec(v, w.pkey[i]);
                d_s.values[v].cls = c;
                d_s.values[v].flags |= kRep;
                continue;
            }
            d_t.classes[c].add_member(v, d_s.values);
            d_s.values[v].cls = c;
            ++joined;
        }
    }
    // The fingerprints of the classes that got members, by class id now that new ids are known.
    auto& fps = d_t.member_fps;
    const size_t before = fps.size();
    for (const auto& list : w.joined_fps)
        for (const Classification::JoinedFp& j : list)
            fps.push_back({j.local >= 0 ? static_cast<uint32_t>(j.local)
                                        : w.first_new[j.bucket] + static_cast<uint32_t>(-j.local - 1),
                           j.fp});
    if (fps.size() > before) {
        std::sort(fps.begin(), fps.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
        fps.erase(std::unique(fps.begin(), fps.end(), [](const auto& x, const auto& y) { return x.first == y.first; }),
                  fps.end());
    }
    w.joined_fps.clear();
    st.joined += joined;
    st.hash_collisions += w.collisions;
    st.full_evaluations += w.full_evals;
    st.new_classes += w.first_new.back() - w.first_class;
}

void Enumerator::index_new_classes(Classification& w) {
    // At the last level nothing is extended and no later level looks classes up, so the
    // extension indexes (representatives by size, node -> containing representatives, primary
    // hash -> classes) are not kept up: a third of the serial assignment time at size 3.
    if (!w.keep) return;
    std::vector<uint32_t> new_reps;  // with cooperating processes: whose first-point value to share
    for (uint32_t c = w.first_class; c < w.first_new.back(); ++c) {
        const ValueId v = d_t.classes[c].rep;
        const size_t i = v - w.first;
        d_t.index(c);
        d_reps_by_size[w.n].push_back(v);
        const NodeSet& ns = d_s.node_set(v);
        if (d_containing.size() < d_s.nodes.size()) d_containing.resize(d_s.nodes.size());
        for (int k = 0; k < ns.n; ++k) d_containing[ns.ids[k]].push_back(v);
        if (!w.p0[i].num.empty()) d_s.cache_point0(v, std::move(w.p0[i]));
        if (w.shared) new_reps.push_back(static_cast<uint32_t>(i));
    }
    if (w.shared) share_representatives(w, new_reps);
}

void Enumerator::share_representatives(Classification& w, const std::vector<uint32_t>& new_reps) {
    // The next level extends the new representatives: every process gets their first-point
    // values from the rank that computed them (not at the last level: nothing is extended).
    ByteWriter out;
    for (uint32_t i : new_reps) {
        if (i % w.ranks != w.me) continue;
        const ExactTensor* t = d_s.cached_point0(w.first + i);
        if (!t) continue;  // not typed at the first point
        out.put<uint32_t>(i);
        out.put_vector(t->dims);
        out.put_vector(t->num);
        out.put<int64_t>(t->den);
    }
    const auto all = w.ex->allgather(out.bytes(), w.phase("representatives"));
    for (size_t r = 0; r < w.ranks; ++r) {
        if (r == w.me) continue;
        ByteReader rd(all[r]);
        while (!rd.done()) {
            const uint32_t i = rd.get<uint32_t>();
            ExactTensor t;
            t.dims = rd.get_vector<int64_t>();
            t.num = rd.get_vector<int64_t>();
            t.den = rd.get<int64_t>();
            d_s.cache_point0(w.first + i, std::move(t));
        }
    }
}

void Enumerator::overflow_classes(Classification& w, LevelStats& st) {
    // Overflowed graphs: a class of their own each, never extended, never merged.
    for (size_t i = 0; i < w.count; ++i)
        if (w.overflow[i] || w.late_overflow[i]) {
            const ValueId v = w.first + static_cast<ValueId>(i);
            d_s.values[v].flags |= kOverflow;
            d_s.values[v].cls = static_cast<uint32_t>(d_t.classes.size());
            d_t.classes.push_back(ClassRec(v, 0));
            ++st.new_classes;
            ++st.overflows;
        }
}

}  // namespace rf::enumerator
