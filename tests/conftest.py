"""Shared fixtures: the shipped layouts, small variants of them written to a temporary folder, and
reference renders that several test modules read (each rendered once per run)."""

from __future__ import annotations

import copy
import os
import functools
import shutil
from pathlib import Path

import pytest
import yaml

from plakat.layering import read_layered

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "layouts"
STADTBIBLIOTHEK = LAYOUTS / "stadtbibliothek.yaml"
CLP = LAYOUTS / "clp-hauptbahnhof.yaml"
# The 18/1 with every box in mm and its grid placed by hand: tests of fixed geometry start here.
HAND_PLACED = ROOT / "tests" / "layouts" / "hand-placed-18-1.yaml"
# The person a one-portrait variant keeps: the stadtbibliothek grid names her cell and her quote.
ONE_PORTRAIT = "Brigitte"
# libyaml's emitter when PyYAML has it: the same text as the pure-Python one, faster
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _absolute_paths(data: dict, folder: Path) -> dict:
    data = copy.deepcopy(data)
    data["fonts"] = {k: str((folder / v).resolve()) for k, v in data["fonts"].items()}
    for person in data["people"]:
        person["portrait"] = str((folder / person["portrait"]).resolve())
    for element in data.get("elements", []):
        if "image" in element:
            element["image"] = str((folder / element["image"]).resolve())
    return data


@functools.cache
def _parsed(path: Path) -> dict:
    # the layout merged over the campaign files it extends, their paths relative to the layout
    return _absolute_paths(read_layered(path)[0], path.parent)


def shipped_data(path: Path) -> dict:
    """A shipped layout as plain data, with absolute asset paths (a fresh copy to change at will)."""
    return copy.deepcopy(_parsed(path))


def cut_to_people(data: dict, *names: str) -> dict:
    """``data`` with only the people called ``names`` left (and grid cells naming anyone else dropped):
    the same page, text and colours with fewer portraits to convert, embed and draw."""
    data = copy.deepcopy(data)
    data["people"] = [person for person in data["people"] if person["name"] in names]
    assert {person["name"] for person in data["people"]} == set(names), f"not all of {names} in the layout"
    grid = data["grid"]
    if "cells" in grid:
        grid["cells"] = [cell for cell in grid["cells"] if cell.get("person", cell.get("quote")) in names]
    return data


def cut_to_one_portrait(data: dict) -> dict:
    """``data`` with Brigitte alone: one portrait instead of nine."""
    return cut_to_people(data, ONE_PORTRAIT)


