// The report's HTML helpers (see html.h).
#include "site/html.h"

#include <cctype>
#include <cstdio>

namespace rf::site {

std::string esc(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string fixed(double x, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, x);
    return buf;
}

std::string page_begin(const std::string& title, const std::string& root) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(title) +
           "</title>\n<link rel=\"stylesheet\" href=\"" + root + "assets/report.css\">\n</head>\n<body>\n" +
           "<nav><a href=\"" + root + "index.html\">rules</a> <a href=\"" + root + "runs.html\">runs</a> <a href=\"" +
           root + "axioms.html\">axioms</a></nav>\n<main>\n<h1>" + esc(title) + "</h1>\n";
}

std::string page_end(const std::string& root) {
    return "</main>\n<script src=\"" + root + "assets/report.js\"></script>\n</body>\n</html>\n";
}

std::string badge(std::string_view word) {
    return "<span class=\"badge status-" + esc(word) + "\">" + esc(word) + "</span>";
}

std::string axiom_anchor(std::string_view name) {
    std::string id = "ax-";
    for (char c : name) id += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
    return id;
}

std::string rule_page(long long id) { return "rules/rule-" + std::to_string(id) + ".html"; }

}  // namespace rf::site
