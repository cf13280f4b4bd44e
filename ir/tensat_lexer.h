// The tokens of one line of TENSAT rule text (parentheses, "=>", atoms), for the parser in
// tensat_text.cpp. One line at a time, so a token's column is its byte offset + 1.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rf::tensat {

struct Token {
    enum class Kind : uint8_t { LParen, RParen, Arrow, Atom, End } kind = Kind::End;
    std::string_view text;
    int column = 1;
};

/// The token as an error message names it ("'('", "end of line", an atom quoted); an atom's
/// bytes that are not printable ASCII are shown as \xNN and a long atom is cut.
std::string describe(const Token& t);

/// TENSAT's whitespace (the C locale's isspace, without the locale).
bool is_space(char c);

class Lexer {
public:
    explicit Lexer(std::string_view line) : d_line(line) { d_peeked = scan(); }
    const Token& peek() const { return d_peeked; }
    Token next() {
        Token t = d_peeked;
        d_peeked = scan();
        return t;
    }

private:
    bool arrow_at(size_t i) const { return i + 1 < d_line.size() && d_line[i] == '=' && d_line[i + 1] == '>'; }
    Token scan();

    std::string_view d_line;
    size_t d_pos = 0;
    Token d_peeked;
};

}  // namespace rf::tensat
