"""Preflight of the scene: what the layout engine placed, checked before anything is drawn.

In: a :class:`~plakat.scene.Scene` (its :class:`~plakat.scene.Rules` carry the format's and the
layout's thresholds) and the font metrics. Out: a list of :class:`~plakat.findings.Finding`, each
with a code, a message, the element it concerns and, where useful, what was measured, what is
required and where on the canvas (mm from the top-left corner of the trim). The checks read the
scene only, except :func:`check_images`, which decodes every image once to prove it is readable.
Legibility from the viewing distance is checked in :mod:`.legibility`.
"""

from __future__ import annotations

from pathlib import Path

from ..assets import FontMetrics
from ..findings import Finding, finding, sort_findings
from ..formats import SCREEN_DPI, screen_preset
from ..imagefiles import open_image
from ..scene import OVERSIZED_FACTOR, Fill, PlacedImage, PlacedVector, QrCode, Rect, Scene, TextLine, safe_margin_text
from ..units import EMU_PER_MM
from .legibility import check_legibility

# Modes a PDF and every RIP show alike; others are converted on the way in.
PLAIN_MODES = {"RGB", "L"}


def _at(x: int, y: int) -> tuple[float, float]:
    return round(x / EMU_PER_MM, 1), round(y / EMU_PER_MM, 1)


