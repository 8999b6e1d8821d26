"""The layout file format.

In: a path to a YAML layout. Out: :class:`LoadedLayout`, an immutable, validated :class:`Layout`
together with the file's folder (relative paths resolve against it) and a map back to lines and
columns. Every problem in the file is reported at once as :class:`~plakat.errors.LayoutInvalid`.
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .color import BLACK, WHITE, Color, parse_color
from .errors import LayoutInvalid, Loc, Problem
from .formats import SCREEN_DPI, FormatPreset, find_preset
from .hyphenation import check_language
from .layering import LayeredSource, read_layered
from .relative import Anchor, AnchorArea
from .templates import PERSON_FIELDS, QUOTE_FIELDS, template_problem
from .units import MAX_LENGTH, UNITS_HELP, Length, parse_length, parse_percent

MAX_FONT_SIZE = 100_000.0  # points: 35 m letters
PERCENT_PLACES = (
    "a percentage of the page is allowed only for a box's x, y, width and height, grid margins, "
    "gutter, column_gap and row_gap, captions.height, padding, safe and font sizes (size.max, size.min)"
)


def _to_length(value) -> Length:
    if isinstance(value, Length):
        return value
    if value == 0 and not isinstance(value, bool):
        return Length(0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"{value} has no unit: write {UNITS_HELP}")
    if isinstance(value, str) and value.strip().endswith("%"):
        if parse_percent(value) is None:
            raise ValueError(f"{value!r} is not a percentage: write a number and %, e.g. 5%")
        raise ValueError(f"{value!r}: {PERCENT_PLACES}; here write {UNITS_HELP}")
    length = parse_length(value)
    if abs(length) > MAX_LENGTH:
        raise ValueError(f"{value!r} is more than 1 km: check the number and the unit")
    return length


def _to_font_size(value) -> float:
    """Font sizes are points: a bare number, or any length."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        size = float(value)
    else:
        size = _to_length(value).pt
    if not math.isfinite(size) or size <= 0:
        raise ValueError(f"a font size must be a number greater than 0, not {value!r}")
    if size > MAX_FONT_SIZE:
        raise ValueError(f"{value!r} is more than {MAX_FONT_SIZE:g}pt: check the number and the unit")
    return size


def _not_negative(value):
    if value is not None and value < 0:
        raise ValueError("cannot be negative")
    return value


def _positive(value):
    if value is not None and value <= 0:
        raise ValueError("must be greater than 0")
    return value


LengthValue = Annotated[
    Length,
    PlainValidator(_to_length),
    PlainSerializer(lambda v: f"{v.mm:g}mm", return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*(mm|cm|m|in|pt|px@\d+(\.\d*)?dpi)\s*$",
            "examples": ["3560mm", "2.52m", "12pt"],
        }
    ),
]
FontSize = Annotated[
    float,
    PlainValidator(_to_font_size),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "string"}],
            "description": "points as a number, or a length such as 40mm",
        }
    ),
]
ColorValue = Annotated[
    Color,
    PlainValidator(parse_color),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$|^(white|black)$|^cmyk\(.*\)$",
            "examples": ["#1d3c6e", "cmyk(0, 100, 100, 0)"],
        }
    ),
]
Align = Literal["left", "center", "right"]
VAlign = Literal["top", "middle", "bottom"]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class Size(Model):
    width: LengthValue
    height: LengthValue


class Box(Model):
    """A rectangle measured from the top-left corner of the trim; may reach into the bleed."""

    x: LengthValue
    y: LengthValue
    width: LengthValue
    height: LengthValue


class Margins(Model):
    top: LengthValue = Length(0)
    right: LengthValue = Length(0)
    bottom: LengthValue = Length(0)
    left: LengthValue = Length(0)


class SizeRange(Model):
    """Text starts at ``max`` and shrinks until it fits, but never below ``min``."""

    max: FontSize
    min: FontSize

    @model_validator(mode="after")
    def _ordered(self):
        if self.min > self.max:
            raise ValueError(f"min ({self.min:g}pt) is larger than max ({self.max:g}pt)")
        return self


def _feature_tags(value):
    if not isinstance(value, dict):
        return value
    for tag, setting in value.items():
        if not (isinstance(tag, str) and len(tag) == 4 and tag.isascii() and tag.isprintable()):
            raise ValueError(f"{tag!r} is not an OpenType feature tag: four letters such as liga, kern, tnum, ss01")
        if not isinstance(setting, (bool, int)) or (not isinstance(setting, bool) and not 0 <= setting <= 99):
            raise ValueError(f"{tag}: expected true, false or an alternate number (0-99), not {setting!r}")
    return value


