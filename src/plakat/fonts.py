"""Fonts as the PDF writer and the text shaper take them: static, with TrueType outlines.

In: a :class:`FontRequest`, naming a font file (TrueType, OpenType/CFF, a variable TrueType or
CFF2 font, or a collection, .ttc/.otc) and, where the file needs them, which font of a collection
(``index``) and where on a variable font's axes (``axes``, or a named ``instance``).

Out: a :class:`PreparedFont` whose ``path`` is a static font with TrueType (glyf) outlines. A file
that already is one is used as it is; anything else is converted once and kept in the cache
folder under the SHA-256 of its content and recipe (``fonts/<key>.<checksum>.ttf``, see
:mod:`plakat.cache`), so the next render, and the next run, reuse it. The same input always
gives the same bytes.

The conversion keeps everything but the outlines' format: character map, metrics, kerning and
the OpenType layout features (GSUB, GPOS, GDEF, kern), the name table and OS/2 with its
embedding permissions (fsType). A variable font is pinned to one location with fontTools'
instancer (axes not given stay at their default); cubic outlines (CFF, CFF2) become quadratic
with cu2qu, at most ``MAX_ERROR`` font units off.

A file that cannot be used raises :class:`FontProblem`, naming the file, the request field it
concerns and, where it helps, what the file offers instead (the axes, the named instances, the
fonts of a collection).
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import math
import shutil
import struct
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import fontTools
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.ttCollection import TTCollection

if TYPE_CHECKING:
    from fontTools.ttLib.tables._g_l_y_f import Glyph

from . import cache
from .cache import cache_dir

# Bump when the conversion changes, so fonts converted by older rules are made anew.
PREPARE_VERSION = 1
# Largest distance, in font units, between a cubic curve and its quadratic replacement: less than
# a thousandth of the type size, far below what ink on paper shows.
MAX_ERROR = 1.0

Outlines = Literal["truetype", "cff", "cff2"]
Location = tuple[tuple[str, float], ...]

_SFNT_TAGS = (b"\x00\x01\x00\x00", b"OTTO", b"true")
_RIBBI = ("Regular", "Italic", "Bold", "Bold Italic")
# tables that only make sense for outlines in another format, or that no longer match the file
_CUBIC_ONLY = ("CFF ", "CFF2", "VORG")
_MAXP_OUTLINES = (
    "maxPoints",
    "maxContours",
    "maxCompositePoints",
    "maxCompositeContours",
    "maxComponentElements",
    "maxComponentDepth",
)
_MAXP_HINTING = (
    "maxTwilightPoints",
    "maxStorage",
    "maxFunctionDefs",
    "maxInstructionDefs",
    "maxStackElements",
    "maxSizeOfInstructions",
)


@dataclass(frozen=True)
class FontRequest:
    """A font file and, where it needs them, the collection index and the variable axes' values
    (or a named instance) to use."""

    path: Path
    axes: tuple[tuple[str, float], ...] = ()
    index: int | None = None
    instance: str | None = None


@dataclass(frozen=True)
class Axis:
    """A variation axis in user units (``wght`` 100-900 and so on); ``name`` as the font gives it."""

    tag: str
    min: float
    default: float
    max: float
    name: str

    def describe(self) -> str:
        """``wght 400–900 (default 400)``"""
        return f"{self.tag} {self.min:g}–{self.max:g} (default {self.default:g})"


@dataclass(frozen=True)
class NamedInstance:
    """A named instance of a variable font: its (subfamily) name, its location on the axes and
    its PostScript name if the font gives one."""

    name: str
    location: Location
    postscript_name: str | None = None

    def describe(self) -> str:
        """``Black (wght 900)``"""
        return f"{self.name} ({', '.join(f'{tag} {value:g}' for tag, value in self.location)})"


@dataclass(frozen=True)
class PreparedFont:
    """A static TrueType-outline font file (``path``) made from ``source``.

    ``outlines`` and ``variable`` describe the source; ``location`` holds the axis values used
    (empty for a static font); ``fs_type`` is the source's OS/2 fsType (0 without OS/2), which the
    prepared file keeps; ``converted`` tells whether ``path`` is a file written from the source
    (False: it is the source itself)."""

    path: Path
    source: Path
    outlines: Outlines
    variable: bool
    location: Location
    index: int | None
    fs_type: int
    converted: bool


class FontProblem(ValueError):
    """A font file that cannot be used as asked. ``field`` names the part of the request at
    fault: "axes", "index", "instance", or None for the file itself."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def prepare_font(request: FontRequest) -> PreparedFont:
    """The font of ``request`` as a static TrueType-outline file; see the module's description."""
    try:
        stat = request.path.stat()
    except OSError:
        raise FontProblem(f"no such font file: {request.path}") from None
    recipe = repr((request.axes, request.index, request.instance))  # a list of axes has no hash
    memo_key = (
        str(request.path),
        str(request.path.resolve()),
        stat.st_size,
        stat.st_mtime_ns,
        recipe,
        str(cache_dir()),
    )
    with _memo_lock:
        known = _memo.get(memo_key)
    if known is not None and known.path.exists():
        return known
    prepared = _prepare(request)
    with _memo_lock:
        _memo[memo_key] = prepared
    return prepared


