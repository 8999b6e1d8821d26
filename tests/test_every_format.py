"""One layout, every format: the Stadtbibliothek layout with nothing changed but its `format:`
line lays out on every preset `plakat formats` lists, with no preflight errors, all nine people
with their captions, and Brigitte's quote.

The scene's preflight runs here for every preset (cheap: no file is drawn); the written files'
checks for every preset run in CI (scripts/check_every_format.py, about 25 s)."""

from __future__ import annotations

import pytest
from conftest import STADTBIBLIOTHEK, dump_layout, shipped_data

from plakat.findings import has_errors
from plakat.formats import PRESETS
from plakat.pipeline import build, scene_findings
from plakat.scene import PlacedImage, TextLine

PEOPLE = ["Tamara", "Markus", "Verena", "Valentino", "Elif", "Jupp", "Brigitte", "Marlon", "Jannine"]


def swapped(tmp_path, format_name: str):
    data = shipped_data(STADTBIBLIOTHEK)
    data["format"] = format_name
    return dump_layout(data, tmp_path / f"swap-{format_name.replace('/', '-')}.yaml")


def assert_everyone_is_there(scene) -> None:
    shown = {item.element for item in scene.of_type(PlacedImage)}
    assert set(PEOPLE) <= shown
    captions = {line.element for line in scene.of_type(TextLine)}
    assert {f"caption of {name}" for name in PEOPLE} <= captions
    quote = " ".join(line.text for line in scene.of_type(TextLine) if line.element == "quote of Brigitte")
    assert "Toilettenpapier" in quote.replace("\u00ad", "").replace("-", "")


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.name)
def test_changing_only_the_format_line_gives_a_poster_without_errors(tmp_path, preset):
    built = build(swapped(tmp_path, preset.name))
    assert built.scene.format_name == preset.name
    findings = scene_findings(built)
    assert not has_errors(findings), [f.message for f in findings if f.severity == "error"]
    assert_everyone_is_there(built.scene)
    # warnings are allowed where the format is small for the content, but each says what to change
    for finding in findings:
        if finding.severity == "warning":
            assert any(word in finding.message for word in ("set ", "Set ", "raise", "move", "give", "use", "lower"))
