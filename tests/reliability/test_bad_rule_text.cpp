// Bad rule text, native and TENSAT, through `fmt`, `check` and `import`: every mistake the issue
// lists (unbalanced parenthesis, unknown operator, wrong arity, an unbound right-hand variable, a
// shape mismatch between the sides, zero or negative sizes, bytes that are not text) is refused
// with file:line:column, exit code 1, and nothing imported.
#include <catch2/catch.hpp>

#include "tests/reliability/reliability_util.h"

using namespace rf::reliability;

namespace {

std::function<std::string()> text(std::string s) {
    return [s] { return s; };
}

// Fixed pseudo-random bytes (a seed, so a failure reproduces): not text in any syntax.
std::string random_bytes(size_t n, uint32_t seed) {
    std::string b(n, '\0');
    for (char& c : b) {
        seed = seed * 1664525u + 1013904223u;
        c = static_cast<char>(seed >> 24);
    }
    return b;
}

}  // namespace

TEST_CASE("reliability: bad native rule text says what and where, exits 1, imports nothing", "[reliability]") {
    run_bad_inputs(
        "native-text",
        {
            {"unbalanced parenthesis",
             "unbalanced.rf",
             text("relu(ewadd(x, y) => x\n"),
             {"fmt", "{F}"},
             1,
             {"{F}:1:18:", "expected ')'"}},
            {"unknown operator",
             "unknown.rf",
             text("relu(x) => relu(x)\nfrobnicate(x) => x\n"),
             {"fmt", "{F}"},
             1,
             {"{F}:2:1:", "unknown operator 'frobnicate'"}},
            {"wrong arity",
             "arity.rf",
             text("relu(x, y) => x\n"),
             {"check", "--file", "{F}"},
             1,
             {"{F}:1:1:", "relu expects 1 operands, got 2"}},
            {"right-hand variable not bound on the left",
             "unbound.rf",
             text("relu(x) => relu(y)\n"),
             {"import", "--db", "{DB}", "--format", "native", "{F}"},
             1,
             {"{F}:1:17:", "variable 'y' on the right-hand side is not bound on the left", "nothing was imported"}},
            {"shape mismatch between the two sides",
             "shapes.rf",
             text("matmul(x, y) => x where x: act[2,3], y: weight[3,4]\n"),
             {"fmt", "{F}"},
             1,
             {"{F}:1:17:", "different shapes: [2,4] vs [2,3]"}},
            {"zero dimension",
             "zero.rf",
             text("relu(x) => x where x: act[0,3]\n"),
             {"import", "--db", "{DB}", "--format", "native", "{F}"},
             1,
             {"{F}:1:20:", "must be positive"}},
            {"negative dimension",
             "negative.rf",
             text("relu(x) => x where x: act[-2,3]\n"),
             {"fmt", "{F}"},
             1,
             {"{F}:1:20:", "dimension -2 of 'x' must be positive"}},
            {"sizes the shape conditions force to zero",
             "negated.rf",
             text("ewadd(x, y) => x where x: act[n], y: act[-n]\n"),
             {"fmt", "{F}"},
             1,
             {"{F}:1:", "to be zero or negative"}},
            {"a bad rule among good ones: none imported",
             "mixed.rf",
             text("ewadd(a, b) => ewadd(b, a)\nrelu(x) => relu(y)\n"),
             {"import", "--db", "{DB}", "--format", "native", "{F}"},
             1,
             {"1 malformed rule", "nothing was imported"}},
            {"random bytes as native text",
             "random.rf",
             [] { return random_bytes(400, 7); },
             {"fmt", "{F}"},
             1,
             {"{F}:1:"}},
            {"a rule on the command line, unbalanced",
             "",
             nullptr,
             {"check", "relu(relu(x) => x"},
             1,
             {"expected ')'"}},
            {"random bytes on standard input",
             "",
             nullptr,
             {"fmt", "-"},
             1,
             {"<stdin>:1:"},
             Conditions{.stdin_text = random_bytes(300, 13)}},
        });
}

TEST_CASE("reliability: bad TENSAT rule text says what and where, exits 1, imports nothing", "[reliability]") {
    run_bad_inputs("tensat-text",
                   {
                       {"unbalanced parenthesis",
                        "unbalanced.txt",
                        text("(relu (ewadd ?a ?b)=>?a\n"),
                        {"fmt", "--format", "tensat", "{F}"},
                        1,
                        {"{F}:1:20:", "unbalanced parenthesis"}},
                       {"unknown operator",
                        "unknown.txt",
                        text("(relu ?a)=>(relu ?a)\n(frob ?a)=>?a\n"),
                        {"import", "--db", "{DB}", "--format", "tensat", "{F}"},
                        1,
                        {"{F}:2:2:", "unknown operator 'frob'", "nothing was imported"}},
                       {"wrong arity",
                        "arity.txt",
                        text("(relu ?a ?b)=>?a\n"),
                        {"check", "--format", "tensat", "--file", "{F}"},
                        1,
                        {"{F}:1:10:", "too many arguments to relu"}},
                       {"right-hand variable not bound on the left",
                        "unbound.txt",
                        text("(relu ?a)=>?b\n"),
                        {"import", "--db", "{DB}", "--format", "tensat", "{F}"},
                        1,
                        {"{F}:1:12:", "variable 'b' on the right-hand side is not bound", "nothing was imported"}},
                       // (A transpose with a two-axis permutation fixes rank 2; matmul alone no longer does.)
                       {"shape mismatch between the two sides (rank 2 vs 4)",
                        "shapes.txt",
                        text("(transpose ?a 1_0 0)=>(conv2d 1 1 0 0 ?a ?b)\n"),
                        {"fmt", "--format", "tensat", "{F}"},
                        1,
                        {"{F}:1:23:", "needs rank 4 here but rank 2"}},
                       {"zero stride",
                        "stride.txt",
                        text("(conv2d 0 1 0 0 ?x ?w)=>?x\n"),
                        {"fmt", "--format", "tensat", "{F}"},
                        1,
                        {"{F}:1:9:", "SH of conv2d out of range"}},
                       {"negative parameter",
                        "negative.txt",
                        text("(conv2d 1 -1 0 0 ?x ?w)=>?x\n"),
                        {"fmt", "--format", "tensat", "{F}"},
                        1,
                        {"{F}:1:", "out of range"}},
                       {"odd line count in a two-output file",
                        "odd.txt",
                        text("(relu ?a)=>?a\n"),
                        {"fmt", "--format", "tensat", "--multi", "{F}"},
                        1,
                        {"{F}:1:1:", "two consecutive lines"}},
                       {"random bytes as TENSAT text",
                        "random.txt",
                        [] { return random_bytes(400, 11); },
                        {"import", "--db", "{DB}", "--format", "tensat", "{F}"},
                        1,
                        {"{F}:1:", "nothing was imported"}},
                   });
}