def font_axes(path: Path, index: int | None = None) -> list[Axis]:
    """The variation axes of the font at ``path`` (of font ``index`` in a collection); empty for a
    static font."""
    data = _read(path)
    with _opened(data, path, index) as (font, _):
        return _axes(font)


def named_instances(path: Path, index: int | None = None) -> list[NamedInstance]:
    """The named instances of the variable font at ``path``; empty for a static font."""
    data = _read(path)
    with _opened(data, path, index) as (font, _):
        return _instances(font)


@dataclass(frozen=True)
class FontDescription:
    """What a designer needs to know to name a font in a layout."""

    path: Path
    name: str
    outlines: Outlines
    members: tuple[str, ...]  # the fonts of a collection, by index; empty for a single font
    index: int | None
    axes: tuple[Axis, ...]
    instances: tuple[NamedInstance, ...]
    fs_type: int
    features: tuple[str, ...]
    glyphs: int


def opentype_features(font: TTFont) -> frozenset[str]:
    """The feature tags of a font's GSUB and GPOS tables (and kern for an old kern table)."""
    tags = {
        record.FeatureTag
        for table in ("GSUB", "GPOS")
        if table in font and font[table].table.FeatureList is not None
        for record in font[table].table.FeatureList.FeatureRecord
    }
    return frozenset(tags | ({"kern"} if "kern" in font else set()))


def describe_font(path: Path, index: int | None = None) -> FontDescription:
    """The font at ``path`` (font ``index`` of a collection, the first when none is given):
    names, outlines, axes, named instances, embedding permission and OpenType features."""
    data = _read(path)
    members: tuple[str, ...] = ()
    if data[:4] == b"ttcf":
        try:
            members = tuple(_full_name(font) for font in TTCollection(io.BytesIO(data), lazy=True).fonts)
        except Exception:  # a damaged collection is reported by _opened below
            members = ()
        if index is None and members:
            index = 0
    with _opened(data, path, index) as (font, used):
        features = opentype_features(font)
        return FontDescription(
            path,
            _full_name(font),
            _outlines(font, path),
            members,
            used,
            tuple(_axes(font)),
            tuple(_instances(font)),
            getattr(font.get("OS/2"), "fsType", 0) if "OS/2" in font else 0,
            tuple(sorted(features)),
            len(font.getGlyphOrder()),
        )


# --- preparing --------------------------------------------------------------------------------

_memo: dict[tuple[Any, ...], PreparedFont] = {}
_memo_lock = threading.Lock()


