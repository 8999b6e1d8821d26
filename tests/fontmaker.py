"""Test fonts in every flavour a campaign may bring, made from the bundled Noto Sans Regular and Black.

In: a folder. Out: font files in it, the same bytes on every run: a static OpenType/CFF font, a
variable TrueType font and a variable CFF2 font (one axis, wght 400-900, named instances Regular
and Black), a TrueType collection of Regular and Black, and copies of Regular whose OS/2 fsType
forbids subsetting or allows only restricted embedding.

The sources are first cut down to Latin-1 plus the German quotes, dashes, the ellipsis, the euro
sign and the fi/fl ligatures, with all layout features kept, so that making all of them takes
about two seconds. The fonts are renamed ``Plakat Test Sans``: a modified Noto must not be called
Noto, and the family name shows which file a message is about.

The static Regular and Black do not interpolate in every glyph (see :func:`interpolated_glyphs`):
in the variable fonts those glyphs keep their Regular outline at every weight.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from fontTools import subset, varLib
from fontTools.designspaceLib import DesignSpaceDocument
from fontTools.fontBuilder import FontBuilder
from fontTools.otlLib.builder import buildStatTable
from fontTools.pens.reverseContourPen import ReverseContourPen
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fontTools.ttLib.ttCollection import TTCollection
from fontTools.varLib import instancer

FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FAMILY = "Plakat Test Sans"
POSTSCRIPT_FAMILY = FAMILY.replace(" ", "")
WEIGHTS = {"Regular": 400, "Black": 900}
# Latin-1 and the typography of German text (ß is Latin-1 already), and the two common ligatures
TEXT = (
    "".join(map(chr, range(0x20, 0x7F)))
    + "".join(map(chr, range(0xA0, 0x100)))
    + "\u201e\u201c\u201a\u2018\u2013\u2014\u2026\u20ac\ufb01\ufb02"
)
SAMPLE = "Düsseldorfer Straße „Hoffnung“ – Ärger"


@functools.cache
def _subset_bytes(style: str, full: bool = False) -> bytes:
    font = TTFont(FONTS / f"NotoSans-{style}.ttf", recalcTimestamp=False)
    if not full:
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.glyph_names = True
        options.notdef_outline = True
        options.legacy_kern = True
        # instructions would only slow the masters down and make varLib build a cvar table
        options.hinting = False
        subsetter = subset.Subsetter(options)
        # a character the font lacks is left out rather than given an empty glyph
        subsetter.populate(unicodes=[ord(c) for c in TEXT if ord(c) in font.getBestCmap()])
        subsetter.subset(font)
    if "DSIG" in font:  # a signature of the original, void now
        del font["DSIG"]
    _rename(font, style)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _font(style: str, full: bool = False) -> TTFont:
    """A fresh copy of the cut-down (or ``full``) Noto Sans ``style``, renamed."""
    return TTFont(io.BytesIO(_subset_bytes(style, full)), recalcTimestamp=False)


def _rename(font: TTFont, style: str) -> None:
    """Name ``font`` Plakat Test Sans ``style``; Noto's trademark line (name 7) goes with its name."""
    name = font["name"]
    postscript = f"{POSTSCRIPT_FAMILY}-{style}"
    ribbi = style in ("Regular", "Italic", "Bold", "Bold Italic")
    records = {
        1: FAMILY if ribbi else f"{FAMILY} {style}",
        2: style if ribbi else "Regular",
        3: f"2.004;TEST;{postscript}",
        4: f"{FAMILY} {style}",
        6: postscript,
    }
    if not ribbi:
        records.update({16: FAMILY, 17: style})
    for name_id in (1, 2, 3, 4, 6, 7, 16, 17):
        name.removeNames(nameID=name_id)
    for name_id, text in records.items():
        name.setName(text, name_id, 3, 1, 0x409)
        name.setName(text, name_id, 1, 0, 0)


