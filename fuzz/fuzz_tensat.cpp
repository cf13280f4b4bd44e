// libFuzzer target: TENSAT rule text, read one rule a line and, from the same bytes, two lines a
// two-output rule (--multi), and wrapped in deeply nested relus.
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using rf::exporters::ExchangeFormat;
    rf::fuzz::check(rf::fuzz::read_write_read(data, size, ExchangeFormat::Tensat, {}));
    rf::exporters::ReadOptions multi;
    multi.multi = true;
    rf::fuzz::check(rf::fuzz::read_write_read(data, size, ExchangeFormat::Tensat, multi));
    // The same bytes under up to 1,500 nested relus (the nesting limit, ir/rule_ast.h).
    const std::string deep = rf::fuzz::nested(data, size, "(relu ", ")");
    rf::fuzz::check(rf::fuzz::read_write_read(reinterpret_cast<const uint8_t*>(deep.data()), deep.size(),
                                              ExchangeFormat::Tensat, {}));
    return 0;
}