def _prepare(request: FontRequest) -> PreparedFont:
    path = request.path
    data = _read(path)
    with _opened(data, path, request.index) as (font, index):
        outlines = _outlines(font, path)
        if not font.getBestCmap():
            raise FontProblem(
                f"{path} has no Unicode character map, so no text can be set with it (a symbol or "
                "pi font?): choose a font that maps Unicode characters to its glyphs"
            )
        variable = "fvar" in font
        location = _location(font, request) if variable else _static(request)
        fs_type = font["OS/2"].fsType if "OS/2" in font else 0
        prepared = PreparedFont(path, path, outlines, variable, location, index, fs_type, converted=False)
        if outlines == "truetype" and not variable and index is None:
            return prepared
        key = _cache_key(data, index, location)
        cached = _cached(key)
        if cached is not None:
            return replace(prepared, path=cached, converted=True)
        converted = _convert(font, outlines, location)
    return replace(prepared, path=_store(key, converted), converted=True)


def _cache_key(data: bytes, index: int | None, location: Location) -> str:
    """The SHA-256 of the font file and the recipe: what goes in decides what comes out."""
    recipe = {
        "prepare": PREPARE_VERSION,
        "fonttools": fontTools.version,
        "max_error": MAX_ERROR,
        "index": index,
        "location": location,
    }
    digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode())
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


def _read(path: Path) -> bytes:
    if path.is_dir():
        raise FontProblem(f"{path} is a folder, not a font file")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FontProblem(f"no such font file: {path}") from None
    except OSError as error:
        raise FontProblem(f"{path} cannot be read ({error.strerror or error})") from None


@contextmanager
def _opened(data: bytes, path: Path, index: int | None) -> Iterator[tuple[TTFont, int | None]]:
    """The font in ``data`` (the ``index``-th of a collection) and the collection index used
    (None for a single font). Whatever a damaged file makes fontTools raise, here or in the
    caller's block, becomes a FontProblem."""
    if not data:
        raise FontProblem(f"{path} is empty (0 bytes): it is not a font file, or its copy failed")
    signature = data[:4]
    if signature in (b"wOFF", b"wOF2"):
        raise FontProblem(
            f"{path} is a web font (WOFF), packed for browsers: use the OpenType (.otf) or TrueType "
            "(.ttf) file the web font was made from"
        )
    if signature == b"typ1" or data.startswith((b"%!PS-AdobeFont", b"%!FontType1", b"\x80\x01")):
        raise FontProblem(
            f"{path} is a PostScript Type 1 font, which cannot be used: use an OpenType (.otf) or "
            "TrueType (.ttf) version of the font"
        )
    if signature != b"ttcf" and signature not in _SFNT_TAGS:
        raise FontProblem(
            f"{path} is not a font file: fonts can be TrueType (.ttf), OpenType (.otf) or font collections (.ttc, .otc)"
        )
    if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
        raise FontProblem(
            f"{path}: the index {index!r} is not a whole number; the fonts of a collection are numbered 0, 1, 2 …",
            "index",
        )
    try:
        if signature == b"ttcf":
            index = _member(data, path, index)
            font = TTFont(io.BytesIO(data), fontNumber=index, recalcTimestamp=False)
        else:
            if index not in (None, 0):
                raise FontProblem(f"{path} holds a single font, not a collection of fonts: remove the index", "index")
            index = None
            font = TTFont(io.BytesIO(data), recalcTimestamp=False)
        with font:
            yield font, index
    except FontProblem:
        raise
    except Exception as error:  # fontTools raises whatever the garbage leads its parser into
        raise FontProblem(
            f"{path} looks like a font but cannot be read ({type(error).__name__}: {error}): the file "
            "may be damaged or cut short; export or download it again"
        ) from None


