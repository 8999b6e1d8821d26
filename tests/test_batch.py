"""Many layouts at once: which files a folder stands for, and `plakat render -j N` in worker
processes (exit code the worst of all, output the same bytes as one process writes)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from plakat.batch import NoLayouts, layout_files
from plakat.cli import app
from conftest import ROOT, dump_layout

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- which files a folder stands for (no rendering) ----------------------------------------------


def test_folder_stands_for_its_own_layouts_sorted_without_shared_content_and_subfolders(tmp_path):
    folder = tmp_path / "layouts"
    write(folder / "b.yml", "size: {width: 1m, height: 1m}\n")
    write(folder / "a.yaml", "format: 18/1\n")
    write(folder / "campaign.yaml", "people:\n  - {name: Elif}\nfonts: {regular: x.ttf}\n")  # shared only
    write(folder / "c-broken.yaml", "format: [18/1\n")  # cannot be parsed: kept, so its error shows
    write(folder / "d-list.yaml", "- format: 18/1\n")  # not a mapping: kept, its error says so
    write(folder / "notes.txt", "format: 18/1\n")
    write(folder / ".hidden.yaml", "format: 18/1\n")
    write(folder / "sub" / "e.yaml", "format: 18/1\n")  # subfolders are not searched
    (folder / "folder.yaml").mkdir()
    os.mkfifo(folder / "e-pipe.yaml")  # never opened here (it would wait for a writer): kept for its error

    assert [p.name for p in layout_files([folder])] == [
        "a.yaml", "b.yml", "c-broken.yaml", "d-list.yaml", "e-pipe.yaml"
    ]


def test_a_file_named_directly_is_taken_even_without_a_page_and_each_file_once(tmp_path):
    campaign = write(tmp_path / "campaign.yaml", "people: []\n")
    layout = write(tmp_path / "a.yaml", "format: 18/1\n")
    assert layout_files([campaign, tmp_path, layout]) == [campaign, layout]


def test_folder_without_layouts_is_a_usage_error_naming_it(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    write(tmp_path / "shared" / "campaign.yaml", "people: []\n")
    with pytest.raises(NoLayouts, match="empty: no layout in this folder"):
        layout_files([empty])
    for command in ("render", "check", "proof"):
        result = run(command, tmp_path / "shared", "--out", tmp_path / "out") if command != "check" else run(
            command, tmp_path / "shared"
        )
        assert result.exit_code == 2, (command, result.output)
        assert f"{tmp_path / 'shared'}: no layout in this folder" in result.stderr
        assert "no format or size of their own" in result.stderr
    assert not (tmp_path / "out").exists()


def test_file_without_a_page_named_directly_says_what_is_missing(one_portrait_data, write_layout):
    del one_portrait_data["format"]
    pageless = write_layout(one_portrait_data, "pageless.yaml")
    with pytest.raises(NoLayouts):  # in a folder it counts as shared content
        layout_files([pageless.parent])
    result = run("check", pageless)
    assert result.exit_code == 2
    assert f"{pageless}:1:1: give either format (a preset such as 18/1) or size" in result.stderr


def test_two_layouts_of_the_same_name_would_overwrite_each_other(tmp_path):
    first = write(tmp_path / "a" / "poster.yaml", "format: 18/1\n")
    second = write(tmp_path / "b" / "poster.yaml", "format: 18/1\n")
    result = run("render", first, second, "--out", tmp_path / "out", "-j", 2)
    assert result.exit_code == 2
    assert "would both write" in result.stderr and "different --out folders" in result.stderr


# --- rendering in worker processes ---------------------------------------------------------------


@pytest.fixture
def tiny_layouts(tmp_path):
    """A folder of two small posters (300 x 200 mm, one small portrait each, 20 dpi PNG): ok-1 and ok-2."""
    portrait = tmp_path / "face.jpg"
    Image.open(ROOT / "portraits" / "tamara.jpg").convert("RGB").resize((240, 320)).save(portrait, quality=90)
    folder = tmp_path / "layouts"
    folder.mkdir()

    def layout(name: str, **changes) -> Path:
        data = {
            "title": name,
            "size": {"width": "300mm", "height": "200mm"},
            "bleed": "3mm",
            "safe": "10mm",
            "fonts": {"regular": str(ROOT / "assets" / "fonts" / "NotoSans-Regular.ttf")},
            "headline": {"text": f"Poster {name}", "box": {"x": "15mm", "y": "12mm", "width": "270mm",
                                                         "height": "30mm"},
                         "font": "regular", "size": {"max": "40pt", "min": "10pt"}},
            "grid": {"columns": 2, "rows": 1, "gutter": "10mm",
                     "margins": {"top": "50mm", "left": "15mm", "right": "15mm", "bottom": "15mm"}},
            "captions": {"height": "20mm",
                         "lines": [{"template": "{name}", "font": "regular", "size": {"max": 30, "min": 6}}]},
            "people": [{"name": "Tamara", "portrait": str(portrait)}],
            "preflight": {"min_ppi": 10, "recommended_ppi": 20},
            "output": {"png_dpi": 20},
        }
        data.update(changes)
        return dump_layout(data, folder / f"{name}.yaml")

    layout("ok-1")
    layout("ok-2", people=[{"name": "Elif", "portrait": str(portrait)}])
    return folder, layout


def test_render_folder_in_two_processes_like_one_process_exit_code_the_worst(tiny_layouts, tmp_path):
    folder, layout = tiny_layouts
    layout("preflight-error", preflight={"min_ppi": 5000, "recommended_ppi": 6000})
    parallel = run("render", folder, "--out", tmp_path / "j2", "-j", 2)
    assert parallel.exit_code == 1, parallel.output  # the worst: one layout's preflight errors
    assert "resolution-too-low" in parallel.stderr
    assert f"{folder / 'preflight-error.yaml'}: preflight found errors: nothing was written" in parallel.stderr

    serial = run("render", folder / "ok-1.yaml", folder / "ok-2.yaml", "--out", tmp_path / "j1")
    assert serial.exit_code == 0, serial.output
    names = sorted(p.name for p in (tmp_path / "j2").iterdir())
    assert names == ["ok-1.pdf", "ok-1.png", "ok-2.pdf", "ok-2.png"]  # nothing hidden left behind
    for name in names:
        assert (tmp_path / "j2" / name).read_bytes() == (tmp_path / "j1" / name).read_bytes(), name
    # one line per file, in the order of the layouts, as one process prints them
    assert [Path(line.split()[1]).name for line in parallel.stdout.splitlines()] == names
    assert [Path(line.split()[1]).name for line in serial.stdout.splitlines()] == names


def test_invalid_layout_among_others_exits_2_and_the_rest_are_still_reported(tiny_layouts, tmp_path):
    folder, layout = tiny_layouts
    failing = layout("preflight-error", preflight={"min_ppi": 5000, "recommended_ppi": 6000})
    invalid = write(tmp_path / "invalid.yaml", "size: {width: 300mm, height: 200mm}\ngrid: {columns: 0}\n")
    result = run("render", invalid, failing, "--out", tmp_path / "out", "-j", 0)
    assert result.exit_code == 2, result.output
    assert f"{invalid}:2:" in result.stderr and "nothing was written" in result.stderr
    assert "resolution-too-low" in result.stderr  # the layout after it was rendered and reported
    assert result.stderr.index(str(invalid)) < result.stderr.index("resolution-too-low")  # in the order given
    assert not (tmp_path / "out").exists()


def test_check_takes_a_folder(tiny_layouts):
    folder, _layout = tiny_layouts
    result = run("check", folder, "--json")
    assert result.exit_code == 0, result.output
    assert '"layout": "' + str(folder / "ok-1.yaml") in result.stdout
    assert '"layout": "' + str(folder / "ok-2.yaml") in result.stdout
