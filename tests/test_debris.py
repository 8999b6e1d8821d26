"""Renders killed outright leave no debris behind for long, and two renders of the same name into
one folder never mix: real processes, SIGKILL, and the output lock held from here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pikepdf
import pytest
from conftest import dump_layout
from PIL import Image

from plakat.locks import output_lock
from plakat.output import PID_REUSE_MARGIN_S, remove_debris, temporary_owner
from plakat.pipeline import render

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="plakat's output lock needs fcntl (Linux, macOS)")

SRC = Path(__file__).resolve().parent.parent / "src"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


def _plakat(*args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "plakat", *map(str, args)],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _parts(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.part"))


def _dead_pid() -> int:
    """The pid of a process that has ended and been reaped."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.fixture
def poster(one_portrait_data, write_layout) -> Path:
    one_portrait_data["output"] = {"png_dpi": 10}
    return write_layout(one_portrait_data, "poster.yaml")


def test_temporary_names_carry_the_pid_and_only_plakat_names_parse():
    assert temporary_owner(".poster.pdf.4242.k3j_9xab.part") == 4242
    assert temporary_owner(".poster_1-10.pdf.7.0a1b2c3d.previous") == 7
    assert temporary_owner(".poster.screen.pdf.99.abcdefgh.part") == 99
    for name in (".poster.pdf.abcdefgh.part", "poster.pdf.12.abcdefgh.part", ".notes.txt.12.abcdefgh.part",
                 ".poster.pdf.0.abcdefgh.part", ".poster.pdf.12.abcdefgh.part~", ".poster.lock"):
        assert temporary_owner(name) is None, name


def test_killed_render_leaves_parts_that_the_next_render_removes(poster, tmp_path):
    out = tmp_path / "out"
    # a 40 dpi PNG takes long enough to be caught in the middle
    process = _plakat("render", poster, "--out", out, "--png-dpi", "40")
    deadline = time.monotonic() + 60
    while not _parts(out):
        assert process.poll() is None, f"ended before writing: {process.communicate()}"
        assert time.monotonic() < deadline, "no temporary file appeared"
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    left = _parts(out)
    assert left and {temporary_owner(p.name) for p in left} == {process.pid}
    assert not (out / "poster.png").exists()  # stopped before its commit, which moves the PNG last

    result = render(poster, out)
    assert _parts(out) == []
    assert sorted(p.name for p in out.iterdir()) == ["poster.pdf", "poster.png"]  # the lock file is gone too
    with pikepdf.open(out / "poster.pdf") as pdf:
        assert len(pdf.pages) == 1
    with Image.open(out / "poster.png") as png:
        png.load()
        assert png.size == next(f.pixels for f in result.files if f.kind == "png")


def test_only_the_parts_of_ended_processes_are_removed(tmp_path):
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        dead = _dead_pid()
        names = {
            "live": f".poster.pdf.{sleeper.pid}.abcdefgh.part",
            "mine": f".poster.png.{os.getpid()}.abcdefgh.part",
            "dead": f".poster.pdf.{dead}.abcdefgh.part",
            "dead-previous": f".poster.png.{dead}.0123abcd.previous",
            # this process runs, but started long after the file was last written: a recycled pid
            "recycled": f".other.jpg.{os.getpid()}.zzzzzzzz.part",
            "unparsed": ".poster.pdf.abcdefgh.part",
            "foreign": f".notes.txt.{dead}.abcdefgh.part",
        }
        for name in names.values():
            (tmp_path / name).write_bytes(b"half a file")
        long_ago = time.time() - 24 * 3600 - PID_REUSE_MARGIN_S
        os.utime(tmp_path / names["recycled"], (long_ago, long_ago))
        on_linux = Path(f"/proc/{os.getpid()}/stat").exists()

        removed = {p.name for p in remove_debris(tmp_path)}

        expected = {names["dead"], names["dead-previous"]} | ({names["recycled"]} if on_linux else set())
        assert removed == expected
        assert {p.name for p in tmp_path.iterdir()} == set(names.values()) - expected
    finally:
        sleeper.kill()
        sleeper.wait()


def test_no_wait_exits_2_at_once_naming_the_render_that_holds_the_lock(poster, tmp_path):
    out = tmp_path / "out"
    with output_lock(out, "poster"):
        started = time.monotonic()
        process = _plakat("render", poster, "--out", out, "--no-wait")
        stdout, stderr = process.communicate(timeout=60)
        seconds = time.monotonic() - started
    assert process.returncode == 2, stderr
    assert stderr.strip() == (
        f"error: another render (pid {os.getpid()}) is writing {out / 'poster'}.*; "
        "wait for it to finish, or render without --no-wait"
    )
    assert seconds < 20  # not waiting for the lock (which is held for as long as the process runs)
    assert sorted(p.name for p in out.iterdir()) == []  # nothing written, the lock file removed