def _member(data: bytes, path: Path, index: int | None) -> int:
    """The collection index to use, after checking it against what the collection holds."""
    collection = TTCollection(io.BytesIO(data), lazy=True)
    count = len(collection.fonts)
    if count == 0:
        raise FontProblem(f"{path} is a font collection without any font in it")
    if index is None and count == 1:
        return 0
    if index is not None and 0 <= index < count:
        return index
    listing = "; ".join(f"{number} = {_full_name(font)}" for number, font in enumerate(collection.fonts))
    if index is None:
        raise FontProblem(f"{path} is a collection of {count} fonts: choose one by its index: {listing}", "index")
    raise FontProblem(
        f"{path} is a collection of {count} fonts, numbered 0 to {count - 1}, so there is no index {index}: {listing}",
        "index",
    )


def _full_name(font: TTFont) -> str:
    if "name" not in font:
        return "(unnamed)"
    name = font["name"]
    family = name.getBestFamilyName()
    style = name.getBestSubFamilyName()
    if family and style:
        return f"{family} {style}"
    return name.getBestFullName() or family or "(unnamed)"


def _outlines(font: TTFont, path: Path) -> Outlines:
    if "glyf" in font:
        return "truetype"
    if "CFF2" in font:
        return "cff2"
    if "CFF " in font:
        return "cff"
    if any(tag in font for tag in ("EBDT", "CBDT", "sbix", "bdat")):
        raise FontProblem(
            f"{path} has only bitmap glyphs (pictures, no outlines), which cannot be scaled for "
            "print: choose a font with outlines"
        )
    raise FontProblem(f"{path} has no glyph outlines (neither TrueType nor CFF): it cannot draw text")


def _axes(font: TTFont) -> list[Axis]:
    if "fvar" not in font:
        return []
    name = font.get("name")
    return [
        Axis(
            axis.axisTag,
            axis.minValue,
            axis.defaultValue,
            axis.maxValue,
            (name.getDebugName(axis.axisNameID) if name else None) or axis.axisTag,
        )
        for axis in font["fvar"].axes
    ]


def _instances(font: TTFont) -> list[NamedInstance]:
    if "fvar" not in font:
        return []
    fvar = font["fvar"]
    name = font.get("name")
    found = []
    for number, instance in enumerate(fvar.instances, start=1):
        label = (name.getDebugName(instance.subfamilyNameID) if name else None) or f"instance {number}"
        location = tuple(
            (axis.axisTag, instance.coordinates.get(axis.axisTag, axis.defaultValue)) for axis in fvar.axes
        )
        postscript_id = getattr(instance, "postscriptNameID", 0xFFFF)
        postscript = name.getDebugName(postscript_id) if name and postscript_id != 0xFFFF else None
        found.append(NamedInstance(label.strip(), location, postscript))
    return found


def _static(request: FontRequest) -> Location:
    """Check that a request for a static font asks for no location, which only a variable font has."""
    for field, given in (("axes", request.axes), ("instance", request.instance)):
        if given:
            raise FontProblem(
                f"{request.path} is a static font, with one fixed design and no axes to set: remove "
                f"'{field}', or use the variable version of the font",
                field,
            )
    return ()


