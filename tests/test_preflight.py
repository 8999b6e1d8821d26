"""Preflight: every finding code made to fire once and kept quiet once.

The shipped stadtbibliothek layout is clean (no findings at all, even under --strict); each fire
test changes one thing about it (a layout key, an asset, a scene item or a written file) and
asserts the specific code, and where it matters the element, severity and figures. Checks of the
page, its text and fonts, or of one replaced image start from the same billboard with Brigitte
alone (``findings_for_one_portrait``): nine portraits to probe and decode would prove nothing more.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from typer.testing import CliRunner

from plakat.cli import app
from plakat.delivery import PdfOptions
from plakat.pipeline import build
from plakat.preflight import (Finding, check_files, check_pdf, check_png, check_resolution, check_scene,
                              check_seams, has_errors, read_png_header, sort_findings)
from plakat.render.pdf import write_pdf
from plakat.scene import Fill, PlacedImage, Rect, TextLine
from plakat.units import EMU_PER_INCH, EMU_PER_MM, mm
from conftest import ONE_PORTRAIT, ROOT, STADTBIBLIOTHEK, cut_to_people, file_of

ALL_CODES = {
    "resolution-too-low", "resolution-below-recommended", "image-upscaled", "image-oversized",
    "bleed-too-small", "bleed-missing", "text-outside-trim", "text-outside-safe", "focus-outside-safe",
    "seam-through-text", "seam-through-face", "text-overflow", "glyph-missing", "font-not-embeddable",
    "image-unreadable", "image-colour-mode", "image-orientation", "pdf-boxes", "font-not-embedded",
    "png-size", "png-dpi",
    "text-too-small",  # exercised in test_legibility.py
    "element-outside-safe", "element-too-small", "qr-module-too-small",  # exercised in test_elements.py
    "jpeg-size", "jpeg-colour",  # exercised in test_screen.py
    # the print file's codes are exercised in test_pdfx.py
    "ink-limit", "pdfx-version", "pdfx-output-intent", "pdfx-metadata", "pdfx-colour", "pdfx-forbidden",
}
PEOPLE = ["Tamara", "Markus", "Verena", "Valentino", "Elif", "Jupp", "Marlon", "Jannine", "Brigitte"]
ROW_ONE = PEOPLE[:6]
PNG_DPI = 10  # the resolution of the shared reference render's PNG

runner = CliRunner()


# --- helpers and fixtures -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def billboard():
    """The shipped billboard, built once: Built(layout, assets, scene)."""
    return build(STADTBIBLIOTHEK)


@pytest.fixture(scope="module")
def one_portrait_billboard(one_portrait_layout):
    """The billboard with Brigitte alone, built once: for scene changes that all checks must see."""
    return build(one_portrait_layout)


def _findings_after(data, write_layout):
    def run(change=None):
        if change is not None:
            change(data)
        built = build(write_layout(data))
        return built, check_scene(built.scene, built.assets.fonts)

    return run


@pytest.fixture
def findings_for(stadtbibliothek_data, write_layout):
    """Apply ``change`` to the stadtbibliothek data, build it and run every scene check."""
    return _findings_after(stadtbibliothek_data, write_layout)


@pytest.fixture
def findings_for_one_portrait(one_portrait_data, write_layout):
    """As ``findings_for``, on the billboard with Brigitte alone (people[0], in her shipped cell)."""
    return _findings_after(one_portrait_data, write_layout)


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def of_code(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def elements(findings: list[Finding], code: str) -> set[str]:
    return {f.element for f in of_code(findings, code)}


def with_preflight(**settings):
    def change(data):
        data["preflight"] = {**data.get("preflight", {}), **settings}
    return change


def replace_items(scene, kind, element, **changes):
    """The scene with the ``kind`` items called ``element`` changed."""
    hit = [False]

    def swap(item):
        if isinstance(item, kind) and item.element == element:
            hit[0] = True
            return dataclasses.replace(item, **changes)
        return item

    items = tuple(swap(item) for item in scene.items)
    assert hit[0], f"no {kind.__name__} called {element!r}"
    return dataclasses.replace(scene, items=items)


def item(scene, kind, element):
    return next(i for i in scene.items if isinstance(i, kind) and i.element == element)


def run_cli(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_the_registry_holds_exactly_the_codes_tested_here_and_the_readme_lists_them():
    import re

    from plakat.findings import CODES

    assert set(CODES) == ALL_CODES
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = {}
    for row in re.findall(r"^\| (`[a-z-]+`(?:, `[a-z-]+`)*) \| (error|warning|info) \|", readme, re.MULTILINE):
        for code in re.findall(r"`([a-z-]+)`", row[0]):
            documented[code] = row[1]
    assert documented == CODES


def test_a_finding_takes_its_severity_from_the_registry():
    from plakat.findings import finding

    assert finding("text-outside-safe", "m", "e").severity == "warning"
    with pytest.raises(KeyError):
        finding("no-such-code", "m", "e")


# --- the clean baseline -------------------------------------------------------------------------

def test_shipped_billboard_is_clean(billboard):
    assert check_scene(billboard.scene, billboard.assets.fonts) == []


def test_severity_order_and_strictness():
    info = Finding("info", "image-upscaled", "", "x")
    warning = Finding("warning", "text-outside-safe", "", "x")
    error = Finding("error", "bleed-too-small", "", "x")
    assert sort_findings([info, warning, error]) == [error, warning, info]
    assert not has_errors([info, warning]) and has_errors([info, warning], strict=True)
    assert not has_errors([info], strict=True)
    assert has_errors([error])


# --- resolution ---------------------------------------------------------------------------------

def arc_minute_ppi(distance_mm: float) -> float:
    return 3438 / (distance_mm / 25.4)


@pytest.mark.parametrize("settings, code, severity, required", [
    ({"min_ppi": 150}, "resolution-too-low", "error", 150),
    ({"min_ppi": 116}, "resolution-too-low", "error", 116),  # the portraits show 115.45 ppi
    ({"recommended_ppi": 200}, "resolution-below-recommended", "warning", 200),
    ({"viewing_distance": "0.5m", "recommended_ppi": None}, "resolution-below-recommended", "warning",
     arc_minute_ppi(500)),
], ids=["min-150", "min-116", "recommended-200", "viewing-0.5m"])
def test_resolution_fires(findings_for, settings, code, severity, required):
    built, findings = findings_for(with_preflight(**settings))
    hits = of_code(findings, code)
    assert {f.element for f in hits} == set(PEOPLE)
    for finding in hits:
        assert finding.severity == severity
        assert finding.measured == pytest.approx(115.5, abs=0.05)
        assert finding.required == pytest.approx(required, abs=0.05)
        assert finding.position_mm is not None
    other = ({"resolution-too-low", "resolution-below-recommended"} - {code}).pop()
    assert not of_code(findings, other)  # below the minimum is not also "below recommended"


@pytest.mark.parametrize("settings", [{}, {"min_ppi": 115}, {"viewing_distance": "1m", "recommended_ppi": None},
                                      {"recommended_ppi": 115}],
                         ids=["defaults", "min-115", "viewing-1m", "recommended-115"])
def test_resolution_quiet(findings_for, settings):
    _, findings = findings_for(with_preflight(**settings))
    assert not codes(findings) & {"resolution-too-low", "resolution-below-recommended"}


# The shipped layout states a viewing distance and keeps the 18/1's recommended ppi explicitly:
# recommended_ppi None lets the distance speak.
@pytest.mark.parametrize("settings, expected", [
    ({"viewing_distance": "5m", "min_ppi": 10, "recommended_ppi": None}, arc_minute_ppi(5000)),  # about 17.5 ppi
    ({"viewing_distance": "1m", "recommended_ppi": None}, arc_minute_ppi(1000)),  # about 87 ppi
    ({"viewing_distance": "2m", "recommended_ppi": None}, arc_minute_ppi(2000)),  # about 43.7 ppi
    ({"viewing_distance": "5m", "recommended_ppi": None}, 30),  # 17.5 lies below the 18/1 minimum
    ({"viewing_distance": "1m", "recommended_ppi": 60}, 60),  # an explicit figure wins
    ({"viewing_distance": None, "recommended_ppi": None}, 50),  # the 18/1 preset
], ids=["5m", "1m", "2m", "5m-on-18/1", "explicit-wins", "preset"])
def test_viewing_distance_follows_the_arc_minute_rule(findings_for_one_portrait, settings, expected):
    built, _ = findings_for_one_portrait(with_preflight(**settings))
    assert built.scene.rules.recommended_ppi == pytest.approx(expected, abs=0.05)
    assert arc_minute_ppi(5000) == pytest.approx(17.5, abs=0.05)
    assert arc_minute_ppi(1000) == pytest.approx(87.3, abs=0.05)


def test_image_upscaled_fires(findings_for):
    _, findings = findings_for(with_preflight(max_upscale=0.5))
    hits = of_code(findings, "image-upscaled")
    assert {f.element for f in hits} == set(PEOPLE)
    # no dpi stated: 72 dpi shown at 115.45 ppi is 62 % of its own size
    assert all(f.severity == "info" and f.measured == pytest.approx(0.62) and f.required == 0.5 for f in hits)
    assert not has_errors(findings, strict=True)


@pytest.mark.parametrize("max_upscale", [4.0, 0.63], ids=["default", "just-enough"])
def test_image_upscaled_quiet(findings_for, max_upscale):
    _, findings = findings_for(with_preflight(max_upscale=max_upscale))
    assert "image-upscaled" not in codes(findings)


def test_image_upscaled_uses_the_dpi_the_file_states(billboard):
    """A 600 dpi image shown at 115 ppi is shown at 5.2 times its own size."""
    scene = billboard.scene
    tamara = item(scene, PlacedImage, "Tamara")
    stated = replace_items(scene, PlacedImage, "Tamara", image=dataclasses.replace(tamara.image, dpi=600.0))
    assert elements(check_resolution(stated), "image-upscaled") == {"Tamara"}
    modest = replace_items(scene, PlacedImage, "Tamara", image=dataclasses.replace(tamara.image, dpi=300.0))
    assert check_resolution(modest) == []


@pytest.mark.parametrize("settings", [{"min_ppi": 20, "recommended_ppi": 20},
                                      {"min_ppi": 20, "recommended_ppi": 28}], ids=["20", "28"])
def test_image_oversized_fires(findings_for, settings):
    _, findings = findings_for(with_preflight(**settings))
    hits = of_code(findings, "image-oversized")
    assert {f.element for f in hits} == set(PEOPLE)
    assert all(f.severity == "info" and f.measured == pytest.approx(115.5, abs=0.05) for f in hits)


@pytest.mark.parametrize("settings", [{}, {"min_ppi": 20, "recommended_ppi": 29},
                                      # raised to the 18/1 minimum of 30 ppi, and 4 x 30 > 115
                                      {"recommended_ppi": 20}],
                         ids=["defaults", "29", "clamped-to-minimum"])
def test_image_oversized_quiet(findings_for, settings):
    _, findings = findings_for(with_preflight(**settings))
    assert "image-oversized" not in codes(findings)


# --- bleed --------------------------------------------------------------------------------------

@pytest.mark.parametrize("bleed", ["2mm", "9.9mm"])
def test_bleed_too_small_fires(findings_for_one_portrait, bleed):
    _, findings = findings_for_one_portrait(lambda data: data.update(bleed=bleed))
    hits = of_code(findings, "bleed-too-small")
    assert len(hits) == 1
    assert hits[0].severity == "error" and hits[0].element == "page"
    assert hits[0].measured == pytest.approx(float(bleed[:-2])) and hits[0].required == 10


@pytest.mark.parametrize("bleed", ["10mm", "15mm"])
def test_bleed_too_small_quiet(findings_for_one_portrait, bleed):
    _, findings = findings_for_one_portrait(lambda data: data.update(bleed=bleed))
    assert "bleed-too-small" not in codes(findings)


def test_custom_size_requires_no_bleed(findings_for_one_portrait):
    def custom(data):
        del data["format"]
        data["size"] = {"width": "3560mm", "height": "2520mm"}
        data["bleed"] = "0mm"

    _, findings = findings_for_one_portrait(custom)
    assert not codes(findings) & {"bleed-too-small", "bleed-missing"}


def _edges(scene, left=None, top=None, right=None, bottom=None) -> Rect:
    b = scene.bleed
    x0 = -b if left is None else left
    y0 = -b if top is None else top
    x1 = scene.width + b if right is None else right
    y1 = scene.height + b if bottom is None else bottom
    return Rect(x0, y0, x1 - x0, y1 - y0)


@pytest.mark.parametrize("edges, sides", [
    ({"left": 0}, "left"),
    ({"top": 0}, "top"),
    ({"right": "W"}, "right"),
    ({"bottom": "H"}, "bottom"),
    ({"left": "-half"}, "left"),  # halfway into the bleed is not enough either
    ({"left": 0, "top": 0, "right": "W", "bottom": "H"}, "left, top, right, bottom"),
])
def test_bleed_missing_fires(one_portrait_billboard, edges, sides):
    scene = one_portrait_billboard.scene
    values = {"W": scene.width, "H": scene.height, "-half": -scene.bleed // 2}
    rect = _edges(scene, **{k: values.get(v, v) for k, v in edges.items()})
    broken = replace_items(scene, Fill, "background", rect=rect)
    hits = of_code(check_scene(broken, one_portrait_billboard.assets.fonts), "bleed-missing")
    assert [(f.element, f.severity) for f in hits] == [("background", "error")]
    assert f"on the {sides}:" in hits[0].message


def test_bleed_missing_fires_for_an_image(one_portrait_billboard):
    scene = one_portrait_billboard.scene
    portrait = item(scene, PlacedImage, ONE_PORTRAIT)
    broken = replace_items(scene, PlacedImage, ONE_PORTRAIT,
                           rect=Rect(0, portrait.rect.y, portrait.rect.right, portrait.rect.h))
    hits = of_code(check_scene(broken, one_portrait_billboard.assets.fonts), "bleed-missing")
    assert [f.element for f in hits] == [ONE_PORTRAIT] and "on the left:" in hits[0].message


@pytest.mark.parametrize("rect", ["bleed-box", "beyond", "inside"])
def test_bleed_missing_quiet(one_portrait_billboard, rect):
    scene = one_portrait_billboard.scene
    b = scene.bleed
    rects = {"bleed-box": scene.bleed_box,
             "beyond": Rect(-2 * b, -2 * b, scene.width + 4 * b, scene.height + 4 * b),
             "inside": Rect(1, 1, scene.width - 2, scene.height - 2)}  # never reaches the trim
    changed = replace_items(scene, Fill, "background", rect=rects[rect])
    assert "bleed-missing" not in codes(check_scene(changed, one_portrait_billboard.assets.fonts))


def test_engine_carries_edge_portraits_into_the_bleed(findings_for):
    def no_margins(data):
        data["grid"]["margins"] = {"top": "0mm", "right": "0mm", "bottom": "0mm", "left": "0mm"}

    built, findings = findings_for(no_margins)
    assert item(built.scene, PlacedImage, "Tamara").rect.x == -built.scene.bleed
    assert "bleed-missing" not in codes(findings)


# --- safe zone ----------------------------------------------------------------------------------

def _hashtag_at(x_mm: float):
    """The hashtag is right-aligned in its 1620 mm box: its ink ends exactly at the box's right edge."""
    def change(data):
        data["hashtag"]["box"]["x"] = f"{x_mm}mm"
    return change


