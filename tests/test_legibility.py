"""Legibility from the viewing distance: ``text-too-small``.

Most tests work on geometry alone: the one-portrait billboard (Brigitte: her caption, her quote,
headline, brand, hashtag and credit) is built once, and its rules are changed so that the
threshold lands just above or just below a line's cap height, which the tests compute from the
font file themselves. Settings are tested through layout files, and one test draws the proof.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import CLP, ROOT, STADTBIBLIOTHEK
from fontTools.ttLib import TTFont
from PIL import Image

from plakat.assets import load_font_metrics
from plakat.errors import LayoutInvalid
from plakat.findings import CODES, Finding
from plakat.pipeline import build
from plakat.preflight import check_scene
from plakat.preflight.legibility import check_legibility
from plakat.scene import Scene, TextLine
from plakat.spec import load_layout
from plakat.units import EMU_PER_MM, EMU_PER_PT

ROLE = "caption of Brigitte"


@pytest.fixture(scope="module")
def billboard(one_portrait_layout):
    return build(one_portrait_layout)


def cap_height_emu(line: TextLine, font_path) -> float:
    """Size times the font's OS/2 sCapHeight, read here with fontTools rather than plakat."""
    font = TTFont(font_path, lazy=True)
    return line.size * font["OS/2"].sCapHeight / font["head"].unitsPerEm * EMU_PER_PT


def role_line(scene: Scene) -> TextLine:
    """Brigitte's role line, 'Rentnerin': the smallest text on the billboard but the credit."""
    return next(line for line in scene.of_type(TextLine) if line.element == ROLE and line.text == "Rentnerin")


def with_rules(scene: Scene, **rules) -> Scene:
    return dataclasses.replace(scene, rules=dataclasses.replace(scene.rules, **rules))


def hits(findings: list[Finding]) -> dict[str, Finding]:
    found = [f for f in findings if f.code == "text-too-small"]
    assert len(found) == len({f.element for f in found}), "one finding per element"
    return {f.element: f for f in found}


@pytest.fixture
def findings_with(one_portrait_data, write_layout):
    """The one-portrait billboard with these preflight settings (the shipped ones replaced), built
    and checked for legibility: layout file -> settings -> rules -> findings, nothing drawn."""

    def run(**settings) -> dict[str, Finding]:
        data = one_portrait_data
        data["preflight"] = {"sheets": {"columns": 2, "rows": 2}, **settings}
        built = build(write_layout(data))
        return hits(check_legibility(built.scene, built.assets.fonts))

    return run


# --- the threshold ------------------------------------------------------------------------------


def test_a_caption_line_just_below_the_limit_fires_and_just_above_does_not(billboard):
    scene, fonts = billboard.scene, billboard.assets.fonts
    line = role_line(scene)
    cap = cap_height_emu(line, scene.fonts[line.font])
    assert cap / EMU_PER_MM == pytest.approx(23.93, abs=0.01)  # 95 pt of Noto Sans Regular (714/1000 em)

    below = with_rules(scene, viewing_distance=round(cap * 300 * 1.002))  # needs 0.2 % more than it has
    above = with_rules(scene, viewing_distance=round(cap * 300 * 0.998))
    fired = hits(check_legibility(below, fonts))
    assert set(fired) == {ROLE}  # the name line above it, the quote and the furniture are larger
    assert ROLE not in hits(check_legibility(above, fonts))

    finding = fired[ROLE]
    assert finding.severity == "warning" and CODES["text-too-small"] == "warning"
    assert finding.measured == pytest.approx(cap / EMU_PER_MM, abs=0.01)
    assert finding.required == pytest.approx(cap * 1.002 / EMU_PER_MM, abs=0.01)
    ink = line.ink
    x, y = finding.position_mm
    assert ink.x <= x * EMU_PER_MM <= ink.right and ink.y <= y * EMU_PER_MM <= ink.bottom
    message = finding.message
    distance_m = round(cap * 300 * 1.002) / EMU_PER_MM / 1000
    assert message.startswith("caption of Brigitte: 'Rentnerin' has a cap height of 23.9")
    assert f"read from {distance_m:g} m it needs at least 24.0 mm cap height (distance / 300)" in message
    assert "Set it at 96 pt or more" in message  # 95 pt is just too small
    assert "captions.lines" in message and "preflight.viewing_distance" in message


def test_the_message_tells_apart_figures_that_round_alike(billboard):
    scene, fonts = billboard.scene, billboard.assets.fonts
    cap = cap_height_emu(role_line(scene), scene.fonts["regular"])
    alone = with_rules(scene, viewing_distance=None, min_cap_height=round(cap) + 360)  # 0.01 mm more
    finding = hits(check_legibility(alone, fonts))[ROLE]
    assert "has a cap height of 23.93 mm; it needs at least 23.94 mm cap height" in finding.message


