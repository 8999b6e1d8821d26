"""What the layout engine needs to know about files, read once and up front.

In: a :class:`~plakat.spec.LoadedLayout`. Out: :class:`Assets`: for every portrait an
:class:`ImageInfo` (pixel size as displayed, format, colour mode, EXIF orientation) and for every
font a :class:`FontMetrics` (advance widths, vertical metrics, character coverage), and the output
profile the print PDF is made for. Missing or
unreadable files become layout problems that point at the line naming the file.

Only headers are read here: image pixels are decoded later, by preflight (to prove each image is
readable) and by the renderers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import uharfbuzz as hb
from fontTools.ttLib import TTFont, TTLibError
from PIL import Image, UnidentifiedImageError

from .cms import DEFAULT_PROFILE, EXIF_ORIENTATION, OutputProfile, ProfileError, is_srgb, load_output_profile
from .errors import Loc, Problem
from .fonts import FontProblem, FontRequest, opentype_features, prepare_font
from .imagefiles import open_image
from .logos import VECTOR_SUFFIXES, LogoProblem, pdf_logo_extent, svg_size
from .spec import Layout, LoadedLayout

# EXIF orientations 5-8 turn the stored image by 90 degrees
_SWAPS_AXES = {5, 6, 7, 8}


@dataclass(frozen=True)
class ImageInfo:
    path: Path
    width: int  # pixels as displayed, after EXIF orientation
    height: int
    format: str  # Pillow's name: JPEG, PNG, TIFF, WEBP ...
    mode: str  # Pillow's mode: RGB, L, CMYK, RGBA, P, I;16 ...
    orientation: int = 1
    dpi: float | None = None  # the resolution the file states, if any
    srgb: bool = True  # no embedded colour profile, or an sRGB one

    @property
    def embeds_unchanged(self) -> bool:
        """A JPEG a screen PDF can carry byte for byte: upright, sRGB or gray."""
        return self.format == "JPEG" and self.orientation == 1 and self.mode in ("RGB", "L") and self.srgb


@dataclass
class FontMetrics:
    """A font as the text engine and the PDF writer use it. ``path`` is a static TrueType-outline
    file (the layout's own file, or the instance or conversion made of it); ``source`` is the file
    the layout names, whose fsType rules embedding."""

    path: Path
    units_per_em: int
    ascent: float  # in em
    descent: float  # in em, positive below the baseline
    cap_height: float  # in em
    embedding_allowed: bool
    source: Path | None = None
    fs_type: int = 0  # OS/2 fsType of the source
    features: frozenset[str] = frozenset()  # OpenType feature tags of GSUB and GPOS
    _cmap: dict[int, str] = field(repr=False, default_factory=dict)
    _advance: dict[str, int] = field(repr=False, default_factory=dict)
    _outline_ok: dict[str, bool] = field(repr=False, default_factory=dict)  # characters whose outlines were read
    _harfbuzz: hb.Font | None = field(repr=False, default=None)

    @property
    def shown_name(self) -> str:
        """The file name a designer knows: the layout's own file, not a converted one."""
        return (self.source or self.path).name

    def has(self, char: str) -> bool:
        return ord(char) in self._cmap

    @property
    def harfbuzz_font(self) -> hb.Font:
        """A HarfBuzz font at the font's own units (unhinted), made once."""
        if self._harfbuzz is None:
            face = hb.Face(hb.Blob.from_file_path(str(self.path)))
            font = hb.Font(face)
            font.scale = (self.units_per_em, self.units_per_em)
            self._harfbuzz = font
        return self._harfbuzz

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` the font has no glyph for (line breaks and tabs aside)."""
        return sorted({c for c in text if c not in "\n\t" and ord(c) not in self._cmap})

    def damaged(self, text: str) -> list[str]:
        """Characters of ``text`` whose outlines cannot be read: a font damaged in copying passes the
        table checks above (only cmap and metrics are read up front) and would fail in the PDF writer.
        Each character is read once per font."""
        unread = sorted({c for c in text if c not in "\n\t" and ord(c) in self._cmap} - self._outline_ok.keys())
        if unread:
            glyphs = TTFont(self.path, lazy=True)["glyf"]
            for char in unread:
                try:
                    glyph = glyphs[self._cmap[ord(char)]]
                    if glyph.numberOfContours:
                        glyph.recalcBounds(glyphs)
                    self._outline_ok[char] = True
                except Exception:  # fontTools raises whatever the garbage leads its parser into
                    self._outline_ok[char] = False
        return sorted(c for c in set(text) if self._outline_ok.get(c) is False)

    def advance_width(self, text: str, size: float) -> float:
        """Sum of the plain advance widths of ``text`` at ``size`` points, in points: no kerning,
        no ligatures. The text engine shapes instead; this is the unshaped reference."""
        units = sum(self._advance[self._cmap.get(ord(c), ".notdef")] for c in text)
        return units * size / self.units_per_em


# Raster formats a logo may come in; Pillow reads more, but these are what print shops exchange.
LOGO_RASTER_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "TIFF": ".tif"}


@dataclass(frozen=True)
class ElementFile:
    """A logo file: a raster image (``image`` set; size in pixels) or a vector logo, ``svg`` or
    ``pdf`` (its first page; size in points)."""

    path: Path
    kind: str  # "raster", "svg" or "pdf"
    width: float
    height: float
    image: ImageInfo | None = None

    @property
    def aspect(self) -> float:
        return self.width / self.height


@dataclass(frozen=True)
class Assets:
    images: dict[str, ImageInfo]  # by person name
    fonts: dict[str, FontMetrics]  # by font key
    profile: OutputProfile | None = None  # the print's output intent
    elements: dict[int, ElementFile] = field(default_factory=dict)  # by index in elements:, logos only


def probe_element_file(path: Path) -> ElementFile:
    """A logo's kind and size: SVG and PDF read and checked for what plakat can convert, raster
    images by their header. Raises ValueError with a reason and what to do."""
    kind = VECTOR_SUFFIXES.get(path.suffix.lower())
    if kind is not None and path.is_dir():
        raise ValueError(f"{path} is a folder, not a logo file")
    try:
        if kind == "svg":
            return ElementFile(path, kind, *svg_size(path))
        if kind == "pdf":
            _left, _bottom, width, height = pdf_logo_extent(path)
            return ElementFile(path, kind, width, height)
    except LogoProblem as problem:
        raise ValueError(str(problem)) from None
    info = probe_image(path)
    if info.format not in LOGO_RASTER_FORMATS:
        raise ValueError(
            f"{path} is {info.format}, which plakat does not take as a logo: give a "
            f"{', '.join(LOGO_RASTER_FORMATS.values())} raster, an .svg or a .pdf"
        )
    return ElementFile(path, "raster", info.width, info.height, info)


def probe_image(path: Path) -> ImageInfo:
    """Read an image's header; raise ValueError with a reason a designer understands."""
    if not path.exists():
        raise ValueError(f"no such file: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not an image")
    if path.stat().st_size == 0:
        raise ValueError(f"{path} is empty (0 bytes)")
    try:
        with open_image(path) as image:
            # Pillow decodes a whole PNG to look for EXIF after the pixels; the header's eXIf
            # chunk, if any, is enough, and a broken PNG is then left to preflight to report.
            has_header_exif = image.format != "PNG" or "exif" in image.info
            exif = image.getexif() if has_header_exif else {}
            orientation = int(exif.get(EXIF_ORIENTATION, 1) or 1)
            width, height = image.size
            if orientation in _SWAPS_AXES:
                width, height = height, width
            stated = image.info.get("dpi")
            dpi = float(stated[0]) if stated and stated[0] and float(stated[0]) > 1 else None
            return ImageInfo(
                path,
                width,
                height,
                image.format or "?",
                image.mode,
                orientation if 1 <= orientation <= 8 else 1,
                dpi,
                is_srgb(image.info.get("icc_profile")),
            )
    except Image.DecompressionBombError as error:
        raise ValueError(f"{path} declares too many pixels to read safely ({error})") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ValueError(f"{path} is not a readable image ({error})") from None


_loaded_fonts: dict[tuple[Path, int, int, FontRequest], FontMetrics] = {}


def load_font_metrics(path: Path, request: FontRequest | None = None) -> FontMetrics:
    """A font's metrics, made static and TrueType-outlined first where it is not (see
    :mod:`plakat.fonts`); read once per file, version and request, since parsing cmap, hmtx and
    post of a large font takes tens of milliseconds. Raises FontProblem."""
    request = request or FontRequest(path)
    if not path.exists():
        raise FontProblem(f"no such font file: {path}")
    stat = path.stat()
    key = (path.resolve(), stat.st_size, stat.st_mtime_ns, request)
    if key not in _loaded_fonts:
        prepared = prepare_font(request)
        _loaded_fonts[key] = _read_font_metrics(prepared.path, path, prepared.fs_type)
    return _loaded_fonts[key]


def _read_font_metrics(path: Path, source: Path, fs_type: int) -> FontMetrics:
    try:
        font = TTFont(path, lazy=True)
        cmap = font.getBestCmap()
        if "glyf" not in font or "fvar" in font:
            raise ValueError(f"{source} did not become a static TrueType-outline font")
        hmtx = font["hmtx"].metrics
        upm = font["head"].unitsPerEm
        hhea = font["hhea"]
        os2 = font.get("OS/2", None)
        cap = getattr(os2, "sCapHeight", 0) or int(0.7 * upm)
        return FontMetrics(
            path=path,
            units_per_em=upm,
            ascent=hhea.ascent / upm,
            descent=-hhea.descent / upm,
            cap_height=cap / upm,
            # bit 1 (value 2) alone means "restricted licence embedding": the file may not travel;
            # bit 9 (0x200) allows bitmaps only, and a PDF needs the outlines
            embedding_allowed=(fs_type & 0x000F) != 0x0002 and not fs_type & 0x0200,
            source=source,
            fs_type=fs_type,
            features=opentype_features(font),
            _cmap=dict(cmap or {}),
            _advance={name: advance for name, (advance, _lsb) in hmtx.items()},
        )
    except (TTLibError, OSError, KeyError, AssertionError, ValueError) as error:
        raise FontProblem(f"{source} is not a usable font ({error})") from None


def probe_assets(loaded: LoadedLayout) -> Assets:
    """Open every font and portrait header the layout names; LayoutInvalid lists all failures."""
    spec = loaded.spec
    problems: list[Problem] = []
    fonts: dict[str, FontMetrics] = {}
    for key, entry in spec.fonts.items():
        path = loaded.resolve(entry.file)
        request = FontRequest(path, tuple(sorted(entry.axes.items())), entry.index, entry.instance)
        try:
            fonts[key] = load_font_metrics(path, request)
        except FontProblem as problem:
            field = getattr(problem, "field", None)
            problems.append(Problem(("fonts", key, field) if field else ("fonts", key), f"{problem}"))
    problems += _feature_problems(spec, fonts)
    images: dict[str, ImageInfo] = {}
    for index, person in enumerate(spec.people):
        loc: Loc = ("people", index, "portrait")
        try:
            images[person.name] = probe_image(loaded.resolve(person.portrait))
        except ValueError as error:
            problems.append(Problem(loc, f"{error}"))
    elements: dict[int, ElementFile] = {}
    for index, element in enumerate(spec.elements):
        if element.image is None:
            continue
        try:
            elements[index] = probe_element_file(loaded.resolve(element.image))
        except ValueError as error:
            problems.append(Problem(("elements", index, "image"), f"{error}"))
    profile = None
    pdf = spec.output.pdf
    try:
        profile = load_output_profile(pdf.profile if pdf else DEFAULT_PROFILE, loaded.folder)
    except ProfileError as error:
        problems.append(Problem(("output", "pdf", "profile"), f"{error}"))
    if problems:
        raise loaded.invalid(problems)
    return Assets(images, fonts, profile, elements)


def _feature_problems(spec: Layout, fonts: dict[str, FontMetrics]) -> list[Problem]:
    """A feature a style switches on that its font does not have would silently do nothing: say so
    at its line, with the features the font offers. Switching one off is always fine."""
    styles: list[tuple[Loc, object]] = [((name,), block) for name, block in spec.text_blocks.items()]
    styles += [(("captions", "lines", index), line) for index, line in enumerate(spec.captions.lines)]
    if spec.quotes is not None:
        styles.append((("quotes",), spec.quotes))
        if spec.quotes.attribution is not None:
            styles.append((("quotes", "attribution"), spec.quotes.attribution))
    problems = []
    for loc, style in styles:
        metrics = fonts.get(style.font)  # type: ignore[attr-defined]
        if metrics is None:
            continue
        for tag, setting in style.features.items():  # type: ignore[attr-defined]
            if setting is not False and tag not in metrics.features:
                offered = ", ".join(sorted(metrics.features)) or "none"
                problems.append(
                    Problem(
                        (*loc, "features", tag),
                        f"{metrics.shown_name} has no OpenType feature {tag!r}, so it would change "
                        f"nothing; the font offers: {offered}",
                    )
                )
    return problems
