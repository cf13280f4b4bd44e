// Helpers for the reliability tests: what a database holds (to show nothing was lost), the rows
// of docs/reliability.md's table (what the user saw), and the runner of bad-input cases.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ir/native_text.h"
#include "ruledb/database.h"
#include "tests/reliability/subprocess.h"

namespace rf::reliability {

/// The rules a database holds (text, status, decision), sorted: "the same result".
inline std::vector<std::string> rule_set(const std::string& path) {
    ruledb::Database db(path, ruledb::Database::Options{false});
    std::vector<std::string> lines;
    for (const ruledb::RuleSummary& r : db.list_rules())
        lines.push_back(r.text + " | " + ruledb::to_string(r.status) + " | " + ruledb::to_string(r.decision));
    std::sort(lines.begin(), lines.end());
    return lines;
}

/// A path for a database, with any leftover file and its -wal/-shm removed.
inline std::string fresh_path(const std::string& dir, const std::string& name) {
    std::string path = dir + "/" + name;
    for (const char* s : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + s);
    return path;
}

/// What a valid database holds, as text: every rule with its status and decision, the runs and
/// the integrity check. Two equal snapshots mean nothing stored was lost or added.
inline std::string db_snapshot(const std::string& path) {
    std::vector<std::string> lines = rule_set(path);
    ruledb::Database db(path, ruledb::Database::Options{false});
    std::ostringstream s;
    for (const std::string& l : lines) s << l << "\n";
    s << db.runs().size() << " runs\n";
    for (const std::string& problem : db.integrity_check()) s << "integrity: " << problem << "\n";
    return s.str();
}

inline void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
}

/// Paths as a reader of the docs table wants them: scratch files by their name, the reference
/// data and the build tree by short names.
inline std::string short_paths(std::string s, const std::string& table) {
    replace_all(s, std::string(RF_BINARY_DIR) + "/reliability-tests/" + table + "/", "");
    replace_all(s, std::string(RF_BINARY_DIR) + "/reliability-tests/", "");
    replace_all(s, RF_REFERENCE_DIR, "../shared/reference");
    replace_all(s, RF_BINARY_DIR, "$BUILD");
    replace_all(s, std::string(RF_SOURCE_DIR) + "/", "");
    return s;
}

/// The names in `dir`, sorted: compared before and after a command to see what it left behind.
inline std::vector<std::string> listing(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

inline std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

/// A Markdown table cell: '|' escaped.
inline std::string escape_cell(const std::string& s) {
    std::string r;
    for (char ch : s) r += ch == '|' ? std::string("\\|") : std::string(1, ch);
    return r;
}

/// Empties build/reliability/<table>.md: each test case writes its table afresh.
inline void start_table(const std::string& table) {
    std::filesystem::remove(std::filesystem::path(RF_BINARY_DIR) / "reliability" / (table + ".md"));
}

/// Appends one row (input | command | message | exit) to build/reliability/<table>.md; the
/// tables are the source of docs/reliability.md (scripts are in that file's last section).
inline void record_row(const std::string& table, const std::string& input, const std::vector<std::string>& args,
                       const Outcome& o, const std::string& message = "") {
    std::filesystem::path dir = std::filesystem::path(RF_BINARY_DIR) / "reliability";
    std::filesystem::create_directories(dir);
    std::string cmd = "ruleforge";
    for (const std::string& a : args) cmd += " " + (a.find(' ') == std::string::npos ? a : "'" + a + "'");
    cmd = short_paths(cmd, table);
    // The error line; where there is none, what the caller picked (or the first line of output).
    std::string msg = first_line(o.err.empty() ? o.out : o.err);
    if (size_t at = o.err.find("error: "); at != std::string::npos) msg = first_line(o.err.substr(at));
    if (!message.empty()) msg = message;
    // For a malformed rule, import's report names it on standard output: show that line too.
    if (size_t at = o.out.find("\n  rule "); at != std::string::npos) msg += " — " + first_line(o.out.substr(at + 3));
    msg = short_paths(msg, table);
    std::ofstream(dir / (table + ".md"), std::ios::app)
        << "| " << escape_cell(input) << " | `" << escape_cell(cmd) << "` | " << escape_cell(msg) << " | "
        << (o.signal ? "signal " + std::to_string(o.signal) : std::to_string(o.code)) << " |\n";
}

/// One bad input: the file that holds it, the command given it, and what the user must see.
struct BadInput {
    std::string input;                     ///< what is wrong, in words (the table's first column)
    std::string file;                      ///< the bad file's name in the scratch directory, "" for none
    std::function<std::string()> content;  ///< its bytes
    std::vector<std::string> args;         ///< "{F}" stands for the file, "{DB}" for a sound database
    int code;                              ///< the exit code expected (1: bad input, 2: usage/file error)
    std::vector<std::string> says;         ///< fragments the output must hold ("{F}": the file)
    Conditions conditions = {};
};

inline std::string substitute(std::string s, const std::string& file, const std::string& db) {
    for (size_t at; (at = s.find("{F}")) != std::string::npos;) s.replace(at, 3, file);
    for (size_t at; (at = s.find("{DB}")) != std::string::npos;) s.replace(at, 4, db);
    return s;
}

/// A database holding one proved-or-not rule and one run, to check that nothing is lost.
inline std::string sound_db(const std::string& dir) {
    std::string path = dir + "/sound.db";
    ruledb::Database db(path);
    db.add_rule(build_rule(parse_native_rule("relu(relu(x)) => relu(x)")));
    db.begin_run({.command = "ruleforge reliability-test"});
    return path;
}

/// Runs each case through the binary: the process exits (no signal) with the expected code, the
/// message holds the expected fragments, and neither the database given as {DB} nor the bad file changed. Each
/// outcome becomes a row of build/reliability/<table>.md.
inline void run_bad_inputs(const std::string& table, const std::vector<BadInput>& cases) {
    start_table(table);
    std::string dir = scratch_dir(table);
    std::string db = sound_db(dir);
    const std::string before = db_snapshot(db);
    for (const BadInput& c : cases) {
        std::string file = c.file.empty() ? "" : dir + "/" + c.file;
        if (!c.file.empty() && c.content) write_file(file, c.content());
        std::vector<std::string> args;
        for (const std::string& a : c.args) args.push_back(substitute(a, file, db));
        const std::string file_before = file.empty() ? "" : read_file(file);
        Outcome o = run_ruleforge(args, c.conditions);
        record_row(table, c.input, args, o);
        INFO(c.input << "\n  ruleforge " <<
             [&] {
                 std::string j;
                 for (const std::string& a : args) j += a + " ";
                 return j;
             }()
                     << "\n  stdout: " << o.out << "\n  stderr: " << o.err);
        CHECK(o.signal == 0);
        CHECK(o.code == c.code);
        CHECK_THAT(o.err, Catch::StartsWith("error: ") || Catch::Contains("\nerror: "));
        // import lists each malformed rule on standard output, then says "error:" on standard error.
        for (const std::string& f : c.says) CHECK_THAT(o.out + o.err, Catch::Contains(substitute(f, file, db)));
        CHECK(db_snapshot(db) == before);
        if (!file.empty()) CHECK(read_file(file) == file_before);  // a bad file is never "repaired"
    }
}

}  // namespace rf::reliability
