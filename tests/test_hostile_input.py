"""Hostile layout files, fonts and output folders, end to end through the command line.

Whatever lands in a shared folder must end in a correct render (exit 0) or a clear refusal: exit 2 for
invalid input, exit 1 for a preflight error, exit 130 for an interruption. A refusal names the layout
file and the key or the line, never shows a traceback, and leaves the output folder exactly as it was:
the previous good PDF and PNG keep their bytes and times, and no temporary file stays behind.

Most cases run in-process through typer's CliRunner (cheap); the whole corpus of broken layouts runs
once more through ``python -m plakat`` in a fresh interpreter, as a designer runs it, and so do the
signal and the file-size-limit cases, which need a process of their own.
"""

from __future__ import annotations

import copy
import errno
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from plakat.cli import app
from conftest import HAND_PLACED, LAYOUTS, ROOT, STADTBIBLIOTHEK, _absolute_paths, cut_to_one_portrait

DPI = 5
runner = CliRunner()
OUTPUTS = ("poster.pdf", "poster.png")


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@cache
def _base() -> dict:
    data = _absolute_paths(yaml.safe_load(HAND_PLACED.read_text(encoding="utf-8")), HAND_PLACED.parent)
    # a screen PDF carries the portraits unchanged: no CMYK conversion, so a render takes a second
    data["output"] = {"png_dpi": DPI, "pdf": {"standard": "screen"}}
    return data


def base_data() -> dict:
    """The whole billboard, nine people: what the broken layouts are made from."""
    return copy.deepcopy(_base())


def poster_data() -> dict:
    """The billboard with one portrait (Brigitte's), for the cases that render or get as far as writing."""
    return cut_to_one_portrait(_base())


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every entry of ``folder`` (hidden ones too) with its content hash, size and modification time."""
    if not folder.exists():
        return {}
    entries = {}
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            entries[path.name + "/"] = ("folder", 0, path.stat().st_mtime_ns)
        else:
            entries[path.name] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size,
                                  path.stat().st_mtime_ns)
    return entries


def _in_fresh_process(args: list[str], **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "plakat", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


@pytest.fixture(scope="module")
def good_output(tmp_path_factory) -> Path:
    """A good render of poster.yaml: the files every bad case must leave alone."""
    folder = tmp_path_factory.mktemp("good")
    layout = folder / "poster.yaml"
    layout.write_text(dump(poster_data()), encoding="utf-8")
    result = run("render", layout, "--out", folder / "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (folder / "out").iterdir()) == list(OUTPUTS)
    return folder / "out"


@dataclass
class Workspace:
    """A folder holding a copy of the good output (same bytes and times) and room for a layout."""

    root: Path
    out: Path
    before: dict = field(default_factory=dict)

    def write(self, content: str | bytes | dict, name: str = "poster.yaml") -> Path:
        path = self.root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content if isinstance(content, str) else dump(content), encoding="utf-8")
        return path

    def assert_untouched(self) -> None:
        assert snapshot(self.out) == self.before, "the previous output changed or a temporary file was left"


@pytest.fixture
def ws(good_output, tmp_path) -> Workspace:
    out = tmp_path / "out"
    shutil.copytree(good_output, out)  # copy2: bytes and modification times
    return Workspace(tmp_path, out, snapshot(out))


def assert_clean_refusal(result, layout: Path, code: int, *fragments: str, key: str | None = None,
                         line_has: str | None = None) -> None:
    """Exit ``code``; stderr names ``layout`` (with line and column, and ``key`` when given) and holds every
    fragment; no traceback, no escaped exception."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert str(layout) in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    if key is not None:
        found = re.search(rf"^{re.escape(str(layout))}:(\d+):(\d+) {re.escape(key)}: ", result.stderr, re.M)
        assert found, result.stderr
        if line_has is not None:
            lines = layout.read_text(encoding="utf-8-sig").splitlines()
            assert line_has in lines[int(found[1]) - 1], (found[0], lines[int(found[1]) - 1])