def _location(font: TTFont, request: FontRequest) -> Location:
    """Every axis's value for the request: the named instance's, then the axes given, else the
    default; checked against what the font offers."""
    path = request.path
    axes = _axes(font)
    listing = "; ".join(axis.describe() for axis in axes)
    location = {axis.tag: axis.default for axis in axes}
    chosen: NamedInstance | None = None
    if request.instance is not None:
        instances = _instances(font)
        wanted = str(request.instance).strip().casefold()
        chosen = next((i for i in instances if i.name.casefold() == wanted), None)
        if chosen is None:
            offered = (
                f"its named instances are: {'; '.join(i.describe() for i in instances)}"
                if instances
                else f"it has no named instances; set its axes instead: {listing}"
            )
            raise FontProblem(f"{path} has no named instance {request.instance!r}: {offered}", "instance")
        location.update(chosen.location)
    by_tag = {axis.tag: axis for axis in axes}
    given: set[str] = set()
    for tag, raw in request.axes:
        axis = by_tag.get(tag)
        if axis is None:
            raise FontProblem(f"{path} has no axis {tag!r}; its axes are: {listing}", "axes")
        if tag in given:
            raise FontProblem(f"{path}: the axis {tag} is given twice; give each axis once", "axes")
        given.add(tag)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise FontProblem(f"{path}: {tag} {raw!r} is not a number; its axes are: {listing}", "axes") from None
        if not (math.isfinite(value) and axis.min <= value <= axis.max):
            raise FontProblem(
                f"{path}: {tag} {value:g} is outside the axis's range {axis.min:g}–{axis.max:g}; its axes "
                f"are: {listing}",
                "axes",
            )
        if chosen is not None and value != location[tag]:
            raise FontProblem(
                f"{path}: {tag} {value:g} contradicts the instance {chosen.describe()}: give the "
                "instance or the axis value, not both",
                "axes",
            )
        location[tag] = value + 0.0  # no -0.0 in the recipe
    return tuple((axis.tag, location[axis.tag]) for axis in axes)


# --- converting -------------------------------------------------------------------------------


def _convert(font: TTFont, outlines: Outlines, location: Location) -> bytes:
    """The static TrueType-outline font made from ``font`` at ``location``, as file bytes."""
    quadratic = None
    if outlines != "truetype":
        # Cubic outlines are drawn at the location straight from the variable glyphs: the same
        # as instancing CFF2 first, only faster. The outline tables go before instancing, since
        # the instancer takes the advance widths from HVAR only when there is no glyf table
        # (with one, it expects gvar to have set them).
        quadratic = _quadratic_glyphs(font, location)
        for tag in _CUBIC_ONLY:
            if tag in font:
                del font[tag]
    if location:
        font = _instantiate(font, location)
    if quadratic is not None:
        _install_glyf(font, quadratic, outlines)
    if "DSIG" in font:  # a signature of the original bytes, void now
        del font["DSIG"]
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _instantiate(font: TTFont, location: Location) -> TTFont:
    """``font`` pinned at ``location``, with no variation data left, and named after it where
    the font says what to call it."""
    named = next((i for i in _instances(font) if i.location == location), None)
    names = font["name"]
    family = names.getBestFamilyName() or "Font"
    postscript_family = names.getDebugName(25) or family  # 25: the variations PostScript name prefix
    limits = dict(location)
    stat = font["STAT"].table if "STAT" in font else None
    if stat is not None and stat.AxisValueArray and stat.AxisValueArray.AxisValue:
        # STAT axis values name any location they cover, named instance or not, the way the
        # font's makers meant; fontTools refuses a location they do not cover.
        try:
            return _instancer().instantiateVariableFont(font, limits, updateFontNames=True)
        except ValueError:
            pass
    static = _instancer().instantiateVariableFont(font, limits, inplace=True)
    # Without STAT's help a named instance gives the name, and any other location is named by its
    # axis values: two instances of one font in a PDF never share a name.
    style = named.name if named else " ".join(f"{tag}{value:g}" for tag, value in location)
    postscript = (named.postscript_name if named else None) or _postscript_name(postscript_family, style)
    _rename(static, family, style, postscript)
    return static


def _postscript_name(family: str, style: str) -> str:
    # PostScript names are printable ASCII without spaces or the delimiters of PostScript syntax.
    allowed = "".join(c for c in f"{family}-{style}" if 33 <= ord(c) <= 126 and c not in "[](){}<>/%")
    return allowed[:63]