def dump_layout(data: dict, path: Path) -> Path:
    path.write_text(yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session", autouse=True)
def conversion_cache(tmp_path_factory):
    """One cache of print conversions for the whole run, never the user's own. Under pytest -n the
    workers share it (the cache is safe for several processes: entries are written to a temporary
    file and renamed), so each portrait is converted once per run, not once per worker."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.getbasetemp().parent / "plakat-cache"
        folder.mkdir(exist_ok=True)
    else:
        folder = tmp_path_factory.mktemp("plakat-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("PLAKAT_CACHE_DIR", str(folder))
    yield folder
    patch.undo()


@pytest.fixture
def stadtbibliothek_data() -> dict:
    """The hand-placed 18/1 layout (the stadtbibliothek billboard in mm, a fixed grid) as plain
    data, with absolute asset paths."""
    return shipped_data(HAND_PLACED)


@pytest.fixture
def one_portrait_data(stadtbibliothek_data) -> dict:
    """The stadtbibliothek billboard with Brigitte alone (her portrait, caption and quote), for tests
    about the page, the file or one image rather than about all nine portraits."""
    return cut_to_one_portrait(stadtbibliothek_data)


@pytest.fixture
def write_layout(tmp_path):
    """Write a layout (data or raw text) into tmp_path and return its path."""

    def write(content, name: str = "poster.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
            return path
        return dump_layout(content, path)

    return write


@pytest.fixture
def small_poster(stadtbibliothek_data, write_layout):
    """The stadtbibliothek billboard rendered at a low PNG resolution, for fast pipeline tests."""
    data = stadtbibliothek_data
    data["output"] = {"png_dpi": 10}
    return write_layout(data, "stadtbibliothek.yaml")


@pytest.fixture
def portrait_copy(tmp_path):
    def copy_to(name: str) -> Path:
        target = tmp_path / name
        shutil.copy(ROOT / "portraits" / "tamara.jpg", target)
        return target

    return copy_to


def pytest_addoption(parser):
    parser.addoption("--regenerate-goldens", action="store_true", default=False,
                     help="write the golden scene JSON and PNG files anew from the current code")


@pytest.fixture
def regenerate_goldens(request) -> bool:
    return request.config.getoption("--regenerate-goldens")
@pytest.fixture
def one_portrait_poster(one_portrait_data, write_layout):
    """The one-portrait billboard at a low PNG resolution, written as one-portrait.yaml."""
    one_portrait_data["output"] = {"png_dpi": 10}
    return write_layout(one_portrait_data, "one-portrait.yaml")


# --- reference renders, each made once per run and only read by the tests -------------------------

@pytest.fixture(scope="session")
def one_portrait_layout(tmp_path_factory) -> Path:
    """The one-portrait billboard as a layout file (its own PNG resolution, 50 dpi, left as shipped)."""
    return dump_layout(cut_to_one_portrait(shipped_data(HAND_PLACED)),
                       tmp_path_factory.mktemp("one-portrait") / "one-portrait.yaml")


@pytest.fixture(scope="session")
def one_portrait_clp_layout(tmp_path_factory) -> Path:
    """The city-light poster (overlay captions) with Brigitte alone, as a layout file."""
    return dump_layout(cut_to_one_portrait(shipped_data(CLP)),
                       tmp_path_factory.mktemp("one-portrait-clp") / "one-portrait-clp.yaml")


def _once_per_run(tmp_path_factory, name: str, make):
    """``make(folder)``'s result, made once per run: under pytest -n the first worker makes it in a
    folder the workers share and the others read it back (a render result pickles with its scene)."""
    import fcntl
    import pickle

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return make(tmp_path_factory.mktemp(name))
    folder = tmp_path_factory.getbasetemp().parent / name
    folder.mkdir(exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            made = folder / "result.pickle"
            if made.exists():
                return pickle.loads(made.read_bytes())
            result = make(folder)
            made.write_bytes(pickle.dumps(result))
            return result
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def shipped_print(conversion_cache, tmp_path_factory):
    """The shipped stadtbibliothek billboard rendered once: its print PDF (all nine portraits in
    CMYK, the same file as a full-size render) and a 10 dpi PNG."""
    from plakat.pipeline import render

    return _once_per_run(
        tmp_path_factory, "shipped-print", lambda folder: render(STADTBIBLIOTHEK, folder, png_dpi=10)
    )


@pytest.fixture(scope="session")
def shipped_screen(conversion_cache, tmp_path_factory):
    """The shipped stadtbibliothek billboard as a screen (RGB) PDF, rendered once (no PNG)."""
    from plakat.pipeline import render

    def make(folder: Path):
        data = shipped_data(STADTBIBLIOTHEK)
        data["output"] = {"png": False, "pdf": {"standard": "screen"}}
        return render(dump_layout(data, folder / "stadtbibliothek.yaml"), folder / "out")

    return _once_per_run(tmp_path_factory, "shipped-screen", make)


@pytest.fixture(scope="session")
def one_portrait_print(conversion_cache, one_portrait_layout, tmp_path_factory):
    """The one-portrait billboard rendered once: print PDF and a 10 dpi PNG."""
    from plakat.pipeline import render

    return _once_per_run(
        tmp_path_factory, "one-portrait-print", lambda folder: render(one_portrait_layout, folder, png_dpi=10)
    )


def file_of(result, kind: str) -> Path:
    """The path of the ``kind`` ("pdf" or "png") file a render wrote."""
    return next(f.path for f in result.files if f.kind == kind)


def assert_breaks_are_german(lines: list[str], original: str | None = None) -> int:
    """Every line that ends in an added hyphen is cut where the German patterns allow it, in the
    word it falls in; returns how many lines were hyphenated. With ``original``, the lines
    joined again must give it back."""
    from plakat.hyphenation import hyphenator

    joined, cuts = "", []
    for line in lines:
        if line.endswith("-"):
            joined += line[:-1]
            cuts.append(len(joined))
        else:
            joined += line + " "
    if original is not None:
        assert joined.strip() == original
    for cut in cuts:
        start = joined.rfind(" ", 0, cut) + 1
        end = joined.find(" ", cut)
        word = joined[start : end if end >= 0 else None]
        assert cut - start in {b.index for b in hyphenator("de").breaks(word) if b.hyphen}, (word, lines)
    return len(cuts)


@pytest.fixture(scope="session")
def test_fonts(tmp_path_factory) -> dict[str, Path]:
    """Fonts in every flavour a campaign may bring, made once per run from the bundled Noto Sans
    (see fontmaker.py), by name: cff_otf, variable_ttf, variable_cff2, collection,
    no_subsetting_ttf, restricted_ttf."""
    from fontmaker import make_all

    return _once_per_run(tmp_path_factory, "test-fonts", make_all)

