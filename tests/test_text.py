"""The text engine on its own: shaping, features, tracking, fallback, fitting, balancing and hanging
punctuation, measured on the layout model without drawing anything."""

from __future__ import annotations

import pytest
from conftest import ROOT, assert_breaks_are_german
from fontTools import subset
from fontTools.ttLib import TTFont

from plakat.assets import load_font_metrics
from plakat.color import BLACK
from plakat.scene import Rect
from plakat.text import LineToSet, SetStyle, Typesetter, break_lines
from plakat.units import EMU_PER_PT

FONTS = ROOT / "assets/fonts"


@pytest.fixture(scope="module")
def fonts():
    return {
        "regular": load_font_metrics(FONTS / "NotoSans-Regular.ttf"),
        "black": load_font_metrics(FONTS / "NotoSans-Black.ttf"),
    }


@pytest.fixture(scope="module")
def without_euro(tmp_path_factory):
    """Noto Sans Regular without the euro sign and the ligatures, for fallback tests."""
    folder = tmp_path_factory.mktemp("fallback")
    font = TTFont(FONTS / "NotoSans-Regular.ttf")
    options = subset.Options()
    options.layout_features = ["kern"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzäöüß 0123456789.,")
    subsetter.subset(font)
    path = folder / "NoEuro.ttf"
    font.save(path)
    return load_font_metrics(path)


def frame(width_pt: float, height_pt: float = 10_000) -> Rect:
    return Rect(0, 0, round(width_pt * EMU_PER_PT), round(height_pt * EMU_PER_PT))


def set_one(setter: Typesetter, text: str, style: SetStyle, size: float = 100, align="left", box=None):
    return setter.set_lines([LineToSet(text, style, size, BLACK)], box or frame(5000), align, "top", 1.2, "test")[0]


def test_kerning_closes_the_gaps_the_plain_advances_leave(fonts):
    """Pairs like Ta, Va, Te, Jo gape without kerning: the shaped line is narrower than the sum of
    plain advance widths, by the font's kern values."""
    setter = Typesetter(fonts)
    for pair, kern_pt in (("Ta", 8), ("Te", 7), ("To", 7), ("Va", 2), ("P.", 13)):
        line = set_one(setter, pair, SetStyle("black"))
        plain = fonts["black"].advance_width(pair, 100) * EMU_PER_PT
        assert line.width == pytest.approx(plain - kern_pt * EMU_PER_PT, abs=2), pair
        second = line.glyphs[1]
        assert second.x - line.x == line.glyphs[0].advance


def test_ligatures_are_on_by_default_and_a_style_can_turn_them_off(fonts):
    setter = Typesetter(fonts)
    with_liga = set_one(setter, "Auflage", SetStyle("regular"))
    without = set_one(setter, "Auflage", SetStyle("regular", features=(("liga", False),)))
    assert [g.char for g in with_liga.glyphs] == ["A", "u", "fl", "a", "g", "e"]
    assert [g.char for g in without.glyphs] == list("Auflage")
    assert "".join(g.char for g in with_liga.glyphs) == "Auflage"  # the text survives the ligature


def test_tracking_adds_space_between_letters_not_after_the_last(fonts):
    setter = Typesetter(fonts)
    plain = set_one(setter, "DUISBURG", SetStyle("black"))
    tracked = set_one(setter, "DUISBURG", SetStyle("black", tracking=50))
    assert tracked.width - plain.width == pytest.approx(7 * 0.05 * 100 * EMU_PER_PT, abs=2)
    assert tracked.glyphs[-1].x - plain.glyphs[-1].x == pytest.approx(7 * 5 * EMU_PER_PT, abs=2)


def test_a_character_the_font_lacks_comes_from_the_first_fallback_that_has_it(fonts, without_euro):
    setter = Typesetter({"brand": without_euro, **fonts}, fallback=("black", "regular"))
    line = set_one(setter, "Kaffee 2 €", SetStyle("brand"))
    euro = line.glyphs[-1]
    assert euro.char == "€" and euro.font == "black" and euro.gid != 0
    assert {g.font for g in line.glyphs[:-1]} == {"brand"}
    assert setter.used_fonts == {"brand", "black"}
    setter.fit("Kaffee 2 €", SetStyle("brand"), 10, 100, frame(2000), 1000, 1.2, 1, "test", "it", "")
    assert setter.notes == []


def test_glyph_missing_only_when_no_font_of_the_chain_has_it(fonts, without_euro):
    alone = Typesetter({"brand": without_euro})
    alone.fit("2 €", SetStyle("brand"), 10, 100, frame(2000), 1000, 1.2, 1, "test", "it", "")
    assert [n.code for n in alone.notes] == ["glyph-missing"] and "'€' (U+20AC)" in alone.notes[0].message
    chained = Typesetter({"brand": without_euro, **fonts}, fallback=("regular",))
    chained.fit("2 € \ue000", SetStyle("brand"), 10, 100, frame(2000), 1000, 1.2, 1, "test", "it", "")
    assert [n.code for n in chained.notes] == ["glyph-missing"]
    assert "U+E000" in chained.notes[0].message and "U+20AC" not in chained.notes[0].message


def test_fit_picks_the_largest_size_that_fits_as_shaped(fonts):
    setter = Typesetter(fonts)
    style = SetStyle("black")
    fitted = setter.fit("Intensivkrankenschwester", style, 10, 200, frame(500), 1000, 1.2, 1, "t", "it", "")
    assert setter.measure(style, fitted.size)("Intensivkrankenschwester") <= 500
    assert setter.measure(style, fitted.size + 0.1)("Intensivkrankenschwester") > 500


def test_breaking_follows_the_measure():
    def measure(text):
        return len(text)

    assert break_lines("aaa bbb ccc", measure, 7) == ["aaa bbb", "ccc"]
    assert break_lines("aaaaaaaa b", measure, 7) is None
    assert break_lines("aaaaaaaa b", measure, 7, overflow=True) == ["aaaaaaaa", "b"]


def test_balance_sets_lines_of_nearly_equal_width(fonts):
    text = "Wir halten zusammen, wenn es darauf ankommt, und das merkt man"
    greedy = Typesetter(fonts)
    style = SetStyle("regular")
    loose = greedy.fit(text, style, 40, 40, frame(700), 10_000, 1.2, None, "t", "it", "")
    balanced = greedy.fit(text, SetStyle("regular", balance=True), 40, 40, frame(700), 10_000, 1.2, None, "t", "it", "")
    measure = greedy.measure(style, 40)
    assert len(balanced.lines) == len(loose.lines) == 3
    widths = [measure(line) for line in balanced.lines]
    loose_widths = [measure(line) for line in loose.lines]
    assert max(widths) - min(widths) < max(loose_widths) - min(loose_widths)
    assert loose_widths[-1] < 0.2 * max(loose_widths)  # greedy leaves a lone word
    assert min(widths) > 0.7 * max(widths)
    assert " ".join(balanced.lines) == text


def test_hanging_punctuation_puts_the_opening_quote_into_the_margin(fonts):
    setter = Typesetter(fonts)
    box = frame(3000)
    plain = set_one(setter, "„Zusammen“", SetStyle("regular"), box=box)
    hung = set_one(setter, "„Zusammen“", SetStyle("regular", hang_punctuation=True), box=box)
    assert plain.x == box.x
    quote = hung.glyphs[0]
    assert quote.char == "„" and hung.glyphs[1].x == box.x  # the Z stands on the margin
    right = set_one(setter, "Zusammen.", SetStyle("regular", hang_punctuation=True), align="right", box=box)
    assert right.glyphs[-1].x >= box.right - 1  # the full stop hangs past the right edge


# --- hyphenation ---------------------------------------------------------------------------------

QUOTE = "„Ohne die Intensivkrankenschwester hätte ich die Pandemie nicht überstanden.“"


def hyphenating_setter(fonts, protected=frozenset()):
    from plakat.hyphenation import hyphenator

    return Typesetter(fonts, hyphenation=hyphenator("de").breaks, protected=protected)


def test_a_quote_in_a_narrow_cell_breaks_at_valid_german_points_and_sets_larger(fonts):
    setter = hyphenating_setter(fonts)
    box = frame(420, 1000)
    plain = setter.fit(QUOTE, SetStyle("regular"), 10, 80, box, 1000, 1.2, None, "q", "it", "")
    broken = setter.fit(QUOTE, SetStyle("regular", hyphenate=True), 10, 80, box, 1000, 1.2, None, "q", "it", "")
    assert broken.size > plain.size  # breaking a word beats shrinking the whole quote
    assert assert_breaks_are_german(broken.lines, QUOTE) > 0


def test_never_more_than_two_hyphenated_lines_in_a_row(fonts):
    setter = hyphenating_setter(fonts)
    text = "Donaudampfschifffahrtsgesellschaftskapitänsmützenträgerinnenvereinigung"
    fitted = setter.fit(text, SetStyle("regular", hyphenate=True), 40, 40, frame(300), 10_000, 1.2, None, "q", "it", "")
    run = longest = 0
    for line in fitted.lines:
        run = run + 1 if line.endswith("-") else 0
        longest = max(longest, run)
    assert longest <= 2


def test_names_are_never_hyphenated(fonts):
    text = "Valentinowitsch Radiomoderatorin"
    free = hyphenating_setter(fonts)
    guarded = hyphenating_setter(fonts, protected=frozenset({"Valentinowitsch"}))
    style = SetStyle("regular", hyphenate=True)
    narrow = frame(250)
    assert any(line.startswith("Valen") and line.endswith("-") for line in
               free.fit(text, style, 40, 40, narrow, 10_000, 1.2, None, "q", "it", "").lines)
    lines = guarded.fit(text, style, 40, 40, narrow, 10_000, 1.2, None, "q", "it", "").lines
    assert not any("Valentinowitsch"[:n] + "-" in lines for n in range(2, 14))