@pytest.mark.parametrize("x_mm, expected", [
    (1891, "text-outside-safe"),  # ink ends at 3511 mm, 1 mm into the 50 mm margin
    (1940, "text-outside-safe"),  # ink ends exactly at the trim: inside the trim
    (1941, "text-outside-trim"),  # 1 mm past the trim
])
def test_text_outside_fires(findings_for_one_portrait, x_mm, expected):
    _, findings = findings_for_one_portrait(_hashtag_at(x_mm))
    hits = [f for f in findings if f.element == "hashtag"]
    assert [(f.code, f.severity) for f in hits] == \
        [(expected, "error" if expected == "text-outside-trim" else "warning")]
    assert hits[0].position_mm is not None and hits[0].position_mm[0] > 2500


@pytest.mark.parametrize("x_mm", [1840, 1890])  # shipped; ink ends exactly on the safe margin
def test_text_outside_quiet(findings_for_one_portrait, x_mm):
    _, findings = findings_for_one_portrait(_hashtag_at(x_mm))
    assert not codes(findings) & {"text-outside-safe", "text-outside-trim"}


def test_focus_outside_safe_fires_from_the_layout(findings_for):
    _, findings = findings_for(lambda data: data.update(safe="360mm"))
    # the outer columns' faces sit at 355 mm from the left and 355 mm from the right edge
    assert elements(findings, "focus-outside-safe") == {"Tamara", "Marlon", "Jupp"}
    assert all(f.severity == "warning" for f in of_code(findings, "focus-outside-safe"))


