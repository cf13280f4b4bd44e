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


def run_together(cmds, check=True):
    """Starts every argv of `cmds` at once; returns (wall s until the last exits, their CPU s
    summed, the largest peak RSS MB, the first's stdout, the first nonzero exit code or 0)."""
    with tempfile.TemporaryDirectory() as tmp:
        files, procs = [], []
        t0 = time.monotonic()
        for i, cmd in enumerate(cmds):
            out, err = open(os.path.join(tmp, f"{i}.out"), "w+"), open(os.path.join(tmp, f"{i}.err"), "w+")
            files.append((out, err))
            procs.append(subprocess.Popen(cmd, stdout=out, stderr=err, text=True))
        cpu, rss, code = 0.0, 0.0, 0
        for p in procs:
            _, status, ru = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            cpu += ru.ru_utime + ru.ru_stime
            rss = max(rss, ru.ru_maxrss / 1024.0)
            code = code or p.returncode
        wall = time.monotonic() - t0
        texts = []
        for (out, err), cmd, p in zip(files, cmds, procs):
            out.seek(0)
            err.seek(0)
            texts.append(out.read())
            if check and p.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)} exited with {p.returncode}: {err.read().strip()[-500:]}")
            out.close()
            err.close()
    return wall, cpu, rss, texts[0], code


def measure_interleaved(cmds, reps, check=True):
    """Runs every command of `cmds` (a dict key -> argv, or key -> list of argvs started together
    by run_together) once per round, `reps` rounds, the commands in turn within a round: on a
    machine whose speed drifts over minutes, the runs compared with each other are then minutes
    apart at most. Returns key -> (walls, cpus, peak RSS MB, last stdout, last exit code)."""
    res = {k: ([], [], 0.0, "", 0) for k in cmds}
    for _ in range(reps):
        for k, cmd in cmds.items():
            together = bool(cmd) and isinstance(cmd[0], list)
            wall, cpu, peak, out, code = run_together(cmd, check) if together else run_once(cmd, check)
            walls, cpus, rss, _, _ = res[k]
            walls.append(wall)
            cpus.append(cpu)
            res[k] = (walls, cpus, max(rss, peak), out, code)
    return res


def speedup_record(name, parameters, walls1, walls2, cpus1, cpus2, walls_pair=None):
    """The 1 -> 2 thread speedup from interleaved rounds: the ratio of the medians, and the
    median of the per-round ratios (each round's 1-thread run over its own 2-thread run, taken
    back to back); cpu_ratio is the 2-thread run's CPU seconds over the 1-thread run's (above 1:
    the same work cost more CPU, a sign of a contended machine, or of spinning threads).

    walls_pair, when given, holds the walls of two 1-thread runs started together in the same
    rounds: two_process_throughput, 2 x 1-thread wall / that wall, is what the machine gave two
    independent processes at the time, a ceiling the 2-thread speedup cannot be expected to pass
    (2.0 on two idle, equal cores)."""
    rounds = [a / b for a, b in zip(walls1, walls2) if b > 0]
    rec = {"name": name, "parameters": parameters,
           "speedup": round(statistics.median(walls1) / statistics.median(walls2), 3),
           "speedup_paired": round(statistics.median(rounds), 3) if rounds else None,
           "round_ratios": [round(r, 3) for r in rounds],
           "cpu_ratio": round(statistics.median(cpus2) / statistics.median(cpus1), 3)}
    if walls_pair:
        pair_rounds = [2 * a / b for a, b in zip(walls1, walls_pair) if b > 0]
        rec["two_process_throughput"] = round(2 * statistics.median(walls1) / statistics.median(walls_pair), 3)
        rec["two_process_round_ratios"] = [round(r, 3) for r in pair_rounds]
    rec["machine"] = machine_info()
    return rec


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
