// TENSAT rule text: the 133 rules TENSAT ships (converted from TASO's graph_subst.pb) must
// parse, type-check and print back byte for byte; every error class must point at its line and
// column; every TENSAT-expressible operator must round-trip.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ir/rule.h"
#include "ir/tensat_text.h"

namespace {

using rf::ParseError;

std::string read_reference(const std::string& relative) {
    std::string path = std::string(RF_REFERENCE_DIR) + "/" + relative;
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

// Parses, types and prints a whole file; checks each rule line by line (so a failure names the
// line), then the whole text.
void check_file_round_trip(const std::string& relative, bool multi, size_t expected_rules) {
    const std::string text = read_reference(relative);
    const std::vector<std::string> lines = split_lines(text);
    std::vector<rf::RuleAst> asts = rf::parse_tensat_rules(text, relative, multi);
    REQUIRE(asts.size() == expected_rules);
    const size_t outputs = multi ? 2 : 1;
    std::string printed;
    for (size_t i = 0; i < asts.size(); ++i) {
        const size_t first_line = i * outputs;
        INFO(relative << ":" << first_line + 1 << ": " << lines.at(first_line));
        CHECK(asts[i].loc.line == static_cast<int>(first_line + 1));
        REQUIRE(asts[i].lhs.size() == outputs);
        rf::Rule rule;
        try {
            rule = rf::build_rule(asts[i]);
        } catch (const ParseError& e) {
            FAIL_CHECK("build_rule: " << e.what());
            continue;
        }
        std::string expected = lines[first_line];
        for (size_t k = 1; k < outputs; ++k) expected += "\n" + lines[first_line + k];
        const std::string got = rf::print_tensat(rule);
        CHECK(got == expected);
        printed += (i ? "\n" : "") + got;
    }
    if (!text.empty() && text.back() == '\n') printed += "\n";
    CHECK(printed == text);
}

// The ParseError of parsing one line, asserting there is one.
ParseError parse_error(const std::string& line) {
    try {
        rf::parse_tensat_rule(line, "r.txt", 7);
    } catch (const ParseError& e) {
        return e;
    }
    FAIL("no ParseError for: " << line);
    throw std::logic_error("unreachable");
}

void check_error(const std::string& line, int column, const std::string& fragment) {
    INFO(line);
    ParseError e = parse_error(line);
    INFO(e.what());
    CHECK(e.loc().file == "r.txt");
    CHECK(e.loc().line == 7);
    CHECK(e.loc().column == column);
    CHECK(e.message().find(fragment) != std::string::npos);
    CHECK(std::string(e.what()).rfind("r.txt:7:" + std::to_string(column) + ": ", 0) == 0);
}

// build_rule's ParseError for a line that parses.
ParseError build_error(const std::string& line) {
    rf::RuleAst ast = rf::parse_tensat_rule(line);
    try {
        rf::build_rule(ast);
    } catch (const ParseError& e) {
        return e;
    }
    FAIL("build_rule accepted: " << line);
    throw std::logic_error("unreachable");
}

std::string round_trip(const std::string& line) {
    return rf::print_tensat(rf::build_rule(rf::parse_tensat_rule(line)));
}

// A variable's declared concrete shape, which TENSAT's text cannot state (reshape needs one).
void declare(rf::RuleAst& ast, const std::string& name, std::vector<std::string> dims) {
    rf::VarDecl d;
    d.name = name;
    d.has_shape = true;
    d.dims = std::move(dims);
    ast.decls.push_back(d);
}

}  // namespace

TEST_CASE("TENSAT's 120 single-output rules parse, type-check and print back byte for byte", "[ir][tensat]") {
    check_file_round_trip("tensat/converted.txt", false, 120);
}

TEST_CASE("TENSAT's 13 two-output rules parse, type-check and print back byte for byte", "[ir][tensat]") {
    check_file_round_trip("tensat/converted_multi.txt", true, 13);
}

TEST_CASE("parse_tensat_rule builds terms with their source positions", "[ir][tensat]") {
    rf::RuleAst ast = rf::parse_tensat_rule("(split_1 (split 0 (concat 0 4 ?input_7 ?x)))=>?x", "f", 3);
    CHECK(ast.name.empty());
    CHECK(ast.loc.line == 3);
    REQUIRE(ast.lhs.size() == 1);
    REQUIRE(ast.rhs.size() == 1);
    const rf::Term& proj = ast.terms[ast.lhs[0]];
    REQUIRE(proj.kind == rf::Term::Kind::Proj);
    CHECK(proj.output == 1);
    CHECK(proj.loc.column == 1);
    const rf::Term& split = ast.terms[proj.args.at(0)];
    REQUIRE(split.kind == rf::Term::Kind::App);
    CHECK(split.op == rf::OpKind::Split);
    CHECK(rf::param::axis(split.params) == 0);
    CHECK(split.loc.column == 10);
    const rf::Term& concat = ast.terms[split.args.at(0)];
    CHECK(concat.op == rf::OpKind::Concat);
    CHECK(concat.rank_hint == 4);
    CHECK(concat.loc.column == 19);
    const rf::Term& var = ast.terms[concat.args.at(0)];
    CHECK(var.kind == rf::Term::Kind::Var);
    CHECK(var.var == "input_7");
    CHECK(var.loc.column == 31);
    const rf::Term& rhs = ast.terms[ast.rhs[0]];
    CHECK(rhs.var == "x");
    CHECK(rhs.loc.column == 47);

    rf::Rule rule = rf::build_rule(ast);
    CHECK(rule.variables().at(0).type.rank() == 4);
}

TEST_CASE("parse_tensat_rules skips blank lines and pairs lines of a multi-output file", "[ir][tensat]") {
    const std::string text = "\n(relu ?a)=>(relu ?a)\n  \r\n(matmul 0 ?a ?b)=>(matmul 0 ?a ?b)\n(tanh ?c)=>(tanh ?c)\n";
    auto single = rf::parse_tensat_rules(text, "f", false);
    REQUIRE(single.size() == 3);
    CHECK(single[0].loc.line == 2);
    CHECK(single[1].loc.line == 4);
    CHECK(single[2].loc.line == 5);

    auto pair = rf::parse_tensat_rules("(relu ?a)=>(relu ?a)\n(matmul 0 ?a ?b)=>(matmul 0 ?a ?b)", "f", true);
    REQUIRE(pair.size() == 1);
    CHECK(pair[0].lhs.size() == 2);
    rf::Rule rule = rf::build_rule(pair[0]);
    CHECK(rule.num_outputs() == 2);
    CHECK(rule.variables().size() == 2);  // ?a is one variable across both lines
    CHECK(rf::print_tensat(rule) == "(relu ?a)=>(relu ?a)\n(matmul 0 ?a ?b)=>(matmul 0 ?a ?b)");

    try {
        rf::parse_tensat_rules(text, "f.txt", true);
        FAIL("an odd number of rules was accepted");
    } catch (const ParseError& e) {
        CHECK(e.loc().line == 5);
        CHECK(e.loc().file == "f.txt");
        CHECK(e.message().find("odd number") != std::string::npos);
    }
    try {
        rf::parse_tensat_rules("(relu ?a)=>(relu ?a)\n\n(relu ?a=>(relu ?a)", "g.txt", false);
        FAIL("a malformed third line was accepted");
    } catch (const ParseError& e) {
        CHECK(std::string(e.what()).rfind("g.txt:3:9: ", 0) == 0);
    }
}

TEST_CASE("unbalanced parentheses are reported where the text goes wrong", "[ir][tensat]") {
    check_error("(relu ?input_1=>(relu ?input_1)", 15, "unbalanced parenthesis");
    check_error("(relu (matmul 0 ?a ?b)=>?a", 23, "close the '(' at column 1");
    check_error("(relu ?a)=>(relu ?a", 20, "unbalanced parenthesis");
    check_error("(relu ?input_1))=>(relu ?input_1)", 16, "unbalanced parenthesis: unexpected ')'");
    check_error("(relu ?a)=>(relu ?a))", 21, "unbalanced parenthesis: unexpected ')'");
    check_error(")=>?a", 1, "unbalanced parenthesis");
    check_error("(matmul 0 ?a", 13, "unbalanced parenthesis");
}

TEST_CASE("an unknown operator is named", "[ir][tensat]") {
    check_error("(relu (foo ?input_1))=>?input_1", 8, "unknown operator 'foo'");
    check_error("(matmul 0 ?a Imatmul)=>?a", 14, "expected an operand");
    check_error("(relu ?a)=>(Imatmul)", 13, "unknown operator 'Imatmul'");
    check_error("(input ?a)=>?a", 2, "unknown operator 'input'");
    check_error("(split_2 (split 0 ?a))=>?a", 2, "only 2 outputs");
}

TEST_CASE("wrong numbers of operands or parameters", "[ir][tensat]") {
    check_error("(matmul 0 ?input_1)=>?input_1", 19,
                "too few arguments to matmul: missing b, expected (matmul ACT a b)");
    check_error("(relu ?input_1 ?input_2)=>?input_1", 16, "too many arguments to relu");
    check_error("(conv2d 1 1 0 ?x ?w)=>?x", 15, "expected an integer for ACT of conv2d");
    check_error("(poolmax ?x 3 3 1 1 0)=>?x", 22, "too few arguments to poolmax: missing ACT");
    check_error("(concat 0 ?a ?b)=>?a", 11, "expected an integer for NDIM of concat");
    check_error("(concat 0 2 ?a ?b ?c)=>?a", 19, "too many arguments to concat");
    check_error("(relu)=>?a", 6, "too few arguments to relu");
    check_error("()=>?a", 2, "expected an operator name");
    check_error("(split_0 ?a)=>?a", 10, "selects an output of a (split AXIS x)");
    check_error("(split_0)=>?a", 9, "too few arguments to split_0");
    check_error("(split_0 (split 0 ?a) ?b)=>?a", 23, "too many arguments to split_0");
}

TEST_CASE("parameters must be integers in range", "[ir][tensat]") {
    check_error("(matmul x ?a ?b)=>?a", 9, "expected an integer for ACT of matmul, got 'x'");
    check_error("(matmul ?act ?a ?b)=>?a", 9, "expected an integer for ACT of matmul");
    check_error("(matmul (relu ?a) ?a ?b)=>?a", 9, "expected an integer for ACT of matmul, got '('");
    check_error("(conv2d 1 1 2 0 ?x ?w)=>?x", 13, "PAD of conv2d out of range: got 2, expected 0 (SAME) or 1 (VALID)");
    check_error("(matmul 4 ?a ?b)=>?a", 9, "ACT of matmul out of range: got 4");
    check_error("(poolavg ?x 3 3 1 1 0 -1)=>?x", 23, "ACT of poolavg out of range");
    check_error("(conv2d 0 1 0 0 ?x ?w)=>?x", 9, "SH of conv2d out of range: got 0, expected at least 1");
    check_error("(transpose ?x 1_0 2)=>?x", 19, "SHUFFLE of transpose out of range");
    check_error("(transpose ?x 1_a 0)=>?x", 15, "expected integers joined by '_' for PERM of transpose");
    check_error("(transpose ?x 1__0 0)=>?x", 15, "expected integers joined by '_'");
    check_error("(reshape ?x 2_0)=>?x", 13, "SHAPE of reshape out of range");
    check_error("(matmul 99999999999 ?a ?b)=>?a", 9, "does not fit in 32 bits");
    check_error("(concat 2 2 ?a ?b)=>?a", 1, "AXIS of concat out of range");
    check_error("(split 0 ?a)=>?a", 1, "split has 2 outputs: select one");
}

TEST_CASE("a rule needs '=>' and nothing after its right-hand side", "[ir][tensat]") {
    check_error("(relu ?input_1)", 16, "expected '=>' after the left-hand side, got end of line");
    check_error("(relu ?a) (relu ?a)", 11, "expected '=>'");
    check_error("(relu ?a)=(relu ?a)", 10, "expected '=>'");
    check_error("(relu ?a)=>(relu ?a) ?b", 22, "after the right-hand side");
    check_error("(relu ?a)=>(relu ?a)=>?a", 21, "after the right-hand side");
    check_error("(relu ?a)=>", 12, "expected an expression");
    check_error("=>?a", 1, "expected an expression");
    check_error("   ", 4, "empty rule");
    check_error("(relu ? )=>?a", 7, "variable name");
}

TEST_CASE("build_rule reports unbound variables and shape errors at the term", "[ir][tensat]") {
    ParseError unbound = build_error("(relu ?input_1)=>(ewadd ?input_1 ?input_9)");
    CHECK(unbound.loc().column == 34);
    CHECK(unbound.message().find("'input_9'") != std::string::npos);
    CHECK(unbound.message().find("not bound on the left") != std::string::npos);

    // The concat on the right fixes the variables' rank to 5 before the matmul is typed, so the
    // matmul is where the rule stops making sense.
    ParseError mismatch = build_error("(matmul 0 ?input_1 ?input_2)=>(concat 0 5 ?input_1 ?input_2)");
    CHECK(mismatch.loc().column == 1);
    CHECK(mismatch.message().find("matmul: operands must have rank 2, 3 or 4") != std::string::npos);
}

TEST_CASE("every TENSAT-expressible operator round-trips", "[ir][tensat]") {
    const std::vector<std::string> rules = {
        "(matmul 2 ?a ?b)=>(relu (matmul 0 ?a ?b))",
        "(matmul 1 ?a ?b)=>(sigmoid (matmul 0 ?a ?b))",
        "(matmul 3 ?a ?b)=>(tanh (matmul 0 ?a ?b))",
        "(conv2d 1 1 1 3 ?x ?w)=>(tanh (conv2d 1 1 1 0 ?x ?w))",
        "(ewmul (ewadd ?a ?b) ?c)=>(ewadd (ewmul ?a ?c) (ewmul ?b ?c))",
        "(smul (ewmul ?a ?b) ?s)=>(ewmul ?a (smul ?b ?s))",
        "(sigmoid (tanh ?a))=>(sigmoid (tanh ?a))",
        "(transpose (transpose ?a 1_0 0) 1_0 0)=>?a",
        "(transpose (relu ?a) 2_0_1 1)=>(relu (transpose ?a 2_0_1 1))",
        "(concat 1 2 (matmul 0 ?a ?b) (matmul 0 ?a ?c))=>(matmul 0 ?a (concat 1 2 ?b ?c))",
        "(split_0 (split 0 (relu (concat 0 3 ?a ?b))))=>(relu ?a)",
        "(ewadd (conv2d 1 1 0 0 ?x (enlarge ?w ?v)) (conv2d 1 1 0 0 ?x ?v))=>(conv2d 1 1 0 0 ?x "
        "(ewadd (enlarge ?w ?v) ?v))",
        "(poolmax (relu ?x) 3 3 1 1 0 0)=>(relu (poolmax ?x 3 3 1 1 0 0))",
        "(poolavg ?x 2 2 1 1 1 2)=>(relu (poolavg ?x 2 2 1 1 1 0))",
        "(poolmax ?x 1 1 1 1 1 0)=>?x",
        "(split_1 (split 1 (concat 1 2 ?b ?a)))=>?a",
    };
    for (const std::string& r : rules) {
        INFO(r);
        try {
            CHECK(round_trip(r) == r);
        } catch (const ParseError& e) {
            FAIL(e.what());
        }
    }
}

TEST_CASE("reshape round-trips once its input has a concrete shape", "[ir][tensat]") {
    // TENSAT's text has no shapes; reshape's shape rule needs a concrete input, which the
    // caller can supply as a declaration.
    const std::string line = "(reshape (relu ?input_1) 3_8)=>(relu (reshape ?input_1 3_8))";
    rf::RuleAst ast = rf::parse_tensat_rule(line);
    declare(ast, "input_1", {"2", "3", "4"});
    rf::Rule rule = rf::build_rule(ast);
    CHECK(rule.variables().at(0).type.to_string() == "[2,3,4]");
    CHECK(rf::print_tensat(rule) == line);
}

TEST_CASE("print_tensat refuses what TENSAT cannot express", "[ir][tensat]") {
    SECTION("a constant") {
        rf::RuleAst ast = rf::parse_tensat_rule("(matmul 0 ?x ?x)=>?x");
        rf::Term one;
        one.kind = rf::Term::Kind::App;
        one.op = rf::OpKind::ConstImm;
        one.params = rf::param::shape_list({4, 4});
        ast.terms.push_back(one);
        ast.terms[ast.lhs[0]].args[1] = static_cast<rf::TermId>(ast.terms.size() - 1);
        rf::Rule rule = rf::build_rule(ast);
        try {
            rf::print_tensat(rule);
            FAIL("a constant was printed");
        } catch (const std::invalid_argument& e) {
            CHECK(std::string(e.what()).find("const_imm") != std::string::npos);
        }
    }
    SECTION("a three-operand concat") {
        rf::RuleAst ast = rf::parse_tensat_rule("(concat 0 2 ?a ?b)=>(concat 0 2 ?a ?b)");
        ast.terms[ast.lhs[0]].args.push_back(ast.terms[ast.lhs[0]].args[0]);
        ast.terms[ast.rhs[0]].args.push_back(ast.terms[ast.rhs[0]].args[0]);
        CHECK_THROWS_WITH(rf::print_tensat(rf::build_rule(ast)), Catch::Contains("concat takes 2 operands"));
    }
    SECTION("a variable name that is not one symbol") {
        rf::RuleAst ast = rf::parse_tensat_rule("(relu ?a)=>(relu ?a)");
        ast.terms[0].var = "a b";
        ast.terms[2].var = "a b";
        CHECK_THROWS_WITH(rf::print_tensat(rf::build_rule(ast)), Catch::Contains("'a b'"));
    }
}

// concat's NDIM fixes the rank of its operands: one that cannot have it is an error there (a
// matmul has rank 2 or 3), not a silent change of NDIM when printed back.
TEST_CASE("an NDIM that contradicts the operands' rank is an error", "[ir][tensat]") {
    ParseError e = build_error("(concat 0 5 (matmul 0 ?a ?b) ?c)=>(concat 0 5 (matmul 0 ?a ?b) ?c)");
    CHECK(e.loc().column == 13);
    CHECK(e.message().find("rank 2, 3 or 4") != std::string::npos);
    ParseError direct = build_error("(concat 0 3 ?a (relu ?b))=>(concat 0 2 ?a (relu ?b))");
    CHECK(direct.message().find("rank") != std::string::npos);
}