def _centre(rect: Rect) -> tuple[float, float]:
    return _at(rect.x + rect.w // 2, rect.y + rect.h // 2)


def check_scene(scene: Scene, fonts: dict[str, FontMetrics]) -> list[Finding]:
    """Every check that needs no written file."""
    findings = [
        *check_resolution(scene),
        *check_bleed(scene),
        *check_safe_zone(scene),
        *check_seams(scene),
        *check_text(scene, fonts),
        *check_legibility(scene, fonts),
        *check_images(scene),
        *check_elements(scene),
    ]
    return sort_findings(findings)


# --- resolution ---------------------------------------------------------------------------------


def check_resolution(scene: Scene) -> list[Finding]:
    """Effective ppi along both axes (source pixels across the visible crop per placed inch). On a
    screen format the messages say it as image pixels per screen pixel (ppi / 72)."""
    rules = scene.rules
    screen = screen_preset(scene.format_name) is not None
    findings = []
    for item in scene.of_type(PlacedImage):
        ppi_x, ppi_y = item.ppi
        ppi = min(ppi_x, ppi_y)
        where = _centre(item.rect)
        name = item.image.path.name
        shown = f"{ppi_x:.0f} x {ppi_y:.0f} ppi" if round(ppi_x) != round(ppi_y) else f"{ppi:.0f} ppi"
        if ppi < rules.min_ppi:
            findings.append(
                finding(
                    "resolution-too-low",
                    _below(item.element, name, shown, ppi, rules.min_ppi, "minimum", screen)
                    + ": use a larger image or a smaller frame",
                    item.element,
                    round(ppi, 1),
                    rules.min_ppi,
                    where,
                )
            )
        elif ppi < rules.recommended_ppi:
            findings.append(
                finding(
                    "resolution-below-recommended",
                    _below(item.element, name, shown, ppi, rules.recommended_ppi, "recommended", screen)
                    + (
                        ": use a larger image or a smaller frame"
                        if screen
                        else ": use a larger image or a smaller frame, or, if readers stand farther away, "
                        "set preflight.viewing_distance (or recommended_ppi) to what they see"
                    ),
                    item.element,
                    round(ppi, 1),
                    rules.recommended_ppi,
                    where,
                )
            )
        native = item.image.dpi or 72
        if native / ppi > rules.max_upscale:
            findings.append(
                finding(
                    "image-upscaled",
                    f"{item.element}: {name} is shown at {native / ppi * 100:.0f} % of its own "
                    f"{native:g} dpi (the layout allows {rules.max_upscale * 100:.0f} %)",
                    item.element,
                    round(native / ppi, 2),
                    rules.max_upscale,
                    where,
                )
            )
        if ppi > OVERSIZED_FACTOR * rules.recommended_ppi:
            outcome = (
                f"plakat embeds it {item.reduction}x smaller on each side"
                if item.reduction > 1
                else "a smaller file renders faster"
            )
            findings.append(
                finding(
                    "image-oversized",
                    f"{item.element}: {name} shows {ppi:.0f} ppi, more than {OVERSIZED_FACTOR}x the "
                    f"{rules.recommended_ppi:g} ppi needed; {outcome}",
                    item.element,
                    round(ppi, 1),
                    rules.recommended_ppi,
                    where,
                )
            )
    return findings


def _below(element: str, name: str, shown: str, ppi: float, threshold: float, which: str, screen: bool) -> str:
    """What an image shows against a threshold: in ppi, or on a screen format in image pixels per
    screen pixel (ppi / 72), with how far the image is enlarged."""
    if not screen:
        return f"{element}: {name} shows {shown}, below the {which} {threshold:g} ppi"
    ratio = ppi / SCREEN_DPI
    return (
        f"{element}: {name} has {ratio:.2f} image px per screen px ({shown} at {SCREEN_DPI} dpi), below the "
        f"{which} {threshold / SCREEN_DPI:g}: it is upscaled {1 / ratio:.1f}x"
    )


# --- bleed and safe zone ------------------------------------------------------------------------


def check_bleed(scene: Scene) -> list[Finding]:
    findings = []
    required = scene.rules.required_bleed
    if scene.bleed < required:
        findings.append(
            finding(
                "bleed-too-small",
                f"bleed is {scene.bleed / EMU_PER_MM:g} mm; {scene.format_name} needs at least "
                f"{required / EMU_PER_MM:g} mm",
                "page",
                scene.bleed / EMU_PER_MM,
                required / EMU_PER_MM,
            )
        )
    # Anything that reaches the trim edge must go on to the bleed edge, or trimming leaves a sliver.
    bleed = scene.bleed_box
    for item in scene.items:
        if not isinstance(item, (Fill, PlacedImage)):
            continue
        rect = item.rect
        short = []
        if bleed.x < rect.x <= 0:
            short.append("left")
        if bleed.y < rect.y <= 0:
            short.append("top")
        if scene.width <= rect.right < bleed.right:
            short.append("right")
        if scene.height <= rect.bottom < bleed.bottom:
            short.append("bottom")
        if short:
            findings.append(
                finding(
                    "bleed-missing",
                    f"{item.element} reaches the trim but stops short of the bleed on the "
                    f"{', '.join(short)}: extend it {scene.bleed / EMU_PER_MM:g} mm past the trim",
                    item.element,
                    position_mm=_centre(rect),
                )
            )
    return findings


def check_safe_zone(scene: Scene) -> list[Finding]:
    """Text (the brand line included) and each portrait's focus point inside the safe area (on a
    screen format the margin is given in pixels, where apps draw over the picture)."""
    findings = []
    safe, trim = scene.safe_box, scene.trim
    margin = safe_margin_text(scene)
    if screen_preset(scene.format_name) is not None:
        margin += " (where apps draw over the picture)"
    for line in scene.of_type(TextLine):
        ink = line.ink
        if not trim.contains(ink):
            findings.append(
                finding(
                    "text-outside-trim",
                    f"{line.element}: {line.text!r} runs past the trim and will be cut off",
                    line.element,
                    position_mm=_centre(ink),
                )
            )
        elif not safe.contains(ink):
            findings.append(
                finding(
                    "text-outside-safe",
                    f"{line.element}: {line.text!r} lies outside the {margin} safe margin",
                    line.element,
                    position_mm=_centre(ink),
                )
            )
    for item in scene.of_type(PlacedImage):
        if item.focus is None:
            continue
        x, y = item.focus
        if not (safe.x <= x <= safe.right and safe.y <= y <= safe.bottom):
            findings.append(
                finding(
                    "focus-outside-safe",
                    f"{item.element}: the focus point lies outside the {margin} safe margin: move the "
                    "portrait's cell inwards (grid margins) or its focus",
                    item.element,
                    position_mm=_at(x, y),
                )
            )
    return findings


# --- sheet seams --------------------------------------------------------------------------------


def check_seams(scene: Scene) -> list[Finding]:
    """Text and faces near the lines where the print shop splits the poster into sheets."""
    columns_at, rows_at = scene.seams()
    if not columns_at and not rows_at:
        return []
    clearance = scene.rules.seam_clearance
    findings = []
    reported: set[tuple[str, int]] = set()

    def report(code: str, element: str, message: str, x: int, y: int, key: int):
        if (element, key) not in reported:
            reported.add((element, key))
            findings.append(finding(code, message, element, position_mm=_at(x, y)))

    for line in scene.of_type(TextLine):
        ink = line.ink
        for seam_y in rows_at:
            if ink.y - clearance < seam_y < ink.bottom + clearance:
                report(
                    "seam-through-text",
                    line.element,
                    f"{line.element}: {line.text!r} lies within {clearance / EMU_PER_MM:g} mm of the "
                    f"horizontal sheet split at {seam_y / EMU_PER_MM:g} mm",
                    ink.x + ink.w // 2,
                    seam_y,
                    -seam_y,
                )
        for seam_x in columns_at:
            if line.element.startswith("caption of"):
                hit = ink.x - clearance < seam_x < ink.right + clearance
                what = repr(line.text)
            else:
                near = [
                    glyph.char
                    for glyph in line.glyphs
                    if not glyph.char.isspace() and glyph.x - clearance < seam_x < glyph.x + glyph.advance + clearance
                ]
                hit, what = bool(near), f"the glyph {near[0]!r} of {line.text!r}" if near else ""
            if hit:
                report(
                    "seam-through-text",
                    line.element,
                    f"{line.element}: {what} lies within {clearance / EMU_PER_MM:g} mm of the vertical "
                    f"sheet split at {seam_x / EMU_PER_MM:g} mm",
                    seam_x,
                    ink.y + ink.h // 2,
                    seam_x,
                )
    for item in scene.of_type(PlacedImage):
        if item.focus is None:
            continue
        x, y = item.focus
        splits = [("vertical", seam, abs(x - seam), seam, y, seam) for seam in columns_at]
        splits += [("horizontal", seam, abs(y - seam), x, seam, -seam) for seam in rows_at]
        for direction, seam, distance, at_x, at_y, key in splits:
            if distance < clearance:
                report(
                    "seam-through-face",
                    item.element,
                    f"{item.element}: the focus point is {distance / EMU_PER_MM:.0f} mm from the {direction} "
                    f"sheet split at {seam / EMU_PER_MM:g} mm",
                    at_x,
                    at_y,
                    key,
                )
    return findings


# --- elements: logos and QR codes ---------------------------------------------------------------

# A QR code's module seen from a distance: about 1/1000 of it still scans (a phone camera resolves
# roughly as well as an eye, one arc minute is 1/3438, and a scan needs some 3 pixels per module).
QR_MODULE_PER_DISTANCE = 1 / 1000
QR_MIN_MODULE_MM = 0.5  # without a viewing distance: what print and phone cameras reliably resolve


def element_items(scene: Scene) -> list[PlacedImage | PlacedVector | QrCode]:
    """What the layout's elements: became: raster logos, vector logos and QR codes."""
    return [
        item
        for item in scene.items
        if isinstance(item, (PlacedVector, QrCode)) or (isinstance(item, PlacedImage) and item.is_logo)
    ]


def check_elements(scene: Scene) -> list[Finding]:
    """Elements inside the safe area, no smaller than their min_size, QR modules large enough."""
    findings = []
    safe = scene.safe_box
    for item in element_items(scene):
        rect, element = item.rect, item.element
        beyond = {
            "left": safe.x - rect.x,
            "top": safe.y - rect.y,
            "right": rect.right - safe.right,
            "bottom": rect.bottom - safe.bottom,
        }
        sides = {side: amount for side, amount in beyond.items() if amount > 0}
        if sides:
            worst = max(sides.values())
            shown = ", ".join(f"{amount / EMU_PER_MM:.1f} mm on the {side}" for side, amount in sides.items())
            findings.append(
                finding(
                    "element-outside-safe",
                    f"{element} reaches past the {safe_margin_text(scene)} safe margin ({shown}): move it "
                    "inwards or make it smaller, or anchor it to the safe area (box: {anchor: ..., to: safe})",
                    element,
                    round(worst / EMU_PER_MM, 1),
                    0,
                    _centre(rect),
                )
            )
        if item.min_size is not None and min(rect.w, rect.h) < item.min_size:
            smaller = min(rect.w, rect.h)
            findings.append(
                finding(
                    "element-too-small",
                    f"{element} is drawn {rect.w / EMU_PER_MM:.1f} x {rect.h / EMU_PER_MM:.1f} mm, smaller than its "
                    f"min_size {item.min_size / EMU_PER_MM:g} mm: enlarge its box",
                    element,
                    round(smaller / EMU_PER_MM, 1),
                    round(item.min_size / EMU_PER_MM, 1),
                    _centre(rect),
                )
            )
        if isinstance(item, QrCode):
            distance = scene.rules.viewing_distance
            needed = distance * QR_MODULE_PER_DISTANCE if distance else QR_MIN_MODULE_MM * EMU_PER_MM
            if item.module < needed:
                why = (
                    f"to scan from {distance / EMU_PER_MM / 1000:g} m (1/1000 of the viewing distance)"
                    if distance
                    else "to print and scan reliably"
                )
                factor = needed / item.module
                findings.append(
                    finding(
                        "qr-module-too-small",
                        f"{element}: a module of the QR code is {item.module / EMU_PER_MM:.2f} mm; it needs at "
                        f"least {needed / EMU_PER_MM:.2f} mm {why}: make the code {factor:.1f} times larger or "
                        "encode a shorter text",
                        element,
                        round(item.module / EMU_PER_MM, 2),
                        round(needed / EMU_PER_MM, 2),
                        _centre(item.rect),
                    )
                )
    return findings


# --- text and fonts -----------------------------------------------------------------------------


def check_text(scene: Scene, fonts: dict[str, FontMetrics]) -> list[Finding]:
    findings = [finding(note.code, note.message, note.element, position_mm=_centre(note.rect)) for note in scene.notes]
    for key, path in scene.fonts.items():
        if not fonts[key].embedding_allowed:
            findings.append(
                finding(
                    "font-not-embeddable",
                    f"font {key!r} ({path.name}) forbids embedding (OS/2 fsType): a print PDF "
                    "must embed every font; choose another font",
                    key,
                )
            )
    return findings


# --- images -------------------------------------------------------------------------------------


def check_images(scene: Scene) -> list[Finding]:
    findings = []
    seen: set[Path] = set()
    for item in scene.of_type(PlacedImage):
        info = item.image
        where = _centre(item.rect)
        if info.path not in seen:
            seen.add(info.path)
            problem = _decode_problem(info.path)
            if problem:
                findings.append(
                    finding(
                        "image-unreadable",
                        f"{item.element}: {info.path.name} cannot be decoded ({problem}): export it again",
                        item.element,
                        position_mm=where,
                    )
                )
        if info.mode not in PLAIN_MODES:
            findings.append(
                finding(
                    "image-colour-mode",
                    f"{item.element}: {info.path.name} is {info.format} in mode {info.mode}; "
                    "plakat converts it (8 bit, alpha flattened onto white) through the "
                    "output profile for print and to sRGB for the screen",
                    item.element,
                    position_mm=where,
                )
            )
        if info.orientation != 1:
            findings.append(
                finding(
                    "image-orientation",
                    f"{item.element}: {info.path.name} is stored turned (EXIF orientation "
                    f"{info.orientation}); plakat shows it upright",
                    item.element,
                    position_mm=where,
                )
            )
    return findings


def _decode_problem(path: Path) -> str | None:
    """Decode the whole file (JPEGs at a reduced scale: every byte is still read)."""
    try:
        with open_image(path) as image:
            if image.format == "JPEG":
                image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Exception as error:  # Pillow raises many kinds for broken files
        return str(error) or type(error).__name__
    return None
