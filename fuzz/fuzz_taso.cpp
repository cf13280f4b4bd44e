// libFuzzer target: TASO's protobuf rule files (GraphSubst.RuleCollection), with inferred shapes
// and with TASO's generator shapes.
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using rf::exporters::ExchangeFormat;
    rf::fuzz::check(rf::fuzz::read_write_read(data, size, ExchangeFormat::Taso, {}));
    rf::exporters::ReadOptions generator;
    generator.taso_generator_shapes = true;
    rf::fuzz::check(rf::fuzz::read_write_read(data, size, ExchangeFormat::Taso, generator));
    return 0;
}
