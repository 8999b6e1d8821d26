"""Vector logos: SVG files and the first page of PDF files, read, checked and recoloured.

In: the path of an ``.svg`` or ``.pdf`` logo, and for drawing a function that says how a colour
given in the file is to be set (``(space, components) -> (space, components)``, spaces ``"rgb"``,
``"gray"`` and ``"cmyk"``, components 0..1). Out: the logo's own size in points and either a
ReportLab Drawing (SVG, drawn with renderPDF) or a form XObject in the target PDF (PDF), with every
colour passed through that function. What cannot be recoloured reliably is refused with
:class:`LogoProblem`, whose message names the file and what to do: text in an SVG (not outlined),
raster images, gradients and patterns inside a logo, and in a PDF images, shadings, ICC-based,
spot and other colour spaces, and fonts that are not embedded.
"""

from __future__ import annotations

import copy
import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf

from .pdfobjects import embedded_font_file, resources

ColourSpace = str  # "rgb" | "gray" | "cmyk"
Recolour = Callable[[ColourSpace, tuple[float, ...]], tuple[ColourSpace, tuple[float, ...]]]
VECTOR_SUFFIXES = {".svg": "svg", ".pdf": "pdf"}


class LogoProblem(ValueError):
    """A logo file plakat cannot read or cannot recolour; the message says what to do."""


# --- SVG ----------------------------------------------------------------------------------------

_SVG_ADVICE = {
    "String": "text that is not outlined: convert the text to outlines (paths) in the drawing program",
    "Image": "an embedded raster image, which plakat refuses inside an SVG: export the logo without it, or "
    "place the raster as an image element of its own",
}
_SVG_GRADIENT_ADVICE = (
    "a gradient, which plakat cannot convert to the print's CMYK: use flat colours, or a raster image (PNG)"
)


@functools.lru_cache(maxsize=16)
def _parsed_svg(path: Path, size: int, mtime: int) -> Any:
    del size, mtime  # part of the cache key: a file replaced in place is read again
    from reportlab.graphics.shapes import Drawing
    from svglib.svglib import svg2rlg

    # svglib reports what it skips through logging; what matters is refused below with a reason
    logging.getLogger("svglib.svglib").setLevel(logging.ERROR)
    try:
        drawing = svg2rlg(str(path), external_reference_root=str(path.parent))
    except Exception as error:  # lxml and svglib raise many kinds for malformed files
        raise LogoProblem(f"{path} is not a readable SVG ({error}): export it again") from None
    if not isinstance(drawing, Drawing):
        raise LogoProblem(f"{path} is not a readable SVG: export it again")
    if not (drawing.width > 0 and drawing.height > 0):
        raise LogoProblem(f"{path} has no size: give the <svg> a width and height or a viewBox")
    for node in _svg_nodes(drawing):
        kind = type(node).__name__
        if kind in _SVG_ADVICE:
            raise LogoProblem(f"{path} contains {_SVG_ADVICE[kind]}")
        if "Gradient" in kind:
            raise LogoProblem(f"{path} contains {_SVG_GRADIENT_ADVICE}")
        if kind not in _SVG_SHAPES:
            raise LogoProblem(
                f"{path} contains a {kind}, which plakat cannot convert: simplify the logo to filled and "
                "stroked paths, or give it as a CMYK PDF"
            )
    return drawing


_SVG_SHAPES = {"Drawing", "Group", "Path", "Rect", "Circle", "Ellipse", "Line", "PolyLine", "Polygon", "Wedge"}


def _svg_nodes(node: Any):
    yield node
    for child in getattr(node, "contents", None) or ():
        yield from _svg_nodes(child)


def read_svg(path: Path) -> Any:
    """The SVG as a ReportLab Drawing, checked (shared: copy it before changing it)."""
    if not path.is_file():
        raise LogoProblem(f"no such file: {path}")
    stat = path.stat()
    return _parsed_svg(path.resolve(), stat.st_size, stat.st_mtime_ns)


def svg_size(path: Path) -> tuple[float, float]:
    drawing = read_svg(path)
    return float(drawing.width), float(drawing.height)


