// The messages of `discover --distributed` (pipeline/distributed_codec.h): every field of a
// prover check survives the trip, so rank 0 stores what a single process would; bytes that are
// not a message are refused with a message saying which.
#include <catch2/catch.hpp>

#include "ir/native_text.h"
#include "pipeline/distributed_codec.h"

using namespace rf;
using namespace rf::pipeline;

namespace {

prover::ProofResult result(decltype(prover::ProofResult::outcome) o, const char* backend, double s) {
    prover::ProofResult r;
    r.outcome = std::move(o);
    r.backend = backend;
    r.seconds = s;
    return r;
}

}  // namespace

TEST_CASE("distributed codec: a request round-trips every field", "[pipeline][distributed]") {
    wire::Request req;
    req.work.rank = 2;
    req.work.threads = 4;
    req.work.candidates = 17;
    req.work.chunks = 3;
    req.work.busy_seconds = 1.25;
    req.work.wait_seconds = 0.5;
    req.work.solver_seconds = 4.75;
    req.candidate_digest = 0xfedcba9876543210ull;
    req.indices = {5, 6, 1000000007ull};

    prover::RuleCheck proved;
    proved.verdict = prover::Verdict::Proved;
    proved.results = {result(prover::Proved{{"ax_a", "ax_b"}, "e-matching", ""}, "z3", 0.01),
                      result(prover::Timeout{}, "cvc5", 4)};
    proved.conditions = {"shape(x) = shape(y)"};
    proved.assumed = {"dense convolutions"};
    proved.preconditions = {Precondition::DenseConvolutions};
    proved.disagreement = true;
    proved.seconds = 4.02;
    proved.smt2_path = "/tmp/q.smt2";
    proved.bounded = "no counterexample";
    const Rule general = build_rule(parse_native_rule("ewadd(x, y) => ewadd(y, x) where x: act[n, c], y: act[n, c]"));
    proved.general = prover::GeneralProof{
        general, {result(prover::Proved{{"ewadd_comm"}, "e-matching", ""}, "z3", 0.02)}, {"x = y (same shape)"}};
    prover::RuleCheck refuted;
    refuted.verdict = prover::Verdict::Refuted;
    refuted.results = {result(prover::Unknown{"incomplete"}, "z3", 1)};
    refuted.counterexample = "x = [1, 2]";
    prover::RuleCheck error;
    error.verdict = prover::Verdict::Error;
    error.results = {result(prover::Refuted{"model"}, "z3", 0.5)};
    error.error = "unsound axiom";
    req.checks = {proved, refuted, error};

    const wire::Request back = wire::decode_request(wire::encode(req));
    CHECK(back.work.rank == 2);
    CHECK(back.work.threads == 4);
    CHECK(back.work.candidates == 17);
    CHECK(back.work.chunks == 3);
    CHECK(back.work.busy_seconds == 1.25);
    CHECK(back.work.wait_seconds == 0.5);
    CHECK(back.work.solver_seconds == 4.75);
    CHECK(back.candidate_digest == req.candidate_digest);
    CHECK(back.indices == req.indices);
    REQUIRE(back.checks.size() == 3);
    const prover::RuleCheck& p = back.checks[0];
    CHECK(p.verdict == prover::Verdict::Proved);
    REQUIRE(p.results.size() == 2);
    REQUIRE(p.results[0].proved());
    CHECK(std::get<prover::Proved>(p.results[0].outcome).axioms_used == std::vector<std::string>{"ax_a", "ax_b"});
    CHECK(p.results[0].backend == "z3");
    CHECK(p.results[0].seconds == 0.01);
    CHECK(p.results[1].timed_out());
    CHECK(p.results[1].backend == "cvc5");
    CHECK(p.conditions == proved.conditions);
    CHECK(p.assumed == proved.assumed);
    CHECK(p.preconditions == proved.preconditions);
    CHECK(p.disagreement);
    CHECK(p.seconds == 4.02);
    CHECK(p.smt2_path == "/tmp/q.smt2");
    CHECK(p.bounded == "no counterexample");
    REQUIRE(p.general);
    CHECK(print_native(p.general->rule) == print_native(general));
    CHECK(p.general->rule.conditions == general.conditions);
    CHECK(p.general->assumed == std::vector<std::string>{"x = y (same shape)"});
    REQUIRE(p.general->results.size() == 1);
    CHECK(std::get<prover::Proved>(p.general->results[0].outcome).axioms_used ==
          std::vector<std::string>{"ewadd_comm"});
    CHECK_FALSE(back.checks[1].general);
    CHECK(back.checks[1].verdict == prover::Verdict::Refuted);
    CHECK(std::get<prover::Unknown>(back.checks[1].results[0].outcome).reason == "incomplete");
    CHECK(back.checks[1].counterexample == "x = [1, 2]");
    CHECK(back.checks[2].verdict == prover::Verdict::Error);
    CHECK(std::get<prover::Refuted>(back.checks[2].results[0].outcome).counterexample == "model");
    CHECK(back.checks[2].error == "unsound axiom");
}

TEST_CASE("distributed codec: assignments round-trip, and an empty one means stop", "[pipeline][distributed]") {
    CHECK(wire::decode_assignment(wire::encode(wire::Assignment{{3, 4, 5}})).indices == std::vector<uint64_t>{3, 4, 5});
    CHECK(wire::decode_assignment(wire::encode(wire::Assignment{})).indices.empty());
}

TEST_CASE("distributed codec: bytes that are not the message asked for are refused", "[pipeline][distributed]") {
    const std::vector<uint8_t> junk = {0xff, 0x00, 0x13};
    CHECK_THROWS_WITH(wire::decode_request(junk), Catch::Contains("malformed request message"));
    CHECK_THROWS_WITH(wire::decode_request(wire::encode(wire::Assignment{{1}})),
                      Catch::Contains("malformed request message"));
    wire::Request r;
    r.indices = {1, 2};  // two indices, no checks
    CHECK_THROWS_WITH(wire::decode_request(wire::encode(r)), Catch::Contains("2 indices but 0 checks"));
}
