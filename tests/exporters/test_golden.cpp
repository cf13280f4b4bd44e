// Golden files for every export format: golden/rules.txt (native rules, one per feature) is
// written in each format and compared with golden/rules.<format>. A mismatch prints the first
// differing line, expected against actual.
//
// To accept new output after an intended change, regenerate the goldens and review the diff:
//   RF_UPDATE_GOLDEN=1 ./build/tests/rf_tests "[golden]"
//   git diff tests/exporters/golden/
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

#include "exporters/rule_formats.h"
#include "exporters/taso_protobuf.h"
#include "tests/exporters/test_util.h"

using namespace rf;
using namespace rf::exporters;
using namespace rf::exporters::testing;

namespace {

const std::string kGolden = std::string(RF_SOURCE_DIR) + "/tests/exporters/golden/";

bool updating() {
    const char* v = std::getenv("RF_UPDATE_GOLDEN");
    return v && std::string(v) == "1";
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

// "" when equal; else where they first differ, expected against actual.
std::string first_difference(const std::string& expected, const std::string& actual) {
    if (expected == actual) return "";
    std::vector<std::string> e = lines_of(expected), a = lines_of(actual);
    for (size_t i = 0; i < std::max(e.size(), a.size()); ++i) {
        const std::string none = "<end of file>";
        const std::string& el = i < e.size() ? e[i] : none;
        const std::string& al = i < a.size() ? a[i] : none;
        if (el != al || i >= e.size() || i >= a.size())
            return "first difference at line " + std::to_string(i + 1) + ":\n  expected: " + el + "\n  actual:   " + al;
    }
    return "the files differ only in their final newline";
}

void check_golden(const std::string& name, const std::string& actual) {
    const std::string path = kGolden + name;
    if (updating()) {
        write_bytes(path, actual);
        WARN("rewrote " << path);
        return;
    }
    const std::string expected = read_bytes(path);
    INFO("golden " << path << " (regenerate with RF_UPDATE_GOLDEN=1)");
    std::string diff = first_difference(expected, actual);
    if (!diff.empty()) FAIL_CHECK(diff);
}

std::vector<Rule> golden_rules() {
    ImportResult r = read_rule_file(kGolden + "rules.txt", ExchangeFormat::Native);
    REQUIRE(r.malformed.empty());
    REQUIRE(r.rules.size() == 11);
    return r.rules;
}

}  // namespace

TEST_CASE("golden: every export format of the fixed rule set", "[exporters][golden]") {
    std::vector<Rule> rules = golden_rules();
    std::ostringstream report;
    struct Case {
        const char* file;
        ExchangeFormat format;
        bool multi;
    };
    for (const Case& c :
         {Case{"rules.native.txt", ExchangeFormat::Native, false},
          Case{"rules.tensat.txt", ExchangeFormat::Tensat, false},
          Case{"rules.tensat-multi.txt", ExchangeFormat::Tensat, true},
          Case{"rules.taso.textproto", ExchangeFormat::Taso, false},
          Case{"rules.flexflow.json", ExchangeFormat::Flexflow, false}, Case{"rules.json", ExchangeFormat::Json, false},
          Case{"rules.dot", ExchangeFormat::Dot, false}}) {
        SECTION(c.file) {
            WriteOptions options;
            options.multi = c.multi;
            ExportResult e = write_rules(rules, c.format, options);
            // The protobuf is binary: compare its text format, which protoc --decode also prints.
            check_golden(c.file, c.format == ExchangeFormat::Taso ? taso_text_format(e.data) : e.data);
        }
        WriteOptions options;
        options.multi = c.multi;
        print_export_report(report, c.file, exchange_format_name(c.format), write_rules(rules, c.format, options),
                            true);
    }
    SECTION("what each format left out, and why") { check_golden("rules.left-out.txt", report.str()); }
}

TEST_CASE("golden: the native golden reads back to the same rules", "[exporters][golden]") {
    std::vector<Rule> rules = golden_rules();
    ImportResult back =
        read_rule_bytes(write_rules(rules, ExchangeFormat::Native).data, "native", ExchangeFormat::Native);
    REQUIRE(back.rules.size() == rules.size());
    for (size_t i = 0; i < rules.size(); ++i) CHECK(back.rules[i].lhs == rules[i].lhs);
}
