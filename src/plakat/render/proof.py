"""Proof image: the poster at screen resolution with what preflight sees drawn over it.

In: a scene, the PDF drawn from it, its preflight findings and a target width in pixels. Out: a
PNG of the whole page (bleed included) with the trim, bleed and safe lines, the sheet split lines,
each portrait's frame, focus point and effective ppi, every finding marked where it occurs (a line
of text that is too small to read from the viewing distance also outlined), and a legend below
the picture.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..findings import Finding
from ..scene import PlacedImage, PlacedVector, QrCode, Rect, Scene, TextLine, safe_margin_text
from ..units import EMU_PER_INCH, EMU_PER_MM
from .png import rasterise

TRIM = (0, 170, 230)
SAFE = (40, 170, 60)
SEAM = (220, 0, 180)
FRAME = (255, 140, 0)
ELEMENT = (120, 60, 200)
SEVERITY_COLOURS = {"error": (215, 25, 32), "warning": (240, 170, 0), "info": (40, 110, 220)}
# Findings about a line of text as a whole: a dot alone would not say which line of a caption is meant.
OUTLINED_CODES = {"text-too-small"}


def _dashed(draw: ImageDraw.ImageDraw, start, end, fill, width, dash=14):
    (x0, y0), (x1, y1) = start, end
    length = max(abs(x1 - x0), abs(y1 - y0))
    steps = max(1, int(length // dash))
    for i in range(0, steps, 2):
        a, b = i / steps, min(1, (i + 1) / steps)
        draw.line(
            [(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)], fill=fill, width=width
        )


def _font(scene: Scene, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The layout's own text font, so the legend can quote its texts („…“ included)."""
    if scene.fonts:
        path = scene.fonts.get("regular") or next(iter(scene.fonts.values()))
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a longer word stands alone)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _line_at(scene: Scene, element: str, x: int, y: int) -> TextLine | None:
    """The element's line of text whose ink is centred nearest the point (a finding's position):
    ink rects of tightly set lines overlap, so containment alone could name two."""
    lines = [text for text in scene.of_type(TextLine) if text.element == element]
    if not lines:
        return None
    return min(lines, key=lambda t: (t.ink.x + t.ink.w / 2 - x) ** 2 + (t.ink.y + t.ink.h / 2 - y) ** 2)