@pytest.mark.parametrize("dx, fires", [(-1, True), (0, False), (mm(1), False)], ids=["1-emu-out", "on-edge", "in"])
def test_focus_outside_safe_at_the_edge(one_portrait_billboard, dx, fires):
    scene = one_portrait_billboard.scene
    safe = scene.safe_box
    focus = (safe.x + dx, item(scene, PlacedImage, ONE_PORTRAIT).focus[1])
    changed = replace_items(scene, PlacedImage, ONE_PORTRAIT, focus=focus)
    hits = of_code(check_scene(changed, one_portrait_billboard.assets.fonts), "focus-outside-safe")
    if fires:
        assert [f.element for f in hits] == [ONE_PORTRAIT]
        assert hits[0].position_mm == (round(focus[0] / EMU_PER_MM, 1), round(focus[1] / EMU_PER_MM, 1))
    else:
        assert hits == []


# --- sheet seams --------------------------------------------------------------------------------

def test_seam_through_text_fires(findings_for):
    """With 50 mm clearance the horizontal split at 1260 mm comes within reach of the first row's
    captions (ink down to 1214 mm), the vertical one at 1780 mm of Valentino's (from 1826 mm) and
    of the quote's opening „, which hangs out of the text's edge at 1870 mm to 1823 mm."""
    _, findings = findings_for(with_preflight(seam_clearance="50mm"))
    hits = of_code(findings, "seam-through-text")
    assert {f.element for f in hits} == {f"caption of {name}" for name in ROW_ONE} | {"quote of Brigitte"}
    quote = next(f for f in hits if f.element == "quote of Brigitte")
    assert "'„'" in quote.message
    assert all(f.severity == "warning" for f in hits)
    valentino = [f for f in hits if f.element == "caption of Valentino"]
    # one finding per split (not one per line): the horizontal one at the ink's centre, the vertical one on it
    assert len(valentino) == 2 and 1780 in {f.position_mm[0] for f in valentino}
    assert {f.position_mm[1] for f in hits if f.element.startswith("caption") and "Valentino" not in f.element} == {1260}
    assert "seam-through-face" not in codes(findings)


