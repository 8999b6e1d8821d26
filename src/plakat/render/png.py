"""PNG renderer: rasterises the written PDF's trim area, strip by strip, into a streamed PNG.

In: the path of a PDF written by :mod:`plakat.render.pdf`, its scene, a resolution and a target
path. Out: an 8-bit sRGB PNG of exactly the trim at that resolution, with pHYs (dpi) and sRGB chunks.

Memory stays bounded by one strip whatever the poster size: pdfium draws a band of rows into a
small bitmap, and the rows go straight into a deflate stream. Pillow cannot write a PNG in pieces,
hence the small writer here.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import OutputError
from ..scene import Scene
from ..units import EMU_PER_INCH

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_SIDE = 2**31 - 1
DEFAULT_STRIP_ROWS = 1024
DEFAULT_COMPRESS_LEVEL = 3
_IDAT_TARGET = 1 << 20


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class PngStreamWriter:
    """Writes an RGB PNG row band by row band. Each band is filtered with PNG's Up filter (row
    minus the row above), which suits photos and flat colour alike and vectorises well."""

    def __init__(self, file: BinaryIO, width: int, height: int, dpi: float, level: int = DEFAULT_COMPRESS_LEVEL):
        self.file = file
        self.width = width
        self.height = height
        self.rows_written = 0
        self._previous = np.zeros((1, width * 3), dtype=np.uint8)
        self._compressor = zlib.compressobj(level, zlib.DEFLATED, 15, 9)
        self._pending: list[bytes] = []
        self._pending_size = 0
        pixels_per_metre = round(dpi / 0.0254)
        file.write(PNG_SIGNATURE)
        file.write(_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        file.write(_chunk(b"sRGB", b"\x00"))  # perceptual intent
        file.write(_chunk(b"gAMA", struct.pack(">I", 45455)))  # for readers that ignore sRGB
        file.write(_chunk(b"pHYs", struct.pack(">IIB", pixels_per_metre, pixels_per_metre, 1)))

    def write_rows(self, rgb: np.ndarray) -> None:
        rows = rgb.reshape(rgb.shape[0], self.width * 3)
        filtered = np.empty((rows.shape[0], rows.shape[1] + 1), dtype=np.uint8)
        filtered[:, 0] = 2  # Up
        np.subtract(rows[:1], self._previous, out=filtered[:1, 1:])
        np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])
        self._previous = rows[-1:].copy()
        self._emit(self._compressor.compress(filtered.data))
        self.rows_written += rows.shape[0]

    def _emit(self, data: bytes, force: bool = False) -> None:
        if data:
            self._pending.append(data)
            self._pending_size += len(data)
        if self._pending and (force or self._pending_size >= _IDAT_TARGET):
            self.file.write(_chunk(b"IDAT", b"".join(self._pending)))
            self._pending, self._pending_size = [], 0

    def close(self) -> None:
        if self.rows_written != self.height:
            raise RuntimeError(f"PNG has {self.rows_written} of {self.height} rows")
        self._emit(self._compressor.flush(), force=True)
        self.file.write(_chunk(b"IEND", b""))


def png_size(scene: Scene, dpi: float) -> tuple[int, int]:
    """Trim size in whole pixels at ``dpi``."""
    return round(scene.width * dpi / EMU_PER_INCH), round(scene.height * dpi / EMU_PER_INCH)


def rasterise(pdf_path: Path, scene: Scene, dpi: float, *, strip_rows: int = DEFAULT_STRIP_ROWS,
              include_bleed: bool = False) -> Iterator[np.ndarray]:
    """Yield the page as RGB strips (rows x width x 3, uint8), top to bottom: the trim area, or
    the whole page with its bleed."""
    width, height = png_size(scene, dpi)
    bleed_px = round(scene.bleed * dpi / EMU_PER_INCH)
    page_w = round((scene.width + 2 * scene.bleed) * dpi / EMU_PER_INCH)
    page_h = round((scene.height + 2 * scene.bleed) * dpi / EMU_PER_INCH)
    left = top_offset = bleed_px
    if include_bleed:
        width, height, left, top_offset = page_w, page_h, 0, 0
    flags = pdfium_c.FPDF_REVERSE_BYTE_ORDER | pdfium_c.FPDF_RENDER_LIMITEDIMAGECACHE
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        page = document[0]
        for top in range(0, height, strip_rows):
            rows = min(strip_rows, height - top)
            bitmap = pdfium.PdfBitmap.new_native(width, rows, pdfium_c.FPDFBitmap_BGR, rev_byteorder=True)
            bitmap.fill_rect((255, 255, 255, 255), 0, 0, width, rows)
            # The whole page is scaled to page_w x page_h pixels and shifted so that this strip
            # lands in the bitmap; pdfium clips the rest.
            pdfium_c.FPDF_RenderPageBitmap(bitmap, page, -left, -(top_offset + top), page_w, page_h, 0, flags)
            yield bitmap.to_numpy()
            bitmap.close()
        page.close()
    finally:
        document.close()


def write_png(pdf_path: Path, scene: Scene, target: Path, dpi: float, *,
              level: int = DEFAULT_COMPRESS_LEVEL, strip_rows: int = DEFAULT_STRIP_ROWS,
              progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Rasterise the trim area of ``pdf_path`` into ``target``; returns the pixel size."""
    width, height = png_size(scene, dpi)
    if width < 1 or height < 1:
        raise OutputError(f"at {dpi:g} dpi the PNG would be {width} x {height} px: raise --png-dpi")
    if max(width, height) > MAX_PNG_SIDE or width * 3 + 1 > MAX_PNG_SIDE:
        raise OutputError(f"at {dpi:g} dpi the PNG would be {width} x {height} px, more than a PNG can hold: "
                          "lower --png-dpi")
    with open(target, "wb") as file:
        writer = PngStreamWriter(file, width, height, dpi, level)
        for strip in rasterise(pdf_path, scene, dpi, strip_rows=strip_rows):
            writer.write_rows(strip)
            if progress:
                progress(writer.rows_written, height)
        writer.close()
    return width, height
