// libFuzzer target: FlexFlow's substitution JSON.
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    rf::fuzz::check(rf::fuzz::read_write_read(data, size, rf::exporters::ExchangeFormat::Flexflow, {}));
    return 0;
}
