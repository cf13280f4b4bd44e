"""Shared by the bench/ drivers: run a command several times and summarise it as one JSON record.

A record is {"name", "parameters", "median", "min", "max", "unit": "s", "repetitions",
"cpu_median", "peak_rss_mb", "machine", ...counts}. Wall times come from a monotonic clock
around the child; CPU time (user + system) and peak RSS from that child's own rusage (wait4), so
each repetition is measured alone. On a shared machine the wall figures depend on the load
(recorded in "machine.loadavg"); CPU time and counts do not, which is why both are kept.
"""
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time


def machine_info():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "platform": platform.platform(),
            "loadavg": [round(x, 2) for x in os.getloadavg()]}


def run_once(cmd, check=True):
    """Runs cmd once; returns (wall s, cpu s, peak RSS MB, stdout text, exit code), the CPU time
    and RSS being that child's own (wait4), not the sum over earlier runs."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errtext = out.read(), err.read()
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {p.returncode}: {errtext.strip()[-500:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, text, p.returncode


def measure(cmd, reps, check=True):
    """Runs cmd `reps` times; returns (walls, cpus, peak RSS MB over the runs, last stdout, last
    exit code)."""
    walls, cpus, rss = [], [], 0.0
    out, code = "", 0
    for _ in range(reps):
        wall, cpu, peak, out, code = run_once(cmd, check)
        walls.append(wall)
        cpus.append(cpu)
        rss = max(rss, peak)
    return walls, cpus, rss, out, code


def record(name, parameters, walls, cpus, rss, **extra):
    r = {"name": name, "parameters": parameters, "unit": "s",
         "median": round(statistics.median(walls), 4), "min": round(min(walls), 4),
         "max": round(max(walls), 4), "repetitions": len(walls),
         "cpu_median": round(statistics.median(cpus), 4), "peak_rss_mb": round(rss, 1),
         "machine": machine_info()}
    r.update(extra)
    return r


def emit(rec, path=None):
    line = json.dumps(rec)
    print(line, flush=True)
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")