Features = Annotated[dict[str, bool | int], BeforeValidator(_feature_tags)]


class Typography(Model):
    """What every piece of text may set besides its font and size."""

    features: Features = Field(
        default_factory=dict, description="OpenType features on top of kern and liga, e.g. {tnum: true, liga: false}"
    )
    tracking: float = Field(0, ge=-200, le=1000, description="letter spacing in thousandths of an em")


class TextStyle(Typography):
    font: str = Field(description="a key of `fonts`")
    size: SizeRange
    color: ColorValue = BLACK
    align: Align = "left"
    line_height: float = Field(1.15, gt=0.5, le=3, description="line pitch as a multiple of the size")
    hyphenate: bool | None = Field(None, description="break words at German hyphenation points; default by role")
    balance: bool = Field(False, description="lines of nearly equal width instead of a short last line")
    hang_punctuation: bool = Field(False, description="quotes, hyphens and stops hang into the margin")


class TextBlock(TextStyle):
    """A piece of poster furniture: headline, brand line, hashtag, credit."""

    text: str = Field(min_length=1)
    box: Box
    valign: VAlign = "top"
    max_lines: int | None = Field(None, ge=1)
    background: ColorValue | None = None
    padding: LengthValue = Length(0)

    _padding = field_validator("padding")(_not_negative)


class Band(Model):
    """A plain coloured rectangle; one that touches the trim edge is carried into the bleed."""

    box: Box
    color: ColorValue


class CaptionLine(Typography):
    template: str = Field(min_length=1, description='e.g. "{name}, {age}" or "{role}"')
    font: str
    size: SizeRange
    color: ColorValue | None = None


class Captions(Model):
    placement: Literal["below", "overlay"] = "below"
    height: LengthValue
    padding: LengthValue = Length(0)
    align: Align = "left"
    color: ColorValue = BLACK
    background: ColorValue | None = None
    line_height: float = Field(1.15, gt=0.5, le=3)
    uniform: bool = Field(True, description="one size per caption line across all people")
    lines: list[CaptionLine] = Field(min_length=1)

    _height = field_validator("height")(_positive)
    _padding = field_validator("padding")(_not_negative)


class QuoteStyle(TextStyle):
    template: str = Field("„{quote}“", min_length=1, description="fields {quote}, {name}, {age}, {role}")
    padding: LengthValue = Length(0)
    background: ColorValue | None = None
    attribution: CaptionLine | None = None

    _padding = field_validator("padding")(_not_negative)


class Cell(Model):
    """A grid cell placed by hand; may span columns and rows and hold a person or a quote. In an
    automatic grid only quote cells are given, without column and row: the quote takes the free
    cells at the end of the last row, at least ``column_span`` of them."""

    column: int | None = Field(None, ge=1, description="required unless the grid has columns: auto")
    row: int | None = Field(None, ge=1, description="required unless the grid has columns: auto")
    column_span: int | None = Field(
        None, ge=1, description="columns the cell spans (default 1); in an automatic grid the least a quote needs (2)"
    )
    row_span: int = Field(1, ge=1)
    person: str | None = None
    quote: str | None = Field(None, description="name of the person whose quote fills the cell")

    @model_validator(mode="after")
    def _one_content(self):
        if (self.person is None) == (self.quote is None):
            raise ValueError("a cell needs exactly one of person or quote")
        return self

    @property
    def columns_spanned(self) -> int:
        return self.column_span or 1


AUTO_QUOTE_SPAN = 2  # cells a quote takes at least in an automatic grid, unless it says otherwise


def _grid_count(value):
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= 100:
            return value
        raise ValueError(f"must be greater than or equal to 1 and at most 100, or auto (got {value})")
    raise ValueError(f"expected a whole number from 1 to 100, or auto (got {value!r})")


GridCount = Annotated[
    int | Literal["auto"],
    PlainValidator(_grid_count),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1, "maximum": 100}, {"const": "auto"}]}),
]