# --- the corpus of broken layout files -----------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[dict, str], str | bytes | dict]  # (layout data, its YAML text) -> file content
    fragments: tuple[str, ...]
    key: str | None = None  # the key the message names, at file:line:col
    line_has: str | None = None  # text on the line the message points at
    line: int | None = None  # or the line number itself
    whole_file: bool = False  # about the file as a whole: no line to name


def _set(path: str, value):
    def make(data, _text):
        target = data
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value
        return data
    return make


_DELETE = object()


def _custom_size(width, height):
    def make(data, _text):
        del data["format"]
        data["size"] = {"width": width, "height": height}
        return data
    return make


def _more_people(data, _text):
    for name in ("Zoe", "Yusuf"):
        data["people"].append(dict(data["people"][0], name=name))
    return data


def _duplicate_person(data, _text):
    data["people"].append(dict(data["people"][0]))
    return data


def _line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def _billion_laughs(_data, _text):
    rows = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in zip("abcdefgh", "bcdefghi"):
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    return "\n".join(rows) + "\ntitle: *i\n"


LAYOUT_CASES = [
    Case("yaml-syntax-error", lambda d, t: t.replace("columns: 6", "columns: [6"), ("YAML syntax error",)),
    Case("tab-indentation", lambda d, t: t.replace("  gutter: 60mm", "\tgutter: 60mm"),
         ("indent with spaces, not tabs",), line_has="\tgutter"),
    Case("unknown-key", lambda d, t: t.replace("  gutter: 60mm", "  gutte: 60mm"),
         ("unknown key: did you mean 'gutter'?",), key="grid.gutte", line_has="gutte:"),
    Case("unknown-top-level-key", lambda d, t: t.replace("bleed: 10mm", "bleeed: 10mm"),
         ("unknown key: did you mean 'bleed'?",), key="bleeed", line_has="bleeed:"),
    Case("wrong-type", _set("grid.columns", "six"), ("'six'",), key="grid.columns", line_has="six"),
    Case("wrong-type-list-for-mapping", _set("captions", ["below"]), ("valid dictionary",), key="captions"),
    Case("length-without-unit", _set("bleed", 10), ("10 has no unit",), key="bleed", line_has="bleed: 10"),
    Case("negative-bleed", _set("bleed", "-3mm"), ("bleed cannot be negative",), key="bleed", line_has="-3mm"),
    Case("zero-size", _custom_size("0mm", "2520mm"), ("width and height must be greater than 0",), key="size"),
    Case("negative-size", _custom_size("3560mm", "-2520mm"), ("width and height must be greater than 0",),
         key="size"),
    Case("zero-caption-height", _set("captions.height", "0mm"), ("must be greater than 0",),
         key="captions.height", line_has="height: 0mm"),
    Case("negative-gutter", _set("grid.gutter", "-20mm"), ("cannot be negative",), key="grid.gutter",
         line_has="-20mm"),
    Case("zero-font-size", _set("headline.size.max", 0), ("a font size must be a number greater than 0",),
         key="headline.size.max"),
    Case("infinite-font-size", lambda d, t: t.replace("max: 480pt", "max: .inf"), ("not inf",),
         key="headline.size.max", line_has=".inf"),
    Case("zero-grid-columns", _set("grid.columns", 0), ("greater than or equal to 1",), key="grid.columns"),
    Case("absurd-length", _custom_size("99999999999999999999mm", "2520mm"), ("more than 1 km",),
         key="size.width", line_has="99999999999999999999mm"),
    Case("bleed-larger-than-page", _set("bleed", "3000mm"), ("larger than half the page",), key="bleed",
         line_has="3000mm"),
    Case("grid-cannot-fit", _set("grid.gutter", "700mm"), ("6 columns x 2 rows with these gaps do not fit",),
         key="grid", line_has="grid:"),
    Case("more-people-than-cells", _more_people, ("10 people to place but only 8 free cells",), key="people",
         line_has="people:"),
    Case("duplicate-people", _duplicate_person, ("'Tamara' is listed twice (also people[0])",),
         key="people[9].name", line_has="Tamara"),
    Case("cell-for-unknown-person", _set("grid.cells.0.person", "Brigite"),
         ("unknown person 'Brigite': did you mean 'Brigitte'?",), key="grid.cells[0].person", line_has="Brigite"),
    Case("missing-required-key", _set("captions", _DELETE), ("required key 'captions' is missing",),
         key="captions"),
    Case("missing-nested-key", _set("grid.columns", _DELETE), ("required key 'columns' is missing",),
         key="grid.columns", line_has="grid:"),
    Case("empty-file", lambda d, t: "", ("the file is empty",), line=1),
    Case("only-comments", lambda d, t: "# the layout follows\n\n", ("the file is empty",), line=1),
    Case("list-instead-of-mapping", lambda d, t: "- format: 18/1\n", ("a layout is a mapping",), line=1),
    Case("non-utf8-bytes", lambda d, t: t.encode("latin-1", errors="replace"), ("is not UTF-8",),
         line_has="Duisburg ist echt solidarisch"),
    Case("utf16", lambda d, t: t.encode("utf-16"), ("the file is UTF-16: save it as UTF-8",), line=1),
    Case("nul-byte", lambda d, t: t.replace("title: Duisburg", "title: Duis\x00burg"), ("U+0000 is not allowed",),
         line_has="title:"),
    Case("billion-laughs", _billion_laughs, ("expands to more than 20000 values",)),
    Case("deep-nesting", lambda d, t: "title: " + "[" * 5000 + "]" * 5000 + "\n", ("nested more than 100 levels",),
         line=1),
    Case("huge-integer", lambda d, t: t.replace("columns: 6", "columns: " + "9" * 5000),
         ("is not a usable value",), key="grid.columns", line_has="999"),
    Case("too-many-values", lambda d, t: "people:\n" + "- x\n" * 25_000, ("more than 20000 values",)),
    Case("file-too-large", lambda d, t: t + "#" * 1_100_000 + "\n", ("larger than 1 MB",), whole_file=True),
    Case("duplicate-key", lambda d, t: t.replace("bleed: 10mm", "bleed: 10mm\nbleed: 3mm"), ("appears twice",),
         key="bleed", line_has="bleed: 3mm"),
    Case("date-instead-of-text", lambda d, t: re.sub(r"^title: .*$", "title: 2024-05-01", t, count=1, flags=re.M),
         ("put it in quotes",), key="title", line_has="2024-05-01"),
]