def test_one_finding_per_element_names_its_smallest_line(billboard):
    scene, fonts = billboard.scene, billboard.assets.fonts
    fired = hits(check_legibility(with_rules(scene, viewing_distance=20_000 * EMU_PER_MM), fonts))
    # 20 m / 300 = 66.7 mm: the four quote lines (65.5 mm) and the attribution (32.7 mm) are all too small
    quote_lines = [line for line in scene.of_type(TextLine) if line.element == "quote of Brigitte"]
    assert len(quote_lines) == 5
    quote = fired["quote of Brigitte"]
    assert "'– Brigitte, 81, Rentnerin' (the smallest of its 5 lines that are too small)" in quote.message
    assert quote.measured == pytest.approx(32.74, abs=0.01) and quote.required == pytest.approx(66.67, abs=0.01)
    attribution = quote_lines[-1].ink
    assert attribution.y <= quote.position_mm[1] * EMU_PER_MM <= attribution.bottom
    assert set(fired) == {"caption of Brigitte", "quote of Brigitte", "hashtag"}  # headline and brand: 101 mm


def test_without_a_viewing_distance_there_is_no_check(billboard):
    scene, fonts = billboard.scene, billboard.assets.fonts
    bare = with_rules(scene, viewing_distance=None, min_cap_height=None)
    assert check_legibility(bare, fonts) == []
    assert not hits(check_scene(bare, fonts))
    # the same scene judged from 20 m does fire, through check_scene too
    assert hits(check_scene(with_rules(scene, viewing_distance=20_000 * EMU_PER_MM), fonts))


# --- settings -----------------------------------------------------------------------------------


def test_the_ratio_moves_the_threshold(findings_with):
    assert findings_with(viewing_distance="7m") == {}  # 23.3 mm: the 23.9 mm role line passes
    strict = findings_with(viewing_distance="7m", legibility_ratio=120)  # 58.3 mm
    assert set(strict) == {ROLE, "quote of Brigitte"}  # the hashtag has 60.5 mm
    assert "read from 7 m it needs at least 58 mm cap height (distance / 120)" in strict[ROLE].message
    assert strict[ROLE].required == pytest.approx(58.33, abs=0.01)


def test_min_cap_height_overrides_the_distance(findings_with):
    # 30 mm instead of 7 m / 300 = 23.3 mm: the role line (23.9 mm) fails, the name line (32.7 mm) not
    tighter = findings_with(viewing_distance="7m", min_cap_height="30mm")
    assert set(tighter) == {ROLE}
    assert tighter[ROLE].required == 30
    assert "read from 7 m it needs at least 30 mm cap height (preflight.min_cap_height)" in tighter[ROLE].message
    assert "lower preflight.min_cap_height" in tighter[ROLE].message
    # 20 mm instead of 20 m / 300 = 66.7 mm: nothing fails
    assert findings_with(viewing_distance="20m", min_cap_height="20mm") == {}
    # on its own, without a distance
    alone = findings_with(min_cap_height="30mm")
    assert set(alone) == {ROLE} and "read from" not in alone[ROLE].message


def test_the_credit_is_exempt_unless_the_layout_says_otherwise(findings_with):
    # 20 m / 300 = 66.7 mm; the credit line has 22.7 mm
    assert "credit" not in findings_with(viewing_distance="20m")
    checked = findings_with(viewing_distance="20m", legibility_exempt=[])
    assert "'Bildnachweis: Duisburg Kontor GmbH' has a cap height of 23 mm" in checked["credit"].message
    assert "credit.size" in checked["credit"].message
    fewer = findings_with(viewing_distance="20m", legibility_exempt=["credit", "captions", "quotes"])
    assert set(fewer) == {"hashtag"}


def test_a_font_without_a_cap_height_counts_as_0_7_em(tmp_path):
    font = TTFont(ROOT / "assets" / "fonts" / "NotoSans-Regular.ttf")
    assert font["OS/2"].sCapHeight == 714
    font["OS/2"].sCapHeight = 0
    font.save(tmp_path / "no-cap-height.ttf")
    assert load_font_metrics(tmp_path / "no-cap-height.ttf").cap_height == pytest.approx(0.7)


