// libFuzzer target: ruleforge's native rule text (parse, type-check, print, parse again), as
// given and wrapped in up to 1,500 nested relus (the nesting limit, ir/rule_ast.h).
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using rf::exporters::ExchangeFormat;
    rf::fuzz::check(rf::fuzz::read_write_read(data, size, ExchangeFormat::Native, {}, /*same_text=*/true));
    const std::string deep = rf::fuzz::nested(data, size, "relu(", ")");
    rf::fuzz::check(rf::fuzz::read_write_read(reinterpret_cast<const uint8_t*>(deep.data()), deep.size(),
                                              ExchangeFormat::Native, {},
                                              /*same_text=*/true));
    return 0;
}