# Tags that would build Python objects or run code under an unsafe loader; the safe loader refuses them all.
TAG_CASES = [
    ("python-object", "title: !!python/object:os.system {}\n", "!!python/object:os.system is not allowed"),
    ("python-object-apply", "title: !!python/object/apply:os.system ['touch {marker}']\n",
     "!!python/object/apply:os.system is not allowed"),
    ("python-object-new", "title: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n",
     "!!python/object/new:subprocess.Popen is not allowed"),
    ("python-name", "title: !!python/name:os.system\n", "!!python/name:os.system is not allowed"),
    ("python-module", "title: !!python/module:os\n", "!!python/module:os is not allowed"),
    ("python-tuple", "title: !!python/tuple [1, 2]\n", "!!python/tuple is not allowed"),
    ("custom-tag", "title: !plakat bar\n", "!plakat is not allowed"),
    ("custom-tag-on-mapping", "grid: !Grid {columns: 2}\n", "!Grid is not allowed"),
    ("set", "title: !!set {a, b}\n", "!!set is not allowed"),
    ("binary", "title: !!binary aGVsbG8=\n", "is read as bytes; put it in quotes"),
]


def _content(case: Case) -> str | bytes | dict:
    data = base_data()
    return case.make(data, dump(data))


def _check_place(result, layout: Path, case: Case) -> None:
    if case.whole_file:
        assert re.search(rf"^{re.escape(str(layout))}: ", result.stderr, re.M), result.stderr
        return
    place = re.search(rf"^{re.escape(str(layout))}:(\d+):(\d+)[ :]", result.stderr, re.M)
    assert place, f"no file:line:col in {result.stderr!r}"
    line = int(place[1])
    if case.line is not None:
        assert line == case.line, result.stderr
    if case.line_has is not None and case.key is None:
        raw = layout.read_bytes()
        text = raw.decode("utf-8", errors="replace")
        assert case.line_has in text.splitlines()[line - 1], (place[0], text.splitlines()[line - 1])


