"""PNG renderer: rasterises the written PDF's trim area, strip by strip, into a streamed PNG.

In: the path of a PDF written by :mod:`plakat.render.pdf`, its scene, a resolution and a target
path. Out: an 8-bit sRGB PNG of exactly the trim at that resolution, with pHYs (dpi) and sRGB chunks.

Memory stays bounded whatever the poster size: pdfium draws a strip of rows (a few tens of MB,
whatever the width) into one of a few reused buffers, and the rows go straight into the deflate
stream. Pillow cannot write a PNG in pieces, hence the small writer here.

Both steps run at once: the calling thread rasterises strip n+1 (pdfium may only ever be called
from one thread) while worker threads filter and deflate strip n. Each strip is cut into bands of
a fixed size, and every band is deflated on its own into byte-aligned raw deflate blocks; in order,
the bands make one ordinary zlib stream. Band boundaries depend only on the image width, so the
file is byte for byte the same with any number of workers.
"""

from __future__ import annotations

import os
import struct
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import OutputError
from ..imagefiles import PNG_SIGNATURE
from ..scene import Scene
from ..units import pixels

_deflate: ModuleType  # zlib_ng.zlib_ng or zlib: the same functions
try:  # zlib-ng writes the same deflate format as zlib, two to three times faster
    from zlib_ng import zlib_ng as _deflate
except ImportError:  # pragma: no cover - the dependency is declared; stdlib zlib still works
    _deflate = zlib

MAX_PNG_SIDE = 2**31 - 1  # PNG stores width and height as 31-bit numbers
MAX_PNG_BYTES = 2**32 - 1  # larger files trip up many readers and 32-bit file offsets
DEFAULT_COMPRESS_LEVEL = 2
DEFAULT_STRIP_ROWS = None  # None: as many rows as fit in STRIP_BYTES
STRIP_BYTES = 48 << 20  # one strip's RGB pixels
MIN_STRIP_ROWS = 384  # pdfium draws the whole page again for every strip: not too thin,
MAX_STRIP_BYTES = 64 << 20  # ... unless that makes a strip larger than this
BAND_BYTES = 8 << 20  # unit of compression work, and of the deflate window restarts
IN_FLIGHT = 2  # strips in memory: one being rasterised, one being compressed
DEFLATE_BACKEND = "zlib-ng" if _deflate is not zlib else "zlib"
_IDAT_TARGET = 1 << 20
_ADLER_BASE = 65521
_EMPTY_FINAL_BLOCK = b"\x03\x00"  # fixed-Huffman block holding only end-of-block, BFINAL set


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _adler32_combine(first: int, second: int, second_length: int) -> int:
    """adler32 of A + B from adler32(A), adler32(B) and len(B)."""
    a1, b1 = first & 0xFFFF, first >> 16
    a2, b2 = second & 0xFFFF, second >> 16
    a = (a1 + a2 - 1) % _ADLER_BASE
    b = (b1 + b2 + second_length * (a1 - 1)) % _ADLER_BASE
    return (b << 16) | a


def _zlib_header(level: int) -> bytes:
    flevel = 0 if level < 2 else 1 if level < 6 else 2 if level == 6 else 3
    cmf = 0x78  # deflate, 32 KiB window
    flg = flevel << 6
    flg += 31 - (cmf * 256 + flg) % 31
    return bytes((cmf, flg))


class _Cancelled(Exception):
    pass


_local = threading.local()


def _scratch(size: int) -> np.ndarray:
    """A buffer of this thread's, reused from band to band (fresh large arrays cost page faults)."""
    buffer = getattr(_local, "buffer", None)
    if buffer is None or buffer.size < size:
        buffer = _local.buffer = np.empty(size, dtype=np.uint8)
    return buffer[:size]


