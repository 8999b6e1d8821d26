"""One render at a time per output name.

In: an output folder and a layout's stem. Out: a context (:func:`output_lock`) inside which no other
plakat process writes or commits ``<stem>.*`` in that folder; or :class:`OutputBusy` when asked not
to wait. Two renders of layouts with the same name into one folder therefore never interleave: the
PDF and the PNG on disk always come from the same render.

The lock is ``fcntl.flock`` on ``.<stem>.lock`` in the output folder, holding the holder's pid (for
the messages). The kernel releases it when the holder ends, however it ends. The file is removed
when the lock is released, so the folder holds only the outputs: removing is safe because the holder
unlinks it while still holding the lock, and whoever then obtains a lock checks that it locked the
file the name still points to, else starts again on the new file.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError, PlakatError


class OutputBusy(PlakatError):
    """Another render is writing the same output name, and the caller asked not to wait."""


def lock_path(out_dir: Path, stem: str) -> Path:
    return out_dir / f".{stem}.lock"


def _holder(path: Path) -> int | None:
    """The pid written into the lock file by its holder, None when it cannot be read (yet)."""
    try:
        text = path.read_text(encoding="ascii").strip()
        return int(text) if text.isdigit() else None
    except (OSError, ValueError):
        return None


def _pid_note(pid: int | None) -> str:
    return f" (pid {pid})" if pid is not None else ""


if sys.platform == "win32":
    # fcntl is POSIX-only and plakat runs on Linux and macOS; elsewhere renders are not serialised.
    @contextmanager
    def output_lock(
        out_dir: Path, stem: str, *, wait: bool = True, waiting: Callable[[str], None] | None = None
    ) -> Iterator[None]:
        yield

else:
    import fcntl

    def _open(path: Path) -> int:
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except PermissionError:  # another user's lock file: locking needs no write access
            return os.open(path, os.O_RDONLY | os.O_CLOEXEC)

    def _still_named(fd: int, path: Path) -> bool:
        try:
            named, held = os.stat(path), os.fstat(fd)
        except FileNotFoundError:
            return False
        return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)

    @contextmanager
    def output_lock(
        out_dir: Path, stem: str, *, wait: bool = True, waiting: Callable[[str], None] | None = None
    ) -> Iterator[None]:
        """Hold the lock of ``out_dir/<stem>.*`` for the body. When another render holds it: with
        ``wait``, call ``waiting`` (with a line saying so) once and block until it is free; without,
        raise :class:`OutputBusy` naming the other render's pid. Ctrl-C interrupts the waiting."""
        path = lock_path(out_dir, stem)
        told = False
        while True:
            try:
                out_dir.mkdir(parents=True, exist_ok=True)
                fd = _open(path)
            except OSError as error:
                raise OutputError(
                    f"cannot write into {out_dir}: {error.strerror or error}; choose another --out"
                ) from None
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    other = _pid_note(_holder(path))
                    if not wait:
                        raise OutputBusy(
                            f"another render{other} is writing {out_dir / stem}.*; "
                            "wait for it to finish, or render without --no-wait"
                        ) from None
                    if not told and waiting is not None:
                        waiting(f"waiting for another render of {out_dir / stem}.*{other}")
                    told = True
                    fcntl.flock(fd, fcntl.LOCK_EX)
                if _still_named(fd, path):
                    break
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # the holder before removed this file: lock the one the name stands for now
        try:
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            except OSError:
                pass  # read-only lock file: the others' messages go without a pid
            yield
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)  # while still holding it: see the module's docstring
            os.close(fd)  # releases the lock