@pytest.mark.parametrize("case", LAYOUT_CASES, ids=lambda c: c.id)
def test_broken_layout_is_refused_with_its_place_and_the_output_untouched(case, ws):
    layout = ws.write(_content(case))
    result = run("render", layout, "--out", ws.out)
    assert_clean_refusal(result, layout, 2, *case.fragments, key=case.key, line_has=case.line_has)
    _check_place(result, layout, case)
    assert "nothing was written" in result.stderr
    ws.assert_untouched()


@pytest.mark.parametrize("tag_id, text, expected", TAG_CASES, ids=[c[0] for c in TAG_CASES])
def test_yaml_tags_are_refused_by_safe_loading(tag_id, text, expected, ws):
    marker = ws.root / "constructed"
    layout = ws.write(text.replace("{marker}", str(marker)))
    result = run("render", layout, "--out", ws.out)
    assert_clean_refusal(result, layout, 2, expected)
    assert re.search(rf"^{re.escape(str(layout))}:1:\d+ (title|grid): ", result.stderr, re.M), result.stderr
    assert not marker.exists()  # nothing was constructed, nothing ran
    ws.assert_untouched()


def test_a_folder_a_missing_file_and_a_pipe_are_refused(ws):
    folder = ws.root / "layouts.yaml"
    folder.mkdir()
    result = run("render", folder, "--out", ws.out)
    assert_clean_refusal(result, folder, 2, "no layout in this folder")  # a folder stands for its layouts
    result = run("render", ws.root / "postr.yaml", "--out", ws.out)
    assert_clean_refusal(result, ws.root / "postr.yaml", 2, "no such file")
    pipe = ws.root / "pipe.yaml"
    os.mkfifo(pipe)  # reading it would wait forever for a writer
    result = run("render", pipe, "--out", ws.out)
    assert_clean_refusal(result, pipe, 2, "is not a regular file")
    ws.assert_untouched()


def test_more_cells_than_people_renders_with_empty_cells(ws):
    data = base_data()
    data["grid"]["cells"] = []
    data["people"] = data["people"][:5]  # 12 cells, 5 people: odd, but a poster
    layout = ws.write(data)
    result = run("render", layout, "--out", ws.out)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    after = snapshot(ws.out)
    assert sorted(after) == list(OUTPUTS)  # rewritten, and no temporary left
    assert all(after[name][0] != ws.before[name][0] for name in OUTPUTS)


