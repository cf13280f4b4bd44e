// File-driven prover tests: every tests/rules/**/*.rf file becomes one test case. Each rule line is
// preceded by its expectation (`; expect: proved`, `; expect: proved under: TEXT`,
// `; expect: unknown`, `; expect: error: TEXT`); `; backends: z3|cvc5|both` picks the back-ends.
// A good-rules file thus proves 100 %, and a false rule slipping through fails CI.
#include <catch2/catch.hpp>

#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ir/native_text.h"
#include "prover/axiom_set.h"
#include "prover/checker.h"

using namespace rf;

namespace {

struct Expectation {
    std::string kind;  // proved | unknown | error
    std::string text;  // condition or message fragment
};

std::string trim(std::string s) {
    size_t a = s.find_first_not_of(" \t\r");
    size_t b = s.find_last_not_of(" \t\r");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

void run_rule_file(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in);
    prover::CheckOptions options;
    options.timeout_ms = 2000;
    std::optional<Expectation> expect;
    std::optional<prover::Checker> checker;
    std::string line;
    int line_no = 0, rules = 0;
    while (std::getline(in, line)) {
        ++line_no;
        std::string t = trim(line);
        if (t.rfind("; backends:", 0) == 0) {
            std::string b = trim(t.substr(11));
            options.backends =
                b == "both" ? std::vector<prover::BackendKind>{prover::BackendKind::Z3, prover::BackendKind::Cvc5}
                            : std::vector<prover::BackendKind>{*prover::backend_from_name(b)};
            checker.reset();
            continue;
        }
        if (t.rfind("; expect:", 0) == 0) {
            std::string e = trim(t.substr(9));
            size_t colon = e.find(':');
            std::string kind = trim(e.substr(0, colon));
            std::string text = colon == std::string::npos ? "" : trim(e.substr(colon + 1));
            if (kind == "proved under") kind = "proved";
            expect = Expectation{kind, text};
            continue;
        }
        if (t.empty() || t[0] == ';' || t[0] == '#') continue;
        INFO(path << ":" << line_no << ": " << t);
        REQUIRE(expect.has_value());  // every rule states its expectation
        ++rules;
        if (!checker) checker.emplace(prover::builtin_axioms(), options);
        std::string verdict, detail;
        try {
            Rule rule = build_rule(parse_native_rule(std::string(line_no - 1, '\n') + line, path));
            prover::RuleCheck c = checker->check(rule, "rule");
            verdict = prover::verdict_name(c.verdict);
            for (const std::string& s : c.conditions) detail += s + "; ";
            for (const std::string& s : c.assumed) detail += s + "; ";
            if (c.verdict == prover::Verdict::Error) detail = c.error;
            for (const prover::ProofResult& r : c.results) INFO(r.backend << "=" << prover::verdict_name(r));
            CHECK_FALSE(c.disagreement);
        } catch (const ParseError& e) {
            verdict = "error";
            detail = e.what();
        }
        INFO("verdict " << verdict << ": " << detail);
        CHECK(verdict == expect->kind);
        if (!expect->text.empty()) CHECK_THAT(detail, Catch::Contains(expect->text));
        expect.reset();
    }
    CHECK(rules > 0);
}

class RuleFileInvoker : public Catch::ITestInvoker {
public:
    explicit RuleFileInvoker(std::string path) : d_path(std::move(path)) {}
    void invoke() const override { run_rule_file(d_path); }

private:
    std::string d_path;
};

// The folder as registration found it: a folder that cannot be read, or holds no rule file,
// must fail a test rather than register none and pass.
struct RuleFolder {
    std::string dir, error;
    size_t files = 0;
};
RuleFolder& rule_folder() {
    static RuleFolder folder;
    return folder;
}

class RuleFolderInvoker : public Catch::ITestInvoker {
public:
    void invoke() const override {
        const RuleFolder& f = rule_folder();
        INFO("tests/rules is " << f.dir);
        CHECK(f.error.empty());
        CHECK(f.files > 0);
    }
};

// Registers one test case per file (subfolders included: tests/rules/bugs/ holds the
// regressions) at start-up, before Catch lists or runs the tests.
struct RegisterRuleFiles {
    RegisterRuleFiles() {
        static std::deque<std::string> names;  // Catch keeps references to the names
        std::filesystem::path dir = std::filesystem::path(RF_SOURCE_DIR) / "tests" / "rules";
        std::vector<std::filesystem::path> files;
        std::error_code ec;
        for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            if (it->path().extension() == ".rf") files.push_back(it->path());
        std::sort(files.begin(), files.end());
        rule_folder() = {dir.string(), ec ? ec.message() : "", files.size()};
        Catch::AutoReg(new RuleFolderInvoker(), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                       Catch::NameAndTags{"rules files: tests/rules is read and holds rule files", "[prover][rules]"});
        for (const auto& f : files) {
            names.push_back("rules file: tests/rules/" + std::filesystem::relative(f, dir).generic_string());
            Catch::AutoReg(new RuleFileInvoker(f.string()), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                           Catch::NameAndTags{names.back(), "[prover][rules]"});
        }
    }
} s_register_rule_files;

}  // namespace
