// The report's stylesheet and script, kept as text in the binary so that `report` works from
// any directory and the site needs no network (no CDN): written to DIR/assets/.
#pragma once

#include <string_view>

namespace rf::site {

/// assets/report.css
std::string_view report_css();
/// assets/report.js: filtering and sorting of the rule table, and a self-check that records in
/// the DOM (body's data-selfcheck, data-js-errors) what a headless browser test reads.
std::string_view report_js();

}  // namespace rf::site
