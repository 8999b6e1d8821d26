"""What a benchmark ran on, for the line above its table.

In: nothing (reads /proc on Linux), or repeated measurements. Out: ``describe()``, e.g. "2 cores (AMD EPYC), 24 GiB RAM,
Linux x86_64, Python 3.11.7"; a figure that cannot be read is "?". ``own_peak_mib()``: the calling
process's own peak resident memory (VmHWM), which a child reports because the ru_maxrss a parent
gets from os.wait4 includes the parent's memory at the fork.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _proc_field(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def describe() -> str:
    model = _proc_field("/proc/cpuinfo", "model name") or "?"
    total = _proc_field("/proc/meminfo", "MemTotal")
    memory = f"{int(total.split()[0]) / 2**20:.0f} GiB" if total else "?"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores ({model}), {memory} RAM, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def spread(values: list[float]) -> tuple[float, float, float]:
    """Median, smallest and largest of a benchmark's repeated measurements."""
    return statistics.median(values), min(values), max(values)


def own_peak_mib() -> float | None:
    """This process's peak resident memory since it started (VmHWM), in MiB; None off Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def run_measured(script: str, mode: str, args: dict, env: dict | None = None, cwd: Path | None = None) -> dict:
    """Run ``script --child MODE ARGS`` in a fresh process and reap it here, so that its own rusage
    is known: the JSON result it prints last, with "wall" (its time from start to exit, s) and
    "peak" (MiB: its own high-water mark when it reports one as "hwm", else the kernel's
    ru_maxrss, which adds this process's memory at the fork); or {"error": its last line}."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, script, "--child", mode, json.dumps(args)],
                                   stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if code != 0:
        last = stderr.strip().splitlines()[-1:] or [f"exit {code}"]
        return {"error": last[0], "wall": wall, "peak": usage.ru_maxrss / 1024}
    result = json.loads(stdout.strip().splitlines()[-1])
    result.update(wall=wall, peak=result.pop("hwm", None) or usage.ru_maxrss / 1024, maxrss=usage.ru_maxrss / 1024)
    return result
