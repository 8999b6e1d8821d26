"""Atomic output: files appear complete or not at all.

In: final paths. Out: temporary paths beside them to write to; on success every temporary file is
renamed over its final path (the previous good file survives until then), on any failure or
interruption every temporary file is removed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import OutputError


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
            raise OutputError(f"cannot write into {folder}: {error.strerror}; choose another --out") from None
        os.close(handle)
        temporary = Path(name)
        self._pending.append((temporary, final if keep else None))
        return temporary

    def commit(self) -> None:
        for temporary, final in self._pending:
            if final is None:
                temporary.unlink(missing_ok=True)
                continue
            try:
                with open(temporary, "rb+") as file:
                    os.fsync(file.fileno())
                os.chmod(temporary, 0o644)
                os.replace(temporary, final)
            except OSError as error:
                raise OutputError(f"cannot write {final}: {error.strerror}") from None
        self._pending.clear()

    def discard(self) -> None:
        for temporary, _final in self._pending:
            temporary.unlink(missing_ok=True)
        self._pending.clear()

    def __enter__(self) -> AtomicOutputs:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        # also on KeyboardInterrupt and SystemExit: nothing half-written may stay behind
        self.discard()
