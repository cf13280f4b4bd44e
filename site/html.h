// Small HTML-writing helpers shared by the report's pages: escaping, the common page frame
// (head with the shared stylesheet and script, the navigation bar), and the spellings of
// statuses as CSS classes. Internal to site/.
#pragma once

#include <string>
#include <string_view>

namespace rf::site {

/// Text escaped for HTML content and attribute values.
std::string esc(std::string_view text);
/// A fixed-precision number ("12.3").
std::string fixed(double x, int digits = 1);
/// The page's opening: doctype, head, navigation. `root` is the relative path to the site root
/// ("" for top-level pages, "../" for rule pages).
std::string page_begin(const std::string& title, const std::string& root);
std::string page_end(const std::string& root);
/// `<span class="badge status-WORD">WORD</span>`.
std::string badge(std::string_view word);
/// The anchor id of an axiom on axioms.html.
std::string axiom_anchor(std::string_view name);
/// The file of one rule's page, relative to the site root.
std::string rule_page(long long id);

}  // namespace rf::site