class Grid(Model):
    columns: GridCount = Field(
        description="a number, or auto: columns and rows chosen so the portraits are as large as the format allows"
    )
    rows: GridCount | None = Field(
        None, description="required with a number of columns; left out (or auto) with columns: auto"
    )
    gutter: LengthValue | None = None
    column_gap: LengthValue | None = None
    row_gap: LengthValue | None = None
    margins: Margins | None = Field(None, description="grid area as insets from the trim")
    box: Box | None = Field(None, description="grid area as a box (instead of margins)")
    cells: list[Cell] = Field(default_factory=list)

    _gaps = field_validator("gutter", "column_gap", "row_gap")(_not_negative)

    @model_validator(mode="after")
    def _one_area(self):
        if self.margins is not None and self.box is not None:
            raise ValueError("give either margins or box for the grid area, not both")
        return self

    @property
    def automatic(self) -> bool:
        return self.columns == "auto"


class ElementBox(Model):
    """Where an element goes: ``x``/``y`` from the trim's top-left, or with ``anchor`` a corner or edge
    of the safe area or trim (``to``) with ``x``/``y`` as insets. One of width and height may be left
    out: it then follows the element's own aspect ratio (a QR code is square)."""

    anchor: Anchor | None = Field(None, description="corner or edge of `to` the box sits at, e.g. bottom-right")
    to: AnchorArea | None = Field(None, description="safe (default) or trim: what anchor refers to")
    x: LengthValue | None = Field(None, description="from the trim's left; with anchor, the inset from that edge")
    y: LengthValue | None = Field(None, description="from the trim's top; with anchor, the inset from that edge")
    width: LengthValue | None = None
    height: LengthValue | None = None

    _size = field_validator("width", "height")(_positive)

    @model_validator(mode="after")
    def _placed(self):
        if self.width is None and self.height is None:
            raise ValueError("give width or height (or both): the other follows the element's aspect ratio")
        if self.anchor is None:
            if self.to is not None:
                raise ValueError("to: needs anchor: (e.g. anchor: bottom-right, to: trim)")
            missing = [key for key in ("x", "y") if getattr(self, key) is None]
            if missing:
                raise ValueError(
                    f"give {' and '.join(missing)} (from the trim's top-left), or anchor: (e.g. bottom-right) "
                    "with x and y as insets"
                )
        return self


QrLevel = Literal["L", "M", "Q", "H"]
ELEMENT_KINDS = ("image", "qr")
_IMAGE_ONLY = ("fit",)
_QR_ONLY = ("color", "background", "error_correction")


class Element(Model):
    """A logo (``image``: raster, SVG or PDF) or a QR code (``qr``: the text it encodes) in a box,
    drawn over everything else."""

    image: str | None = Field(None, min_length=1, description=".jpg/.png/.tif, .svg or .pdf, relative to the layout")
    qr: str | None = Field(None, min_length=1, description="the text a QR code encodes, e.g. a web address")
    box: ElementBox
    name: str | None = Field(None, min_length=1, description="the element's name in findings; default elements[i]")
    fit: Literal["contain", "cover"] | None = Field(
        None, description="contain (default): all of the image in the box; cover: the box filled, edges cropped"
    )
    min_size: LengthValue | None = Field(None, description="a warning when it is drawn narrower or lower than this")
    color: ColorValue | None = Field(None, description="a QR code's dark modules (default black)")
    background: ColorValue | None = Field(None, description="a QR code's light modules and quiet zone (default white)")
    error_correction: QrLevel | None = Field(None, description="a QR code's error correction: L, M (default), Q, H")

    _min_size = field_validator("min_size")(_positive)

    @field_validator("error_correction", mode="before")
    @classmethod
    def _level_upper(cls, value):
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.image is None) == (self.qr is None):
            raise ValueError("an element needs exactly one of image: (a logo file) or qr: (the text to encode)")
        wrong = _QR_ONLY if self.image is not None else _IMAGE_ONLY
        given = [key for key in wrong if getattr(self, key) is not None]
        if given:
            kind = "an image" if self.image is not None else "a QR code"
            owner = "QR codes" if self.image is not None else "images"
            raise ValueError(f"{', '.join(given)} does not apply to {kind}: it is for {owner} only")
        return self

    @property
    def kind(self) -> str:
        return "image" if self.image is not None else "qr"


