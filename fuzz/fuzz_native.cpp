// libFuzzer target: ruleforge's native rule text (parse, type-check, print, parse again).
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    rf::fuzz::check(rf::fuzz::read_write_read(data, size, rf::exporters::ExchangeFormat::Native, {}, /*same_text=*/true));
    return 0;
}
