#!/usr/bin/env python3
"""Writes the measured table of docs/PERFORMANCE.md from benchmark records (JSON lines).

Only the part between the markers `<!-- bench:begin -->` and `<!-- bench:end -->` is replaced;
the rest of the page (how to read the figures, the profile) is prose kept by hand.

usage: bench/perf_report.py RECORDS.jsonl [--doc docs/PERFORMANCE.md]
"""
import argparse
import json
import sys

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

# TASO's figures, measured on its own code on this 2-core machine (docs of the project: DESIGN 2).
TASO = {
    ("enumerate", 3): "141 s, 7.1 GB (16.4 M graphs, 619 rules)",
    "prove": "484 s, 129/133 proved (Python + Z3, no timeout)",
    "axioms": "~10 h x 8 cores (last 7 axioms only)",
}


def fmt_s(x):
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def table(records):
    machine = next((r["machine"] for r in records if "machine" in r), {})
    lines = [f"Measured by `scripts/bench.sh` on {machine.get('cpus', '?')} x {machine.get('cpu_model', '?')}"
             f" ({machine.get('platform', '?')}); load average at the first run "
             f"{machine.get('loadavg', '?')}. Wall = median over repetitions; CPU = user + system "
             "seconds of that run (independent of the load); RSS = peak resident memory.", ""]
    lines += ["| benchmark | parameters | wall median (min-max) | CPU median | peak RSS | result | TASO |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    speedups = []
    for r in records:
        if r["name"].endswith("_speedup"):
            q = r["parameters"]
            if r["name"].startswith("enumerate"):
                what = f"enumerate size {q.get('max_ops', '?')}"
            elif r["name"].startswith("prove_candidates"):
                what = f"prove the size-{q.get('max_ops', '?')} candidates ({q.get('backend', '?')})"
            else:
                what = f"prove TASO's 133 ({q.get('backend', '?')})"
            s = f"{what}: {r['speedup']:.2f}x"
            if r.get("speedup_paired") is not None:
                s += f" (paired {r['speedup_paired']:.2f}x, CPU ratio {r['cpu_ratio']:.2f}"
                if r.get("two_process_throughput") is not None:
                    s += f", two processes {r['two_process_throughput']:.2f}x"
                s += ")"
            speedups.append(s)
    for r in records:
        n, p = r["name"], r.get("parameters", {})
        if n.endswith("_speedup"):
            continue
        params = ", ".join(f"{k}={v}" for k, v in p.items())
        wall = f"{fmt_s(r['median'])} ({fmt_s(r['min'])}-{fmt_s(r['max'])}), {r['repetitions']} runs"
        cpu = fmt_s(r["cpu_median"]) if "cpu_median" in r else ""
        rss = f"{r['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in r else ""
        taso = ""
        if n == "enumerate_reference_check":
            result = f"{r.get('graphs', '?')} graphs of {r.get('classes', '?')} classes evaluated whole at every " \
                     f"point: {r.get('problems', '?')} differences from the enumerator's classes"
        elif n.startswith("enumerate"):
            result = f"{r['graphs'] + r['pair_graphs']} graphs, {r['classes']} classes, {r['candidates']} candidates"
            taso = TASO.get(("enumerate", p.get("max_ops")), "") if p.get("threads") == 2 else ""
        elif n.startswith("prove_taso"):
            result = f"{r.get('proved', '?')}/{r.get('rules', 133)} proved"
            if "per_rule" in r:
                q = r["per_rule"]
                result += f"; per rule p50 {q['p50']:.3f} s, p90 {q['p90']:.3f} s, max {q['max']:.3f} s"
            taso = TASO["prove"] if p.get("threads", 1) == 1 else ""
        elif n.startswith("prove_candidates"):
            result = f"{r.get('proved', '?')} proved, {r.get('unknown', '?')} unknown, " \
                     f"{r.get('refuted', '?')} refuted of {r.get('rules', '?')} candidates"
        elif n.startswith("axioms"):
            result = f"{r.get('axioms', '?')} axioms, {r.get('proved', '?')} proved, {r.get('tested', '?')} tested, " \
                     f"{r.get('refuted', '?')} refuted, {r.get('instances', '?')} instances"
            taso = TASO["axioms"]
        else:
            result = ""
        lines.append(f"| {n} | {params} | {wall} | {cpu} | {rss} | {result} | {taso} |")
    if speedups:
        lines += ["", "Thread scaling (median wall at 1 thread / median at 2 threads; paired: the median "
                  "of each round's 1-thread wall over its 2-thread wall, the two runs back to back; CPU "
                  "ratio: CPU seconds at 2 threads / at 1, above 1 when the same work cost more CPU; on a "
                  "loaded machine this says more about the neighbours than about the code; two processes: "
                  "two 1-thread runs started together in the same rounds, 2 x 1-thread wall / their wall, "
                  "what the machine gave two independent processes, the ceiling for the speedup): " +
                  "; ".join(speedups) + "."]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("records")
    ap.add_argument("--doc", default="docs/PERFORMANCE.md")
    a = ap.parse_args()
    with open(a.records) as f:
        records = [json.loads(l) for l in f if l.strip()]
    with open(a.doc) as f:
        doc = f.read()
    if BEGIN not in doc or END not in doc:
        print(f"error: {a.doc} lacks the {BEGIN} / {END} markers", file=sys.stderr)
        return 2
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(a.doc, "w") as f:
        f.write(head + BEGIN + "\n" + table(records) + "\n" + END + tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