class Person(Model):
    name: str = Field(min_length=1)
    age: int | None = Field(None, ge=0, le=150)
    role: str = ""
    portrait: str = Field(min_length=1, description="image path, relative to the layout file")
    focus: tuple[float, float] = Field((0.5, 0.4), description="point kept in view, 0..1 from top-left")
    quote: str | None = None

    @model_validator(mode="after")
    def _focus_inside(self):
        if not all(0 <= v <= 1 for v in self.focus):
            raise ValueError(f"focus {list(self.focus)} must lie within [0..1, 0..1]")
        return self


class Sheets(Model):
    """How the print shop splits the poster into parts: 4 parts = 2 x 2, 6 parts = 3 x 2."""

    columns: int = Field(ge=1, le=20)
    rows: int = Field(ge=1, le=20)


# Text blocks a legibility check can leave out: the furniture by name, captions and quotes as a whole.
LegibilityGroup = Literal["headline", "brand", "hashtag", "credit", "captions", "quotes"]
LEGIBILITY_GROUPS: tuple[str, ...] = typing.get_args(LegibilityGroup)


class PreflightSettings(Model):
    min_ppi: float | None = Field(None, gt=0, description="hard minimum; default: the format's")
    recommended_ppi: float | None = Field(None, gt=0, description="default: from viewing_distance or the format")
    viewing_distance: LengthValue | None = Field(
        None,
        description="how far readers stand: sets recommended_ppi by the one-arc-minute rule and the smallest "
        "cap height (viewing_distance / legibility_ratio)",
    )
    min_cap_height: LengthValue | None = Field(
        None, description="smallest cap height any checked text may have; overrides viewing_distance / ratio"
    )
    legibility_ratio: float = Field(
        300.0,
        description="viewing distance per unit of cap height: 300 is the legibility limit measured for signs "
        "(1 inch per 25 ft), 120 the comfortable design rule (1 inch per 10 ft)",
    )
    legibility_exempt: tuple[LegibilityGroup, ...] = Field(
        ("credit",), description="text read up close, left out of the legibility check"
    )
    max_upscale: float = Field(
        4.0,
        gt=0,
        description="info when an image is shown larger than this many "
        "times its own resolution (72 dpi if it states none)",
    )
    sheets: Sheets | None = Field(None, description="default: the format's split (18/1: 2 x 2)")
    seam_clearance: LengthValue = Field(Length(30 * 36000), description="keep text and faces this far from splits")

    @field_validator("viewing_distance")
    @classmethod
    def _distance_positive(cls, value):
        if value is not None and value <= 0:
            raise ValueError("must be greater than 0 (e.g. 5m)")
        return value

    @field_validator("min_cap_height")
    @classmethod
    def _cap_height_positive(cls, value):
        if value is not None and value <= 0:
            raise ValueError("must be greater than 0 (e.g. 50mm)")
        return value

    @field_validator("legibility_ratio", mode="before")
    @classmethod
    def _ratio_number(cls, value, info: ValidationInfo):
        # YAML's true would pass as 1.0 and "300" as 300: a ratio is written as a plain number
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"expected a number such as 300 (got {value!r})")
        if not math.isfinite(value) or value <= 0:
            raise ValueError(
                f"must be a number greater than 0, not {value!r}: 300 is the legibility limit of signs, "
                "120 the comfortable design rule"
            )
        # Runs only for a ratio the layout gives; earlier fields that failed are absent from data.
        if "viewing_distance" in info.data and info.data["viewing_distance"] is None:
            raise ValueError(
                "needs viewing_distance (the smallest cap height is viewing_distance / legibility_ratio): "
                "set it too, e.g. viewing_distance: 20m"
            )
        if info.data.get("min_cap_height") is not None:
            raise ValueError(
                "give either legibility_ratio or min_cap_height, not both: min_cap_height replaces "
                "viewing_distance / legibility_ratio"
            )
        return value

    @field_validator("legibility_exempt", mode="before")
    @classmethod
    def _known_groups(cls, value):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"expected a list such as [credit] (got {value!r})")
        for name in value:
            if name not in LEGIBILITY_GROUPS:
                raise ValueError(_unknown("text", str(name), LEGIBILITY_GROUPS))
        return value

    @field_validator("seam_clearance")
    @classmethod
    def _clearance_not_negative(cls, value):
        if value < 0:
            raise ValueError("cannot be negative")
        return value


def _to_percent(value) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a percentage such as 300%")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1])
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a percentage: write e.g. 300%")