def test_seam_through_text_fires_for_a_glyph(findings_for_one_portrait):
    def hashtag_on_the_split(data):
        data["hashtag"]["align"] = "left"
        data["hashtag"]["box"]["x"] = "1760mm"  # '#' starts 20 mm before the split at 1780 mm

    _, findings = findings_for_one_portrait(hashtag_on_the_split)
    hits = of_code(findings, "seam-through-text")
    assert [f.element for f in hits] == ["hashtag"] and "the glyph '#'" in hits[0].message


def test_seam_through_face_fires(findings_for):
    """Four columns split at 890, 1780 and 2670 mm; Markus and Jannine (925 mm) and Elif (2635 mm)
    face a split 35 mm away."""
    _, findings = findings_for(with_preflight(sheets={"columns": 4, "rows": 2}, seam_clearance="40mm"))
    hits = of_code(findings, "seam-through-face")
    assert {f.element for f in hits} == {"Markus", "Jannine", "Elif"}
    assert all(f.severity == "warning" for f in hits)


@pytest.mark.parametrize("settings", [
    {},  # the shipped layout keeps its splits in the gutters
    {"sheets": {"columns": 4, "rows": 2}, "seam_clearance": "30mm"},  # faces 35 mm away: clear
    {"sheets": {"columns": 1, "rows": 1}, "seam_clearance": "1000mm"},  # one sheet: no splits
], ids=["shipped", "4x2-30mm", "one-sheet"])
def test_seam_through_face_quiet(findings_for, settings):
    _, findings = findings_for(with_preflight(**settings))
    assert "seam-through-face" not in codes(findings)
    if settings.get("sheets", {}).get("columns") != 4:
        assert "seam-through-text" not in codes(findings)


@pytest.mark.parametrize("offset, fires", [(0, True), (mm(30), False)], ids=["on-split", "30mm-off"])
def test_seam_through_face_at_the_clearance(billboard, offset, fires):
    scene = billboard.scene
    seam_x = scene.seams()[0][0]
    focus = (seam_x + offset - (1 if fires and offset else 0), item(scene, PlacedImage, "Verena").focus[1])
    changed = replace_items(scene, PlacedImage, "Verena", focus=focus)
    assert ("Verena" in elements(check_seams(changed), "seam-through-face")) is fires


def _moved(line: TextLine, x: int) -> TextLine:
    """``line`` set at ``x``, its glyphs with it."""
    glyphs = tuple(dataclasses.replace(glyph, x=glyph.x + x - line.x) for glyph in line.glyphs)
    return dataclasses.replace(line, x=x, glyphs=glyphs)


def _middle_of_first_space(line: TextLine) -> int:
    """EMU from the line's start to the middle of its first space, as the shaped glyphs place it."""
    space = next(glyph for glyph in line.glyphs if glyph.char == " ")
    return space.x + space.advance // 2 - line.x


def _line_across_the_split(billboard, where: str, clearance_mm: float):
    """The headline's first line moved so that the vertical split falls at ``where``: the middle
    of the space after 'Duisburg', or 1 mm into the 'D' that starts it."""
    scene = dataclasses.replace(billboard.scene, rules=dataclasses.replace(billboard.scene.rules,
                                                                           seam_clearance=mm(clearance_mm)))
    line = next(t for t in scene.of_type(TextLine) if t.text == "Duisburg ist echt")
    seam_x = scene.seams()[0][0]
    offset = {"space": _middle_of_first_space(line), "glyph": mm(1)}[where]
    moved = _moved(line, seam_x - offset)
    items = tuple(moved if i is line else i for i in scene.items)
    return dataclasses.replace(scene, items=items)


def test_seam_between_words_is_quiet_but_through_a_glyph_fires(billboard):
    space = of_code(check_seams(_line_across_the_split(billboard, "space", 5)), "seam-through-text")
    glyph = of_code(check_seams(_line_across_the_split(billboard, "glyph", 5)), "seam-through-text")
    assert space == []
    assert [f.element for f in glyph] == ["headline"] and "the glyph 'D'" in glyph[0].message


def test_seam_through_a_caption_fires_even_between_words(billboard):
    """Captions are short and read as one: the whole line counts, spaces included."""
    scene = billboard.scene
    line = next(t for t in scene.of_type(TextLine) if t.text == "Tamara, 32")
    seam_x = scene.seams()[0][0]
    moved = _moved(line, seam_x - _middle_of_first_space(line))
    scene = dataclasses.replace(scene, items=tuple(moved if i is line else i for i in scene.items),
                                rules=dataclasses.replace(scene.rules, seam_clearance=mm(1)))
    assert elements(check_seams(scene), "seam-through-text") == {"caption of Tamara"}


# --- text and fonts -----------------------------------------------------------------------------

