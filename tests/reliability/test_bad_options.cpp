// Bad command-line values: zero, negative, non-numeric and overflowing numbers, unknown names,
// unknown options, missing required ones. Each is a usage error (exit 2) naming the option,
// before anything is opened or written.
#include <catch2/catch.hpp>

#include "tests/reliability/reliability_util.h"

using namespace rf::reliability;

TEST_CASE("reliability: bad command-line values are usage errors naming the option", "[reliability]") {
    const std::vector<std::string> d = {"discover", "--db", "{DB}"};
    auto discover = [&](std::vector<std::string> more) {
        std::vector<std::string> a = d;
        a.insert(a.end(), more.begin(), more.end());
        return a;
    };
    run_bad_inputs(
        "options",
        {
            {"zero bound", "", nullptr, discover({"--max-ops", "0"}), 2, {"--max-ops must be at least 1"}},
            {"negative bound", "", nullptr, discover({"--max-ops", "-1"}), 2, {"--max-ops"}},
            {"non-numeric bound", "", nullptr, discover({"--max-ops", "abc"}), 2, {"'--max-ops' is invalid"}},
            {"overflowing bound",
             "",
             nullptr,
             discover({"--max-ops", "99999999999999999999"}),
             2,
             {"'--max-ops' is invalid"}},
            {"negative thread count",
             "",
             nullptr,
             discover({"--max-ops", "1", "--threads", "-3"}),
             2,
             {"--threads must not be negative"}},
            {"zero timeout",
             "",
             nullptr,
             discover({"--max-ops", "1", "--timeout-ms", "0"}),
             2,
             {"--timeout-ms must be positive"}},
            {"zero batch", "", nullptr, discover({"--max-ops", "1", "--batch", "0"}), 2, {"--batch must be positive"}},
            {"unknown preset",
             "",
             nullptr,
             discover({"--max-ops", "1", "--preset", "bogus"}),
             2,
             {"unknown preset 'bogus'"}},
            {"unknown operator template",
             "",
             nullptr,
             discover({"--max-ops", "1", "--ops", "frob"}),
             2,
             {"unknown operator template 'frob'"}},
            {"unknown back-end", "", nullptr, discover({"--max-ops", "1", "--backend", "frob"}), 2, {"--backend"}},
            {"unknown option",
             "",
             nullptr,
             discover({"--max-ops", "1", "--bogus"}),
             2,
             {"unrecognised option '--bogus'"}},
            {"missing required option", "", nullptr, {"discover", "--db", "{DB}"}, 2, {"max-ops"}},
            {"zero timeout (check)",
             "",
             nullptr,
             {"check", "relu(x) => x", "--timeout-ms", "0"},
             2,
             {"--timeout-ms must be positive"}},
            {"negative size filter (list)", "", nullptr, {"list", "--db", "{DB}", "--max-ops", "-1"}, 2, {"--max-ops"}},
            {"unknown status filter (list)", "", nullptr, {"list", "--db", "{DB}", "--status", "maybe"}, 2, {"maybe"}},
            {"unknown import format",
             "",
             nullptr,
             {"import", "--db", "{DB}", "--format", "onnx", "x"},
             2,
             {"--format"}},
            {"unknown export format",
             "",
             nullptr,
             {"export", "--db", "{DB}", "--format", "frob", "--out", "x"},
             2,
             {"--format"}},
            {"unknown command", "", nullptr, {"frobnicate"}, 2, {"unknown command 'frobnicate'"}},
            {"merge with one file", "", nullptr, {"merge", "{DB}"}, 2, {"at least one SHARD.db"}},
            {"merge into itself", "", nullptr, {"merge", "{DB}", "{DB}"}, 2, {"is OUT.db itself"}},
            {"a rule id that is not there (show)",
             "",
             nullptr,
             {"show", "abc", "--db", "{DB}"},
             1,
             {"no rule matches 'abc'"}},
        });
}
