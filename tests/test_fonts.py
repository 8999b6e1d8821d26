"""Fonts of every kind prepared as static TrueType-outline files: what comes out, how close the
outlines stay, the cache, and the problems a designer is told about."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from fontmaker import SAMPLE, interpolated_glyphs
from fontTools.ttLib import TTFont
from fontTools.ttLib.ttCollection import TTCollection
from reportlab.pdfbase.ttfonts import TTFont as ReportlabFont

from plakat import fonts
from plakat.fonts import Axis, FontProblem, FontRequest, NamedInstance, font_axes, named_instances, prepare_font

NOTO = ROOT / "assets" / "fonts"
REGULAR = NOTO / "NotoSans-Regular.ttf"
BLACK = NOTO / "NotoSans-Black.ttf"
VARIABLE_OR_CUBIC = ("fvar", "gvar", "avar", "cvar", "HVAR", "VVAR", "MVAR", "CFF ", "CFF2", "VORG")
WGHT = "wght 400–900 (default 400)"


@pytest.fixture(scope="module", autouse=True)
def font_cache(tmp_path_factory):
    """A cache of this module's own, never the user's; tests about the cache set theirs."""
    patch = pytest.MonkeyPatch()
    patch.setenv("PLAKAT_CACHE_DIR", str(tmp_path_factory.mktemp("font-cache")))
    yield
    patch.undo()


@pytest.fixture(scope="module")
def reference() -> dict[str, TTFont]:
    return {"Regular": TTFont(REGULAR), "Black": TTFont(BLACK)}


def open_font(path: Path) -> TTFont:
    return TTFont(io.BytesIO(path.read_bytes()))


def glyph_of(font: TTFont, character: str) -> str:
    return font.getBestCmap()[ord(character)]


def bounds(font: TTFont, character: str) -> tuple[int, int, int, int]:
    glyf = font["glyf"]
    glyph = glyf[glyph_of(font, character)]
    glyph.recalcBounds(glyf)
    return glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax


KINDS = {
    "cff_otf": {},
    "variable_ttf": {},
    "variable_ttf at wght 900": {"axes": (("wght", 900),)},
    "variable_cff2": {},
    "variable_cff2 at wght 650": {"axes": (("wght", 650),)},
    "collection": {"index": 1},
    "no_subsetting_ttf": {},
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_prepares_to_a_static_truetype_font(test_fonts, kind):
    source = test_fonts[kind.split()[0]]
    prepared = prepare_font(FontRequest(source, **KINDS[kind]))
    font = open_font(prepared.path)
    assert font.sfntVersion == "\x00\x01\x00\x00" and "glyf" in font and "loca" in font
    assert not [tag for tag in VARIABLE_OR_CUBIC if tag in font]
    assert font["maxp"].tableVersion == 0x00010000
    assert {ord(c) for c in SAMPLE} <= set(font.getBestCmap())
    assert {"GSUB", "GPOS", "GDEF", "OS/2", "name", "hmtx"} <= set(font.keys())
    assert prepared.source == source and prepared.path.suffix == ".ttf"
    # the PDF writer reads it
    ReportlabFont("Prepared", str(prepared.path))


def test_what_a_prepared_font_says_about_its_source(test_fonts):
    cff = prepare_font(FontRequest(test_fonts["cff_otf"]))
    assert (cff.outlines, cff.variable, cff.location, cff.index, cff.converted) == ("cff", False, (), None, True)
    cff2 = prepare_font(FontRequest(test_fonts["variable_cff2"], instance="Black"))
    assert (cff2.outlines, cff2.variable, cff2.location) == ("cff2", True, (("wght", 900.0),))
    variable = prepare_font(FontRequest(test_fonts["variable_ttf"]))
    assert (variable.outlines, variable.variable, variable.location) == ("truetype", True, (("wght", 400.0),))
    member = prepare_font(FontRequest(test_fonts["collection"], index=0))
    assert (member.outlines, member.index, member.converted) == ("truetype", 0, True)


def test_a_static_truetype_font_is_used_as_it_is(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAKAT_CACHE_DIR", str(tmp_path / "cache"))
    prepared = prepare_font(FontRequest(REGULAR))
    assert prepared.path == REGULAR and not prepared.converted
    assert (prepared.outlines, prepared.variable, prepared.location, prepared.fs_type) == ("truetype", False, (), 0)
    assert not (tmp_path / "cache").exists()


def test_cff_outlines_stay_within_a_unit_or_two(test_fonts, reference):
    font = open_font(prepare_font(FontRequest(test_fonts["cff_otf"])).path)
    noto = reference["Regular"]
    letters = "AÄBCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzäöüß0123456789&@€„“–…"
    for letter in letters:
        assert font["hmtx"][glyph_of(font, letter)][0] == noto["hmtx"][glyph_of(noto, letter)][0], letter
        for ours, theirs in zip(bounds(font, letter), bounds(noto, letter)):
            assert abs(ours - theirs) <= 2, letter


def turning(font: TTFont, character: str) -> list[bool]:
    """For each contour of the character's glyph, whether it runs clockwise."""
    coordinates, ends, _ = font["glyf"][glyph_of(font, character)].getCoordinates(font["glyf"])
    turns, start = [], 0
    for end in ends:
        points = list(coordinates[start : end + 1])
        turns.append(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1])) < 0)
        start = end + 1
    return turns