def _save(font: TTFont, path: Path) -> Path:
    font.recalcTimestamp = False
    path.parent.mkdir(parents=True, exist_ok=True)
    font.save(path)
    return path


def _to_cff(font: TTFont) -> TTFont:
    """``font`` with its quadratic glyf outlines drawn again as cubic CFF charstrings, in place."""
    glyphs = font.getGlyphSet()
    metrics = font["hmtx"].metrics
    charstrings = {}
    for glyph_name in font.getGlyphOrder():
        pen = T2CharStringPen(metrics[glyph_name][0], glyphs)
        # CFF contours run counter-clockwise, TrueType ones clockwise
        glyphs[glyph_name].draw(ReverseContourPen(pen))
        charstrings[glyph_name] = pen.getCharString()
    for tag in ("glyf", "loca", "cvt ", "fpgm", "prep", "gasp", "hdmx", "LTSH", "VDMX"):
        if tag in font:
            del font[tag]
    name = font["name"]
    builder = FontBuilder(font=font)
    info = {
        "FullName": name.getDebugName(4),
        "FamilyName": name.getDebugName(16) or name.getDebugName(1),
        "Weight": name.getDebugName(17) or name.getDebugName(2),
    }
    builder.setupCFF(name.getDebugName(6), info, charstrings, {})
    builder.setupMaxp()
    post = font["post"]
    post.formatType = 3.0
    post.extraNames, post.mapping = [], {}
    return font


def make_cff_otf(folder: Path, *, full: bool = False) -> Path:
    """A static OpenType/CFF font: the cut-down Regular (all of it with ``full``) in cubic outlines."""
    suffix = "-full" if full else ""
    return _save(_to_cff(_font("Regular", full)), folder / f"PlakatTestSans-Regular{suffix}.otf")


def _designspace(masters: dict[str, TTFont]) -> DesignSpaceDocument:
    document = DesignSpaceDocument()
    document.addAxisDescriptor(name="Weight", tag="wght", minimum=400, default=400, maximum=900)
    for style, font in masters.items():
        location = {"Weight": WEIGHTS[style]}
        document.addSourceDescriptor(font=font, location=location, familyName=FAMILY, styleName=style)
        document.addInstanceDescriptor(
            familyName=FAMILY,
            styleName=style,
            designLocation=location,
            postScriptFontName=f"{POSTSCRIPT_FAMILY}-{style}",
        )
    return document


def _same_structure(glyph: Glyph, other: Glyph) -> bool:
    if glyph.numberOfContours != other.numberOfContours:
        return False
    if glyph.isComposite():
        return [c.glyphName for c in glyph.components] == [c.glyphName for c in other.components]
    if glyph.numberOfContours <= 0:
        return True
    # varLib merges outlines whose points agree in number and in being on or off the curve
    return list(glyph.endPtsOfContours) == list(other.endPtsOfContours) and [f & 1 for f in glyph.flags] == [
        f & 1 for f in other.flags
    ]


@functools.cache
def interpolated_glyphs() -> frozenset[str]:
    """The glyphs whose outlines Regular and Black can interpolate: same contours, same points.

    The bundled static fonts had their overlaps removed one by one, so about a third of their
    glyphs differ in points. The variable test fonts keep those at the Regular outline for every
    weight (with Black's advance width at 900); the rest interpolate between the two."""
    regular, black = _font("Regular")["glyf"], _font("Black")["glyf"]

    def interpolates(name: str) -> bool:
        glyph = regular[name]
        parts = [c.glyphName for c in glyph.components] if glyph.isComposite() else []
        return _same_structure(glyph, black[name]) and all(interpolates(part) for part in parts)

    return frozenset(name for name in regular if interpolates(name))


def _black_master() -> TTFont:
    """Black, with Regular's outline wherever the two cannot interpolate, and Black's advances."""
    regular, black = _font("Regular"), _font("Black")
    kept = interpolated_glyphs()
    for name in black.getGlyphOrder():
        if name not in kept:
            glyph = regular["glyf"][name]
            black["glyf"][name] = glyph
            # the side bearing that puts the outline where Regular has it, so only the advance varies
            black["hmtx"][name] = (black["hmtx"][name][0], regular["hmtx"][name][1])
    return black


