// The fuzz targets' invariant (fuzz/fuzz_util.h: bytes read as a format give rules or the
// format's user error, and what was read writes out and reads back whole) over every file of
// their seed corpus, which also holds each input a fuzzer once found (regression-*). This runs
// with every compiler and in the sanitizer build; scripts/fuzz.sh explores beyond it.
#include <catch2/catch.hpp>

#include <filesystem>

#include "applier/onnx_import.h"
#include "fuzz/fuzz_util.h"
#include "tests/reliability/subprocess.h"

using namespace rf;
using rf::exporters::ExchangeFormat;

TEST_CASE("reliability: every fuzz corpus file keeps the fuzz targets' invariant", "[reliability][fuzz]") {
    struct Target {
        const char* dir;
        ExchangeFormat format;
        bool same_text;
        exporters::ReadOptions options;
    };
    exporters::ReadOptions multi, generator;
    multi.multi = true;
    generator.taso_generator_shapes = true;
    const Target targets[] = {
        {"native", ExchangeFormat::Native, true, {}},     {"tensat", ExchangeFormat::Tensat, false, {}},
        {"tensat", ExchangeFormat::Tensat, false, multi}, {"taso", ExchangeFormat::Taso, false, {}},
        {"taso", ExchangeFormat::Taso, false, generator}, {"flexflow", ExchangeFormat::Flexflow, false, {}},
    };
    int files = 0;
    for (const Target& t : targets) {
        std::filesystem::path dir = std::filesystem::path(RF_SOURCE_DIR) / "fuzz" / "corpus" / t.dir;
        REQUIRE(std::filesystem::is_directory(dir));
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            std::string bytes = reliability::read_file(entry.path().string());
            INFO(entry.path().string());
            auto broken = fuzz::read_write_read(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), t.format,
                                                t.options, t.same_text);
            CHECK_FALSE(broken.has_value());
            if (broken) FAIL_CHECK(*broken);
            ++files;
        }
    }
    CHECK(files >= 20);
}

TEST_CASE("reliability: every ONNX fuzz corpus file imports or gives the documented error", "[reliability][fuzz]") {
    // fuzz/fuzz_onnx.cpp's invariant: a model, or a std::runtime_error (not an ONNX model, or a
    // node the IR cannot express); another exception, a crash or a sanitizer report is a finding.
    const std::filesystem::path dir = std::filesystem::path(RF_SOURCE_DIR) / "fuzz" / "corpus" / "onnx";
    REQUIRE(std::filesystem::is_directory(dir));
    int files = 0, models = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        INFO(entry.path().string());
        const std::string bytes = reliability::read_file(entry.path().string());
        try {
            const applier::Model m = applier::import_onnx(bytes, entry.path().string(), "corpus");
            models += m.graph.nodes().empty() ? 0 : 1;
        } catch (const std::runtime_error&) {
        }
        ++files;
    }
    CHECK(files >= 4);
    CHECK(models >= 3);  // the three seed models import
}