def test_cff_outlines_become_quadratic_and_clockwise(test_fonts, reference):
    font = open_font(prepare_font(FontRequest(test_fonts["cff_otf"])).path)
    _, _, flags = font["glyf"][glyph_of(font, "O")].getCoordinates(font["glyf"])
    assert not all(flag & 1 for flag in flags)  # off-curve points: quadratic curves, not polygons
    for letter in "OoBe8&":
        assert turning(font, letter) == turning(reference["Regular"], letter), letter
    assert turning(font, "O") == [True, False]  # outside clockwise, the hole counter-clockwise


@pytest.mark.parametrize("kind", ["variable_ttf", "variable_cff2"])
@pytest.mark.parametrize("weight, style", [(900, "Black"), (400, "Regular")])
def test_a_variable_font_matches_the_static_fonts_at_its_masters(test_fonts, reference, kind, weight, style):
    font = open_font(prepare_font(FontRequest(test_fonts[kind], axes=(("wght", weight),))).path)
    noto = reference[style]
    characters = [c for c in map(chr, font.getBestCmap()) if ord(c) in noto.getBestCmap()]
    for character in characters:
        ours, theirs = font["hmtx"][glyph_of(font, character)][0], noto["hmtx"][glyph_of(noto, character)][0]
        assert ours == theirs, character
    # Noto's static Regular and Black differ in points for many glyphs; those do not interpolate
    interpolating = [c for c in characters if glyph_of(noto, c) in interpolated_glyphs()]
    assert len(interpolating) > 50 and "H" in interpolating and "o" in interpolating
    for character in interpolating:
        for ours, theirs in zip(bounds(font, character), bounds(noto, character)):
            assert abs(ours - theirs) <= 2, character
    assert font["OS/2"].usWeightClass == weight


def test_in_between_weights_lie_in_between(test_fonts, reference):
    font = open_font(prepare_font(FontRequest(test_fonts["variable_ttf"], axes=(("wght", 650),))).path)
    regular, black = reference["Regular"], reference["Black"]
    width = font["hmtx"][glyph_of(font, "H")][0]
    assert regular["hmtx"][glyph_of(regular, "H")][0] < width < black["hmtx"][glyph_of(black, "H")][0]


@pytest.mark.parametrize("kind", ["variable_ttf", "variable_cff2"])
def test_a_named_instance_is_the_same_file_as_its_axis_values(test_fonts, kind):
    by_name = prepare_font(FontRequest(test_fonts[kind], instance="Black"))
    by_axes = prepare_font(FontRequest(test_fonts[kind], axes=(("wght", 900),)))
    assert by_name.path == by_axes.path and by_name.location == by_axes.location == (("wght", 900.0),)
    assert prepare_font(FontRequest(test_fonts[kind], instance=" black ")).path == by_name.path
    name = open_font(by_name.path)["name"]
    # from STAT's axis values (TrueType) or from the fvar instance (CFF2, no STAT values)
    assert (name.getBestFamilyName(), name.getBestSubFamilyName()) == ("Plakat Test Sans", "Black")
    assert name.getDebugName(6) == "PlakatTestSans-Black"
    assert (name.getDebugName(1), name.getDebugName(2)) == ("Plakat Test Sans Black", "Regular")


