#include "ir/tensat_lexer.h"

#include <cstdio>

namespace rf::tensat {

std::string describe(const Token& t) {
    switch (t.kind) {
        case Token::Kind::LParen: return "'('";
        case Token::Kind::RParen: return "')'";
        case Token::Kind::Arrow: return "'=>'";
        case Token::Kind::Atom: {
            // A binary file read as rules must still give a one-line, readable message.
            std::string shown;
            for (char c : t.text.substr(0, 40)) {
                unsigned char u = static_cast<unsigned char>(c);
                char hex[5];
                std::snprintf(hex, sizeof hex, "\\x%02x", u);
                shown += u >= 0x20 && u < 0x7f ? std::string(1, c) : std::string(hex);
            }
            return "'" + shown + (t.text.size() > 40 ? "...'" : "'");
        }
        case Token::Kind::End: return "end of line";
    }
    return "?";
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// An atom runs to whitespace, a parenthesis or "=>", which TENSAT files write unspaced:
// `...?input_5)=>(matmul ...`.
Token Lexer::scan() {
    while (d_pos < d_line.size() && is_space(d_line[d_pos])) ++d_pos;
    Token t;
    t.column = static_cast<int>(d_pos) + 1;
    if (d_pos == d_line.size()) return t;
    size_t start = d_pos;
    char c = d_line[d_pos];
    if (c == '(' || c == ')') {
        t.kind = c == '(' ? Token::Kind::LParen : Token::Kind::RParen;
        ++d_pos;
    } else if (arrow_at(d_pos)) {
        t.kind = Token::Kind::Arrow;
        d_pos += 2;
    } else {
        t.kind = Token::Kind::Atom;
        while (d_pos < d_line.size() && !is_space(d_line[d_pos]) && d_line[d_pos] != '(' && d_line[d_pos] != ')' &&
               !arrow_at(d_pos))
            ++d_pos;
    }
    t.text = d_line.substr(start, d_pos - start);
    return t;
}

}  // namespace rf::tensat