@pytest.mark.parametrize(
    "settings, field, expected",
    [
        ({"viewing_distance": "20m", "legibility_ratio": 0}, "preflight.legibility_ratio", "greater than 0"),
        ({"viewing_distance": "20m", "legibility_ratio": -120}, "preflight.legibility_ratio", "greater than 0"),
        ({"viewing_distance": "20m", "legibility_ratio": ".inf"}, "preflight.legibility_ratio", "a number"),
        ({"viewing_distance": "20m", "legibility_ratio": True}, "preflight.legibility_ratio", "a number"),
        ({"legibility_ratio": 120}, "preflight.legibility_ratio", "needs viewing_distance"),
        (
            {"viewing_distance": "20m", "legibility_ratio": 120, "min_cap_height": "50mm"},
            "preflight.legibility_ratio",
            "either legibility_ratio or min_cap_height",
        ),
        ({"min_cap_height": "0mm"}, "preflight.min_cap_height", "greater than 0"),
        ({"min_cap_height": "-5cm"}, "preflight.min_cap_height", "greater than 0"),
        ({"min_cap_height": 50}, "preflight.min_cap_height", "has no unit"),
        ({"legibility_exempt": ["credits"]}, "preflight.legibility_exempt", "did you mean 'credit'?"),
        ({"legibility_exempt": 5}, "preflight.legibility_exempt", "a list such as [credit]"),
    ],
    ids=[
        "ratio-0",
        "ratio-negative",
        "ratio-inf",
        "ratio-bool",
        "ratio-alone",
        "ratio-and-min",
        "min-0",
        "min-negative",
        "min-no-unit",
        "exempt-typo",
        "exempt-not-a-list",
    ],
)
def test_nonsense_legibility_settings_are_refused_naming_the_field(
    one_portrait_data, write_layout, settings, field, expected
):
    data = one_portrait_data
    data["preflight"] = settings
    path = write_layout(data)
    if settings.get("legibility_ratio") == ".inf":  # YAML's infinity, which a dumped string would not be
        path.write_text(path.read_text(encoding="utf-8").replace("'.inf'", ".inf"), encoding="utf-8")
    with pytest.raises(LayoutInvalid) as raised:
        load_layout(path)
    lines = raised.value.lines()
    assert len(lines) == 1 and f" {field}: " in lines[0] and expected in lines[0], lines


# --- the shipped layouts ------------------------------------------------------------------------


@pytest.mark.parametrize("layout, distance_m", [(STADTBIBLIOTHEK, 6), (CLP, 3)], ids=["18/1", "clp"])
def test_the_shipped_layouts_state_their_distance_and_pass(layout, distance_m):
    built = build(layout)
    rules = built.scene.rules
    assert rules.viewing_distance == distance_m * 1000 * EMU_PER_MM
    assert check_legibility(built.scene, built.assets.fonts) == []
    # the credit, exempt, is the only line that comes near: every other line passes with room
    smallest = min(
        line.size * built.assets.fonts[line.font].cap_height * EMU_PER_PT
        for line in built.scene.of_type(TextLine)
        if line.element != "credit"
    )
    assert smallest >= rules.viewing_distance / 300 * 1.02


# --- the proof ----------------------------------------------------------------------------------


def test_the_proof_outlines_a_line_that_is_too_small(billboard, tmp_path):
    from plakat.delivery import SCREEN
    from plakat.render.pdf import write_pdf
    from plakat.render.proof import SEVERITY_COLOURS, write_proof

    scene, fonts = billboard.scene, billboard.assets.fonts
    line = role_line(scene)
    far = with_rules(scene, viewing_distance=round(cap_height_emu(line, scene.fonts["regular"]) * 300 * 1.1))
    findings = check_legibility(far, fonts)
    assert [f.element for f in findings] == [ROLE]
    pdf = tmp_path / "screen.pdf"
    write_pdf(far, pdf, billboard.colours(SCREEN), SCREEN)
    width = 1200
    write_proof(far, pdf, [], tmp_path / "plain.png", width)
    write_proof(far, pdf, findings, tmp_path / "marked.png", width)

    scale = width / (scene.width + 2 * scene.bleed)
    ink = line.ink
    left = round((ink.x + scene.bleed) * scale)
    top, bottom = round((ink.y + scene.bleed) * scale), round((ink.bottom + scene.bleed) * scale)
    # the strip just left of the line's ink, from its top to its bottom: away from the numbered dot
    # at the line's centre, so only an outline can colour it
    with Image.open(tmp_path / "plain.png") as plain, Image.open(tmp_path / "marked.png") as marked:
        before = np.asarray(plain.convert("RGB"))[top:bottom, left - 5 : left].astype(int)
        after = np.asarray(marked.convert("RGB"))[top:bottom, left - 5 : left].astype(int)
    warning = np.array(SEVERITY_COLOURS["warning"])

    def near_warning(pixels) -> int:
        return int((np.abs(pixels - warning).sum(axis=2) < 30).sum())

    assert near_warning(before) == 0
    assert near_warning(after) >= bottom - top  # at least one full column of the outline
