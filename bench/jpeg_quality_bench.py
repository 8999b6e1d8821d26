"""What the print file's JPEG quality costs and buys: size, conversion time, difference to quality 100.

In: portrait folders (default: the shipped stand-ins in portraits/, and a photographic set made by
photo_portraits.py when one is given with --photo) and the qualities to compare. Out: a markdown
table on stdout, one row per folder and quality:

- **MB**: the nine converted CMYK JPEGs together, about the print PDF's size (the rest of the
  page is a few hundred kB);
- **s**: the conversion as the PDF writer runs it (decode, colour conversion, ink limit, encode,
  the ink check of the decoded file where the image comes near the limit), summed over the images
  on one thread;
- **PSNR**: of the decoded CMYK pixels against the same conversion saved at quality 100, per
  channel in dB; "worst" is the lowest of any channel of any image, "mean" the mean over all.

Every conversion runs without the cache, with the bundled FOGRA39 profile and the 300 % limit.

    python bench/photo_portraits.py /tmp/photo
    python bench/jpeg_quality_bench.py --photo /tmp/photo [--quality 85 90 92 95]
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import numpy as np
from PIL import Image

from plakat.cms import DEFAULT_PROFILE, ColourManager, load_output_profile

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = 100


def _decoded(jpeg: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(jpeg)) as image:
        return np.asarray(image, dtype=np.float64)


def _psnr(pixels: np.ndarray, reference: np.ndarray) -> list[float]:
    """Per channel, in dB (peak 255); identical channels count as 99 dB."""
    mse = ((pixels - reference) ** 2).reshape(-1, pixels.shape[-1]).mean(axis=0)
    return [99.0 if error == 0 else float(10 * np.log10(255**2 / error)) for error in mse]


def measure(folder: Path, qualities: list[int], colours: ColourManager) -> list[tuple[int, float, float, float, float]]:
    """(quality, MB, seconds, worst PSNR, mean PSNR) for every quality on the JPEGs in ``folder``."""
    sizes = dict.fromkeys(qualities, 0)
    seconds = dict.fromkeys(qualities, 0.0)
    psnrs: dict[int, list[float]] = {quality: [] for quality in qualities}
    for path in sorted(folder.glob("*.jpg")):
        source = path.read_bytes()
        reference, _ink = colours._convert_for_print(io.BytesIO(source), 1, REFERENCE)
        reference_pixels = _decoded(reference)
        for quality in qualities:
            start = time.perf_counter()
            jpeg, _ink = colours._convert_for_print(io.BytesIO(source), 1, quality, from_jpeg=True)
            seconds[quality] += time.perf_counter() - start
            sizes[quality] += len(jpeg)
            psnrs[quality] += _psnr(_decoded(jpeg), reference_pixels)
    return [
        (quality, sizes[quality] / 1e6, seconds[quality], min(psnrs[quality]), float(np.mean(psnrs[quality])))
        for quality in qualities
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photo", type=Path, help="a folder made by bench/photo_portraits.py")
    parser.add_argument("--quality", type=int, nargs="+", default=[85, 90, 92, 95])
    args = parser.parse_args()
    colours = ColourManager(load_output_profile(DEFAULT_PROFILE, ROOT))
    folders = [("shipped stand-ins", ROOT / "portraits")]
    if args.photo:
        folders.append(("photo set", args.photo))
    print("| portraits | quality | MB (9 images) | conversion s | PSNR worst dB | PSNR mean dB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, folder in folders:
        for quality, size, spent, worst, mean in measure(folder, args.quality, colours):
            print(f"| {name} | {quality} | {size:.1f} | {spent:.1f} | {worst:.1f} | {mean:.1f} |", flush=True)


if __name__ == "__main__":
    main()
