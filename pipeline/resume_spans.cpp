#include "pipeline/resume_spans.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace rf::pipeline {

namespace {

bool parse_size(std::string_view text, size_t& out) {
    if (text.empty()) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string span_unit(const Span& s) { return "i" + std::to_string(s.lo) + "-" + std::to_string(s.hi); }

std::vector<Span> plan_spans(const std::vector<std::string>& done_units, size_t n, size_t batch) {
    if (batch == 0) throw std::invalid_argument("batch size must be positive");
    std::vector<bool> done(n, false);
    for (const std::string& unit : done_units) {
        const std::string_view u(unit);
        size_t lo = 0, hi = 0;
        const size_t dash = u.find('-');
        if (u.size() > 1 && u[0] == 'i' && dash != std::string_view::npos && parse_size(u.substr(1, dash - 1), lo) &&
            parse_size(u.substr(dash + 1), hi) && lo <= hi) {
            // spans as written
        } else if (u.size() > 1 && u[0] == 'b' && parse_size(u.substr(1), lo)) {
            // an older version's batch number, read at this run's batch size
            lo *= batch;
            hi = lo + batch;
        } else {
            throw std::invalid_argument("the run's checkpoint has a unit '" + unit +
                                        "' this ruleforge did not write; it cannot tell what is done");
        }
        for (size_t i = lo; i < std::min(hi, n); ++i) done[i] = true;
    }
    std::vector<Span> spans;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && j - i < batch && done[j] == done[i]) ++j;
        spans.push_back({i, j, done[i]});
        i = j;
    }
    return spans;
}

std::vector<Span> open_spans(const std::vector<std::string>& done_units, size_t n, size_t batch) {
    std::vector<Span> open;
    for (const Span& s : plan_spans(done_units, n, batch))
        if (!s.done) open.push_back(s);
    return open;
}

size_t span_items(const std::vector<Span>& spans) {
    size_t k = 0;
    for (const Span& s : spans) k += s.size();
    return k;
}

}  // namespace rf::pipeline