def _to_scale(value) -> int:
    """ "1:10" -> 10: the delivered page is a tenth of the poster's size."""
    text = str(value).strip()
    left, colon, right = text.partition(":")
    if colon and left.strip() == "1" and right.strip().isdigit() and 1 <= int(right) <= 1000:
        return int(right)
    raise ValueError(
        f'{value!r} is not a scale: write "1:1" (full size) or e.g. "1:10" (a tenth), '
        "quoted, since YAML reads 1:10 as a number"
    )


Percent = Annotated[
    float,
    PlainValidator(_to_percent),
    PlainSerializer(lambda v: f"{v:g}%", return_type=str),
    WithJsonSchema(
        {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\d+(\.\d*)?%$"}], "examples": ["300%"]}
    ),
]
Scale = Annotated[
    int,
    PlainValidator(_to_scale),
    PlainSerializer(lambda v: f"1:{v}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^1:\d+$", "examples": ["1:1", "1:10"]}),
]
PdfStandard = Literal["pdf/x-4", "screen"]
PRINT_STANDARD: PdfStandard = "pdf/x-4"
DEFAULT_MAX_INK = 300.0  # percent: the FOGRA39 poster figure
# The print file's portraits as CMYK JPEGs: the lowest quality measured to differ invisibly from
# quality 100 (README, "JPEG quality of the print file").
DEFAULT_JPEG_QUALITY = 90


class PdfSettings(Model):
    """The print file. ``pdf: false`` writes none; ``pdf: true`` takes these defaults."""

    standard: PdfStandard = Field(PRINT_STANDARD, description="pdf/x-4: CMYK for print; screen: plain RGB for review")
    profile: str = Field("FOGRA39", description="output intent: the bundled FOGRA39, or a path to the shop's ICC")
    max_ink: Percent = Field(DEFAULT_MAX_INK, description="total area coverage limit, e.g. 300%")
    marks: bool = Field(False, description="crop marks outside the bleed")
    scale: Scale = Field(1, description='"1:1", or "1:10" etc. for scaled delivery')
    jpeg_quality: int = Field(
        DEFAULT_JPEG_QUALITY, strict=True, description="JPEG quality of the portraits in the print file, 50-100"
    )

    @field_validator("standard", mode="before")
    @classmethod
    def _standard_lower(cls, value):
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("max_ink")
    @classmethod
    def _ink_range(cls, value):
        if not 100 <= value <= 400:
            raise ValueError("must lie between 100% and 400% (four inks at most 100% each)")
        return value

    @field_validator("jpeg_quality")
    @classmethod
    def _quality_range(cls, value):
        if not 50 <= value <= 100:
            raise ValueError("must be a whole number from 50 to 100 (below 50 JPEG blocks show in print)")
        return value


def _pdf_settings(value):
    if value is True or value is None:
        return PdfSettings()
    if value is False:
        return None
    return value


class Output(Model):
    png_dpi: float | None = Field(None, gt=0, le=2400, description="default: the format's")
    pdf: Annotated[PdfSettings | None, BeforeValidator(_pdf_settings)] = Field(
        PdfSettings(), description="false for no PDF, or the print settings"
    )
    png: bool = True
    jpeg: bool = Field(False, description="also a JPEG (sRGB, ICC profile, quality 90) at the PNG's pixel size")


def _font_source(value):
    return {"file": value} if isinstance(value, str) else value


class FontSource(Model):
    """A font file, with the instance of a variable font or the member of a collection."""

    file: str = Field(min_length=1, description="TrueType, OpenType/CFF, variable or collection font")
    axes: dict[str, float] = Field(default_factory=dict, description="variable font axis values, e.g. {wght: 900}")
    instance: str | None = Field(None, description="a named instance of a variable font, e.g. Black")
    index: int | None = Field(None, ge=0, description="which font of a .ttc/.otc collection (0-based)")


FontEntry = Annotated[FontSource, BeforeValidator(_font_source)]


