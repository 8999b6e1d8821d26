"""Benchmark of `plakat render FOLDER -j N`: many layouts in one process against N processes.

Run from the repository root:

    python bench/batch_bench.py                         # the layouts in layouts/, -j 1 and -j 2, 3 rounds
    python bench/batch_bench.py --copies 6              # 6 layouts: copies of the shipped ones
    python bench/batch_bench.py FOLDER --jobs 1 2 4 --rounds 5

Every measurement is the command line in a fresh subprocess (`python -m plakat render FOLDER -j N`,
the layouts' own PNG resolution), timed from start to exit; its CPU time (user and system, the
command and its workers) divided by that time says how many cores it kept busy. Its memory is measured twice:
the largest single process of the tree (the kernel's ru_maxrss as os.wait4 reports it for the
command and the workers it waited for) and the peak of the whole tree's proportional set size
(PSS, shared pages split between the processes that share them), the sum over the command and its
workers read from /proc/<pid>/smaps_rollup every 100 ms (Linux; left out elsewhere).

The layouts are those `plakat.batch.layout_files([FOLDER])` selects. With --copies N the folder is
made next to the repository's own folders (so the layouts' ../assets and ../portraits paths still
hold) and filled with N copies of the shipped layouts in turn (stadtbibliothek-1,
clp-hauptbahnhof-1, stadtbibliothek-2, ...); it is removed at the end. One untimed render first
fills a conversion cache of the benchmark's own (PLAKAT_CACHE_DIR), which the timed ones share:
the numbers are for a warm cache. Medians of --rounds rounds are printed as a markdown table, with
each time as a multiple of the -j 1 time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from machine import describe as machine  # bench/machine.py, beside this script
from machine import spread as describe

ROOT = Path(__file__).resolve().parent.parent


def tree(root: int) -> list[int]:
    """``root`` and every process below it (each thread's children file, so nothing else is read)."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """The highest sum of PSS over a process tree, sampled until stopped."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self.available = Path(f"/proc/{os.getpid()}/smaps_rollup").exists()
        self.finished = threading.Event()

    def run(self) -> None:
        while self.available and not self.finished.is_set():
            self.peak_kib = max(self.peak_kib, sum(pss_kib(pid) for pid in tree(self.pid)))
            self.finished.wait(self.interval)


def render(folder: Path, out: Path, jobs: int, env: dict) -> dict:
    """One `plakat render FOLDER -j jobs` in a fresh process: wall time, exit code and memory."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "plakat", "render", str(folder), "--out", str(out), "-j", str(jobs)]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=ROOT, env=env)
        sampler = TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        sampler.finished.set()
        sampler.join()
        stderr.seek(0)
        errors = stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"plakat render -j {jobs} failed with exit {code}: {errors.strip()[-500:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "largest": usage.ru_maxrss / 1024,
        "tree": sampler.peak_kib / 1024 if sampler.available else None,
    }


def copies(count: int) -> Path:
    """A folder beside layouts/ with ``count`` copies of the shipped layouts, taken in turn."""
    from plakat.batch import layout_files

    shipped = layout_files([ROOT / "layouts"])
    folder = Path(tempfile.mkdtemp(prefix=".batch-bench-", dir=ROOT))
    # the layouts extend the campaign's shared files by a path relative to themselves
    for shared in (ROOT / "layouts").iterdir():
        if shared.is_dir():
            shutil.copytree(shared, folder / shared.name)
    for number in range(count):
        source = shipped[number % len(shipped)]
        shutil.copyfile(source, folder / f"{source.stem}-{number // len(shipped) + 1}.yaml")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", default=ROOT / "layouts", help="default: layouts/")
    parser.add_argument("--copies", type=int, default=0, help="render N copies of the shipped layouts instead")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="the -j values (default: 1 2)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (median reported)")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from plakat.batch import layout_files

    folder = copies(options.copies) if options.copies else options.folder.resolve()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    results: dict[int, list[dict]] = {jobs: [] for jobs in options.jobs}
    load_before = os.getloadavg()[0]
    try:
        layouts = layout_files([folder])
        with tempfile.TemporaryDirectory(prefix="plakat-batch-bench-") as scratch:
            env["PLAKAT_CACHE_DIR"] = str(Path(scratch) / "cache")
            out = Path(scratch) / "out"
            print(f"warm-up: {len(layouts)} layouts, -j {max(options.jobs)}", file=sys.stderr)
            render(folder, out, max(options.jobs), env)
            for round_number in range(options.rounds):
                # alternate which -j goes first, so neither always meets a warmer machine
                order = options.jobs if round_number % 2 == 0 else list(reversed(options.jobs))
                for jobs in order:
                    print(f"round {round_number + 1} of {options.rounds}, -j {jobs}", file=sys.stderr)
                    results[jobs].append(render(folder, out, jobs, env))
    finally:
        if options.copies:
            shutil.rmtree(folder, ignore_errors=True)
    print(report(results, layouts, options.rounds, (load_before, os.getloadavg()[0])))


def report(results: dict[int, list[dict]], layouts: list[Path], rounds: int, load: tuple[float, float]) -> str:
    names = ", ".join(layout.name for layout in layouts)
    lines = [
        f"Machine: {machine()}; {len(layouts)} layouts ({names}); medians of {rounds} rounds (min-max), "
        "each a fresh `plakat render FOLDER -j N`, warm conversion cache; "
        f"load average {load[0]:.1f} before, {load[1]:.1f} after (other work on the machine competes).",
        "",
        "| -j | time s | per layout s | CPU s (cores busy) | peak PSS of the tree MiB | largest process MiB "
        "| time / -j 1 |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    base = statistics.median(r["wall"] for r in results[min(results)]) if results else None
    for jobs, runs in sorted(results.items()):
        median, low, high = describe([r["wall"] for r in runs])
        trees = [r["tree"] for r in runs if r["tree"] is not None]
        tree_peak = f"{statistics.median(trees):.0f}" if trees else "n/a"
        largest = statistics.median(r["largest"] for r in runs)
        ratio = f"{median / base:.2f}" if base else ""
        cpu = statistics.median(r["cpu"] for r in runs)
        lines.append(
            f"| {jobs} | {median:.2f} ({low:.2f}-{high:.2f}) | {median / len(layouts):.2f} | "
            f"{cpu:.1f} ({cpu / median:.2f}) | {tree_peak} | {largest:.0f} | {ratio} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