def test_text_overflow_fires(findings_for_one_portrait):
    def long_role(data):
        data["people"][0]["role"] = "Donaudampfschifffahrtsgesellschaftskapitänsmützenträgerin"
        data["captions"]["lines"][1]["size"] = {"max": "110pt", "min": "100pt"}

    _, findings = findings_for_one_portrait(long_role)
    hits = of_code(findings, "text-overflow")
    assert [(f.element, f.severity) for f in hits] == [(f"caption of {ONE_PORTRAIT}", "error")]
    assert hits[0].position_mm is not None


def test_text_overflow_quiet(findings_for_one_portrait):
    def long_role_small_min(data):
        data["people"][0]["role"] = "Donaudampfschifffahrtsgesellschaftskapitänsmützenträgerin"
        data["captions"]["lines"][1]["size"] = {"max": "95pt", "min": "10pt"}

    _, findings = findings_for_one_portrait(long_role_small_min)
    assert "text-overflow" not in codes(findings)


@pytest.mark.parametrize("where, text, missing", [
    ("name", "Tamara 🙂", "🙂"),
    ("hashtag", "#東京", "東"),
], ids=["emoji-in-a-name", "cjk-in-the-hashtag"])
def test_glyph_missing_fires(findings_for, where, text, missing):
    def change(data):
        if where == "name":
            data["people"][0]["name"] = text
        else:
            data["hashtag"]["text"] = text

    _, findings = findings_for(change)
    hits = of_code(findings, "glyph-missing")
    assert hits and all(f.severity == "error" for f in hits)
    assert all(f"{missing!r}" in f.message for f in hits)
    assert {f.element for f in hits} == ({"caption of Tamara 🙂"} if where == "name" else {"hashtag"})


@pytest.mark.parametrize("name", ["Zoë", "Łukasz", "Nguyễn", "Jürgen Groß"])
def test_glyph_missing_quiet_for_latin_names(findings_for, name):
    def change(data):
        data["people"][0]["name"] = name

    _, findings = findings_for(change)
    assert "glyph-missing" not in codes(findings)
    assert findings == []


@pytest.fixture(scope="module")
def font_with_fs_type(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fonts")
    made = {}

    def make(fs_type: int):
        if fs_type not in made:
            font = TTFont(ROOT / "assets" / "fonts" / "NotoSans-Regular.ttf")
            font["OS/2"].fsType = fs_type
            made[fs_type] = folder / f"NotoSans-Regular-fstype{fs_type}.ttf"
            font.save(made[fs_type])
        return made[fs_type]

    return make


@pytest.mark.parametrize("fs_type, key, fires", [
    (0x0002, "regular", True),  # restricted licence embedding
    (0x0102, "regular", True),  # restricted, and no subsetting
    (0x0000, "regular", False),  # installable
    (0x0004, "regular", False),  # preview & print
    (0x0008, "regular", False),  # editable
    (0x0002, "italic", False),  # restricted, but the layout never sets text in it
])
def test_font_not_embeddable(findings_for_one_portrait, font_with_fs_type, fs_type, key, fires):
    path = font_with_fs_type(fs_type)
    _, findings = findings_for_one_portrait(lambda data: data["fonts"].update({key: str(path)}))
    hits = of_code(findings, "font-not-embeddable")
    if fires:
        assert [(f.element, f.severity) for f in hits] == [(key, "error")]
        assert path.name in hits[0].message
    else:
        assert hits == []


# --- images -------------------------------------------------------------------------------------

def _make_image(folder, kind: str):
    path = folder / {"cmyk": "cmyk.jpg", "rgb": "rgb.jpg", "grey": "grey.jpg", "rgba": "rgba.png",
                     "palette": "palette.png", "rgb-png": "rgb.png", "turned": "turned.jpg",
                     "upright": "upright.jpg"}[kind]
    picture = Image.new("RGB", (240, 300), (200, 120, 60))
    if kind == "cmyk":
        picture.convert("CMYK").save(path, "JPEG")
    elif kind == "grey":
        picture.convert("L").save(path, "JPEG")
    elif kind == "rgba":
        picture.convert("RGBA").save(path)
    elif kind == "palette":
        picture.convert("P").save(path)
    elif kind in ("turned", "upright"):
        exif = Image.Exif()
        exif[0x0112] = 6 if kind == "turned" else 1
        Image.new("RGB", (300, 240), (200, 120, 60)).save(path, "JPEG", exif=exif)  # stored lying down
    else:
        picture.save(path)
    return path


def _portrait(path, person=0):
    def change(data):
        data["people"][person]["portrait"] = str(path)
    return change


@pytest.mark.parametrize("kind, fires", [
    ("cmyk", True), ("rgba", True), ("palette", True),
    ("rgb", False), ("grey", False), ("rgb-png", False),
])
def test_image_colour_mode(findings_for_one_portrait, tmp_path, kind, fires):
    _, findings = findings_for_one_portrait(_portrait(_make_image(tmp_path, kind)))
    hits = of_code(findings, "image-colour-mode")
    if fires:
        assert [(f.element, f.severity) for f in hits] == [(ONE_PORTRAIT, "info")]
    else:
        assert hits == []


@pytest.mark.parametrize("kind, fires", [("turned", True), ("upright", False), ("rgb", False)])
def test_image_orientation(findings_for_one_portrait, tmp_path, kind, fires):
    built, findings = findings_for_one_portrait(_portrait(_make_image(tmp_path, kind)))
    hits = of_code(findings, "image-orientation")
    info = built.assets.images[ONE_PORTRAIT]
    assert (info.width, info.height) == ((300, 240) if kind == "upright" else (240, 300))  # as displayed
    if fires:
        assert [(f.element, f.severity) for f in hits] == [(ONE_PORTRAIT, "info")]
        assert "EXIF orientation 6" in hits[0].message
    else:
        assert hits == []


def _truncate(source, target, fraction=0.5):
    whole = source.read_bytes()
    target.write_bytes(whole[: int(len(whole) * fraction)])
    return target


@pytest.fixture
def truncated_jpeg(tmp_path):
    return _truncate(ROOT / "portraits" / "tamara.jpg", tmp_path / "truncated.jpg")


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.99])
def test_image_unreadable_fires(findings_for_one_portrait, tmp_path, fraction):
    truncated = _truncate(ROOT / "portraits" / "tamara.jpg", tmp_path / "truncated.jpg", fraction)
    built, findings = findings_for_one_portrait(_portrait(truncated))
    assert (built.assets.images[ONE_PORTRAIT].width, built.assets.images[ONE_PORTRAIT].height) == (2400, 3000)
    hits = of_code(findings, "image-unreadable")
    assert [(f.element, f.severity) for f in hits] == [(ONE_PORTRAIT, "error")]
    assert "truncated.jpg" in hits[0].message and "truncated" in hits[0].message.split("(")[1]