class Layout(Model):
    """A whole poster."""

    title: str | None = None
    format: str | None = Field(None, description="a preset name; see `plakat formats`")
    size: Size | None = Field(None, description="trim size, instead of format")
    bleed: LengthValue | None = None
    safe: LengthValue | None = None
    background: ColorValue = WHITE
    fonts: dict[str, FontEntry] = Field(min_length=1, description="name -> font file, or {file, axes, instance, index}")
    fallback: list[str] = Field(default_factory=list, description="font keys that supply characters a font lacks")
    language: str = Field("de", description="the language of the text, for hyphenation")
    grid: Grid
    captions: Captions
    quotes: QuoteStyle | None = None
    people: list[Person] = Field(min_length=1)
    bands: list[Band] = Field(default_factory=list)
    headline: TextBlock | None = None
    brand: TextBlock | None = None
    hashtag: TextBlock | None = None
    credit: TextBlock | None = None
    elements: list[Element] = Field(
        default_factory=list, description="logos and QR codes, drawn last (on top of everything)"
    )
    preflight: PreflightSettings = PreflightSettings()
    output: Output = Output()

    @property
    def text_blocks(self) -> dict[str, TextBlock]:
        return {
            name: block
            for name in ("headline", "brand", "hashtag", "credit")
            if (block := getattr(self, name)) is not None
        }


@dataclass(frozen=True)
class LoadedLayout:
    spec: Layout
    path: Path
    source: LayeredSource

    @property
    def folder(self) -> Path:
        return self.path.parent

    def resolve(self, name: str) -> Path:
        path = Path(name).expanduser()
        return path if path.is_absolute() else (self.folder / path).resolve()

    def invalid(self, problems: list[Problem]) -> LayoutInvalid:
        return LayoutInvalid(self.path, problems, self.source.locate)


def load_layout(path: Path) -> LoadedLayout:
    """Read, parse and validate ``path`` with every file it extends; raise LayoutInvalid listing
    everything that is wrong, each problem at the file, line and column where it was written."""
    path = Path(path)
    data, source = read_layered(path)
    from .relative import resolve_relative  # relative -> scene -> assets -> spec: imported when used

    data, relative_problems = resolve_relative(data)
    try:
        spec = Layout.model_validate(data)
    except ValidationError as error:
        raise LayoutInvalid(path, relative_problems + _problems_from(error), source.locate) from None
    problems = relative_problems + check_references(spec)
    if problems:
        raise LayoutInvalid(path, problems, source.locate)
    return LoadedLayout(spec, path, source)


def check_references(spec: Layout) -> list[Problem]:
    """Cross-field rules: names that must exist, names that must be unique, one way to give size."""
    problems: list[Problem] = []
    if (spec.format is None) == (spec.size is None):
        problems.append(Problem((), "give either format (a preset such as 18/1) or size: {width, height}"))
    if spec.format is not None:
        try:
            preset = find_preset(spec.format)
        except KeyError as error:
            problems.append(Problem(("format",), error.args[0]))
        else:
            if preset.is_screen:
                problems += _screen_problems(spec, preset)
    names: dict[str, int] = {}
    for index, person in enumerate(spec.people):
        if person.name in names:
            problems.append(
                Problem(
                    ("people", index, "name"),
                    f"{person.name!r} is listed twice (also people[{names[person.name]}]); give each person once",
                )
            )
        names.setdefault(person.name, index)

    def need_font(loc: Loc, key: str):
        if key not in spec.fonts:
            problems.append(Problem(loc, _unknown("font", key, spec.fonts)))

    try:
        check_language(spec.language)
    except ValueError as error:
        problems.append(Problem(("language",), f"{error}"))
    for index, key in enumerate(spec.fallback):
        need_font(("fallback", index), key)
    for name, block in spec.text_blocks.items():
        need_font((name, "font"), block.font)
    for index, line in enumerate(spec.captions.lines):
        need_font(("captions", "lines", index, "font"), line.font)
    if spec.quotes is not None:
        need_font(("quotes", "font"), spec.quotes.font)
        if spec.quotes.attribution is not None:
            need_font(("quotes", "attribution", "font"), spec.quotes.attribution.font)
    problems += _grid_problems(spec.grid)
    for index, cell in enumerate(spec.grid.cells):
        loc: Loc = ("grid", "cells", index)
        name = cell.person or cell.quote or ""
        if name not in names:
            problems.append(Problem((*loc, "person" if cell.person else "quote"), _unknown("person", name, names)))
        elif cell.quote is not None:
            if spec.people[names[name]].quote is None:
                problems.append(Problem((*loc, "quote"), f"{name} has no quote: add quote: to the person"))
            if spec.quotes is None:
                problems.append(Problem((*loc, "quote"), "a quote cell needs a quotes: style"))
    element_names: dict[str, int] = {}
    for index, element in enumerate(spec.elements):
        if element.name is None:
            continue
        if element.name in element_names:
            problems.append(
                Problem(
                    ("elements", index, "name"),
                    f"{element.name!r} is used twice (also elements[{element_names[element.name]}]): "
                    "give each element its own name",
                )
            )
        element_names.setdefault(element.name, index)
    templates: list[tuple[Loc, str, tuple[str, ...]]] = [
        (("captions", "lines", index, "template"), line.template, PERSON_FIELDS)
        for index, line in enumerate(spec.captions.lines)
    ]
    if spec.quotes is not None:
        templates.append((("quotes", "template"), spec.quotes.template, QUOTE_FIELDS))
        if spec.quotes.attribution is not None:
            templates.append((("quotes", "attribution", "template"), spec.quotes.attribution.template, PERSON_FIELDS))
    for loc, template, known in templates:
        problem = template_problem(template, known)
        if problem:
            problems.append(Problem(loc, problem))
    return problems