def _rename(font: TTFont, family: str, style: str, postscript: str) -> None:
    """Name ``font`` the instance ``style`` of ``family``, with legacy names in the Regular, Italic,
    Bold, Bold Italic model older applications expect."""
    words = style.split()
    if style in _RIBBI:
        legacy_family, legacy_style = family, style
    else:
        legacy_family = " ".join([family, *(w for w in words if w != "Italic")])
        legacy_style = "Italic" if "Italic" in words else "Regular"
    records = {1: legacy_family, 2: legacy_style, 3: postscript, 4: f"{family} {style}", 6: postscript}
    if (legacy_family, legacy_style) != (family, style):
        records.update({16: family, 17: style})
    names = font["name"]
    for name_id in (1, 2, 3, 4, 6, 16, 17, 25):
        names.removeNames(nameID=name_id)
    for name_id, text in records.items():
        names.setName(text, name_id, 3, 1, 0x409)


def _instancer() -> Any:
    # fontTools' variation and pen modules take a tenth of a second to import: only fonts that
    # need converting pay for them, not every run of the command.
    from fontTools.varLib import instancer

    return instancer


def _quadratic_glyphs(font: TTFont, location: Location) -> dict[str, Glyph]:
    """``font``'s cubic outlines (at ``location`` if it is variable) as quadratic glyf glyphs."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    glyphs = font.getGlyphSet(location=dict(location) or None)
    quadratic = {}
    for glyph_name in font.getGlyphOrder():
        pen = TTGlyphPen(glyphs)
        # CFF contours run counter-clockwise, TrueType ones clockwise
        glyphs[glyph_name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        quadratic[glyph_name] = pen.glyph()
    return quadratic


def _install_glyf(font: TTFont, quadratic: dict[str, Glyph], outlines: Outlines) -> None:
    """Make ``font`` a TrueType-outline font with the ``quadratic`` glyphs, in place."""
    order = font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = quadratic
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    # version 1.0 maxp: the outline statistics are filled in on saving, the hinting ones stay 0
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in _MAXP_HINTING + _MAXP_OUTLINES:
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    # TrueType rasterisers place a glyph by its left side bearing, which must equal its xMin
    metrics = font["hmtx"].metrics
    for glyph_name in order:
        glyph = glyf[glyph_name]
        glyph.recalcBounds(glyf)
        metrics[glyph_name] = (metrics[glyph_name][0], glyph.xMin if glyph.numberOfContours else 0)
    post = font["post"]
    if outlines == "cff" or post.formatType == 2:  # keep the glyph names CFF carried
        post.formatType = 2.0
        post.extraNames = []
        post.mapping = {}
        post.glyphOrder = order
        try:
            post.compile(font)
        except (OverflowError, struct.error):
            post.formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


# --- the cache --------------------------------------------------------------------------------

_scratch: Path | None = None
_scratch_lock = threading.Lock()


def _scratch_folder() -> Path:
    """A folder of this process's own, removed when it exits: for conversions when there is no
    usable cache."""
    global _scratch
    with _scratch_lock:
        if _scratch is None:
            _scratch = Path(tempfile.mkdtemp(prefix="plakat-fonts-"))
            atexit.register(shutil.rmtree, _scratch, True)
        return _scratch


def _cached(key: str) -> Path | None:
    """The converted font under ``key`` in this process's scratch folder: made or taken from the
    cache earlier by this process, else taken from the cache now and checked; None when neither has it."""
    private = _scratch_folder()
    for mine in private.glob(f"{key}.*.ttf"):
        return mine
    folder = cache_dir()
    found = cache.fetch(folder / cache.FONTS_FOLDER, key, ".ttf", private) if folder is not None else None
    return found[0] if found is not None else None


def _store(key: str, data: bytes) -> Path:
    """Keep ``data`` under ``key`` in the cache (if there is a usable one) and return this process's
    own copy, which no other render evicting from the cache can take away."""
    folder = cache_dir()
    return cache.store(
        folder / cache.FONTS_FOLDER if folder is not None else None, key, "", data, ".ttf", _scratch_folder()
    )