@pytest.mark.parametrize("kind", ["variable_ttf", "variable_cff2"])
def test_an_unnamed_location_gets_a_name_of_its_own(test_fonts, kind):
    # The PDF writer takes two fonts of one PostScript name for the same font.
    names = set()
    for weight in (400, 650, 900):
        prepared = prepare_font(FontRequest(test_fonts[kind], axes=(("wght", weight),)))
        names.add(open_font(prepared.path)["name"].getDebugName(6))
    assert names == {"PlakatTestSans-Regular", "PlakatTestSans-wght650", "PlakatTestSans-Black"}


def test_a_cache_hit_is_not_converted_again(test_fonts, monkeypatch, tmp_path):
    monkeypatch.setenv("PLAKAT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(fonts, "_scratch", None)
    request = FontRequest(test_fonts["cff_otf"])
    first = prepare_font(request)
    # the process works on its own copy, which no other render evicting from the cache can remove
    entry = tmp_path / "fonts" / first.path.name
    assert first.path.parent != entry.parent and entry.read_bytes() == first.path.read_bytes()
    written = entry.stat().st_ino
    assert prepare_font(request) == first  # remembered in this process

    def must_not_convert(*args):
        raise AssertionError("converted again")

    monkeypatch.setattr(fonts, "_memo", {})  # as in a new process
    monkeypatch.setattr(fonts, "_scratch", None)
    monkeypatch.setattr(fonts, "_convert", must_not_convert)
    again = prepare_font(request)
    assert again.path != first.path and again.path.read_bytes() == first.path.read_bytes()
    assert entry.stat().st_ino == written  # read, not written again
    assert [p.name for p in (tmp_path / "fonts").iterdir()] == [entry.name]  # no leftovers


@pytest.mark.parametrize("kind, axes", [("cff_otf", ()), ("variable_cff2", (("wght", 650),))])
def test_the_same_font_gives_the_same_bytes(test_fonts, monkeypatch, tmp_path, kind, axes):
    results = []
    for cache in ("one", "two"):
        monkeypatch.setenv("PLAKAT_CACHE_DIR", str(tmp_path / cache))
        monkeypatch.setattr(fonts, "_scratch", None)  # a process of its own
        results.append(prepare_font(FontRequest(test_fonts[kind], axes=axes)).path)
    assert results[0] != results[1] and results[0].read_bytes() == results[1].read_bytes()
    # no clock in the file: the source's dates stay
    assert open_font(results[0])["head"].modified == open_font(test_fonts[kind])["head"].modified


def test_a_changed_file_is_prepared_again(test_fonts, tmp_path):
    font = tmp_path / "brand.otf"
    shutil.copy(test_fonts["cff_otf"], font)
    first = prepare_font(FontRequest(font))
    changed = open_font(font)
    changed["OS/2"].fsType = 0x0008
    changed.save(font)
    second = prepare_font(FontRequest(font))
    assert second.path != first.path and second.fs_type == 0x0008


def test_without_a_cache_the_font_goes_to_a_temporary_folder(test_fonts, monkeypatch, tmp_path):
    monkeypatch.setenv("PLAKAT_CACHE_DIR", "off")
    off = prepare_font(FontRequest(test_fonts["cff_otf"]))
    assert off.path.is_file() and off.path.parent.name.startswith("plakat-fonts-")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache should be")
    monkeypatch.setenv("PLAKAT_CACHE_DIR", str(blocked))
    fallback = prepare_font(FontRequest(test_fonts["cff_otf"]))
    assert fallback.path.is_file() and fallback.path.read_bytes() == off.path.read_bytes()


@pytest.mark.parametrize("kind, fs_type", [("cff_otf", 0x0100), ("variable_cff2", 0x0008), ("collection", 0x0002)])
def test_the_embedding_permissions_are_reported_and_kept(test_fonts, tmp_path, kind, fs_type):
    source = tmp_path / test_fonts[kind].name
    if kind == "collection":
        collection = TTCollection(test_fonts[kind])
        collection.fonts[1]["OS/2"].fsType = fs_type
        collection.save(source)
    else:
        font = open_font(test_fonts[kind])
        font["OS/2"].fsType = fs_type
        font.save(source)
    prepared = prepare_font(FontRequest(source, index=1 if kind == "collection" else None))
    assert prepared.fs_type == fs_type and prepared.converted
    assert open_font(prepared.path)["OS/2"].fsType == fs_type


def test_static_fonts_report_their_permissions(test_fonts):
    assert prepare_font(FontRequest(test_fonts["restricted_ttf"])).fs_type == 0x0002
    assert prepare_font(FontRequest(test_fonts["no_subsetting_ttf"])).fs_type == 0x0100


def test_axes_and_named_instances_are_listed(test_fonts):
    for kind in ("variable_ttf", "variable_cff2"):
        assert font_axes(test_fonts[kind]) == [Axis("wght", 400, 400, 900, "Weight")]
        assert named_instances(test_fonts[kind]) == [
            NamedInstance("Regular", (("wght", 400),), "PlakatTestSans-Regular"),
            NamedInstance("Black", (("wght", 900),), "PlakatTestSans-Black"),
        ]
    assert font_axes(REGULAR) == [] and named_instances(test_fonts["cff_otf"]) == []
    assert font_axes(test_fonts["collection"], index=1) == []


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def without_unicode_cmap(folder: Path) -> Path:
    font = TTFont(REGULAR)
    font["cmap"].tables = [table for table in font["cmap"].tables if not table.isUnicode()]
    font.save(folder / "symbols.ttf")
    return folder / "symbols.ttf"


def without_outlines(folder: Path) -> Path:
    font = TTFont(REGULAR)
    for tag in ("glyf", "loca", "fpgm", "prep", "cvt "):
        del font[tag]
    font["maxp"].tableVersion = 0x00005000
    font.save(folder / "empty-shapes.ttf")
    return folder / "empty-shapes.ttf"


PROBLEMS = [
    # (font, request, field, words in the message)
    ("variable_ttf", {"axes": (("wdth", 90),)}, "axes", ["no axis 'wdth'", WGHT]),
    ("variable_ttf", {"axes": (("wght", 1000),)}, "axes", ["wght 1000", "outside", WGHT]),
    ("variable_cff2", {"axes": (("wght", 399.5),)}, "axes", ["wght 399.5", "outside", WGHT]),
    ("variable_ttf", {"axes": (("wght", 500), ("wght", 600))}, "axes", ["twice"]),
    ("variable_ttf", {"axes": (("wght", "bold"),)}, "axes", ["not a number", WGHT]),
    ("variable_ttf", {"instance": "Heavy"}, "instance", ["'Heavy'", "Regular (wght 400)", "Black (wght 900)"]),
    ("variable_ttf", {"instance": "Black", "axes": (("wght", 400),)}, "axes", ["Black (wght 900)", "not both"]),
    ("cff_otf", {"axes": (("wght", 900),)}, "axes", ["static font", "'axes'"]),
    ("no_subsetting_ttf", {"instance": "Black"}, "instance", ["static font", "'instance'"]),
    ("collection", {}, "index", ["2 fonts", "0 = Plakat Test Sans Regular", "1 = Plakat Test Sans Black"]),
    ("collection", {"index": 2}, "index", ["no index 2", "0 = Plakat Test Sans Regular", "1 = Plakat Test Sans Black"]),
    ("collection", {"index": -1}, "index", ["no index -1", "1 = Plakat Test Sans Black"]),
    ("cff_otf", {"index": 1}, "index", ["single font"]),
    ("collection", {"index": "1"}, "index", ["'1' is not a whole number"]),
    (lambda folder: write(folder / "notes.ttf", b"Fonts: Noto Sans\n"), {}, None, ["not a font file"]),
    (lambda folder: write(folder / "empty.ttf", b""), {}, None, ["empty"]),
    (lambda folder: write(folder / "web.woff2", b"wOF2" + bytes(60)), {}, None, ["web font", ".otf"]),
    (lambda folder: write(folder / "cut.ttf", REGULAR.read_bytes()[:5000]), {}, None, ["cannot be read"]),
    (lambda folder: write(folder / "cut.ttc", b"ttcf\x00\x01\x00\x00\x00\x00\x00\x05"), {}, None, ["cannot be read"]),
    (lambda folder: folder / "missing.ttf", {}, None, ["no such font file"]),
    (lambda folder: folder, {}, None, ["is a folder"]),
    (without_unicode_cmap, {}, None, ["no Unicode character map"]),
    (without_outlines, {}, None, ["no glyph outlines"]),
]


@pytest.mark.parametrize("font, request_fields, field, words", PROBLEMS)
def test_problems_name_the_file_the_field_and_the_choices(test_fonts, tmp_path, font, request_fields, field, words):
    path = test_fonts[font] if isinstance(font, str) else font(tmp_path)
    with pytest.raises(FontProblem) as caught:
        prepare_font(FontRequest(path, **request_fields))
    message = str(caught.value)
    assert caught.value.field == field, message
    assert str(path) in message
    for word in words:
        assert word in message