@functools.cache
def _variable_ttf_bytes() -> bytes:
    masters = {"Regular": _font("Regular"), "Black": _black_master()}
    font, _, _ = varLib.build(_designspace(masters))
    # STAT axis values, from which fontTools can name an instance itself; Regular is elided
    values = [{"value": weight, "name": style} for style, weight in WEIGHTS.items()]
    values[0]["flags"] = 0x2
    buildStatTable(font, [{"tag": "wght", "name": "Weight", "values": values}])
    font.recalcTimestamp = False
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def make_variable_ttf(folder: Path) -> Path:
    """A variable TrueType font, wght 400-900, with Regular and Black as masters and as named
    instances, and STAT labels for both (see :func:`interpolated_glyphs` for what varies)."""
    path = folder / "PlakatTestSans[wght].ttf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_variable_ttf_bytes())
    return path


def make_variable_cff2(folder: Path) -> Path:
    """The variable font of :func:`make_variable_ttf` in CFF2 outlines, without STAT labels (so an
    instance cannot be named from STAT, only from its fvar entry)."""
    # Masters taken from the variable TrueType font share its on- and off-curve points, which
    # the static Regular and Black do not always do, so their charstrings merge into CFF2.
    masters = {}
    for style, weight in WEIGHTS.items():
        variable = TTFont(io.BytesIO(_variable_ttf_bytes()), recalcTimestamp=False)
        # The variable positioning of the TrueType font fits the CFF2 outlines as well: taken
        # over below, it need not be pinned here nor merged again (which would take longer
        # than all the rest).
        for tag in ("GDEF", "GPOS", "STAT"):
            del variable[tag]
        master = instancer.instantiateVariableFont(variable, {"wght": weight}, inplace=True)
        masters[style] = _to_cff(master)
    font, _, _ = varLib.build(_designspace(masters), exclude=["GDEF", "GPOS"])
    variable = TTFont(io.BytesIO(_variable_ttf_bytes()))
    for tag in ("GDEF", "GPOS"):
        font[tag] = variable[tag]
    return _save(font, folder / "PlakatTestSans[wght].otf")


def make_collection(folder: Path) -> Path:
    """A TrueType collection holding Regular (index 0) and Black (index 1)."""
    collection = TTCollection()
    collection.fonts = [_font(style) for style in WEIGHTS]
    for font in collection.fonts:
        font.recalcTimestamp = False
    path = folder / "PlakatTestSans.ttc"
    path.parent.mkdir(parents=True, exist_ok=True)
    collection.save(path)
    return path


def _with_fs_type(folder: Path, fs_type: int, name: str) -> Path:
    font = _font("Regular")
    font["OS/2"].fsType = fs_type
    return _save(font, folder / name)


def make_no_subsetting_ttf(folder: Path) -> Path:
    """The cut-down Regular with OS/2 fsType 0x0100: embeddable, but only as a whole font."""
    return _with_fs_type(folder, 0x0100, "PlakatTestSans-NoSubsetting.ttf")


def make_restricted_ttf(folder: Path) -> Path:
    """The cut-down Regular with OS/2 fsType 0x0002: restricted licence embedding, not allowed in a PDF."""
    return _with_fs_type(folder, 0x0002, "PlakatTestSans-Restricted.ttf")


MAKERS = {
    "cff_otf": make_cff_otf,
    "variable_ttf": make_variable_ttf,
    "variable_cff2": make_variable_cff2,
    "collection": make_collection,
    "no_subsetting_ttf": make_no_subsetting_ttf,
    "restricted_ttf": make_restricted_ttf,
}


def make_all(folder: Path) -> dict[str, Path]:
    """All test fonts in ``folder``, by name (the keys of ``MAKERS``)."""
    return {name: make(folder) for name, make in MAKERS.items()}
