"""plakat init: a starting layout that renders as it is, extending the campaign file where there
is one, with stand-ins where the designer has nothing yet."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from plakat.cli import app
from plakat.findings import has_errors
from plakat.pipeline import build, check, scene_findings
from plakat.scene import PlacedImage, TextLine
from plakat.spec import load_layout
from plakat.starter import find_campaign

from conftest import LAYOUTS

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_a_standalone_start_renders_and_passes_the_files_checks(tmp_path):
    result = run("init", "bahnhof", "--format", "clp", "--dir", tmp_path)
    assert result.exit_code == 0, result.output
    layout = tmp_path / "bahnhof.yaml"
    text = layout.read_text(encoding="utf-8")
    assert "STAND-IN" in text and "# Fonts:" in text and "# The grid:" in text and "# People:" in text
    stand_ins = sorted(path.name for path in (tmp_path / "bahnhof-stand-ins").iterdir())
    assert stand_ins == ["NotoSans-Black.ttf", "NotoSans-Regular.ttf", "OFL.txt",
                         "person-a.jpg", "person-b.jpg", "person-c.jpg"]
    checked = check(layout)
    assert not has_errors(checked.findings), [f.message for f in checked.findings]
    assert len(checked.built.scene.of_type(PlacedImage)) == 3


@pytest.mark.parametrize("format_name", ["18/1", "a4", "1080x1920", "1200x628", "uk-96-sheet"])
def test_a_standalone_start_lays_out_on_any_format(tmp_path, format_name):
    assert run("init", "start", "--format", format_name, "--dir", tmp_path).exit_code == 0
    built = build(tmp_path / "start.yaml")
    assert not has_errors(scene_findings(built))
    assert {line.element for line in built.scene.of_type(TextLine)} >= {"headline", "credit", "caption of Person A"}


def test_a_start_beside_a_campaign_extends_it(tmp_path):
    campaign = LAYOUTS / "campaign" / "duisburg.yaml"
    result = run("init", "hbf", "--format", "1080x1350", "--dir", tmp_path, "--campaign", campaign)
    assert result.exit_code == 0, result.output
    layout = tmp_path / "hbf.yaml"
    assert "extends: " in layout.read_text(encoding="utf-8")
    assert not (tmp_path / "hbf-stand-ins").exists()
    loaded = load_layout(layout)
    assert [p.name for p in loaded.source.paths] == ["duisburg.yaml", "hbf.yaml"]
    assert not has_errors(scene_findings(build(layout)))


def test_the_campaign_is_found_in_the_folders_campaign_subfolder():
    assert find_campaign(LAYOUTS) == LAYOUTS / "campaign" / "duisburg.yaml"


@pytest.mark.parametrize(
    "args, message",
    [
        (["x", "--format", "18-2"], "did you mean"),
        (["../x", "--format", "a1"], "not a usable layout name"),
        (["x.yaml", "--format", "a1"], "not a usable layout name"),
    ],
)
def test_what_init_refuses(tmp_path, args, message):
    result = run("init", *args, "--dir", tmp_path)
    assert result.exit_code == 2 and message in result.output
    assert list(tmp_path.iterdir()) == []


def test_init_never_overwrites(tmp_path):
    (tmp_path / "x.yaml").write_text("# mine\n", encoding="utf-8")
    result = run("init", "x", "--format", "a1", "--dir", tmp_path)
    assert result.exit_code == 2 and "exists already" in result.output
    assert (tmp_path / "x.yaml").read_text(encoding="utf-8") == "# mine\n"
