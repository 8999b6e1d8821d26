"""Atomic output: files appear complete or not at all.

In: final paths. Out: temporary paths beside them to write to; on success every temporary file is
renamed over its final path (the previous good file survives until then), on any failure or
interruption every temporary file is removed.

Committing is two steps: first every file is flushed to disk (where a full disk shows), then all are
renamed into place. Should a rename fail halfway, the files already renamed are put back, so the
PDF and the PNG on disk always belong together.

Temporary names carry the writing process's id: ``.<target name>.<pid>.<random>.part`` (and
``.<target name>.<pid>.<random>.previous`` for the second name of a file being replaced). A process
killed outright (SIGKILL, the OOM killer, a power cut) cannot remove its own; :func:`remove_debris`
removes those of processes that no longer run, so the next render into the folder cleans up.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import sys
import tempfile
from pathlib import Path

from .errors import OutputError

# errors of writing that the user can act on (space, quota, size limit, permissions, read-only, I/O)
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


# .<target>.<pid>.<random>.part: the targets plakat writes (PDF, PNG, JPEG, proof PNG, scratch screen
# PDF), the writer's pid, mkstemp's or token_hex's random letters
_TEMPORARY_NAME = re.compile(
    r"\.(?P<target>.+\.(?:pdf|png|jpg))\.(?P<pid>[1-9][0-9]{0,9})\.[a-z0-9_]+\.(?:part|previous)"
)
# A recycled pid must not protect a dead render's files: a process that started after a file was
# last written did not write it. The margin absorbs /proc's whole-second boot time and small clock
# steps; a pid recycled sooner than this only delays the clean-up until that process ends.
PID_REUSE_MARGIN_S = 60.0


def temporary_prefix(target_name: str) -> str:
    """The start of every temporary name this process uses for ``target_name``."""
    return f".{target_name}.{os.getpid()}."


def temporary_owner(name: str) -> int | None:
    """The pid in a temporary file's name, None for a name that is not one of plakat's temporaries."""
    match = _TEMPORARY_NAME.fullmatch(name)
    return int(match["pid"]) if match else None


def _boot_time() -> float | None:
    try:
        with open("/proc/stat", encoding="ascii") as file:
            for line in file:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _process_state(pid: int, boot_time: float | None) -> tuple[str, float | None] | None:
    """From /proc/<pid>/stat (Linux): the state letter and the start time in seconds since the epoch
    (None when unknown); None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as file:
            fields = file.read().rsplit(")", 1)[1].split()  # the command name may hold spaces and ")"
    except (OSError, IndexError):
        return None
    try:
        ticks = int(fields[19])  # field 22, starttime: clock ticks after boot
        started = boot_time + ticks / os.sysconf("SC_CLK_TCK") if boot_time is not None else None
    except (IndexError, ValueError, OSError):
        started = None
    return fields[0], started


def _writer_may_run(pid: int, last_written: float, boot_time: float | None) -> bool:
    """False only when the process that wrote a file last modified at ``last_written`` surely ended."""
    if sys.platform == "win32":  # os.kill would end the process there; plakat runs on Linux and macOS
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it runs, as another user
    except (OSError, OverflowError):
        return True
    state = _process_state(pid, boot_time)
    if state is None:  # no /proc (macOS): a running process of that pid protects the file
        return True
    letter, started = state
    if letter in ("Z", "X"):  # ended, not yet reaped by its parent
        return False
    return started is None or started <= last_written + PID_REUSE_MARGIN_S


def remove_debris(folder: Path) -> list[Path]:
    """Remove the temporary files in ``folder`` that renders which no longer run left behind (see
    :func:`temporary_owner` and :data:`PID_REUSE_MARGIN_S`); return them. A running process's
    temporaries, a name that does not parse and anything but a regular file are left alone."""
    removed: list[Path] = []
    boot_time = _boot_time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        pid = temporary_owner(entry.name)
        if pid is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or _writer_may_run(pid, info.st_mtime, boot_time):
                continue
            os.unlink(entry.path)
        except OSError:
            continue  # gone already (another render cleaning up), or not ours to remove
        removed.append(Path(entry.path))
    return removed


def _set_aside(final: Path) -> Path | None:
    """A second name for the file now at ``final``, to put it back if committing fails halfway; None when
    there is no such file or the filesystem cannot link."""
    if not final.is_file():
        return None
    aside = final.with_name(f"{temporary_prefix(final.name)}{secrets.token_hex(4)}.previous")
    try:
        os.link(final, aside)
    except OSError:
        return None
    return aside


class AtomicOutputs:
    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path | None]] = []

    def temporary_for(self, final: Path, keep: bool = True) -> Path:
        """A fresh file beside ``final``; with ``keep=False`` it is scratch space, never committed."""
        folder = final.parent
        if final.is_dir():
            raise OutputError(f"{final} is a folder: remove it or choose another --out")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=temporary_prefix(final.name), suffix=".part", dir=folder)
        except OSError as error:
            raise OutputError(f"cannot write into {folder}: {error.strerror or error}; choose another --out") from None
        os.close(handle)
        temporary = Path(name)
        self._pending.append((temporary, final if keep else None))
        return temporary

    def commit(self) -> None:
        kept = [(temporary, final) for temporary, final in self._pending if final is not None]
        for temporary, final in kept:
            try:
                with open(temporary, "rb+") as file:
                    os.fsync(file.fileno())
                os.chmod(temporary, 0o644)
            except OSError as error:
                raise OutputError(
                    f"cannot write {final}: {error.strerror or error}; the previous files are unchanged"
                ) from None
        renamed: list[tuple[Path, Path | None, bool]] = []  # final, its previous file set aside, existed
        try:
            for temporary, final in kept:
                existed, aside = final.exists(), _set_aside(final)
                try:
                    os.replace(temporary, final)
                except OSError as error:
                    if aside is not None:
                        aside.unlink(missing_ok=True)
                    raise OutputError(
                        f"cannot write {final}: {error.strerror or error}; the previous files are unchanged"
                    ) from None
                except BaseException:
                    if aside is not None:
                        aside.unlink(missing_ok=True)
                    raise
                renamed.append((final, aside, existed))
        except BaseException:
            # put back what was already renamed, so the files on disk still belong together
            for final, aside, existed in reversed(renamed):
                try:
                    if aside is not None:
                        os.replace(aside, final)
                    elif not existed:
                        final.unlink(missing_ok=True)
                except OSError:
                    pass
            raise
        finally:
            for _final, aside, _existed in renamed:
                if aside is not None:
                    aside.unlink(missing_ok=True)
        for temporary, destination in self._pending:
            if destination is None:  # scratch space
                temporary.unlink(missing_ok=True)
        self._pending.clear()

    def discard(self) -> None:
        for temporary, _final in self._pending:
            temporary.unlink(missing_ok=True)
        self._pending.clear()

    def __enter__(self) -> AtomicOutputs:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        # also on KeyboardInterrupt and SystemExit: nothing half-written may stay behind
        folders = sorted({str(final.parent) for _temporary, final in self._pending if final is not None})
        self.discard()
        if isinstance(error, OSError) and error.errno in _WRITE_ERRORS:
            # a full disk or a read-only folder while drawing: a user's problem, not plakat's
            where = " and ".join(folders) or "the output folder"
            raise OutputError(
                f"cannot write into {where}: {error.strerror}; nothing was written, the previous files are unchanged"
            ) from None
