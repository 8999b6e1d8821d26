"""JPEG renderer: the PNG's pixels as an sRGB JPEG, for social media and for previews.

In: the rows of the picture, strip by strip (as :func:`plakat.render.png.write_png` draws them for
the PNG, or drawn here from a screen PDF when no PNG is written), and a resolution. Out: a baseline
JPEG of exactly those pixels: 8-bit RGB, quality 90, no chroma subsampling (4:4:4), an embedded
sRGB ICC profile and the resolution in its JFIF header.

Why 4:4:4: the pictures are type and flat colour as much as photographs. 4:2:0 keeps colour at half
the resolution in each direction, which fringes coloured letters and thin coloured lines (white
type on a red band); the platforms re-encode uploads anyway, so the file handed to them should lose
as little as it can. It costs a larger file (measured in the README).

Why an embedded profile: without one, browsers and apps guess; with sRGB's, they all show the
design colours. The profile is littleCMS's sRGB with a fixed creation date, so the same picture
gives the same bytes.

Pillow encodes a JPEG from one image in memory: 3 bytes per pixel (a 1080 x 1920 story is 6 MB;
an 18/1 preview at 50 dpi 104 MB). Sizes past JPEG's 65,535 px a side or Pillow's own reading
limit are refused before anything is drawn.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from ..errors import OutputError
from ..scene import Scene
from .png import rasterise

QUALITY = 90
SUBSAMPLING_444 = 0  # Pillow's code for 4:4:4
MAX_JPEG_SIDE = 65535  # JPEG stores width and height in 16 bits
MAX_JPEG_PIXELS = 2 * 89_478_485  # Pillow refuses to open more (DecompressionBombError)
# ICC header date (bytes 24-35: year, month, day, hours, minutes, seconds): 2000-01-01 00:00:00
_FIXED_ICC_DATE = bytes.fromhex("07d0 0001 0001 0000 0000 0000")


@functools.cache
def srgb_profile() -> bytes:
    """littleCMS's sRGB profile, the same bytes every time."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[24:36] = _FIXED_ICC_DATE
    return bytes(data)


def check_jpeg_size(width: int, height: int, dpi: float) -> None:
    """Refuse, before drawing, a JPEG that cannot be written or read back."""
    if max(width, height) > MAX_JPEG_SIDE or width * height > MAX_JPEG_PIXELS:
        raise OutputError(
            f"at {dpi:g} dpi the JPEG would be {width} x {height} px, more than a JPEG can hold or "
            f"readers open (at most {MAX_JPEG_SIDE} px a side and {MAX_JPEG_PIXELS:,} px): lower --png-dpi "
            "or leave out the JPEG"
        )


class JpegCanvas:
    """Collects the picture's rows, then writes them as one JPEG."""

    def __init__(self, width: int, height: int, dpi: float):
        check_jpeg_size(width, height, dpi)
        self.dpi = dpi
        self.pixels = np.empty((height, width, 3), dtype=np.uint8)
        self.rows = 0

    def add(self, rows: np.ndarray, top: int) -> None:
        """Copy a strip of rows (rows x width x 3) that starts at row ``top``."""
        self.pixels[top : top + rows.shape[0]] = rows
        self.rows = max(self.rows, top + rows.shape[0])

    def draw(self, pdf_path: Path, scene: Scene) -> None:
        """Rasterise the trim area of the screen PDF ``pdf_path`` into the canvas: for a JPEG
        without a PNG to take the rows from."""
        top = 0
        for strip in rasterise(pdf_path, scene, self.dpi):
            self.add(strip, top)
            top += strip.shape[0]

    def save(self, target: Path) -> tuple[int, int]:
        height, width = self.pixels.shape[:2]
        if self.rows != height:
            raise RuntimeError(f"JPEG has {self.rows} of {height} rows")
        try:
            Image.fromarray(self.pixels, "RGB").save(
                target,
                "JPEG",
                quality=QUALITY,
                subsampling=SUBSAMPLING_444,
                optimize=True,  # Huffman tables fitted to the picture: smaller, still deterministic
                icc_profile=srgb_profile(),
                dpi=(self.dpi, self.dpi),
            )
        except BaseException:
            Path(target).unlink(missing_ok=True)
            raise
        return width, height
