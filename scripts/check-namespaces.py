#!/usr/bin/env python3
# Fails when a library's source declares outside its folder's namespace: `rf` for ir/ (the
# vocabulary every stage speaks), `rf::<folder>` for every other
# library folder; either may nest a sub-concept (rf::tensat, rf::ruledb::sql). Run by the suite (CTest namespaces_follow_folders).
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
LIBRARIES = ["support", "ir", "enumerator", "fingerprint", "prover", "ruledb", "exporters", "applier",
             "pipeline", "site", "cli"]
OPEN = re.compile(r"^namespace\s+(rf(?:::\w+)*)\s*\{")

breaches = 0
for lib in LIBRARIES:
    expected = "rf" if lib == "ir" else "rf::" + lib
    for dirpath, _, files in os.walk(os.path.join(root, lib)):
        for name in sorted(files):
            if not name.endswith((".h", ".cpp", ".cu", ".cuh")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    m = OPEN.match(line)
                    if not m:
                        continue
                    ns = m.group(1)
                    if ns == expected or ns.startswith(expected + "::"):
                        # ir/ may nest (rf::tensat), but not into a stage's namespace
                        if lib != "ir" or ns == "rf" or ns.split("::")[1] not in LIBRARIES:
                            continue
                    rel = os.path.relpath(path, root)
                    print(f"error: {rel}:{number}: namespace {ns}; {lib}/ declares in {expected}", file=sys.stderr)
                    breaches += 1
print(f"check-namespaces: {breaches} breaches")
sys.exit(1 if breaches else 0)