def test_paths_with_spaces_and_umlauts_bom_and_crlf_render(tmp_path):
    folder = tmp_path / "Plakate für Düsseldorf"
    folder.mkdir()
    shutil.copy(ROOT / "portraits" / "brigitte.jpg", folder / "Brigitte Größe.jpg")
    shutil.copy(ROOT / "assets" / "fonts" / "NotoSans-Regular.ttf", folder / "Schrift ä ß.ttf")
    data = poster_data()
    data["people"][0]["portrait"] = "Brigitte Größe.jpg"  # relative to the layout's folder
    data["fonts"]["regular"] = "Schrift ä ß.ttf"
    layout = folder / "Plakat Straße.yaml"
    # saved by a Windows editor: byte order mark and CRLF line ends
    layout.write_bytes(b"\xef\xbb\xbf" + dump(data).replace("\n", "\r\n").encode("utf-8"))
    out = tmp_path / "Ausgabe ö"
    result = run("render", layout, "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["Plakat Straße.pdf", "Plakat Straße.png"]
    assert str(out / "Plakat Straße.pdf") in result.stdout


def test_missing_portrait_with_umlauts_is_named_exactly(ws):
    data = base_data()
    data["people"][1]["portrait"] = "Porträts/Jürgen Groß.jpg"
    layout = ws.write(data, "Plakat Straße.yaml")
    result = run("render", layout, "--out", ws.out)
    assert_clean_refusal(result, layout, 2, "no such file", "Porträts/Jürgen Groß.jpg", key="people[1].portrait",
                         line_has="Jürgen Groß.jpg")
    ws.assert_untouched()


def test_an_error_on_line_100_keeps_its_line_number(ws):
    """Line 100 once came out as an emoji: the terminal library read ':100:' as an emoji code."""
    layout = ws.write("format: 18/1\n" + "#\n" * 98 + "grid: {gutte: 1mm}\n")
    result = run("render", layout, "--out", ws.out)
    assert_clean_refusal(result, layout, 2, f"{layout}:100:8 grid.gutte: unknown key")
    ws.assert_untouched()


# --- the same corpus through the real command, in a fresh interpreter -------------------------------------

def test_the_whole_corpus_through_python_m_plakat(ws):
    """``python -m plakat render`` over every broken layout at once: each is named with its place, exit 2,
    no traceback, no internal error, bounded memory and time, and the output folder untouched."""
    layouts = []
    for case in LAYOUT_CASES:
        layouts.append(ws.write(_content(case), f"{case.id}.yaml"))
    for tag_id, text, _expected in TAG_CASES:
        layouts.append(ws.write(text.replace("{marker}", str(ws.root / "constructed")), f"{tag_id}.yaml"))
    os.mkfifo(ws.root / "pipe.yaml")
    layouts += [ws.root / "pipe.yaml", ws.root / "missing.yaml"]
    probe = ("import resource, subprocess, sys; "
             "done = subprocess.run([sys.executable, '-m', 'plakat', *sys.argv[1:]], capture_output=True, "
             "text=True); sys.stdout.write(done.stdout); sys.stderr.write(done.stderr); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
             "sys.exit(done.returncode)")
    started = time.perf_counter()
    # the folder stands for the same files again (the pipe among them): each is rendered once
    command = [sys.executable, "-c", probe, "render", *map(str, layouts), str(ws.root), "--out", str(ws.out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - started
    *messages, peak_kb = done.stderr.strip().splitlines()
    stderr = "\n".join(messages)
    assert done.returncode == 2, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    for layout in layouts:
        assert re.search(rf"^{re.escape(str(layout))}:", stderr, re.M), f"{layout} not named"
    assert not (ws.root / "constructed").exists()
    assert int(peak_kb) / 1024 < 400 and seconds < 60
    assert done.stdout == ""
    ws.assert_untouched()


def test_check_json_reports_every_broken_layout_as_invalid(ws):
    layouts = [ws.write(_content(case), f"{case.id}.yaml") for case in LAYOUT_CASES]
    result = run("check", *layouts, "--json")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert [entry["layout"] for entry in report["layouts"]] == [str(p) for p in layouts]
    for entry in report["layouts"]:
        assert entry["ok"] is False and entry["invalid"], entry
        assert all(line.startswith(entry["layout"]) for line in entry["invalid"]), entry


# --- fonts ---------------------------------------------------------------------------------------------------

def _with_font(ws: Workspace, path: Path) -> Path:
    data = poster_data()
    data["fonts"]["bold"] = str(path)
    return ws.write(data)


@pytest.mark.parametrize("kind", ["missing", "text-file", "jpeg", "empty", "folder", "truncated"])
def test_unusable_font_file_is_refused_at_its_line(kind, ws):
    font = ws.root / f"Schrift {kind}.ttf"
    real = (ROOT / "assets" / "fonts" / "NotoSans-Bold.ttf").read_bytes()
    if kind == "text-file":
        font.write_text("this is not a font\n")
    elif kind == "jpeg":
        shutil.copy(ROOT / "portraits" / "tamara.jpg", font)
    elif kind == "empty":
        font.write_bytes(b"")
    elif kind == "folder":
        font.mkdir()
    elif kind == "truncated":
        font.write_bytes(real[:2000])  # a download that broke off
    layout = _with_font(ws, font)
    result = run("render", layout, "--out", ws.out)
    expected = {
        "missing": "no such font file",
        "text-file": "is not a font file",
        "jpeg": "is not a font file",
        "empty": "is empty (0 bytes)",
        "folder": "is a folder, not a font file",
        "truncated": "cannot be read",
    }[kind]
    assert_clean_refusal(result, layout, 2, expected, str(font), key="fonts.bold", line_has="bold:")
    ws.assert_untouched()


def test_font_lacking_glyphs_is_a_preflight_error(ws):
    data = poster_data()
    data["headline"]["text"] = "Duisburg ☃ 漢字"
    layout = ws.write(data)
    result = run("render", layout, "--out", ws.out)
    assert_clean_refusal(result, layout, 1, "glyph-missing", "headline", "NotoSans-Black.ttf", "U+2603",
                         "U+6F22", f"{layout}: preflight found errors: nothing was written")
    ws.assert_untouched()


def test_font_with_damaged_glyph_data_is_refused(ws):
    from fontTools.ttLib import TTFont

    source = ROOT / "assets" / "fonts" / "NotoSans-Bold.ttf"
    real, parsed = bytearray(source.read_bytes()), TTFont(source)
    start, end = (parsed["loca"][parsed.getGlyphID("e") + i] for i in (0, 1))
    offset = parsed.reader.tables["glyf"].offset
    real[offset + start:offset + end] = b"\xff" * (end - start)  # the outline of "e" overwritten
    font = ws.root / "damaged.ttf"
    font.write_bytes(bytes(real))
    layout = _with_font(ws, font)
    # a fresh process: in this one the intact NotoSans-Bold is registered already (see the next test)
    process = _in_fresh_process(["render", str(layout), "--out", str(ws.out)])
    _stdout, stderr = process.communicate(timeout=60)
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    assert process.returncode == 2 and "damaged.ttf" in stderr and "fonts.bold" in stderr, stderr
    ws.assert_untouched()


def test_two_font_files_with_the_same_name_each_embed_their_own_glyphs(ws, tmp_path):
    import pikepdf
    from fontTools.ttLib import TTFont

    font = TTFont(ROOT / "assets" / "fonts" / "NotoSans-Bold.ttf")
    glyph = font["glyf"]["e"]
    glyph.coordinates.translate((40, 0))  # another cut of the same font: same name, other outlines
    variant = ws.root / "NotoSans-Bold-variant.ttf"
    font.save(variant)
    first = ws.write(poster_data(), "first.yaml")
    second = _with_font(ws, variant).rename(ws.root / "second.yaml")
    out = tmp_path / "two"
    assert run("render", first, second, "--out", out).exit_code == 0

    def bold_font_file(pdf_path: Path) -> bytes:
        with pikepdf.open(pdf_path) as pdf:
            for font in pdf.pages[0].Resources.Font.values():
                if str(font.BaseFont).endswith("NotoSans-Bold"):
                    return font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()
        raise AssertionError("no bold font")

    assert bold_font_file(out / "first.pdf") != bold_font_file(out / "second.pdf")


# --- output --------------------------------------------------------------------------------------------------

@pytest.fixture
def poster(ws) -> Path:
    return ws.write(poster_data())


def test_output_folder_below_a_regular_file(ws, poster):
    """Not writable for anyone, root included (the tests run as root in CI, where chmod stops nothing):
    --out names a folder inside a regular file."""
    blocker = ws.root / "out.txt"
    blocker.write_text("a file, not a folder\n")
    result = run("render", poster, "--out", blocker / "plakate")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"cannot write into {blocker / 'plakate'}" in result.stderr
    assert blocker.read_text() == "a file, not a folder\n"
    ws.assert_untouched()


def test_output_folder_without_permission(ws, poster, monkeypatch):
    """A read-only share: creating the temporary file fails with EACCES. Simulated in-process, since
    root may write into any folder whatever its mode."""
    import plakat.output

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(plakat.output.tempfile, "mkstemp", refuse)
    result = run("render", poster, "--out", ws.out)
    assert result.exit_code == 2, result.output
    assert f"cannot write into {ws.out}: Permission denied" in result.stderr
    assert "Traceback" not in result.output
    ws.assert_untouched()


@pytest.mark.parametrize("name", OUTPUTS)
def test_output_path_that_is_an_existing_folder(ws, poster, name):
    target = ws.out / name
    target.unlink()
    target.mkdir()
    (target / "keep.txt").write_text("mine\n")
    ws.before = snapshot(ws.out)
    result = run("render", poster, "--out", ws.out)
    assert result.exit_code == 2, result.output
    assert f"{target} is a folder" in result.stderr and "Traceback" not in result.output
    ws.assert_untouched()  # the other file too, and no temporary of the PDF drawn before the PNG failed
    assert (target / "keep.txt").read_text() == "mine\n"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_render_interrupted_by_a_signal_leaves_the_previous_files(ws, poster, signum):
    # a 100 dpi PNG of the billboard (14016 x 9921 px) takes seconds: time to be interrupted in the middle
    process = _in_fresh_process(["render", str(poster), "--out", str(ws.out), "--png-dpi", "100"],
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not list(ws.out.glob(".poster.png.*.part")):
        assert process.poll() is None, f"ended before the PNG stage: {process.communicate()}"
        assert time.monotonic() < deadline, "the PNG stage never began"
        time.sleep(0.02)
    time.sleep(0.2)  # inside the rasteriser
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["interrupted: no partial files were left behind"]
    assert stdout == ""
    ws.assert_untouched()


@pytest.mark.parametrize("stage, limit", [("pdf", 200_000), ("png", 50_000)])
def test_a_failing_write_like_a_full_disk(ws, stage, limit):
    """Every write beyond ``limit`` bytes fails (RLIMIT_FSIZE: EFBIG, as a full disk fails with ENOSPC),
    deep inside the PDF library or the PNG writer; root is held to the limit too."""
    data = poster_data()
    if stage == "png":
        data["output"]["pdf"] = False  # only the PNG is written: its writes are the ones that fail
    layout = ws.write(data)

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    process = _in_fresh_process(["render", str(layout), "--out", str(ws.out)], preexec_fn=limit_file_size)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 2, stderr
    assert stderr.strip() == f"error: cannot write into {ws.out}: File too large; nothing was written, the " \
                             "previous files are unchanged"
    ws.assert_untouched()


def test_disk_full_when_flushing_the_second_file(ws, poster, monkeypatch):
    """ENOSPC at the last moment, when the PNG is flushed after the PDF: neither may be replaced."""
    import plakat.output

    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(plakat.output.os, "fsync", fsync)
    result = run("render", poster, "--out", ws.out)
    assert result.exit_code == 2, result.output
    assert "poster.png: No space left on device" in result.stderr and "Traceback" not in result.output
    ws.assert_untouched()


@pytest.mark.parametrize("failure", ["rename fails", "interrupted"])
def test_commit_failing_between_the_two_renames_puts_the_first_back(ws, poster, monkeypatch, failure):
    """The PDF is already in place when moving the PNG fails: the previous PDF comes back."""
    import plakat.output

    real_replace, moved = os.replace, []

    def replace(source, target):
        if str(target).endswith("poster.png") and str(source).endswith(".part"):
            if failure == "interrupted":
                raise KeyboardInterrupt
            raise OSError(errno.EIO, "Input/output error")
        moved.append(target)
        return real_replace(source, target)

    monkeypatch.setattr(plakat.output.os, "replace", replace)
    result = run("render", poster, "--out", ws.out)
    assert str(ws.out / "poster.pdf") in map(str, moved)  # the PDF had been moved into place
    if failure == "interrupted":
        assert result.exit_code == 130 and "interrupted" in result.stderr
    else:
        assert result.exit_code == 2 and "poster.png: Input/output error" in result.stderr
    assert "Traceback" not in result.output
    ws.assert_untouched()
