"""How much total ink JPEG compression adds to a converted portrait's pixels, per quality.

The print conversion limits every pixel's C+M+Y+K to the layout's limit and then saves a CMYK
JPEG, whose rounding raises some pixels again. plakat decodes the JPEG and measures it, unless the
image's darkest pixel stays far enough below the limit (``plakat.cms.jpeg_ink_margin``): this
measures how far "far enough" has to be.

In: portrait folders (default: the shipped stand-ins in portraits/, flat illustrations with hard
edges, the worst case for JPEG; and a photographic set made by photo_portraits.py with --photo)
and the qualities. Out: a markdown table on stdout, one row per folder and quality: the largest
rise of any single pixel's total ink (percentage points), the largest rise of an image's highest
total, and the margin plakat uses at that quality.

    python bench/photo_portraits.py /tmp/photo
    python bench/jpeg_overshoot.py --photo /tmp/photo [--quality 50 75 90 95]
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
from PIL import Image

from plakat.cms import (
    DEFAULT_PROFILE,
    ColourManager,
    ink_totals,
    jpeg_ink_margin,
    limit_ink,
    load_output_profile,
    open_upright,
)

ROOT = Path(__file__).resolve().parent.parent


def rises(colours: ColourManager, path: Path, quality: int) -> tuple[float, float]:
    """The largest rise of one pixel's total ink, and of the image's highest total, in points."""
    image, _icc = open_upright(path)
    pixels = np.array(colours._to_print.apply(image.convert("RGB")))
    limit_ink(pixels, colours.max_ink)
    before = ink_totals(pixels).astype(np.int32)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "CMYK").save(buffer, "JPEG", quality=quality)
    with Image.open(io.BytesIO(buffer.getvalue())) as decoded:
        after = ink_totals(np.ascontiguousarray(np.asarray(decoded))).astype(np.int32)
    return float((after - before).max()) / 2.55, float(after.max() - before.max()) / 2.55


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photo", type=Path, help="a folder made by photo_portraits.py")
    parser.add_argument("--quality", type=int, nargs="+", default=[50, 75, 85, 90, 95])
    options = parser.parse_args()
    colours = ColourManager(load_output_profile(DEFAULT_PROFILE, ROOT))
    folders = [("shipped stand-ins", ROOT / "portraits")]
    if options.photo:
        folders.append(("photo set", options.photo))
    print(
        "| portraits | quality | largest rise of a pixel, points | largest rise of an image's highest, points "
        "| margin plakat trusts |"
    )
    print("|---|---:|---:|---:|---|")
    for label, folder in folders:
        files = sorted(folder.glob("*.jpg"))
        for quality in options.quality:
            found = [rises(colours, path, quality) for path in files]
            margin = jpeg_ink_margin(quality)
            trusted = "none: always decoded" if margin is None else f"{margin:g}"
            print(
                f"| {label} | {quality} | {max(r[0] for r in found):.1f} | {max(r[1] for r in found):.1f} | {trusted} |"
            )


if __name__ == "__main__":
    main()
