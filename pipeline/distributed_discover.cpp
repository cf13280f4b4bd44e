#include "pipeline/distributed_discover.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <tuple>

#include <omp.h>
#include <nlohmann/json.hpp>

#include "pipeline/discover_steps.h"
#include "pipeline/distributed_prove.h"
#include "pipeline/mpi_comm.h"
#include "pipeline/mpi_work_exchange.h"
#include "ruledb/db_error.h"
#include "support/progress.h"
#include "support/stop.h"
#include "support/user_error.h"

namespace rf::pipeline {

namespace {

using steps::Clock;
using steps::since;

// Rank 0 opens the run; every rank learns the outcome, so a user error ends them all alike (and
// a resume of a finished run ends them all with nothing to do: Finished).
enum class Failure { None = 0, Usage = 1, Database = 2, Finished = 3 };

// True for Finished.
bool share_outcome(Mpi& mpi, Failure f, const std::string& message) {
    const std::vector<uint8_t> bytes =
        nlohmann::json::to_cbor(nlohmann::json{{"failure", static_cast<int>(f)}, {"message", message}});
    const nlohmann::json j = nlohmann::json::from_cbor(mpi.broadcast(bytes, 0));
    const std::string what = j.at("message").get<std::string>();
    switch (static_cast<Failure>(j.at("failure").get<int>())) {
        case Failure::None: return false;
        case Failure::Finished: return true;
        case Failure::Usage: throw support::UserError(what);
        case Failure::Database: throw ruledb::DbError(ruledb::DbError::Kind::Other, what);
    }
    throw std::logic_error("share_outcome: unknown failure code");
}

// Bytes each rank sent in each phase, summed over ranks (on every rank).
std::vector<Traffic> total_traffic(Mpi& mpi, const std::vector<Traffic>& mine) {
    nlohmann::json j = nlohmann::json::array();
    for (const Traffic& t : mine) j.push_back({t.phase, t.bytes});
    std::vector<Traffic> total;
    for (const std::vector<uint8_t>& bytes : mpi.allgather(nlohmann::json::to_cbor(j)))
        for (const nlohmann::json& e : nlohmann::json::from_cbor(bytes)) {
            const std::string phase = e.at(0).get<std::string>();
            auto it = std::find_if(total.begin(), total.end(), [&](const Traffic& t) { return t.phase == phase; });
            if (it == total.end()) it = total.insert(total.end(), Traffic{phase, 0});
            it->bytes += e.at(1).get<uint64_t>();
        }
    return total;
}

DiscoverSummary run_ranks(Mpi& mpi, const DiscoverOptions& o, DiscoverSummary& s, std::optional<ruledb::Database>& db,
                          ruledb::Id run, enumerator::EnumConfig cfg) {
    const bool root = mpi.rank() == 0;
    std::vector<Traffic> traffic;  // what this rank sent, by phase
    auto phase = [&](const std::string& name, auto&& body) {
        const uint64_t before = mpi.bytes_sent();
        body();
        traffic.push_back({name, mpi.bytes_sent() - before});
    };

    // Every rank enumerates with the others: each does its share of every size level's
    // generation, fingerprinting, class decisions (by fingerprint owner) and candidate checks,
    // and all end with the same classes and candidates (enumerator/work_exchange.h).
    auto t0 = Clock::now();
    enumerator::EnumResult er;
    cfg.progress = o.progress && root;
    MpiWorkExchange exchange(mpi);
    if (mpi.size() > 1) cfg.exchange = &exchange;
    er = enumerator::enumerate(cfg);
    traffic = exchange.traffic();
    steps::count_enumeration(er, s);
    s.stages.push_back({"enumerate", since(t0)});
    // Each rank's share of the enumeration, for the summary (rank order).
    std::vector<std::pair<double, double>> enum_work;
    for (const std::vector<uint8_t>& b : mpi.allgather(
             nlohmann::json::to_cbor(nlohmann::json::array({since(t0) - exchange.seconds(), exchange.seconds()}))))
        enum_work.push_back(nlohmann::json::from_cbor(b).get<std::pair<double, double>>());

    const prover::CheckOptions copts = steps::check_options(o);
    const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
    ProofTally tally;
    if (root) {
        if (support::stop_requested()) steps::interrupted(*db, run, support::stop_signal(), "while enumerating");
        auto t1 = Clock::now();
        steps::store_candidates(*db, run, er.candidates, o.batch);
        s.stages.push_back({"store", since(t1)});

        auto t2 = Clock::now();
        CoordinatorSetup setup;
        setup.run = run;
        setup.batch = static_cast<size_t>(o.batch);
        setup.spans = steps::open_spans(*db, run, "prove", er.candidates.size(), setup.batch);
        setup.check = copts;
        setup.threads = threads;
        setup.progress = o.progress;
        support::Progress progress(o.progress, "discover", "candidates");
        const size_t open_count = span_items(setup.spans);
        progress.start(o.max_ops, "prove", er.candidates.size());
        progress.tick(er.candidates.size() - open_count);  // what earlier runs proved
        phase("prove", [&] {
            try {
                s.per_rank = coordinate_proving(mpi, *db, er.candidates, setup, tally, progress);
            } catch (const support::Interrupted& e) {
                steps::interrupted(*db, run, e.signal(), e.what());
            }
        });
        for (RankWork& w : s.per_rank)
            if (w.rank >= 0 && static_cast<size_t>(w.rank) < enum_work.size())
                std::tie(w.enumerate_seconds, w.exchange_seconds) = enum_work[w.rank];
        progress.finish();
        s.stages.push_back({"prove", since(t2)});
        steps::finish(*db, run, tally, s, o.progress);
    } else {
        phase("prove", [&] { serve_proving(mpi, er.candidates, copts, threads); });
    }
    s.traffic = total_traffic(mpi, traffic);
    // Wait for rank 0's pruning here, sleeping, rather than spinning in MPI_Finalize.
    mpi.barrier();
    return s;
}

}  // namespace

DiscoverSummary discover_distributed(const DiscoverOptions& o) {
    Mpi mpi;
    DiscoverSummary s;
    s.rank = mpi.rank();
    s.ranks = mpi.size();
    std::optional<ruledb::Database> db;
    ruledb::Id run = 0;
    enumerator::EnumConfig cfg;
    {
        Failure f = Failure::None;
        std::string message;
        try {
            cfg = steps::config_of(o);
            if (mpi.rank() == 0) {
                db.emplace(o.db_path);
                run = steps::open_run(*db, o, s);
                if (s.already_finished) {
                    steps::read_totals(*db, s);
                    f = Failure::Finished;
                }
            }
        } catch (const ruledb::DbError& e) {
            f = Failure::Database;
            message = e.what();
        } catch (const support::UserError& e) {
            f = Failure::Usage;
            message = e.what();
        }
        if (share_outcome(mpi, f, message)) {
            s.already_finished = true;
            return s;
        }
    }
    try {
        return run_ranks(mpi, o, s, db, run, cfg);
    } catch (const support::Interrupted& e) {
        if (mpi.size() == 1) throw;
        // Rank 0 has marked the run interrupted (the message says so); end every rank.
        std::fprintf(stderr,
                     "interrupted: discover --distributed, rank %d of %d: %s; continue it with the "
                     "same command and --resume\n",
                     mpi.rank(), mpi.size(), e.what().c_str());
        std::fflush(stderr);
        mpi.abort(e.exit_code());
    } catch (const std::exception& e) {
        if (mpi.size() == 1) throw;  // as a single-process run: the run stays open for --resume
        // The other ranks wait on this one: end the job. The database keeps every stored batch.
        std::fprintf(stderr, "error: discover --distributed, rank %d of %d: %s\n", mpi.rank(), mpi.size(), e.what());
        std::fflush(stderr);
        mpi.abort(dynamic_cast<const ruledb::DbError*>(&e) ? 1 : 3);
    }
}

}  // namespace rf::pipeline