def _grid_problems(grid: Grid) -> list[Problem]:
    """A fixed grid needs rows and cells with places inside it; an automatic one places everything
    itself and takes only quote cells."""
    problems: list[Problem] = []
    if grid.automatic:
        if isinstance(grid.rows, int):
            problems.append(
                Problem(("grid", "rows"), "columns: auto chooses the rows too: leave rows out or write rows: auto")
            )
        quotes = 0
        for index, cell in enumerate(grid.cells):
            loc: Loc = ("grid", "cells", index)
            if cell.person is not None:
                problems.append(
                    Problem(
                        (*loc, "person"),
                        "with columns: auto people take the cells in list order (the quoted person beside the "
                        "quote): remove this cell, or give the grid a number of columns and rows",
                    )
                )
                continue
            quotes += 1
            if quotes == 2:
                problems.append(Problem(loc, "an automatic grid holds one quote cell: remove the others"))
            for key in ("column", "row"):
                if getattr(cell, key) is not None:
                    problems.append(
                        Problem(
                            (*loc, key),
                            "with columns: auto the quote takes the free cells at the end of the last row: "
                            f"remove {key} (column_span sets the least number of cells it needs)",
                        )
                    )
            if cell.row_span != 1:
                problems.append(Problem((*loc, "row_span"), "an automatic grid gives a quote one row: remove row_span"))
        return problems
    columns, rows = grid.columns, grid.rows
    if not isinstance(rows, int):
        problems.append(
            Problem(("grid", "rows"), "give the number of rows with a number of columns (or write columns: auto)")
        )
    for index, cell in enumerate(grid.cells):
        loc = ("grid", "cells", index)
        if cell.column is None or cell.row is None:
            problems.append(Problem(loc, "give the cell's column and row (or let the grid choose: columns: auto)"))
        elif not isinstance(columns, int) or not isinstance(rows, int):
            continue
        elif cell.column + cell.columns_spanned - 1 > columns or cell.row + cell.row_span - 1 > rows:
            problems.append(
                Problem(
                    loc,
                    f"cell at column {cell.column}, row {cell.row} spanning "
                    f"{cell.columns_spanned}x{cell.row_span} leaves the "
                    f"{columns}x{rows} grid",
                )
            )
    return problems


def _screen_problems(spec: Layout, preset: FormatPreset) -> list[Problem]:
    """What a screen format cannot have: print settings a layout asks for explicitly (defaults it
    merely leaves in place do not count)."""
    assert preset.pixels is not None
    screen = f"{preset.name} is a screen format ({preset.pixels[0]} x {preset.pixels[1]} px)"
    problems = []
    if spec.bleed:
        problems.append(Problem(("bleed",), f"{screen}: nothing is trimmed, so it has no bleed; remove bleed:"))
    output = spec.output
    if output.png_dpi is not None and output.png_dpi != SCREEN_DPI:
        problems.append(
            Problem(
                ("output", "png_dpi"),
                f"{screen}: it is always rendered at that pixel size ({SCREEN_DPI} dpi); remove png_dpi",
            )
        )
    pdf = output.pdf
    if pdf is not None and "pdf" in output.model_fields_set:
        if "standard" in pdf.model_fields_set and pdf.standard == PRINT_STANDARD:
            problems.append(
                Problem(
                    ("output", "pdf", "standard"),
                    f"{screen}: it has no PDF/X-4 print file; write standard: screen for an RGB review "
                    "PDF, remove output.pdf for none, or choose a print format",
                )
            )
        if pdf.marks:
            problems.append(
                Problem(("output", "pdf", "marks"), f"{screen}: nothing is trimmed, so it has no crop marks")
            )
        if pdf.scale != 1:
            problems.append(
                Problem(
                    ("output", "pdf", "scale"),
                    f'{screen}: it is delivered at its pixel size; remove scale: or write "1:1"',
                )
            )
    if spec.preflight.sheets is not None:
        problems.append(Problem(("preflight", "sheets"), f"{screen}: it is not printed in sheets; remove sheets:"))
    return problems


