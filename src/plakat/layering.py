"""Layouts built on shared files: ``extends:``.

In: the path of a layout file. Out: its data with every file it extends merged underneath (plain
Python data, ready for validation) and a :class:`LayeredSource` that finds, for any key path, the
file, line and column where the value in force was written.

A layout may say ``extends: FILE`` or ``extends: [FILE, ...]``. Mappings merge deeply, anything
else (lists included) is replaced whole; later files win and the layout itself comes last. A file
may extend others in turn. File names inside each file (portraits, fonts, images, profiles)
resolve against that file's own folder: they are rewritten relative to the layout's folder while
merging, so the merged data reads as if the layout had said them itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LayoutInvalid, Loc, Problem
from .yamlsource import SourceMap, YamlProblem, load_yaml

MAX_LAYOUT_BYTES = 1_000_000  # a layout is a few kilobytes of text
MAX_EXTENDS_DEPTH = 8  # a layout, its campaign, the campaign's house style ... a handful at most
BUNDLED_PROFILE_NAMES = frozenset({"FOGRA39"})  # output.pdf.profile names that are not files


@dataclass
class LayeredSource:
    """Where each value of merged layout data was written: file, line and column."""

    files: list[tuple[Path, SourceMap]] = field(default_factory=list)
    owners: dict[Loc, int] = field(default_factory=dict)  # key path -> index into files

    def owner(self, loc: Loc) -> tuple[Path, SourceMap]:
        """The file (and its positions) the value at ``loc`` came from; the layout itself when no
        file claims it (a key missing everywhere is reported where the layout would write it)."""
        index = _owner(self.owners, tuple(loc))
        return self.files[len(self.files) - 1 if index is None else index]

    def locate(self, loc: Loc, key_position: bool = False) -> tuple[Path, int, int]:
        path, source = self.owner(loc)
        line, col = source.locate(loc, key_position)
        return path, line, col

    @property
    def paths(self) -> list[Path]:
        """Every file the layout is made of, the layout itself last."""
        return [path for path, _source in self.files]


def read_layout_file(path: Path) -> tuple[object, SourceMap]:
    """One YAML file's data and positions; LayoutInvalid naming the file for anything unreadable."""
    path = Path(path)
    if not path.exists():
        raise LayoutInvalid(path, [Problem((), "no such file: check the path")])
    if path.is_dir():
        raise LayoutInvalid(path, [Problem((), "is a folder: name a .yaml layout file")])
    if not path.is_file():
        raise LayoutInvalid(
            path, [Problem((), "is not a regular file (a pipe or a device?): name a .yaml layout file")]
        )
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_LAYOUT_BYTES + 1)
    except OSError as error:
        raise LayoutInvalid(path, [Problem((), f"cannot read: {error.strerror}")]) from None
    if len(raw) > MAX_LAYOUT_BYTES:
        raise LayoutInvalid(
            path,
            [
                Problem(
                    (),
                    f"is larger than {MAX_LAYOUT_BYTES // 1_000_000} MB: a layout is a "
                    "few kilobytes of text; is this the right file?",
                )
            ],
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LayoutInvalid(path, [Problem((), "the file is UTF-16: save it as UTF-8")], lambda *_: (1, 1))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise LayoutInvalid(
            path,
            [Problem((), f"byte 0x{raw[error.start]:02x} is not UTF-8: save the file as UTF-8")],
            lambda *_: (line, col),
        ) from None
    try:
        return load_yaml(text)
    except YamlProblem as error:
        line, col = error.line, error.col
        raise LayoutInvalid(path, [error.problem], lambda *_: (line, col)) from None


def read_layered(path: Path) -> tuple[dict, LayeredSource]:
    """The layout at ``path`` merged over every file it extends, and where each value came from."""
    path = Path(path)
    layered = LayeredSource()
    data, owners = _read(path, path.absolute().parent, layered, ())
    layered.owners = owners
    return data, layered


Owners = dict[Loc, int]


def _read(path: Path, layout_folder: Path, layered: LayeredSource, chain: tuple[Path, ...]) -> tuple[dict, Owners]:
    data, source = read_layout_file(path)
    if not isinstance(data, dict):
        raise LayoutInvalid(
            path,
            [Problem((), f"a layout is a mapping of keys (format, grid, people ...), not a {type(data).__name__}")],
            source.locate,
        )
    here = path.absolute().parent
    merged: dict = {}
    owners: Owners = {}
    for parent in _extended_files(path, data, source, chain):
        parent_data, parent_owners = _read(parent, layout_folder, layered, (*chain, path.absolute()))
        merged = _merge(merged, owners, parent_data, parent_owners, ())
    own = {key: value for key, value in data.items() if key != "extends"}
    if here != layout_folder:
        own = _rebased(own, here, layout_folder)
    layered.files.append((path, source))
    return _merge(merged, owners, own, {(): len(layered.files) - 1}, ()), owners


def _extended_files(path: Path, data: dict, source: SourceMap, chain: tuple[Path, ...]) -> list[Path]:
    if "extends" not in data:
        return []
    value = data["extends"]
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise LayoutInvalid(
            path,
            [Problem(("extends",), "expected a file name, or a list of them (e.g. extends: campaign/duisburg.yaml)")],
            source.locate,
        )
    problems: list[Problem] = []
    found: list[Path] = []
    me = path.absolute()
    for index, name in enumerate(names):
        loc: Loc = ("extends",) if isinstance(value, str) else ("extends", index)
        parent = Path(name).expanduser()
        if not parent.is_absolute():
            parent = path.absolute().parent / parent
        parent = Path(os.path.normpath(parent))
        if parent == me or parent in chain:
            cycle = " -> ".join(p.name for p in (*chain, me, parent))
            problems.append(Problem(loc, f"extends itself ({cycle}): remove one of the extends"))
        elif not parent.is_file():
            problems.append(Problem(loc, f"no such file: {name} (read from the folder of this file): check the name"))
        elif len(chain) + 1 >= MAX_EXTENDS_DEPTH:
            problems.append(Problem(loc, f"files extend each other more than {MAX_EXTENDS_DEPTH} deep: flatten them"))
        else:
            found.append(parent)
    if problems:
        raise LayoutInvalid(path, problems, source.locate)
    return found


def _merge(base, owners: Owners, over, over_owners: Owners, loc: Loc):
    """``over`` merged onto ``base``. ``owners`` (updated in place) says which file each value of
    ``base`` came from, ``over_owners`` the same for ``over``."""
    if isinstance(base, dict) and isinstance(over, dict):
        result = dict(base)
        for key, value in over.items():
            child = (*loc, key)
            if key in base:
                result[key] = _merge(base[key], owners, value, over_owners, child)
            else:
                result[key] = value
                _take(owners, over_owners, child)
        return result
    _take(owners, over_owners, loc)
    return over


def _owner(owners: Owners, loc: Loc) -> int | None:
    while loc not in owners and loc:
        loc = loc[:-1]
    return owners.get(loc)


def _take(owners: Owners, over_owners: Owners, loc: Loc) -> None:
    """The value at ``loc`` and everything below it now come from where ``over_owners`` says."""
    depth = len(loc)
    for key in [key for key in owners if len(key) > depth and key[:depth] == loc]:
        del owners[key]
    owner = _owner(over_owners, loc)
    if owner is not None:
        owners[loc] = owner
    owners.update({key: index for key, index in over_owners.items() if len(key) > depth and key[:depth] == loc})


def _rebased(data: dict, here: Path, layout_folder: Path) -> dict:
    """``data`` with its file names, written relative to ``here``, rewritten relative to the layout."""

    def move(name):
        if not isinstance(name, str) or not name.strip():
            return name
        path = Path(name).expanduser()
        if path.is_absolute():
            return name
        return os.path.relpath(os.path.normpath(here / path), layout_folder)

    def moved_in_items(items, key: str):
        if not isinstance(items, list):
            return items
        return [{**item, key: move(item[key])} if isinstance(item, dict) and key in item else item for item in items]

    data = dict(data)
    for key, path_key in (("people", "portrait"), ("elements", "image")):
        if key in data:
            data[key] = moved_in_items(data[key], path_key)
    if isinstance(data.get("fonts"), dict):
        fonts = {}
        for key, entry in data["fonts"].items():
            if isinstance(entry, str):
                entry = move(entry)
            elif isinstance(entry, dict) and "file" in entry:
                entry = {**entry, "file": move(entry["file"])}
            fonts[key] = entry
        data["fonts"] = fonts
    output = data.get("output")
    pdf = output.get("pdf") if isinstance(output, dict) else None
    profile = pdf.get("profile") if isinstance(pdf, dict) else None
    if isinstance(profile, str) and profile.strip().upper() not in BUNDLED_PROFILE_NAMES:
        assert isinstance(output, dict) and isinstance(pdf, dict)  # profile was found inside them
        data["output"] = {**output, "pdf": {**pdf, "profile": move(profile)}}
    return data