def write_proof(scene: Scene, pdf_path: Path, findings: list[Finding], target: Path, width_px: int = 2400) -> None:
    page_w = scene.width + 2 * scene.bleed
    dpi = width_px * EMU_PER_INCH / page_w
    picture = Image.fromarray(np.concatenate(list(rasterise(pdf_path, scene, dpi, include_bleed=True))))
    picture = Image.blend(picture, Image.new("RGB", picture.size, (255, 255, 255)), 0.25)  # calm it down
    scale = dpi / EMU_PER_INCH
    line = max(2, round(width_px / 800))
    font_size = max(12, round(width_px / 90))
    font = _font(scene, font_size)
    small = _font(scene, max(10, round(width_px / 120)))

    def px(x: int, y: int) -> tuple[float, float]:
        return (x + scene.bleed) * scale, (y + scene.bleed) * scale

    def box(rect: Rect) -> list[tuple[float, float]]:
        return [px(rect.x, rect.y), px(rect.right, rect.bottom)]

    draw = ImageDraw.Draw(picture)
    draw.rectangle(box(scene.trim), outline=TRIM, width=line)
    safe = box(scene.safe_box)
    for a, b in (
        (safe[0], (safe[1][0], safe[0][1])),
        ((safe[1][0], safe[0][1]), safe[1]),
        (safe[1], (safe[0][0], safe[1][1])),
        ((safe[0][0], safe[1][1]), safe[0]),
    ):
        _dashed(draw, a, b, SAFE, line)
    columns_at, rows_at = scene.seams()
    for x in columns_at:
        _dashed(draw, px(x, -scene.bleed), px(x, scene.height + scene.bleed), SEAM, line * 2, dash=24)
    for y in rows_at:
        _dashed(draw, px(-scene.bleed, y), px(scene.width + scene.bleed, y), SEAM, line * 2, dash=24)

    for element in scene.items:
        if not isinstance(element, (PlacedVector, QrCode)) and not (
            isinstance(element, PlacedImage) and element.is_logo
        ):
            continue
        draw.rectangle(box(element.rect), outline=ELEMENT, width=line)
        x0, y1 = px(element.rect.x, element.rect.bottom)
        label = element.element
        if isinstance(element, PlacedImage):
            label += f" {min(element.ppi):.0f} ppi"
        elif isinstance(element, QrCode):
            label += f" QR, module {element.module / EMU_PER_MM:.1f} mm"
        # inside the frame's lower edge: below it the label would cover text set close to a logo
        height = draw.textbbox((0, 0), label, font=font)[3]
        at = (x0 + 2 * line, y1 - height - 2 * line)
        bounds = draw.textbbox(at, label, font=font)
        draw.rectangle([bounds[0] - line, bounds[1] - line, bounds[2] + line, bounds[3] + line], fill=ELEMENT)
        draw.text(at, label, font=font, fill=(255, 255, 255))

    for item in scene.of_type(PlacedImage):
        if item.focus is None:
            continue
        draw.rectangle(box(item.rect), outline=FRAME, width=line)
        fx, fy = px(*item.focus)
        arm = 4 * line
        draw.line([(fx - arm, fy), (fx + arm, fy)], fill=FRAME, width=line)
        draw.line([(fx, fy - arm), (fx, fy + arm)], fill=FRAME, width=line)
        draw.ellipse([fx - arm / 2, fy - arm / 2, fx + arm / 2, fy + arm / 2], outline=FRAME, width=line)
        x0, y0 = px(item.rect.x, item.rect.y)
        label = f"{min(item.ppi):.0f} ppi"
        bounds = draw.textbbox((x0 + 2 * line, y0 + 2 * line), label, font=font)
        draw.rectangle([bounds[0] - line, bounds[1] - line, bounds[2] + line, bounds[3] + line], fill=FRAME)
        draw.text((x0 + 2 * line, y0 + 2 * line), label, font=font, fill=(0, 0, 0))

    marked = [(f, f.position_mm) for f in findings if f.position_mm is not None]
    for finding, (at_x, at_y) in marked:
        if finding.code in OUTLINED_CODES:
            flagged = _line_at(scene, finding.element, round(at_x * EMU_PER_MM), round(at_y * EMU_PER_MM))
            if flagged is not None:
                (x0, y0), (x1, y1) = box(flagged.ink)
                draw.rectangle(
                    [x0 - line, y0 - line, x1 + line, y1 + line], outline=SEVERITY_COLOURS[finding.severity], width=line
                )
    radius = max(10, round(width_px / 110))
    for number, (finding, (at_x, at_y)) in enumerate(marked, 1):
        mark_x, mark_y = px(round(at_x * EMU_PER_MM), round(at_y * EMU_PER_MM))
        colour = SEVERITY_COLOURS[finding.severity]
        draw.ellipse(
            [mark_x - radius, mark_y - radius, mark_x + radius, mark_y + radius],
            fill=colour,
            outline=(255, 255, 255),
            width=line,
        )
        draw.text((mark_x, mark_y), str(number), font=small, fill=(255, 255, 255), anchor="mm")

    # legend: what the lines mean, then every finding, numbered as on the picture
    unmarked = [f for f in findings if f.position_mm is None]
    rows = [
        ("line", TRIM, "trim"),
        ("line", SAFE, f"safe margin {safe_margin_text(scene)}"),
        ("line", FRAME, "portrait frame, focus point and effective ppi"),
        ("line", ELEMENT, "element (logo, QR code) and its name"),
        ("line", (120, 120, 120), f"outer edge: bleed {scene.bleed / EMU_PER_MM:g} mm"),
    ]
    if columns_at or rows_at:
        rows.append(("line", SEAM, f"sheet split ({len(columns_at) + 1} x {len(rows_at) + 1} parts)"))
    rows += [
        ("mark", SEVERITY_COLOURS[f.severity], f"{n}  {f.severity} {f.code}: {f.message}")
        for n, (f, _at) in enumerate(marked, 1)
    ]
    rows += [("mark", SEVERITY_COLOURS[f.severity], f"-  {f.severity} {f.code}: {f.message}") for f in unmarked]
    if not findings:
        rows.append(("mark", SAFE, "no findings"))
    pitch = round(font_size * 1.6)
    text_x = pitch * 2 + pitch // 2
    # Findings explain what to change in a sentence or two: wrap them rather than cut them off.
    wrapped = [(kind, colour, _wrap(text, font, picture.width - text_x - pitch // 2)) for kind, colour, text in rows]
    legend = Image.new("RGB", (picture.width, pitch * (sum(len(parts) for *_, parts in wrapped) + 1)), (255, 255, 255))
    legend_draw = ImageDraw.Draw(legend)
    y = pitch
    for kind, colour, parts in wrapped:
        if kind == "line":
            legend_draw.line([(pitch // 2, y), (pitch * 2, y)], fill=colour, width=line * 2)
        else:
            legend_draw.ellipse(
                [pitch - radius // 2, y - radius // 2, pitch + radius // 2, y + radius // 2], fill=colour
            )
        for part in parts:
            legend_draw.text((text_x, y), part, font=font, fill=(0, 0, 0), anchor="lm")
            y += pitch
    sheet = Image.new("RGB", (picture.width, picture.height + legend.height), (255, 255, 255))
    sheet.paste(picture, (0, 0))
    sheet.paste(legend, (0, picture.height))
    sheet.save(target, format="PNG", dpi=(round(dpi, 3), round(dpi, 3)))