def recoloured_svg(path: Path, recolour: Recolour) -> Any:
    """A copy of the SVG's Drawing with every fill and stroke colour passed through ``recolour``
    (alpha kept)."""
    from reportlab.lib.colors import CMYKColor, Color

    def convert(colour: Any) -> Any:
        if not isinstance(colour, Color):
            return colour
        alpha = getattr(colour, "alpha", 1)
        if isinstance(colour, CMYKColor):
            space, values = recolour("cmyk", (colour.cyan, colour.magenta, colour.yellow, colour.black))
        else:
            space, values = recolour("rgb", (colour.red, colour.green, colour.blue))
        if space == "cmyk":
            return CMYKColor(*values, alpha=alpha)
        if space == "gray":
            return Color(values[0], values[0], values[0], alpha=alpha)
        return Color(*values, alpha=alpha)

    drawing = copy.deepcopy(read_svg(path))
    # renderPDF starts from these (black unless set): they are set in the page too
    drawing.__dict__["initialFillColor"] = convert(Color(0, 0, 0))
    drawing.__dict__["initialStrokeColor"] = convert(Color(0, 0, 0))
    for node in _svg_nodes(drawing):
        for attribute in ("fillColor", "strokeColor"):
            if hasattr(node, attribute):
                setattr(node, attribute, convert(getattr(node, attribute)))
    return drawing


# --- PDF ----------------------------------------------------------------------------------------

_PDF_ADVICE = "give the logo as an SVG, or as a CMYK PDF with flat colours"
_DEVICE_SPACES = {"/DeviceRGB": "rgb", "/DeviceGray": "gray", "/DeviceCMYK": "cmyk"}
_SPACE_NAMES = {"rgb": "/DeviceRGB", "gray": "/DeviceGray", "cmyk": "/DeviceCMYK"}
_OPERATOR_SPACE = {"rg": "rgb", "RG": "rgb", "g": "gray", "G": "gray", "k": "cmyk", "K": "cmyk"}
_SET_OPERATOR = {("rgb", False): "rg", ("gray", False): "g", ("cmyk", False): "k"}
_SET_OPERATOR.update({(space, True): op.upper() for (space, _), op in list(_SET_OPERATOR.items())})


def _open_logo(path: Path) -> pikepdf.Pdf:
    if not path.is_file():
        raise LogoProblem(f"no such file: {path}")
    try:
        document = pikepdf.open(path)
    except (pikepdf.PdfError, OSError, ValueError) as error:
        raise LogoProblem(f"{path} is not a readable PDF ({error}): export it again") from None
    if document.is_encrypted:
        document.close()
        raise LogoProblem(f"{path} is encrypted: export it again without a password or restrictions")
    if not document.pages:
        document.close()
        raise LogoProblem(f"{path} has no pages")
    return document


