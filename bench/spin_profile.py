#!/usr/bin/env python3
"""Where a multi-threaded run leaves threads waiting (issue 9): runs a command under
`perf record --call-graph dwarf`, takes every sample in which a thread sat in libgomp's
spin-wait, and charges it to what the other threads were running then (the nearest sample of
each, resolved to the first source line of ours with `addr2line -i`). The output is that
serial code, by source line, with the waiting time it cost.

usage: bench/spin_profile.py [--freq 1999] [--top 25] [--binary build/cli/ruleforge] -- COMMAND...
example: bench/spin_profile.py -- build/cli/ruleforge enumerate --max-ops 3 --preset taso --threads 2 --quiet

Needs perf (linux-perf) with permission to record the command, and addr2line (binutils).
Not part of the test suite: perf_event_paranoid or a container can forbid recording.
"""
import argparse
import bisect
import collections
import os
import subprocess
import sys
import tempfile


def parse_samples(text):
    """perf script -F tid,time,ip,sym,dso output -> [(tid, time, [(ip, frame text)])]."""
    samples = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith("\t"):
            head = line.split()
            samples.append((int(head[0]), float(head[1].rstrip(":")), []))
        elif samples:
            parts = line.split(None, 1)
            samples[-1][2].append((parts[0], parts[1].strip() if len(parts) > 1 else ""))
    return samples


def spinning(frames):
    return bool(frames) and "libgomp" in frames[0][1] and "GOMP_parallel" not in frames[0][1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--freq", type=int, default=1999, help="samples per second per thread")
    ap.add_argument("--top", type=int, default=25, help="source lines to print")
    ap.add_argument("--binary", default="build/cli/ruleforge", help="the binary whose lines are ours")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        ap.error("give the command to profile after --")
    binary = os.path.realpath(a.binary)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        rec = subprocess.run(["perf", "record", "-F", str(a.freq), "--call-graph", "dwarf,32768", "-o", data, "--"] + cmd,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if rec.returncode != 0:
            print(f"error: perf record failed ({rec.returncode}): {rec.stderr.strip()[-400:]}", file=sys.stderr)
            return 1
        script = subprocess.run(["perf", "script", "-i", data, "-F", "tid,time,ip,sym,dso"],
                                capture_output=True, text=True)
    samples = parse_samples(script.stdout)
    if not samples:
        print("error: perf recorded no samples", file=sys.stderr)
        return 1
    by_tid = collections.defaultdict(list)
    for s in samples:
        by_tid[s[0]].append(s)
    times = {t: [s[1] for s in v] for t, v in by_tid.items()}
    # Threads with few samples (another library's pool, short-lived helpers) are not blamed.
    busy = [t for t, v in by_tid.items() if len(v) >= len(samples) / (4 * len(by_tid))]
    ips = collections.Counter()
    waited = 0
    for tid, t, frames in samples:
        if not spinning(frames):
            continue
        waited += 1
        for other in busy:
            if other == tid:
                continue
            i = min(bisect.bisect_left(times[other], t), len(times[other]) - 1)
            ours = next((ip for ip, f in by_tid[other][i][2] if f.endswith(f"({binary})")), None)
            ips[ours] += 1
    lines = collections.Counter()
    known = [ip for ip in ips if ip is not None]
    if known:
        out = subprocess.run(["addr2line", "-i", "-a", "-e", binary] + known, capture_output=True, text=True).stdout
        # Per address, the innermost inlined frame in our sources, else the outermost frame.
        where, outer, ip = {}, {}, None
        for line in out.splitlines():
            if line.startswith("0x"):
                ip = line
            elif ip is not None:
                outer[ip] = line
                if ip not in where and not line.startswith("/usr/"):
                    where[ip] = line
        for k, v in outer.items():
            where.setdefault(k, v)
        for k in known:
            lines[where.get("0x" + k.rjust(16, "0"), where.get("0x" + k, "?"))] += ips[k]
    if None in ips:
        lines["(outside the binary: kernel, other libraries)"] += ips[None]
    per = 1.0 / a.freq
    print(f"{len(samples)} samples, {len(by_tid)} threads; {waited} spin-wait samples = {waited * per:.3f} s waited")
    print("waited s  source line the other thread was running")
    for line, n in lines.most_common(a.top):
        print(f"{n * per:8.3f}  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
