"""Embedding TrueType-outline fonts as PDF Type0/CIDFontType2 fonts, and drawing positioned glyphs.

In: a static TrueType-outline font file (read once into a :class:`FontProgram`), the glyph ids a
page uses with the text each stands for (a ligature glyph stands for several characters, the
second glyph of a cluster for none), and glyphs placed at absolute positions in PDF user units.

Out: from :func:`embed`, an indirect Type0 font dictionary (Identity-H, one CIDFontType2 with
CIDToGIDMap /Identity, a /W array for the used glyphs, a FontDescriptor with the subset as
compressed /FontFile2, a /ToUnicode CMap) to put in a page's /Font resources; from
:func:`show_glyphs`, the content-stream operators (BT ... ET) that draw the glyphs with that font,
each origin within 0.001 units of the position asked for.

Character codes are glyph ids: the subset keeps every glyph at its id, so the same codes work
for the subset and for a whole font. The same inputs give the same bytes: nothing depends on the
time, and the subset tag is a hash of the subset.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from struct import error as struct_error

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont, TTLibError

# OS/2 fsType: the low four bits are the usage permission, the rest are flags
FS_TYPE_RESTRICTED = 0x0002
FS_TYPE_NO_SUBSETTING = 0x0100
FS_TYPE_BITMAP_ONLY = 0x0200

# FontDescriptor /Flags bits (PDF 32000-1, 9.8.2)
FLAG_FIXED_PITCH = 1 << 0
FLAG_SERIF = 1 << 1
FLAG_SYMBOLIC = 1 << 2
FLAG_ITALIC = 1 << 6

# What a PDF viewer needs of a CIDFontType2 program: outlines, metrics, and the tables font
# parsers insist on. Layout tables are of no use once the glyphs are positioned, and hinting
# changes nothing at poster sizes.
SUBSET_TABLES = frozenset({"cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "OS/2", "post"})

TO_UNICODE_BLOCK = 100  # entries per bfchar block: the CMap format allows no more
SIZE_DECIMALS = 4  # positions are computed from the size as written, so this rounding moves no glyph
POSITION_DECIMALS = 3  # of a user unit: half a thousandth at worst
HEX_GLYPHS_PER_STRING = 32  # 130 characters a string, so that lines can be broken
TJ_LINE_LENGTH = 200  # content-stream lines stay under the 255 characters PDF recommends


@dataclass(frozen=True)
class FontProgram:
    """What the PDF needs of one static TrueType-outline font. Metrics are in 1/1000 em, the unit
    of /W and of the FontDescriptor; ``data`` is the file as it was read, so that the embedded
    program is the one these metrics were read from even if the file changes afterwards."""

    path: Path
    units_per_em: int
    # Advance width per glyph id as /W writes it: whole numbers, because pdfium drops the fraction
    # of a real number in /W. show_glyphs makes up the rest of a font's true advance (at 2048 units
    # per em, up to half a thousandth of the size) with TJ adjustments.
    widths: tuple[int, ...]
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int  # negative below the baseline
    cap_height: int
    italic_angle: float
    postscript_name: str
    fs_type: int
    flags: int
    stem_v: int
    data: bytes = field(repr=False, compare=False)

    @classmethod
    def from_file(cls, path: Path | str) -> FontProgram:
        """Read ``path``; ValueError if it is not a usable static TrueType-outline font."""
        path = Path(path)
        try:
            data = path.read_bytes()
            font = TTFont(io.BytesIO(data), lazy=True)
            if "glyf" not in font:
                raise ValueError(f"{path} is not a TrueType-outline font (no glyf table)")
            if "fvar" in font:
                raise ValueError(f"{path} is a variable font: use a static instance of it")
            return cls._read(path, data, font)
        except (TTLibError, OSError, KeyError, AssertionError, struct_error) as error:
            raise ValueError(f"{path} is not a usable font ({error})") from None

    @classmethod
    def _read(cls, path: Path, data: bytes, font: TTFont) -> FontProgram:
        head, hhea, post, hmtx = font["head"], font["hhea"], font["post"], font["hmtx"]
        os2 = font.get("OS/2", None)
        upm = head.unitsPerEm

        def em(value: float) -> float:
            return value * 1000 / upm

        widths = tuple(round(em(hmtx[name][0])) for name in font.getGlyphOrder())
        italic_angle = float(post.italicAngle)
        flags = FLAG_SYMBOLIC  # glyphs are picked by id, not through a Latin encoding
        if post.isFixedPitch:
            flags |= FLAG_FIXED_PITCH
        panose = getattr(os2, "panose", None)
        # PANOSE Latin Text (family 2) with serif styles 2 to 10 (cove ... triangle) has serifs
        if panose is not None and panose.bFamilyType == 2 and 2 <= panose.bSerifStyle <= 10:
            flags |= FLAG_SERIF
        if italic_angle != 0 or head.macStyle & 0x02 or (os2 is not None and os2.fsSelection & 0x01):
            flags |= FLAG_ITALIC
        cap_height = getattr(os2, "sCapHeight", 0) or 0
        if not cap_height:
            cap_height = _glyph_top(font, "H") or hhea.ascent
        weight = getattr(os2, "usWeightClass", 400) or 400
        return cls(
            path=path,
            units_per_em=upm,
            widths=widths,
            bbox=(
                math.floor(em(head.xMin)),
                math.floor(em(head.yMin)),
                math.ceil(em(head.xMax)),
                math.ceil(em(head.yMax)),
            ),
            ascent=round(em(hhea.ascent)),
            descent=round(em(hhea.descent)),
            cap_height=round(em(cap_height)),
            italic_angle=italic_angle,
            postscript_name=_postscript_name(font, path),
            fs_type=os2.fsType if os2 is not None else 0,
            flags=flags,
            # TrueType has no stem width; this is the usual estimate from the weight class
            stem_v=round(50 + (weight / 65) ** 2),
            data=data,
        )

    @property
    def glyph_count(self) -> int:
        return len(self.widths)

    @property
    def embedding_forbidden(self) -> str | None:
        """Why fsType forbids embedding this font in a print PDF, or None if it allows it."""
        if self.fs_type & 0x000F == FS_TYPE_RESTRICTED:
            return "restricted licence embedding (OS/2 fsType 0x0002)"
        if self.fs_type & FS_TYPE_BITMAP_ONLY:
            return "bitmap embedding only (OS/2 fsType 0x0200), and the glyphs are outlines"
        return None

    @property
    def subsetting_allowed(self) -> bool:
        return not self.fs_type & FS_TYPE_NO_SUBSETTING


def _glyph_top(font: TTFont, char: str) -> int:
    name = (font.getBestCmap() or {}).get(ord(char))
    if name is None:
        return 0
    glyph = font["glyf"][name]
    return int(getattr(glyph, "yMax", 0))


def _postscript_name(font: TTFont, path: Path) -> str:
    name = font["name"].getDebugName(6) or font["name"].getDebugName(4) or path.stem
    # PDF names and PostScript names alike: printable ASCII without spaces or delimiters
    cleaned = "".join(c for c in name if 33 <= ord(c) <= 126 and c not in "[](){}<>/%#")
    return cleaned[:63] or "Font"


@dataclass(frozen=True, slots=True)
class PlacedGlyph:
    """A glyph id and the position of its origin in PDF user units (y: baseline plus any rise)."""

    gid: int
    x: float
    y: float


def embed(
    pdf: pikepdf.Pdf, program: FontProgram, glyph_texts: Mapping[int, str], *, preview: bool = False
) -> pikepdf.Object:
    """An indirect Type0 font dictionary for ``pdf`` that draws the glyph ids in ``glyph_texts``
    (every glyph id the page uses, with the text it stands for; "" for a glyph that continues a
    cluster) with ``program``: a subset keeping glyph ids, or the whole font if fsType forbids
    subsetting. ValueError if fsType forbids embedding or a glyph id is not in the font.

    ``preview`` marks a file that never leaves the machine (a preflight scratch file, the source
    a PNG is rasterised from): drawing a font on one's own screen is what every licence allows, so
    there fsType does not stop embedding."""
    if (reason := program.embedding_forbidden) and not preview:
        raise ValueError(f"{program.path.name} may not be embedded: {reason}")
    gids = sorted(glyph_texts)
    for gid in gids:
        if not 0 <= gid < program.glyph_count:
            raise ValueError(f"glyph id {gid} is not in {program.path.name} ({program.glyph_count} glyphs)")
    if program.subsetting_allowed:
        font_data = _subset(program, gids)
        tag = _subset_tag(font_data)
        base_font = pikepdf.Name(f"/{tag}+{program.postscript_name}")
    else:
        font_data = program.data
        base_font = pikepdf.Name(f"/{program.postscript_name}")

    font_file = pikepdf.Stream(
        pdf, zlib.compress(font_data, 9), Filter=pikepdf.Name.FlateDecode, Length1=len(font_data)
    )
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=base_font,
        Flags=program.flags,
        FontBBox=pikepdf.Array(list(program.bbox)),
        ItalicAngle=_pdf_number(program.italic_angle, 3),
        Ascent=program.ascent,
        Descent=program.descent,
        CapHeight=program.cap_height,
        StemV=program.stem_v,
        FontFile2=font_file,
    )
    default_width, widths = _widths(program, gids)
    cid_font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=base_font,
        CIDSystemInfo=pikepdf.Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        ),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=default_width,
        W=widths,
        CIDToGIDMap=pikepdf.Name.Identity,
    )
    to_unicode = _to_unicode(glyph_texts)
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type0,
        BaseFont=base_font,
        Encoding=pikepdf.Name("/Identity-H"),
        DescendantFonts=pikepdf.Array([pdf.make_indirect(cid_font)]),
        ToUnicode=pikepdf.Stream(pdf, zlib.compress(to_unicode, 9), Filter=pikepdf.Name.FlateDecode),
    )
    return pdf.make_indirect(font)


def prepare_subset(program: FontProgram, glyph_texts: Mapping[int, str]) -> None:
    """Make the subset :func:`embed` will make for these glyphs now (it is remembered), where the
    font may be subset: so a caller can do it while other work waits."""
    if program.subsetting_allowed and all(0 <= gid < program.glyph_count for gid in glyph_texts):
        _subset(program, sorted(glyph_texts))


def _subset(program: FontProgram, gids: Sequence[int]) -> bytes:
    return _subset_of(program.data, tuple(gids))


# One render writes the same text into the print PDF and the PNG's screen PDF (and check into a
# scratch file): the same subset each time, made once.
@functools.lru_cache(maxsize=16)
def _subset_of(data: bytes, gids: tuple[int, ...]) -> bytes:
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    # Removed before subsetting, not left to drop_tables: the subsetter would otherwise parse
    # GSUB and GPOS in full first, five times the time of everything else it does here.
    # (keys(), since a TTFont cannot be iterated.)
    unwanted = [tag for tag in font.keys() if tag != "GlyphOrder" and tag not in SUBSET_TABLES]  # noqa: SIM118
    for tag in sorted(unwanted):
        del font[tag]
    options = subset.Options()
    options.retain_gids = True  # the content stream's codes are the original glyph ids
    options.notdef_glyph = True
    options.notdef_outline = True
    options.hinting = False
    options.layout_features = []
    options.glyph_names = False
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=list(gids))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _subset_tag(font_data: bytes) -> str:
    return "".join(chr(ord("A") + byte % 26) for byte in hashlib.sha256(font_data).digest()[:6])


def _widths(program: FontProgram, gids: Sequence[int]) -> tuple[int, pikepdf.Array]:
    """/DW, the most common width of the used glyphs, and /W for the others as ``c [w ...]`` runs."""
    counts = Counter(program.widths[gid] for gid in gids)
    default = min(counts, key=lambda width: (-counts[width], width)) if counts else 1000
    items: list[object] = []
    run: list[int] = []
    previous = None
    for gid in gids:
        width = program.widths[gid]
        if width == default:
            continue
        if previous is None or gid != previous + 1:
            if run:
                items.append(pikepdf.Array(run))
            items.append(gid)
            run = []
        run.append(width)
        previous = gid
    if run:
        items.append(pikepdf.Array(run))
    return default, pikepdf.Array(items)


def _to_unicode(glyph_texts: Mapping[int, str]) -> bytes:
    entries = [(gid, text) for gid, text in sorted(glyph_texts.items()) if text]
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(entries), TO_UNICODE_BLOCK):
        block = entries[start : start + TO_UNICODE_BLOCK]
        lines.append(f"{len(block)} beginbfchar")
        lines.extend(f"<{gid:04X}> <{text.encode('utf-16-be').hex().upper()}>" for gid, text in block)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end", ""]
    return "\n".join(lines).encode("ascii")


def show_glyphs(font_resource: str, size: float, glyphs: Sequence[PlacedGlyph], program: FontProgram) -> str:
    """Content-stream operators that draw ``glyphs`` with the font ``font_resource`` (its name in
    the page's /Font resources, with or without the slash) at ``size`` user units, each origin
    where the glyph asks; "" for no glyphs. The caller sets the fill colour."""
    if not glyphs:
        return ""
    if not (math.isfinite(size) and size > 0):
        raise ValueError(f"font size must be a positive number, not {size}")
    size_text = _number(size, SIZE_DECIMALS)
    written_size = float(size_text)
    if written_size == 0:
        raise ValueError(f"font size {size} is too small to write")
    # A TJ adjustment is in 1/1000 of the size: this many decimals keep its rounding under
    # half a thousandth of a unit, whatever the size.
    decimals = max(0, math.ceil(math.log10(written_size)))
    scale = written_size / 1000

    out = ["BT", f"/{font_resource.lstrip('/')} {size_text} Tf"]
    items: list[str] = []  # the current TJ array: hex strings and adjustments
    codes: list[str] = []  # glyph codes since the last adjustment
    line_y = ""
    pen = 0.0  # origin of the previous glyph, as a reader of the stream computes it
    advance = 0.0

    def close_string() -> None:
        for start in range(0, len(codes), HEX_GLYPHS_PER_STRING):
            items.append("<" + "".join(codes[start : start + HEX_GLYPHS_PER_STRING]) + ">")
        codes.clear()

    def close_array() -> None:
        close_string()
        if items:
            out.append(_tj(items))
            items.clear()

    for index, glyph in enumerate(glyphs):
        if not 0 <= glyph.gid < program.glyph_count:
            raise ValueError(f"glyph id {glyph.gid} is not in {program.path.name}")
        if not (math.isfinite(glyph.x) and math.isfinite(glyph.y)):
            raise ValueError(f"glyph {glyph.gid} is placed at ({glyph.x}, {glyph.y})")
        y_text = _number(glyph.y, POSITION_DECIMALS)
        if index == 0 or y_text != line_y:
            close_array()
            x_text = _number(glyph.x, POSITION_DECIMALS)
            # BT starts at the identity matrix, so the first Td is absolute; later lines are set
            # absolutely too, since relative moves would add up the readers' rounding.
            out.append(f"{x_text} {y_text} Td" if index == 0 else f"1 0 0 1 {x_text} {y_text} Tm")
            line_y, pen = y_text, float(x_text)
        else:
            natural = pen + advance * scale
            adjustment = round(-(glyph.x - natural) / scale, decimals)
            if adjustment:
                close_string()
                items.append(_number(adjustment, decimals))
                pen = natural - adjustment * scale
            else:
                pen = natural
        codes.append(f"{glyph.gid:04X}")
        advance = program.widths[glyph.gid]
    close_array()
    out.append("ET")
    return "\n".join(out) + "\n"


def _tj(items: Sequence[str]) -> str:
    lines: list[str] = []
    line = "["
    for item in items:
        if len(line) + len(item) > TJ_LINE_LENGTH and line != "[":
            lines.append(line)
            line = ""
        line += item
    return "\n".join([*lines, line + "]TJ"])


def _number(value: float, decimals: int) -> str:
    """``value`` in at most ``decimals`` decimals, without exponent or trailing zeros."""
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _pdf_number(value: float, decimals: int) -> int | Decimal:
    text = _number(value, decimals)
    return Decimal(text) if "." in text else int(text)