def _unknown(kind: str, key: str, known) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown {kind} {key!r}: {hint}known: {', '.join(map(str, known)) or 'none'}"


# --- turning pydantic's errors into layout problems ---------------------------------------------

_MESSAGES = {
    "missing": "required key is missing",
    "bool_parsing": "expected true or false",
}


def _problems_from(error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if not (isinstance(part, str) and "[" in part))
        kind = item["type"]
        if kind == "extra_forbidden":
            known = _fields_at(Layout, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed here: {', '.join(known)}"
            problems.append(Problem(loc, f"unknown key: {hint}", key_position=True))
            continue
        message = _MESSAGES.get(kind) or item["msg"]
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if kind == "missing" and loc:
            problems.append(Problem(loc[:-1] + (loc[-1],), f"required key {loc[-1]!r} is missing"))
            continue
        if kind.endswith("_type") or kind.endswith("_parsing"):
            message += f" (got {item.get('input')!r})"
        problems.append(Problem(loc, message))
    return problems


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the model that sits at ``loc`` inside ``model``; [] when unknown."""
    current: object = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str) or part not in current.model_fields:
                return []
            current = current.model_fields[part].annotation
        elif typing.get_origin(current) in (list, tuple):
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation):
    """Strip Optional[...] and Annotated[...] down to the model or container type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


_PERCENT_SCHEMA = {"type": "string", "pattern": r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*%\s*$", "examples": ["5%"]}
# Lengths a layout may give as a percentage of the page (resolved when it is read; see relative.py)
_PERCENT_FIELDS = {
    "Box": ("x", "y", "width", "height"),
    "Margins": ("top", "right", "bottom", "left"),
    "Grid": ("gutter", "column_gap", "row_gap"),
    "Captions": ("height", "padding"),
    "TextBlock": ("padding",),
    "QuoteStyle": ("padding",),
}


def _relative_geometry(schema: dict) -> None:
    """Percentages where the layout may give them, and anchored boxes, which the models never see."""
    from .relative import ANCHOR_AREAS, ANCHORS  # relative -> scene -> assets -> spec: imported when used

    def allow_percent(node: dict) -> None:
        if "anyOf" in node:
            node["anyOf"].append(dict(_PERCENT_SCHEMA))
        else:
            branch = {key: node.pop(key) for key in ("type", "pattern", "examples") if key in node}
            node["anyOf"] = [branch, dict(_PERCENT_SCHEMA)]

    for name, fields in _PERCENT_FIELDS.items():
        for field in fields:
            allow_percent(schema["$defs"][name]["properties"][field])
    allow_percent(schema["properties"]["safe"])
    box = schema["$defs"]["Box"]
    box["properties"]["anchor"] = {"enum": list(ANCHORS), "description": "corner or edge the box is placed at"}
    box["properties"]["to"] = {"enum": list(ANCHOR_AREAS), "default": "safe", "description": "area of the anchor"}
    box["required"] = ["width", "height"]
    box["description"] += " With anchor, x and y are insets from the anchored edges."


def json_schema() -> dict:
    schema = Layout.model_json_schema(mode="validation")
    # `pdf: false` and `pdf: true` are shorthands the validator expands before the model sees them
    pdf = schema["$defs"]["Output"]["properties"]["pdf"]
    pdf["anyOf"] = [{"type": "boolean"}] + [branch for branch in pdf["anyOf"] if branch.get("type") != "null"]
    # a font may be given as its path alone: `regular: fonts/Sans.otf`
    fonts = schema["properties"]["fonts"]
    fonts["additionalProperties"] = {"anyOf": [{"type": "string"}, fonts["additionalProperties"]]}
    _relative_geometry(schema)
    # a layout may take any of its keys from the files it extends, so none is required in one file
    schema["properties"]["extends"] = {
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
        "description": "shared files this layout builds on: mappings merge deeply, lists are replaced, "
        "later files win, the layout itself last",
    }
    schema.pop("required", None)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "plakat layout"
    return schema
