"""Atomic output: files appear complete or not at all.

In: final paths. Out: temporary paths beside them to write to; on success every temporary file is
renamed over its final path (the previous good file survives until then), on any failure or
interruption every temporary file is removed.

Committing is two steps: first every file is flushed to disk (where a full disk shows), then all are
renamed into place. Should a rename fail halfway, the files already renamed are put back, so the
PDF and the PNG on disk always belong together.
"""

from __future__ import annotations

import errno
import os
import secrets
import tempfile
from pathlib import Path

from .errors import OutputError

# errors of writing that the user can act on (space, quota, size limit, permissions, read-only, I/O)
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


def _set_aside(final: Path) -> Path | None:
    """A second name for the file now at ``final``, to put it back if committing fails halfway; None when
    there is no such file or the filesystem cannot link."""
    if not final.is_file():
        return None
    aside = final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.previous")
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
            handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=folder)
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
