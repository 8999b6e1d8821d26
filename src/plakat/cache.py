"""The conversion cache: converted portraits and fonts kept between renders, bounded and checked.

In: a cache folder (:func:`cache_dir`), a size limit (:func:`cache_limit`, ``PLAKAT_CACHE_MAX``) and
entries to store or look up by key. Out: verified files in a folder private to the caller, and
the cache's contents for ``plakat cache info`` and ``plakat cache clear``.

An entry is one file named ``<key><label>.<checksum><suffix>``: the key says what went in (a hash
of the source and the recipe), the label carries a small result of the conversion (a portrait's
highest total ink), the checksum is the BLAKE2b of the content. Entries are written to a temporary
``.part`` file in the same folder and renamed into place, so a reader sees a whole file or none.

A reader hard-links the entry into its own private folder (or copies it there when the link is
impossible), reads the private file and compares its checksum: a damaged entry is removed and
the caller converts again. The private file stays readable whatever another process does to the
cache meanwhile, so several renders may share one cache, each evicting. A hit sets the entry's
modification time to now (access times are not kept on most mounts), and after every write the
least recently used entries are removed until the cache fits its limit again; the entry just
written always stays.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import PlakatError

# The nine portraits of the shipped campaign take 14.8 MB converted at the default JPEG quality
# (all shipped layouts print them at full resolution; their fonts need no conversion): 2 GB holds
# about 130 campaigns of that kind and is a small share of any disk.
DEFAULT_LIMIT = 2 * 1000**3
FONTS_FOLDER = "fonts"
_CHECK_HEX = 16  # an 8-byte BLAKE2b: damage is found, not forgery
# a .part file untouched this long belongs to no live writer
STALE_PART_SECONDS = 3600
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3}
_UNITS |= {"kib": 1024, "mib": 1024**2, "gib": 1024**3, "t": 1000**4, "tb": 1000**4, "tib": 1024**4}

# Entries by kind: the folder below the cache folder and the pattern of the name. Entries from
# before checksums ("old ...") are never read any more, only counted, evicted and cleared.
_KINDS: dict[str, tuple[str, re.Pattern[str]]] = {
    "images": ("", re.compile(r"[0-9a-f]{40}_[0-9]+\.[0-9a-f]{16}\.jpg")),
    "fonts": (FONTS_FOLDER, re.compile(r"[0-9a-f]{64}\.[0-9a-f]{16}\.ttf")),
    "old images": ("", re.compile(r"[0-9a-f]{40}_[0-9]+\.jpg")),
    "old fonts": (FONTS_FOLDER, re.compile(r"[0-9a-f]{64}\.ttf")),
}


class CacheSettingError(PlakatError):
    """PLAKAT_CACHE_MAX that is not a size."""


def cache_dir() -> Path | None:
    """Where converted images and fonts are kept between renders: PLAKAT_CACHE_DIR, else the
    user's cache folder; None when PLAKAT_CACHE_DIR is "off"."""
    chosen = os.environ.get("PLAKAT_CACHE_DIR", "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base) / "plakat"


def parse_size(text: str) -> int:
    """Bytes in ``text``: a number with an optional unit, "500MB", "2GB", "1.5 GiB", "123456"."""
    found = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([a-zA-Z]*)\s*", text)
    unit = found.group(2).lower() if found else ""
    if found is None or unit not in _UNITS:
        raise ValueError(f"{text!r} is not a size")
    return int(float(found.group(1)) * _UNITS[unit])


def cache_limit() -> int:
    """The cache's size limit in bytes: PLAKAT_CACHE_MAX, else :data:`DEFAULT_LIMIT`."""
    chosen = os.environ.get("PLAKAT_CACHE_MAX", "").strip()
    if not chosen:
        return DEFAULT_LIMIT
    try:
        return parse_size(chosen)
    except ValueError:
        raise CacheSettingError(
            f"PLAKAT_CACHE_MAX={chosen!r} is not a size: give bytes or a number with a unit, e.g. 500MB or 2GB"
        ) from None


def checksum(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=_CHECK_HEX // 2).hexdigest()


def fetch(folder: Path, key: str, suffix: str, private: Path) -> tuple[Path, str] | None:
    """The entry stored under ``key``, verified, as a file in ``private`` and its label; None when
    there is none or it was damaged (then it is removed)."""
    pattern = re.compile(re.escape(key) + rf"(.*)\.([0-9a-f]{{{_CHECK_HEX}}})" + re.escape(suffix))
    try:
        candidates = sorted(folder.glob(f"{key}*{suffix}"))
    except OSError:
        return None
    for entry in candidates:
        found = pattern.fullmatch(entry.name)
        if found is None:
            continue
        label, expected = found.groups()
        mine = private / entry.name
        if mine.is_file():  # taken earlier by this caller, checked then
            return mine, label
        data = _pinned(entry, mine)
        if data is None:
            continue  # evicted meanwhile
        if checksum(data) != expected:
            mine.unlink(missing_ok=True)
            entry.unlink(missing_ok=True)
            continue
        with contextlib.suppress(OSError):  # gone meanwhile, or a read-only cache: recency only
            os.utime(entry)  # used now: evicted last
        return mine, label
    return None


def store(folder: Path | None, key: str, label: str, data: bytes, suffix: str, private: Path) -> Path:
    """Write ``data`` into the cache under ``key`` and ``label``, evict what no longer fits, and
    return a copy in ``private`` (only there when the cache is off or cannot be written)."""
    name = f"{key}{label}.{checksum(data)}{suffix}"
    mine = private / name
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            entry = folder / name
            _write(entry, data)
        except OSError:
            pass  # a read-only or full cache only costs speed
        else:
            try:
                os.link(entry, mine)
            except FileExistsError:
                pass
            except OSError:
                _write(mine, data)  # another file system, or evicted already by another render
            evict(_root(folder), cache_limit(), keep=entry)
            return mine
    _write(mine, data)
    return mine


def _root(folder: Path) -> Path:
    return folder.parent if folder.name == FONTS_FOLDER else folder


def _write(target: Path, data: bytes) -> None:
    """``data`` into ``target`` through a temporary file in the same folder: never half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:16]}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _pinned(entry: Path, mine: Path) -> bytes | None:
    """``entry`` linked (or copied) to ``mine``, its bytes as read from there; None when it is gone."""
    mine.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(entry, mine)
    except FileExistsError:
        pass
    except OSError:
        try:
            data = entry.read_bytes()  # another file system: a copy
        except OSError:
            return None
        _write(mine, data)
        return data
    try:
        return mine.read_bytes()
    except OSError:
        return None


@dataclass(frozen=True)
class Entry:
    path: Path
    kind: str
    size: int
    used: float  # seconds since the epoch: written or last read


def entries(folder: Path) -> list[Entry]:
    """plakat's entries in the cache ``folder``, nothing else that may be there."""
    found = []
    for kind, (below, pattern) in _KINDS.items():
        try:
            names = os.listdir(folder / below)
        except OSError:
            continue
        for name in names:
            if pattern.fullmatch(name):
                path = folder / below / name
                try:
                    stat = path.stat()
                except OSError:
                    continue  # removed meanwhile
                found.append(Entry(path, kind, stat.st_size, stat.st_mtime))
    return found


def evict(folder: Path, limit: int, keep: Path | None = None) -> list[Path]:
    """Remove the least recently used entries until the cache ``folder`` holds at most ``limit``
    bytes, never ``keep``; the removed paths. Another process may do the same at the same time:
    an entry removed twice is removed once, and a reader holds its own link."""
    present = entries(folder)
    total = sum(entry.size for entry in present)
    removed = []
    for entry in sorted(present, key=lambda entry: (entry.used, entry.path.name)):
        if total <= limit:
            break
        if entry.path == keep:
            continue
        try:
            entry.path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            continue
        total -= entry.size
        removed.append(entry.path)
    return removed


def clear(folder: Path) -> tuple[int, int]:
    """Remove plakat's entries from the cache ``folder`` and temporary files no live writer owns
    (any older than :data:`STALE_PART_SECONDS`); the number of files and bytes removed."""
    count = size = 0
    stale = time.time() - STALE_PART_SECONDS
    leftovers = []
    for below in ("", FONTS_FOLDER):
        try:
            leftovers += [folder / below / name for name in os.listdir(folder / below) if name.endswith(".part")]
        except OSError:
            continue
    for path, bytes_ in [(entry.path, entry.size) for entry in entries(folder)] + [(p, None) for p in leftovers]:
        try:
            stat = path.stat()
            if bytes_ is None and stat.st_mtime > stale:
                continue  # being written right now
            path.unlink()
        except OSError:
            continue
        count += 1
        size += stat.st_size
    return count, size


def summary(folder: Path) -> dict:
    """What ``plakat cache info`` shows: the folder, entries and bytes by kind, the total, the
    limit and when the least and the most recently used entries were used (UTC, ISO 8601)."""
    present = entries(folder)
    kinds: dict[str, dict[str, int]] = {}
    for entry in present:
        counted = kinds.setdefault(entry.kind, {"entries": 0, "bytes": 0})
        counted["entries"] += 1
        counted["bytes"] += entry.size
    used = sorted(entry.used for entry in present)
    return {
        "folder": str(folder),
        "kinds": dict(sorted(kinds.items())),
        "entries": len(present),
        "bytes": sum(entry.size for entry in present),
        "limit": cache_limit(),
        "oldest_use": _stamp(used[0]) if used else None,
        "newest_use": _stamp(used[-1]) if used else None,
    }


def _stamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