def test_a_second_render_says_it_waits_and_writes_when_the_lock_is_free(poster, tmp_path):
    out = tmp_path / "out"
    with output_lock(out, "poster"):
        process = _plakat("render", poster, "--out", out)
        line = process.stderr.readline()  # blocks until the render reaches the lock
        assert line.strip() == f"waiting for another render of {out / 'poster'}.* (pid {os.getpid()})"
        time.sleep(0.2)
        assert process.poll() is None and not (out / "poster.pdf").exists()
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == ["poster.pdf", "poster.png"]


# Two processes render layouts of the same name into one folder. The first is held up between
# moving its PDF and its PNG into place (the widest gap two renders could mix in) until the second
# has either finished or is waiting for the lock; the roles swap every round. Without the lock the
# second would finish inside that gap, leaving its PDF beside the first one's PNG.
_DRIVER = textwrap.dedent(
    """
    import os, shutil, sys, time
    from pathlib import Path
    import plakat.output
    from plakat.pipeline import render

    layout, out, sync = (Path(arg) for arg in sys.argv[1:4])
    me, rounds = int(sys.argv[4]), int(sys.argv[5])

    def wait_for(*names):
        deadline = time.monotonic() + 60
        while not any((sync / name).exists() for name in names):
            if time.monotonic() > deadline:
                sys.exit(f"driver {me}: none of {names} appeared")
            time.sleep(0.002)

    real_replace = os.replace
    for round in range(rounds):
        first = round % 2 == me
        def replace(source, target, round=round):
            real_replace(source, target)
            if str(source).endswith(".part") and str(target).endswith(".pdf"):
                (sync / f"{round}-first-moved-pdf").touch()
                wait_for(f"{round}-second-done", f"{round}-second-waiting")
        if first:
            plakat.output.os.replace = replace
            render(layout, out)
            plakat.output.os.replace = real_replace
            (sync / f"{round}-first-done").touch()
        else:
            wait_for(f"{round}-first-moved-pdf")
            render(layout, out, waiting=lambda line, round=round: (sync / f"{round}-second-waiting").touch())
            (sync / f"{round}-second-done").touch()
            wait_for(f"{round}-first-done")
            kept = sync / f"{round}-outputs"
            kept.mkdir()
            for name in ("poster.pdf", "poster.png"):
                shutil.copy(out / name, kept / name)
            (sync / f"{round}-kept").touch()
        wait_for(f"{round}-kept")
    """
)


def test_two_renders_of_the_same_name_never_mix(one_portrait_data, tmp_path):
    one_portrait_data["output"] = {"png_dpi": 10}
    layouts, references = [], []
    for index, headline in enumerate(["Erste\nFassung", "Zweite\nFassung"]):
        one_portrait_data["headline"]["text"] = headline
        folder = tmp_path / f"layouts-{index}"
        folder.mkdir()
        layouts.append(dump_layout(one_portrait_data, folder / "poster.yaml"))
        reference = tmp_path / f"reference-{index}"
        render(layouts[-1], reference)
        references.append({name: (reference / name).read_bytes() for name in ("poster.pdf", "poster.png")})
    assert references[0]["poster.pdf"] != references[1]["poster.pdf"]
    assert references[0]["poster.png"] != references[1]["poster.png"]

    out, sync, rounds = tmp_path / "out", tmp_path / "sync", 1
    sync.mkdir()
    drivers = [
        subprocess.Popen(
            [sys.executable, "-c", _DRIVER, str(layout), str(out), str(sync), str(me), str(rounds)],
            env=_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for me, layout in enumerate(layouts)
    ]
    for driver in drivers:
        _, stderr = driver.communicate(timeout=120)
        assert driver.returncode == 0, stderr
    for round in range(rounds):
        kept = sync / f"{round}-outputs"
        files = {name: (kept / name).read_bytes() for name in ("poster.pdf", "poster.png")}
        second = 1 - round % 2  # the render that took the lock last
        assert files == references[second], f"round {round}: the PDF and the PNG come from different renders"
        assert (sync / f"{round}-second-waiting").exists(), f"round {round}: the second render did not wait"
    assert _parts(out) == [] and not (out / ".poster.lock").exists()
