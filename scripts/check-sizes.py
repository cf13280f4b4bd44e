#!/usr/bin/env python3
# Checks the house limits on size: no C++ source file over 600 lines, no function over 120 lines
# (README, Layout). Lists every breach as FILE:LINE and exits 1 if there is one. An exemption is
# a line of scripts/size-exemptions.txt; each is printed on every run, and one that no longer
# matches a breach is itself an error, so nothing is exempted silently or forever.
#
# Functions are found by brace matching, not by a compiler: a `{` at namespace or class level
# whose header (the text since the previous `;`, `{` or `}`) holds a `(` opens a function body;
# lambdas and local classes count towards the function around them. Strings, character literals
# and comments are skipped; preprocessor lines are ignored.
#
#   python3 scripts/check-sizes.py            # the tree (git ls-files), from the project root
#   python3 scripts/check-sizes.py FILE...    # only these files
import os
import re
import subprocess
import sys

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 120
EXTENSIONS = (".cpp", ".h", ".cu", ".cuh", ".cpp.in")
SCOPE_WORDS = re.compile(r"\b(namespace|class|struct|union|enum|extern)\b")
# How a function's header ends before its body: the parameter list or a member initialiser,
# then qualifiers or a trailing return type.
FUNCTION_END = re.compile(r"[)}]\s*((const|noexcept|override|final|mutable)\s*)*(->[^{;]*)?$")
EXEMPTIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "size-exemptions.txt")


def strip_code(text):
    """The text with comments, string and character literals and preprocessor lines blanked
    (newlines kept, so line numbers stay)."""
    out = []
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c == "#" :
            # A preprocessor line, with its continuations.
            while i < n and not (text[i] == "\n" and text[i - 1] != "\\"):
                i += 1
            continue
        if c == "\n":
            line_start = True
            out.append(c)
            i += 1
            continue
        if not c.isspace():
            line_start = False
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("".join(ch for ch in text[i:end] if ch == "\n"))
            i = end
            continue
        m = re.match(r'R"([^(\s]{0,16})\(', text[i:i + 20])
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            close = ")" + m.group(1) + '"'
            end = text.find(close, i + m.end())
            end = n if end < 0 else end + len(close)
            out.append('""' + "".join(ch for ch in text[i:end] if ch == "\n"))
            i = end
            continue
        if c in "\"'":
            # A digit separator (1'000) is not a character literal.
            if c == "'" and i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum():
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def functions(text):
    """(name, first line, line count) of each function body at namespace or class level."""
    code = strip_code(text)
    stack = []  # per open brace: (kind, first line, name); kind is scope, function or other
    header_start = 0
    found = []
    line = 1
    for i, c in enumerate(code):
        if c == "\n":
            line += 1
        elif c == ";":
            header_start = i + 1
        elif c == "{":
            at_scope = all(kind == "scope" for kind, _, _ in stack)
            header = code[header_start:i].strip()
            kind, name = "other", ""
            if at_scope and SCOPE_WORDS.search(header) and "(" not in header:
                kind = "scope"
            elif at_scope and "(" in header and FUNCTION_END.search(header):
                kind = "function"
                m = re.search(r"(operator\s*[^\s(]+|[\w:~]+)\s*(<[^()]*>)?\s*\(", header)
                name = m.group(1) if m else "?"
            stack.append((kind, line, name))
            # A brace initialiser at namespace or class level (a member's `d_b{b}` in a
            # constructor's initialiser list) belongs to the header around it.
            if kind != "other" or not at_scope:
                header_start = i + 1
        elif c == "}":
            if stack:
                kind, start, name = stack.pop()
                if kind == "function":
                    found.append((name, start, line - start + 1))
                if kind != "other" or not all(k == "scope" for k, _, _ in stack):
                    header_start = i + 1
    return found


def breaches(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    out = []
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if lines > MAX_FILE_LINES:
        out.append((f"{path}:1", f"file of {lines} lines (limit {MAX_FILE_LINES})", path))
    for name, start, count in functions(text):
        if count > MAX_FUNCTION_LINES:
            out.append((f"{path}:{start}", f"function {name} of {count} lines (limit {MAX_FUNCTION_LINES})",
                        f"{path} {name}"))
    return out


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(root)
    if argv:
        paths = argv
    else:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                                check=True, capture_output=True, text=True).stdout.split("\n")
        paths = sorted(p for p in listed if p.endswith(EXTENSIONS) and os.path.isfile(p))
    exempt = {}
    if os.path.exists(EXEMPTIONS):
        with open(EXEMPTIONS) as f:
            for raw in f:
                entry = raw.split("#", 1)[0].strip()
                if entry:
                    exempt[entry] = raw.split("#", 1)[1].strip() if "#" in raw else "no reason given"
    failures, used = [], set()
    for p in paths:
        for where, what, key in breaches(p):
            if key in exempt:
                used.add(key)
                print(f"exempt: {where}: {what} (scripts/size-exemptions.txt: {exempt[key]})")
            else:
                failures.append(f"{where}: {what}")
    if not argv:
        for key in sorted(set(exempt) - used):
            failures.append(f"scripts/size-exemptions.txt: '{key}' is exempted but within the limits: remove the line")
    for f in failures:
        print(f"error: {f}")
    print(f"check-sizes: {len(paths)} files, {len(failures)} breaches, {len(used)} exempted")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
