// libFuzzer target: TENSAT rule text, read one rule a line and, from the same bytes, two lines a
// two-output rule (--multi).
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using rf::exporters::ExchangeFormat;
    rf::fuzz::check(rf::fuzz::read_write_read(data, size, ExchangeFormat::Tensat, {}));
    rf::exporters::ReadOptions multi;
    multi.multi = true;
    rf::fuzz::check(rf::fuzz::read_write_read(data, size, ExchangeFormat::Tensat, multi));
    return 0;
}