def test_image_unreadable_reported_once_per_file(findings_for, truncated_jpeg):
    def twice(data):
        _portrait(truncated_jpeg, 0)(data)
        _portrait(truncated_jpeg, 1)(data)

    _, findings = findings_for(twice)
    assert [f.element for f in of_code(findings, "image-unreadable")] == ["Tamara"]


def test_image_unreadable_quiet(findings_for_one_portrait, portrait_copy):
    _, findings = findings_for_one_portrait(_portrait(portrait_copy("whole.jpg")))
    assert "image-unreadable" not in codes(findings)
    assert findings == []


# --- written files ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def written(shipped_print):
    """The shipped billboard's print PDF and its PNG at PNG_DPI, as the pipeline writes them."""
    return file_of(shipped_print, "pdf"), file_of(shipped_print, "png")


def test_written_files_are_clean(billboard, written):
    pdf, png = written
    spec = billboard.layout.spec
    assert check_pdf(spec, pdf) == []
    assert check_png(spec, png, PNG_DPI) == []
    checked = check_files(spec, pdf, png, PNG_DPI, PdfOptions())
    assert checked.findings == [] and 250 < checked.max_ink <= 300


def _rewrite_pdf(source, target, change):
    with pikepdf.open(source) as document:
        change(document, document.pages[0].obj)
        document.save(target)
    return target


def _shift_trim(points):
    def change(_document, page):
        box = [float(v) for v in page.TrimBox]
        page.TrimBox = pikepdf.Array([box[0] + points, box[1], box[2], box[3]])
    return change


def _set_art_box(_document, page):
    page.ArtBox = page.TrimBox


def _drop_bleed_box(_document, page):
    del page["/BleedBox"]


def _shrink_media_box(_document, page):
    box = [float(v) for v in page.MediaBox]
    page.MediaBox = pikepdf.Array([0, 0, box[2] - 10, box[3]])


@pytest.mark.parametrize("change, what", [
    (_shift_trim(1.0), "TrimBox is"),  # 0.35 mm
    (_set_art_box, "ArtBox"),
    (_drop_bleed_box, "BleedBox is missing"),
    (_shrink_media_box, "MediaBox is"),
], ids=["trim-moved", "art-box", "no-bleed-box", "media-box"])
def test_pdf_boxes_fires(billboard, written, tmp_path, change, what):
    broken = _rewrite_pdf(written[0], tmp_path / "broken.pdf", change)
    hits = check_pdf(billboard.layout.spec, broken)
    assert {f.code for f in hits} == {"pdf-boxes"}
    assert any(what in f.message for f in hits) and all(f.severity == "error" for f in hits)


@pytest.mark.parametrize("change", [_shift_trim(0.1), lambda _d, _p: None], ids=["within-0.1mm", "resaved"])
def test_pdf_boxes_quiet(billboard, written, tmp_path, change):
    assert check_pdf(billboard.layout.spec, _rewrite_pdf(written[0], tmp_path / "same.pdf", change)) == []


def _fonts_of(page):
    fonts = page.Resources.Font
    return [(key, fonts[key]) for key in fonts.keys()]


def test_font_not_embedded_fires(billboard, written, tmp_path):
    def unembed_first(_document, page):
        key, font = _fonts_of(page)[0]
        del font.DescendantFonts[0].FontDescriptor["/FontFile2"]

    broken = _rewrite_pdf(written[0], tmp_path / "unembedded.pdf", unembed_first)
    with pikepdf.open(written[0]) as document:
        first_key = _fonts_of(document.pages[0].obj)[0][0]
    hits = check_pdf(billboard.layout.spec, broken)
    assert [(f.code, f.element, f.severity) for f in hits] == [("font-not-embedded", str(first_key), "error")]


def test_font_not_embedded_quiet(billboard, written):
    with pikepdf.open(written[0]) as document:
        assert len(_fonts_of(document.pages[0].obj)) == 3  # black, bold, regular: all embedded
    assert "font-not-embedded" not in codes(check_pdf(billboard.layout.spec, written[0]))


def test_read_png_header(billboard, written):
    width, height, dpi = read_png_header(written[1])
    assert (width, height) == (round(3560 / 25.4 * PNG_DPI), round(2520 / 25.4 * PNG_DPI))
    assert dpi == pytest.approx(PNG_DPI, abs=0.01)
    with Image.open(written[1]) as image:
        assert image.size == (width, height)
    with pytest.raises(ValueError):
        read_png_header(written[0])


def test_png_size_fires_for_another_scene(billboard, written):
    larger = billboard.layout.spec.model_copy(update={"format": "24/1"})
    hits = check_png(larger, written[1], PNG_DPI)
    assert [(f.code, f.severity) for f in hits] == [("png-size", "error")]


def test_png_size_fires_for_a_file_that_is_no_png(billboard, written):
    assert codes(check_png(billboard.layout.spec, written[0], PNG_DPI)) == {"png-size"}


def test_png_dpi_fires_when_checked_against_another_dpi(billboard, written):
    hits = check_png(billboard.layout.spec, written[1], 6)
    assert "png-dpi" in codes(hits)
    dpi = of_code(hits, "png-dpi")[0]
    assert dpi.measured == pytest.approx(PNG_DPI, abs=0.01) and dpi.required == 6


@pytest.mark.parametrize("stated", [None, 72], ids=["no-pHYs", "72dpi"])
def test_png_dpi_fires_for_the_right_size_at_the_wrong_dpi(billboard, written, tmp_path, stated):
    width, height, _ = read_png_header(written[1])
    target = tmp_path / "plain.png"
    extra = {"dpi": (stated, stated)} if stated else {}
    Image.new("RGB", (width, height), "white").save(target, **extra)
    hits = check_png(billboard.layout.spec, target, PNG_DPI)
    assert [f.code for f in hits] == ["png-dpi"]