def _deflate_band(
    rows: np.ndarray, above: np.ndarray, level: int, stop: threading.Event | None = None
) -> tuple[list[bytes], int, int]:
    """Filter ``rows`` (n x width*3) with PNG's Up filter, ``above`` being the row before them, and
    deflate them on their own. Returns the raw deflate pieces (ending byte-aligned, not final), the
    adler32 of the filtered bytes and their number."""
    if stop is not None and stop.is_set():
        raise _Cancelled
    filtered = _scratch(rows.shape[0] * (rows.shape[1] + 1)).reshape(rows.shape[0], rows.shape[1] + 1)
    filtered[:, 0] = 2  # Up: row minus the row above; suits photos and flat colour, vectorises well
    np.subtract(rows[:1], above, out=filtered[:1, 1:])
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])
    data = filtered.data
    compressor = _deflate.compressobj(level, _deflate.DEFLATED, -15, 9)
    pieces = [compressor.compress(data), compressor.flush(_deflate.Z_SYNC_FLUSH)]
    return pieces, _deflate.adler32(data), filtered.nbytes


def band_rows(width: int) -> int:
    """Rows per compression band at this width (depends on nothing else, for reproducible files)."""
    return max(1, BAND_BYTES // (width * 3))


def strip_rows_for(width: int) -> int:
    """Rows per rasterised strip at this width: about STRIP_BYTES, and at least MIN_STRIP_ROWS
    while those stay under MAX_STRIP_BYTES."""
    row_bytes = width * 3
    return max(1, STRIP_BYTES // row_bytes, min(MIN_STRIP_ROWS, MAX_STRIP_BYTES // row_bytes))


def _bands(rows: int, width: int) -> Iterator[tuple[int, int]]:
    step = band_rows(width)
    for start in range(0, rows, step):
        yield start, min(start + step, rows)


class PngStreamWriter:
    """Writes an RGB PNG row band by row band, as one zlib stream made of independently deflated
    bands (see the module's notes). ``write_rows`` compresses in the calling thread; ``write_band``
    takes a band that :func:`_deflate_band` compressed elsewhere."""

    def __init__(
        self,
        file: BinaryIO,
        width: int,
        height: int,
        dpi: float,
        level: int = DEFAULT_COMPRESS_LEVEL,
        *,
        max_bytes: int = MAX_PNG_BYTES,
    ):
        self.file = file
        self.width = width
        self.height = height
        self.level = level
        self.max_bytes = max_bytes
        self.rows_written = 0
        self.bytes_written = 0
        self._previous = np.zeros((1, width * 3), dtype=np.uint8)
        self._adler = 1
        self._pending: list[bytes] = [_zlib_header(level)]
        self._pending_size = 2
        pixels_per_metre = round(dpi / 0.0254)
        self._write(PNG_SIGNATURE)
        self._write(_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        self._write(_chunk(b"sRGB", b"\x00"))  # perceptual intent
        self._write(_chunk(b"gAMA", struct.pack(">I", 45455)))  # for readers that ignore sRGB
        self._write(_chunk(b"pHYs", struct.pack(">IIB", pixels_per_metre, pixels_per_metre, 1)))

    def _write(self, data: bytes) -> None:
        if self.bytes_written + len(data) > self.max_bytes:
            raise OutputError(_too_large(self.width, self.height, self.max_bytes))
        self.file.write(data)
        self.bytes_written += len(data)

    def write_rows(self, rgb: np.ndarray) -> None:
        rows = rgb.reshape(rgb.shape[0], self.width * 3)
        for start, end in _bands(rows.shape[0], self.width):
            above = self._previous if start == 0 else rows[start - 1 : start]
            self.write_band(*_deflate_band(rows[start:end], above, self.level), rows=end - start)
        self._previous = rows[-1:].copy()

    def write_band(self, pieces: list[bytes], adler: int, length: int, *, rows: int) -> None:
        """Append a band compressed by :func:`_deflate_band`; bands must come in order."""
        self._adler = _adler32_combine(self._adler, adler, length)
        for piece in pieces:
            self._emit(piece)
        self.rows_written += rows

    def _emit(self, data: bytes, force: bool = False) -> None:
        if data:
            self._pending.append(data)
            self._pending_size += len(data)
        if self._pending and (force or self._pending_size >= _IDAT_TARGET):
            self._write(_chunk(b"IDAT", b"".join(self._pending)))
            self._pending, self._pending_size = [], 0

    def close(self) -> None:
        if self.rows_written != self.height:
            raise RuntimeError(f"PNG has {self.rows_written} of {self.height} rows")
        self._emit(_EMPTY_FINAL_BLOCK + struct.pack(">I", self._adler), force=True)
        self._write(_chunk(b"IEND", b""))


def png_size(scene: Scene, dpi: float) -> tuple[int, int]:
    """Trim size in whole pixels at ``dpi``."""
    return pixels(scene.width, dpi), pixels(scene.height, dpi)


class _PageRasteriser:
    """Draws bands of rows of one PDF page into caller-owned RGB buffers. pdfium is not
    thread-safe: use one of these from one thread only."""

    FLAGS = pdfium_c.FPDF_REVERSE_BYTE_ORDER | pdfium_c.FPDF_RENDER_LIMITEDIMAGECACHE

    def __init__(self, pdf_path: Path, scene: Scene, dpi: float, include_bleed: bool = False):
        self.width, self.height = png_size(scene, dpi)
        bleed_px = pixels(scene.bleed, dpi)
        self.page_w = pixels(scene.width + 2 * scene.bleed, dpi)
        self.page_h = pixels(scene.height + 2 * scene.bleed, dpi)
        self.left = self.top_offset = bleed_px
        if include_bleed:
            self.width, self.height, self.left, self.top_offset = self.page_w, self.page_h, 0, 0
        self._document = pdfium.PdfDocument(str(pdf_path))
        self._page = self._document[0]

    def draw(self, buffer: np.ndarray, top: int) -> None:
        """Fill ``buffer`` (rows x width x 3, C-contiguous) with the rows from ``top`` on."""
        rows = buffer.shape[0]
        buffer.fill(255)
        bitmap = pdfium_c.FPDFBitmap_CreateEx(
            self.width, rows, pdfium_c.FPDFBitmap_BGR, buffer.ctypes.data, self.width * 3
        )
        if not bitmap:
            raise MemoryError(f"pdfium could not make a {self.width} x {rows} px bitmap")
        try:
            # The whole page is scaled to page_w x page_h pixels and shifted so that this strip
            # lands in the bitmap; pdfium clips the rest. BGR with reversed byte order is RGB.
            pdfium_c.FPDF_RenderPageBitmap(
                bitmap, self._page, -self.left, -(self.top_offset + top), self.page_w, self.page_h, 0, self.FLAGS
            )
        finally:
            pdfium_c.FPDFBitmap_Destroy(bitmap)

    def close(self) -> None:
        self._page.close()
        self._document.close()


def rasterise(
    pdf_path: Path,
    scene: Scene,
    dpi: float,
    *,
    strip_rows: int | None = DEFAULT_STRIP_ROWS,
    include_bleed: bool = False,
) -> Iterator[np.ndarray]:
    """Yield the page as RGB strips (rows x width x 3, uint8, each a new array), top to bottom:
    the trim area, or the whole page with its bleed."""
    raster = _PageRasteriser(pdf_path, scene, dpi, include_bleed)
    try:
        step = strip_rows or strip_rows_for(raster.width)
        for top in range(0, raster.height, step):
            strip = np.empty((min(step, raster.height - top), raster.width, 3), dtype=np.uint8)
            raster.draw(strip, top)
            yield strip
    finally:
        raster.close()


def _too_large(width: int, height: int, max_bytes: int) -> str:
    limit = f"{max_bytes / 2**30:.0f} GiB" if max_bytes >= 2**30 else f"{max_bytes} bytes"
    return (
        f"the PNG ({width} x {height} px) would be larger than {limit}, which many programs cannot "
        "read: lower --png-dpi or raise --png-compression"
    )


def check_png_size(
    width: int, height: int, dpi: float, level: int = DEFAULT_COMPRESS_LEVEL, max_bytes: int = MAX_PNG_BYTES
) -> None:
    """Refuse, before drawing anything, sizes a PNG cannot hold, with what to do about it. (How
    large a compressed file gets is known only while writing it: PngStreamWriter stops there.)"""
    if width < 1 or height < 1:
        raise OutputError(f"at {dpi:g} dpi the PNG would be {width} x {height} px: raise --png-dpi")
    if max(width, height) > MAX_PNG_SIDE or width * 3 + 1 > MAX_PNG_SIDE:
        raise OutputError(
            f"at {dpi:g} dpi the PNG would be {width} x {height} px, more than a PNG can hold "
            f"(at most {MAX_PNG_SIDE} px a side): lower --png-dpi"
        )
    if level == 0 and height * (width * 3 + 1) > max_bytes:  # stored: the file is the pixels
        raise OutputError(_too_large(width, height, max_bytes))


def default_workers() -> int:
    """Compression threads: one per processor this process may use, at most four."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def write_png(
    pdf_path: Path,
    scene: Scene,
    target: Path,
    dpi: float,
    *,
    level: int = DEFAULT_COMPRESS_LEVEL,
    strip_rows: int | None = DEFAULT_STRIP_ROWS,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    max_bytes: int = MAX_PNG_BYTES,
    strip_sink: Callable[[np.ndarray, int], None] | None = None,
) -> tuple[int, int]:
    """Rasterise the trim area of ``pdf_path`` into ``target``; returns the pixel size.

    ``workers`` threads compress while this thread rasterises (default: one per core, at most
    four; 0 compresses in this thread). ``progress(done_rows, total_rows)`` is called after every
    strip. ``strip_sink(rows, top)`` sees every strip as it is drawn (rows x width x 3; the
    buffer is reused afterwards, so a sink copies what it keeps), for a second file of the same
    pixels. On any error or interruption ``target`` is removed."""
    width, height = png_size(scene, dpi)
    check_png_size(width, height, dpi, level, max_bytes)
    if workers is None:
        workers = default_workers()
    try:
        with open(target, "wb") as file:
            writer = PngStreamWriter(file, width, height, dpi, level, max_bytes=max_bytes)
            raster = _PageRasteriser(pdf_path, scene, dpi)
            try:
                step = strip_rows or strip_rows_for(width)
                if workers <= 0:
                    strip = np.empty((min(step, height), width, 3), dtype=np.uint8)
                    try:
                        for top in range(0, height, step):
                            rows = strip[: min(step, height - top)]
                            raster.draw(rows, top)
                            if strip_sink:
                                strip_sink(rows, top)
                            writer.write_rows(rows)
                            if progress:
                                progress(writer.rows_written, height)
                    finally:
                        _local.buffer = None
                else:
                    _write_in_parallel(raster, writer, step, workers, progress, strip_sink)
            finally:
                raster.close()
            writer.close()
    except BaseException:
        Path(target).unlink(missing_ok=True)
        raise
    return width, height


def _write_in_parallel(
    raster: _PageRasteriser,
    writer: PngStreamWriter,
    step: int,
    workers: int,
    progress: Callable[[int, int], None] | None,
    strip_sink: Callable[[np.ndarray, int], None] | None = None,
) -> None:
    width, height = raster.width, raster.height
    free = [np.empty((min(step, height), width, 3), dtype=np.uint8) for _ in range(min(IN_FLIGHT, -(-height // step)))]
    in_flight: deque[tuple[np.ndarray, list[tuple[Future, int]]]] = deque()
    stop = threading.Event()
    previous = np.zeros((1, width * 3), dtype=np.uint8)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="plakat-png")

    def finish_oldest() -> None:
        buffer, bands = in_flight.popleft()
        for future, rows in bands:
            writer.write_band(*future.result(), rows=rows)
        free.append(buffer)
        if progress:
            progress(writer.rows_written, height)

    try:
        for top in range(0, height, step):
            if not free:
                finish_oldest()
            buffer = free.pop()
            strip = buffer[: min(step, height - top)]
            raster.draw(strip, top)
            if strip_sink:
                strip_sink(strip, top)
            rows = strip.reshape(strip.shape[0], width * 3)
            bands = []
            for start, end in _bands(rows.shape[0], width):
                above = previous if start == 0 else rows[start - 1 : start]
                bands.append((pool.submit(_deflate_band, rows[start:end], above, writer.level, stop), end - start))
            previous = rows[-1:].copy()
            in_flight.append((buffer, bands))
            # write whatever is done, so compressed bytes do not pile up
            while in_flight and all(future.done() for future, _ in in_flight[0][1]):
                finish_oldest()
        while in_flight:
            finish_oldest()
    except BaseException:
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