def _extent(form: Any) -> tuple[float, float, float, float]:
    """Left, bottom, width, height of the form's BBox after its /Matrix: where it draws."""
    x0, y0, x1, y1 = (float(v) for v in form.BBox)
    a, b, c, d, e, f = (float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0]))
    corners = [(a * x + c * y + e, b * x + d * y + f) for x in (x0, x1) for y in (y0, y1)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def pdf_logo_extent(path: Path) -> tuple[float, float, float, float]:
    """Where the first page draws (left, bottom, width, height in points), after checking that all of
    its colours can be converted; raises LogoProblem."""
    if not path.is_file():
        raise LogoProblem(f"no such file: {path}")
    stat = path.stat()
    return _checked_extent(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _checked_extent(path: Path, size: int, mtime: int) -> tuple[float, float, float, float]:
    del size, mtime  # part of the cache key: a file replaced in place is read again
    with _open_logo(path) as document:
        form = document.pages[0].as_form_xobject()
        _rewrite(form, path, None, set())
        extent = _extent(form)
    if extent[2] <= 0 or extent[3] <= 0:
        raise LogoProblem(f"{path}: the first page has no area")
    return extent


def pdf_logo_form(target: pikepdf.Pdf, path: Path, recolour: Recolour) -> tuple[Any, tuple[float, ...]]:
    """The first page of ``path`` as a form XObject inside ``target``, its colours recoloured, and
    its extent (left, bottom, width, height in points)."""
    with _open_logo(path) as document:
        form = document.pages[0].as_form_xobject()
        _rewrite(form, path, recolour, set())
        group = form.get("/Group")
        if group is not None and "/CS" in group:
            group.CS = pikepdf.Name(_SPACE_NAMES[recolour("rgb", (0.0, 0.0, 0.0))[0]])
        return target.copy_foreign(form), _extent(form)


def _resolve_space(holder: Any, name: Any, path: Path) -> str:
    key = str(name)
    if key in _DEVICE_SPACES:
        return _DEVICE_SPACES[key]
    space = resources(holder, "/ColorSpace").get(key)
    if isinstance(space, pikepdf.Name) and str(space) in _DEVICE_SPACES:
        return _DEVICE_SPACES[str(space)]
    family = str(space[0]) if isinstance(space, pikepdf.Array) and len(space) else str(space or key)
    what = {
        "/ICCBased": "an ICC-based colour space",
        "/Separation": "a spot colour",
        "/DeviceN": "a spot colour (DeviceN)",
        "/Pattern": "a pattern or gradient",
        "/Indexed": "an indexed colour space",
    }.get(family, f"the colour space {family}")
    raise LogoProblem(f"{path} uses {what}, which plakat cannot convert to the print's CMYK: {_PDF_ADVICE}")


def _rewrite(holder: Any, path: Path, recolour: Recolour | None, seen: set) -> None:
    """Check (``recolour`` None) or recolour the content of a page-turned-form and its forms."""
    key = holder.objgen
    if key in seen and key != (0, 0):
        return
    seen.add(key)
    for name, state in resources(holder, "/ExtGState").items():
        mask = state.get("/SMask")
        if mask is not None and mask != pikepdf.Name("/None"):
            raise LogoProblem(f"{path} uses a soft mask ({name}), which plakat cannot convert: {_PDF_ADVICE}")
    if resources(holder, "/Shading") or resources(holder, "/Pattern"):
        raise LogoProblem(f"{path} contains a shading or pattern (a gradient?): {_PDF_ADVICE}")
    xobjects = resources(holder, "/XObject")
    fill_space, stroke_space = "gray", "gray"
    instructions = list(pikepdf.parse_content_stream(holder))
    font_name: Any = None
    shown_fonts = set()
    for instruction in instructions:
        if str(instruction.operator) == "Tf":
            font_name = str(instruction.operands[0])
        elif str(instruction.operator) in ("Tj", "TJ", "'", '"'):
            shown_fonts.add(font_name)
    drawing: list[tuple[list[Any], pikepdf.Operator]] = []
    operands: list[Any]
    for instruction in instructions:
        operator = str(instruction.operator)
        operands = list(instruction.operands)
        if operator in ("BI", "INLINE IMAGE"):
            raise LogoProblem(f"{path} contains an image, which plakat cannot convert: {_PDF_ADVICE}")
        if operator == "Tf":
            if str(operands[0]) not in shown_fonts:
                continue  # a font selected but never shown with (a text state set up in advance)
            _check_font(resources(holder, "/Font").get(str(operands[0])), operands[0], path)
        if operator == "sh":
            raise LogoProblem(f"{path} contains a shading (a gradient?): {_PDF_ADVICE}")
        if operator == "Do":
            xobject = xobjects.get(str(operands[0]))
            if xobject is None or xobject.get("/Subtype") != pikepdf.Name.Form:
                raise LogoProblem(f"{path} contains an image, which plakat cannot convert: {_PDF_ADVICE}")
            _rewrite(xobject, path, recolour, seen)
        elif operator in ("cs", "CS"):
            space = _resolve_space(holder, operands[0], path)
            if operator == "cs":
                fill_space = space
            else:
                stroke_space = space
            if recolour is not None:
                operands = [pikepdf.Name(_SPACE_NAMES[recolour(space, _black(space))[0]])]
        elif operator in _OPERATOR_SPACE:
            stroking = operator.isupper()
            if stroking:
                stroke_space = _OPERATOR_SPACE[operator]
            else:
                fill_space = _OPERATOR_SPACE[operator]
            if recolour is not None:
                space, values = recolour(_OPERATOR_SPACE[operator], tuple(float(v) for v in operands))
                operands, operator = list(values), _SET_OPERATOR[(space, stroking)]
        elif operator in ("sc", "scn", "SC", "SCN"):
            stroking = operator.isupper()
            space = stroke_space if stroking else fill_space
            if any(isinstance(v, pikepdf.Name) for v in operands):
                raise LogoProblem(f"{path} uses a pattern, which plakat cannot convert: {_PDF_ADVICE}")
            if recolour is not None:
                _, values = recolour(space, tuple(float(v) for v in operands))
                operands = list(values)
        drawing.append((operands, pikepdf.Operator(operator)))
    if recolour is not None:
        holder.write(pikepdf.unparse_content_stream(drawing))
        fonts = resources(holder, "/Font")
        for name in [name for name in fonts if name not in shown_fonts]:
            del fonts[name]
        # every cs naming a device space now names the converted one directly
        spaces = resources(holder, "/ColorSpace")
        for name in [name for name, space in spaces.items() if str(space) in _DEVICE_SPACES]:
            del spaces[name]


def _check_font(font: Any, name: Any, path: Path) -> None:
    """Text in a logo keeps its font's colour only when the glyphs are outlines the PDF carries."""
    if font is None or font.get("/Subtype") == pikepdf.Name.Type3 or embedded_font_file(font) is None:
        shown = font.get("/BaseFont", name) if font is not None else name
        raise LogoProblem(
            f"{path}: the font {shown} is not embedded (or is a Type 3 font): convert the text to "
            "outlines, or export the PDF with fonts embedded"
        )


def _black(space: str) -> tuple[float, ...]:
    return {"rgb": (0.0, 0.0, 0.0), "gray": (0.0,), "cmyk": (0.0, 0.0, 0.0, 1.0)}[space]
