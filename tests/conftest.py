"""Shared fixtures: the shipped layouts, and small variants of them written to a temporary folder."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "layouts"
STADTBIBLIOTHEK = LAYOUTS / "stadtbibliothek.yaml"


def _absolute_paths(data: dict, folder: Path) -> dict:
    data = copy.deepcopy(data)
    data["fonts"] = {k: str((folder / v).resolve()) for k, v in data["fonts"].items()}
    for person in data["people"]:
        person["portrait"] = str((folder / person["portrait"]).resolve())
    return data


@pytest.fixture(scope="session", autouse=True)
def conversion_cache(tmp_path_factory):
    """One cache of print conversions for the whole run, never the user's own."""
    folder = tmp_path_factory.mktemp("plakat-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("PLAKAT_CACHE_DIR", str(folder))
    yield folder
    patch.undo()


@pytest.fixture
def stadtbibliothek_data() -> dict:
    """The stadtbibliothek layout as plain data, with absolute asset paths."""
    return _absolute_paths(yaml.safe_load(STADTBIBLIOTHEK.read_text(encoding="utf-8")), LAYOUTS)


@pytest.fixture
def write_layout(tmp_path):
    """Write a layout (data or raw text) into tmp_path and return its path."""

    def write(content, name: str = "poster.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

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
