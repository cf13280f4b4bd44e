#include "exporters/report.h"

#include <algorithm>
#include <map>

namespace rf::exporters {

void print_issues(std::ostream& out, const std::string& heading, const std::vector<Issue>& issues, bool detail) {
    if (issues.empty()) return;
    out << heading << ": " << issues.size() << (issues.size() == 1 ? " rule" : " rules") << "\n";
    if (detail) {
        for (const Issue& i : issues)
            out << "  rule " << i.index << (i.name.empty() ? "" : " (" + i.name + ")") << ": " << i.message << "\n";
        return;
    }
    std::map<std::string, size_t> counts;
    for (const Issue& i : issues) ++counts[i.message];
    std::vector<std::pair<std::string, size_t>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [message, n] : sorted) out << "  " << n << " x " << message << "\n";
}

void print_import_report(std::ostream& out, const std::string& file, const std::string& format,
                         const ImportResult& result, bool detail) {
    out << "read " << result.rules.size() << " of " << result.total << (result.total == 1 ? " rule" : " rules")
        << " from " << file << " (" << format << ")\n";
    print_issues(out, "unsupported (valid " + format + ", not expressible in ruleforge)", result.unsupported, detail);
    print_issues(out, "malformed", result.malformed,
                 true);  // each needs its rule index to be fixed
}

void print_export_report(std::ostream& out, const std::string& path, const std::string& format,
                         const ExportResult& result, bool detail) {
    out << "wrote " << result.written << (result.written == 1 ? " rule" : " rules") << " to " << path << " (" << format
        << ")\n";
    print_issues(out, "left out (" + format + " cannot express or load them)", result.left_out, detail);
    print_issues(out,
                 "warning: written without conditions " + format +
                     " cannot state (a consumer may apply them where they are false)",
                 result.warnings, detail);
}

}  // namespace rf::exporters
