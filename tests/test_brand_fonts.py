"""A campaign's own typeface in every form it comes in: the stadtbibliothek billboard set in a static
TrueType, an OpenType/CFF, a variable font at a chosen weight, a CFF2 variable font's named
instance and a font from a collection keeps its meaning (every name, role and the quote, no
preflight error), and the print file embeds each as a subset that text extraction reads."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import ONE_PORTRAIT, ROOT, HAND_PLACED, STADTBIBLIOTHEK, cut_to_one_portrait, dump_layout, file_of, shipped_data

from plakat.pipeline import build, check, render
from plakat.preflight.scene import check_text
from plakat.scene import TextLine

SUBSTITUTES = {
    "static-ttf": lambda fonts: str(ROOT / "assets/fonts/NotoSans-Italic.ttf"),
    "otf-cff": lambda fonts: str(fonts["cff_otf"]),
    "variable-wght-700": lambda fonts: {"file": str(fonts["variable_ttf"]), "axes": {"wght": 700}},
    "cff2-instance-black": lambda fonts: {"file": str(fonts["variable_cff2"]), "instance": "Black"},
    "collection-index-1": lambda fonts: {"file": str(fonts["collection"]), "index": 1},
}


def with_every_font(data: dict, entry) -> dict:
    data["fonts"] = {key: entry for key in data["fonts"]}
    return data


def visible_text(lines: list[TextLine]) -> str:
    """The poster's words as a reader sees them, a hyphenated break joined again."""
    joined = ""
    for line in lines:
        joined += line.text[:-1] if line.text.endswith("-") else line.text + " "
    return joined


@pytest.mark.parametrize("kind", SUBSTITUTES)
def test_the_billboard_keeps_its_meaning_in_any_kind_of_font(kind, test_fonts, tmp_path):
    data = with_every_font(shipped_data(HAND_PLACED), SUBSTITUTES[kind](test_fonts))
    built = build(dump_layout(data, tmp_path / "stadtbibliothek.yaml"))
    # the text checks alone: the portraits are the same in every case and checked elsewhere
    assert [f for f in check_text(built.scene, built.assets.fonts) if f.severity == "error"] == []
    text = visible_text(list(built.scene.of_type(TextLine)))
    for person in data["people"]:
        assert f"{person['name']}, {person['age']}" in text and person["role"] in text
    assert "Meine Generation hat viele Krisen überstanden. Toilettenpapier war nie ein Problem." in text
    assert "#duisburgistechtsolidarisch" in text and "DUISBURG IST ECHT" in text


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler's pdffonts is not installed")
def test_a_converted_font_is_embedded_as_a_subset_and_reads_back_as_text(test_fonts, tmp_path):
    data = with_every_font(cut_to_one_portrait(shipped_data(HAND_PLACED)), SUBSTITUTES["otf-cff"](test_fonts))
    data["output"]["png"] = False
    result = render(dump_layout(data, tmp_path / "poster.yaml"), tmp_path / "out")
    pdf = str(file_of(result, "pdf"))
    fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert len(fonts) == 1 and "CID TrueType" in fonts[0] and fonts[0].split()[-5:-2] == ["yes", "yes", "yes"]
    text = " ".join(subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout.split())
    assert f"{ONE_PORTRAIT}, 81" in text and "Rentnerin" in text and "Toilettenpapier" in text


def test_a_variable_font_weight_outside_its_range_is_refused_at_its_line(test_fonts, tmp_path):
    from plakat.errors import LayoutInvalid

    data = cut_to_one_portrait(shipped_data(HAND_PLACED))
    data["fonts"]["black"] = {"file": str(test_fonts["variable_ttf"]), "axes": {"wght": 1000}}
    with pytest.raises(LayoutInvalid) as refused:
        check(dump_layout(data, tmp_path / "poster.yaml"))
    message = str(refused.value)
    assert "fonts.black.axes" in message and "wght 400–900" in message


def test_a_font_that_forbids_embedding_is_an_error(test_fonts, tmp_path):
    data = with_every_font(cut_to_one_portrait(shipped_data(HAND_PLACED)), str(test_fonts["restricted_ttf"]))
    result = check(dump_layout(data, tmp_path / "poster.yaml"))
    assert "font-not-embeddable" in {f.code for f in result.findings if f.severity == "error"}


def test_force_does_not_override_a_font_licence(test_fonts, tmp_path):
    from plakat.errors import AssetError

    data = with_every_font(cut_to_one_portrait(shipped_data(HAND_PLACED)), str(test_fonts["restricted_ttf"]))
    data["output"]["png"] = False
    with pytest.raises(AssetError, match="may not be embedded: restricted licence"):
        render(dump_layout(data, tmp_path / "poster.yaml"), tmp_path / "out", force=True)
    assert not (tmp_path / "out" / "poster.pdf").exists()


def test_plakat_font_describes_what_a_layout_can_ask_of_a_font(test_fonts):
    from typer.testing import CliRunner

    from plakat.cli import app

    runner = CliRunner()
    variable = runner.invoke(app, ["font", str(test_fonts["variable_cff2"])])
    assert variable.exit_code == 0, variable.output
    assert "CFF2 outlines" in variable.stdout and "wght 400–900 (default 400)" in variable.stdout
    assert "Black (wght 900)" in variable.stdout and "axes: {wght: 400}" in variable.stdout
    member = runner.invoke(app, ["font", str(test_fonts["collection"]), "--index", "1"])
    assert "font 1: Plakat Test Sans Black   <- shown" in member.stdout and "index: 1}" in member.stdout
    restricted = runner.invoke(app, ["font", str(test_fonts["restricted_ttf"])])
    assert "forbidden (OS/2 fsType 0x0002" in restricted.stdout
    not_a_font = runner.invoke(app, ["font", str(ROOT / "README.md")])
    assert not_a_font.exit_code == 2 and "is not a font file" in not_a_font.stderr