def test_png_quiet_when_size_and_dpi_agree(billboard, written, tmp_path):
    width, height, _ = read_png_header(written[1])
    target = tmp_path / "plain.png"
    Image.new("RGB", (width, height), "white").save(target, dpi=(PNG_DPI, PNG_DPI))
    assert check_png(billboard.layout.spec, target, PNG_DPI) == []


def _pdfimages_ppi(pdf) -> list[tuple[float, float]]:
    """x-ppi and y-ppi (columns 13 and 14) of every image drawn, in drawing order."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    return [(float(row.split()[12]), float(row.split()[13])) for row in listing if row.strip()]


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler's pdfimages is not installed")
def test_effective_ppi_agrees_with_pdfimages(billboard, written):
    measured = _pdfimages_ppi(written[0])
    images = billboard.scene.of_type(PlacedImage)
    assert len(measured) == len(images) == 9
    for placed, (x_ppi, y_ppi) in zip(images, measured):
        assert placed.ppi[0] == pytest.approx(x_ppi, abs=1), placed.element
        assert placed.ppi[1] == pytest.approx(y_ppi, abs=1), placed.element


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler's pdfimages is not installed")
def test_effective_ppi_agrees_with_pdfimages_for_converted_images(findings_for, tmp_path):
    """Images the PDF cannot carry as they are (turned by EXIF, CMYK, RGBA) are redrawn upright:
    the ppi the scene reports must still be the ppi on the page."""
    turned, cmyk, wide = tmp_path / "turned.jpg", tmp_path / "cmyk.jpg", tmp_path / "wide.png"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (600, 480), "gray").save(turned, exif=exif)
    Image.new("CMYK", (500, 900), (0, 50, 100, 0)).save(cmyk)
    Image.new("RGBA", (900, 500), (10, 20, 30, 128)).save(wide)

    def portraits(data):
        data.update(cut_to_people(data, *PEOPLE[:3]))  # the first row's first three cells
        for index, path in enumerate((turned, cmyk, wide)):
            data["people"][index]["portrait"] = str(path)

    built, _ = findings_for(portraits)
    pdf = tmp_path / "converted.pdf"
    write_pdf(built.scene, pdf)
    measured = _pdfimages_ppi(pdf)
    images = built.scene.of_type(PlacedImage)
    assert len(measured) == len(images)
    assert len(images) == 3 and {round(min(i.ppi)) for i in images} == {23, 25, 19}  # all three differ from 115
    for placed, (x_ppi, y_ppi) in zip(images, measured):
        assert placed.ppi[0] == pytest.approx(x_ppi, abs=1), placed.element
        assert placed.ppi[1] == pytest.approx(y_ppi, abs=1), placed.element


# --- the command line ---------------------------------------------------------------------------

def test_check_clean_layout_exits_0():
    result = run_cli("check", STADTBIBLIOTHEK, "--strict")
    assert result.exit_code == 0, result.output
    assert "OK" in result.stdout


def test_check_json_report(one_portrait_data, write_layout):
    data = one_portrait_data  # the broken one; the clean one is the shipped layout
    data["bleed"] = "2mm"  # error, no position
    data["hashtag"]["box"]["x"] = "1891mm"  # warning, with a position
    broken = write_layout(data, "broken.yaml")
    result = run_cli("check", STADTBIBLIOTHEK, broken, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["strict"] is False
    clean, failed = report["layouts"]
    assert clean["layout"] == str(STADTBIBLIOTHEK) and clean["ok"] is True and clean["findings"] == []
    assert clean["pdf"]["standard"] == "pdf/x-4" and 250 < clean["pdf"]["max_ink"] <= 300
    assert failed["layout"] == str(broken) and failed["ok"] is False
    by_code = {f["code"]: f for f in failed["findings"]}
    assert {"bleed-too-small", "text-outside-safe"} <= set(by_code)
    for finding in failed["findings"]:
        assert {"severity", "code", "message", "element"} <= set(finding)
        assert finding["severity"] in ("error", "warning", "info")
    assert by_code["bleed-too-small"]["severity"] == "error" and by_code["bleed-too-small"]["position_mm"] is None
    position = by_code["text-outside-safe"]["position_mm"]
    assert set(position) == {"x", "y"} and all(isinstance(v, (int, float)) for v in position.values())
    assert by_code["text-outside-safe"]["element"] == "hashtag"


def test_check_strict_fails_on_warnings_only(one_portrait_data, write_layout):
    data = one_portrait_data
    data["hashtag"]["box"]["x"] = "1891mm"  # text-outside-safe: a warning, nothing else
    layout = write_layout(data)
    lenient = run_cli("check", layout, "--json")
    assert lenient.exit_code == 0
    findings = json.loads(lenient.stdout)["layouts"][0]["findings"]
    assert [(f["code"], f["severity"]) for f in findings] == [("text-outside-safe", "warning")]
    strict = run_cli("check", layout, "--json", "--strict")
    assert strict.exit_code == 1
    assert json.loads(strict.stdout)["layouts"][0]["ok"] is False
    assert run_cli("check", layout, "--strict").exit_code == 1


def test_check_strict_lets_info_pass(one_portrait_data, write_layout):
    data = one_portrait_data
    data["preflight"]["max_upscale"] = 0.5  # image-upscaled: info only
    result = run_cli("check", write_layout(data), "--strict", "--json")
    assert result.exit_code == 0
    assert {f["code"] for f in json.loads(result.stdout)["layouts"][0]["findings"]} == {"image-upscaled"}


def test_check_error_exits_1(one_portrait_data, write_layout):
    data = one_portrait_data
    data["hashtag"]["box"]["x"] = "1941mm"  # text-outside-trim
    result = run_cli("check", write_layout(data))
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "text-outside-trim" in result.stdout


def test_check_invalid_layout_exits_2(stadtbibliothek_data, write_layout):
    data = stadtbibliothek_data
    data["preflight"]["min_pi"] = 100
    layout = write_layout(data)
    assert run_cli("check", layout).exit_code == 2
    result = run_cli("check", layout, "--json")
    assert result.exit_code == 2
    entry = json.loads(result.stdout)["layouts"][0]
    assert entry["ok"] is False and entry["findings"] == []
    assert any("min_pi" in line for line in entry["invalid"])


def test_render_refuses_on_error_unless_forced(one_portrait_data, write_layout, tmp_path):
    data = one_portrait_data
    data["people"][0]["role"] = "Rentnerin 🙂"  # glyph-missing
    layout = write_layout(data)
    out = tmp_path / "out"
    refused = run_cli("render", layout, "--out", out, "--png-dpi", PNG_DPI)
    assert refused.exit_code == 1
    assert "glyph-missing" in refused.stderr
    assert not out.exists() or not any(out.iterdir())
    forced = run_cli("render", layout, "--out", out, "--png-dpi", PNG_DPI, "--force")
    assert forced.exit_code == 0, forced.output
    assert {p.name for p in out.iterdir()} == {"poster.pdf", "poster.png"}


def test_render_writes_with_warnings_only(one_portrait_data, write_layout, tmp_path):
    data = one_portrait_data
    data["hashtag"]["box"]["x"] = "1891mm"
    out = tmp_path / "out"
    result = run_cli("render", write_layout(data), "--out", out, "--png-dpi", PNG_DPI)
    assert result.exit_code == 0, result.output
    assert "text-outside-safe" in result.stderr
    assert {p.name for p in out.iterdir()} == {"poster.pdf", "poster.png"}


def test_png_size_of_a_real_render_matches_the_scene(billboard, written):
    width, height, _ = read_png_header(written[1])
    assert (width, height) == (round(billboard.scene.width * PNG_DPI / EMU_PER_INCH),
                               round(billboard.scene.height * PNG_DPI / EMU_PER_INCH))


# --- broken images and nonsense settings ---------------------------------------------------

@pytest.mark.parametrize("kind", ["cmyk", "turned"])
def test_check_reports_a_truncated_image_that_needs_converting(one_portrait_data, write_layout, tmp_path, kind):
    whole = tmp_path / f"{kind}.jpg"
    noise = Image.effect_noise((400, 500), 60).convert("RGB")
    if kind == "cmyk":
        noise.convert("CMYK").save(whole, quality=95)
    else:
        exif = Image.Exif()
        exif[0x0112] = 6
        noise.save(whole, quality=95, exif=exif)
    truncated = _truncate(whole, tmp_path / f"truncated-{kind}.jpg")
    data = one_portrait_data
    data["people"][0]["portrait"] = str(truncated)
    result = run_cli("check", write_layout(data), "--json")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2
    invalid = json.loads(result.stdout)["layouts"][0]["invalid"]
    assert any("people[0].portrait" in line and truncated.name in line for line in invalid)


@pytest.mark.parametrize("key, value", [("viewing_distance", "-5m"), ("viewing_distance", "0mm"),
                                        ("seam_clearance", "-30mm")])
def test_nonsense_preflight_lengths_are_refused(stadtbibliothek_data, write_layout, key, value):
    data = stadtbibliothek_data
    data["preflight"][key] = value
    result = run_cli("check", write_layout(data))
    assert result.exit_code == 2
    assert f"preflight.{key}" in result.stderr


def test_truncated_png_is_refused_with_its_line_after_a_full_decode(one_portrait_data, write_layout, tmp_path):
    whole = tmp_path / "whole.png"
    Image.effect_noise((400, 500), 60).convert("RGB").save(whole)
    truncated = _truncate(whole, tmp_path / "truncated.png")
    data = one_portrait_data
    data["people"][0]["portrait"] = str(truncated)
    result = run_cli("check", write_layout(data), "--json")
    assert result.exit_code == 2, result.output
    invalid = json.loads(result.stdout)["layouts"][0]["invalid"]
    assert any("people[0].portrait" in line and truncated.name in line for line in invalid)


# --- preflight judges the files independently of the writer -------------------------------------

def _one_person(data):
    """The billboard cut down to Brigitte and her quote: one portrait proves the point."""
    data["people"] = [p for p in data["people"] if p["name"] == "Brigitte"]


def test_proof_shows_exactly_the_findings_check_reports(stadtbibliothek_data, write_layout, tmp_path):
    from plakat.pipeline import check, proof

    data = stadtbibliothek_data
    _one_person(data)
    data["background"] = "cmyk(100, 100, 100, 100)"
    path = write_layout(data)
    checked = check(path)
    assert "ink-limit" in codes(checked.findings) and checked.max_ink == 400
    target, findings = proof(path, tmp_path / "out", 800)
    assert findings == checked.findings and target.exists()
    result = run_cli("proof", path, "--out", tmp_path / "out", "--width", 800)
    assert result.exit_code == 0 and f"{sum(f.severity == 'error' for f in findings)} errors" in result.output


def test_a_box_the_writer_computes_wrongly_fails_preflight(billboard, tmp_path, monkeypatch):
    from plakat.render import pdf as pdf_writer

    right = pdf_writer.PageGeometry.trim_box.fget

    def shifted(geometry):
        x0, y0, x1, y1 = right(geometry)
        return x0 + 1, y0, x1 + 1, y1

    monkeypatch.setattr(pdf_writer.PageGeometry, "trim_box", property(shifted))
    written = tmp_path / "wrong.pdf"
    write_pdf(billboard.scene, written)
    hits = check_pdf(billboard.layout.spec, written)
    assert [f.code for f in hits] == ["pdf-boxes"] and "TrimBox" in hits[0].message


def test_render_and_preflight_do_not_import_each_other():
    import ast

    source = ROOT / "src" / "plakat"

    def imports(folder: str) -> set[str]:
        names = set()
        for path in (source / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom):
                    names.add(("." * node.level) + (node.module or ""))
                elif isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
        return names

    assert not any("preflight" in name for name in imports("render"))
    assert not any("render" in name for name in imports("preflight"))
