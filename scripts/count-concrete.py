#!/usr/bin/env python3
# Counts the kept rules that still hold a literal number in a shape (issue 21's generality figure).
"""Counts the rules of a native rule file (e.g. `ruleforge export --to native --kept-only`) that
hold a literal number in a variable's declared shape (act[2,4], weight[4,4,d0,d1]) or in a
constant's shape parameter (const_imm[shape=[4,4]]): the generality figure of docs/prover.md.

Usage: count-concrete.py FILE [--list decl|const|any] [--groups]
  --list KIND  print the rules counted under KIND
  --groups     print how many counted rules use each set of operators (the largest groups first)
"""
import argparse
import collections
import re
import sys

DECL = re.compile(r"\b(act|weight)\[([^\]]*)\]")
SHAPE = re.compile(r"shape=\[([^\]]*)\]")
OP = re.compile(r"\b([a-z_][a-z0-9_]*)(?=[\[(])")


def has_number(dims):
    return any(re.fullmatch(r"-?\d+", d.strip()) for d in dims.split(","))


def classify(line):
    body, _, where = line.partition(" where ")
    decl = any(has_number(m.group(2)) for m in DECL.finditer(where))
    const = any(has_number(m.group(1)) for m in SHAPE.finditer(body))
    return decl, const


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--list", choices=["decl", "const", "any"])
    ap.add_argument("--groups", action="store_true")
    a = ap.parse_args()
    rules = [l.rstrip("\n") for l in open(a.file) if "=>" in l and not l.lstrip().startswith(("#", ";"))]
    counts = collections.Counter()
    groups = collections.Counter()
    for r in rules:
        decl, const = classify(r)
        counts["decl"] += decl
        counts["const"] += const
        counts["any"] += decl or const
        if decl or const:
            body = r.partition(" where ")[0]
            ops = sorted(set(OP.findall(body.partition(": ")[2] if ": " in body.split("(")[0] else body)))
            groups[" ".join(ops)] += 1
        if a.list and {"decl": decl, "const": const, "any": decl or const}[a.list]:
            print(r)
    print(f"rules {len(rules)}  with a number: {counts['any']}  (in a declaration {counts['decl']}, "
          f"in a constant's shape {counts['const']})", file=sys.stderr if a.list else sys.stdout)
    if a.groups:
        for ops, n in groups.most_common():
            print(f"{n:5d}  {ops}")


if __name__ == "__main__":
    main()
