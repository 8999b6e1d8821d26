"""A photographic stand-in portrait set for the benchmarks, made reproducibly.

The stand-ins in portraits/ are flat illustrations: they compress and convert far more easily than
camera photos, which flatters every timing. This draws nine portraits with the statistics of camera
JPEGs instead: soft lighting gradients, skin- and fabric-like texture at several scales, and
per-pixel sensor grain, saved as 7.2-Mpx (2400 x 3000) JPEGs at quality 90, 4:2:0, about
1.5-2 MB each. Seeded: the same seed gives the same bytes.

In: an output folder (default: a new temporary one) and a seed. Out: the nine JPEGs named like the
shipped portraits, and a layout beside them (photo-stadtbibliothek.yaml) that is the shipped
18/1 with these portraits, for `png_bench.py --layout`.

    python bench/photo_portraits.py [FOLDER] [--seed 7]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("tamara", "markus", "verena", "valentino", "elif", "jupp", "brigitte", "marlon", "jannine")
WIDTH, HEIGHT = 2400, 3000


def _octaves(rng: np.random.Generator, shape: tuple[int, int], scales: tuple[int, ...]) -> np.ndarray:
    """Texture: random fields at several scales, each upsampled smoothly and summed (-1..1-ish)."""
    height, width = shape
    total = np.zeros(shape, np.float32)
    for cells, weight in zip(scales, (1.0, 0.5, 0.3, 0.2, 0.12)):
        small = rng.standard_normal((max(2, height // cells), max(2, width // cells))).astype(np.float32)
        field = Image.fromarray(small, mode="F").resize((width, height), Image.BICUBIC)
        total += weight * np.asarray(field)
    return total


def portrait(rng: np.random.Generator) -> Image.Image:
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    u, v = x / WIDTH, y / HEIGHT
    background = rng.uniform(60, 200, 3).astype(np.float32)
    light = 0.75 + 0.35 * (1 - u) * (1 - 0.5 * v)  # a window on the left
    image = background[None, None, :] * light[..., None]
    # a head and shoulders: soft-edged shapes in skin and fabric tones
    skin = rng.uniform([150, 100, 80], [235, 190, 160]).astype(np.float32)
    cloth = rng.uniform(30, 200, 3).astype(np.float32)
    head = np.clip(1.6 - np.hypot((u - 0.5) / 0.17, (v - 0.36) / 0.2), 0, 1)[..., None]
    body = np.clip(1.4 - np.hypot((u - 0.5) / 0.42, (v - 1.05) / 0.38), 0, 1)[..., None]
    image = image * (1 - body) + cloth * light[..., None] * body
    image = image * (1 - head) + skin * light[..., None] * head
    # texture at several scales (hair, skin, fabric weave) and sensor grain
    texture = _octaves(rng, (HEIGHT, WIDTH), (300, 90, 24, 6, 2))
    image += 11.0 * texture[..., None] * rng.uniform(0.7, 1.3, 3)[None, None, :]
    image += rng.normal(0, 6.5, image.shape).astype(np.float32)  # grain, per channel
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8), "RGB")


def make_set(folder: Path, seed: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, name in enumerate(NAMES):
        rng = np.random.default_rng([seed, index])
        path = folder / f"{name}.jpg"
        portrait(rng).save(path, quality=90, subsampling="4:2:0")
        paths.append(path)
    return paths


def photo_layout(folder: Path) -> Path:
    """The shipped 18/1 layout with these portraits: the campaign file's people, paths replaced."""
    import yaml

    from plakat.layering import read_layered

    layout = ROOT / "layouts" / "stadtbibliothek.yaml"
    data, _source = read_layered(layout)
    data["fonts"] = {key: str((layout.parent / (v if isinstance(v, str) else v["file"])).resolve())
                     for key, v in data["fonts"].items()}
    for element in data.get("elements", []):
        if "image" in element:
            element["image"] = str((layout.parent / element["image"]).resolve())
    for person in data["people"]:
        person["portrait"] = str(folder / Path(person["portrait"]).name)
    target = folder / "photo-stadtbibliothek.yaml"
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    folder = options.folder or Path(tempfile.mkdtemp(prefix="plakat-photos-"))
    paths = make_set(folder, options.seed)
    sizes = [path.stat().st_size / 1e6 for path in paths]
    print(f"{len(paths)} portraits in {folder}: {min(sizes):.2f}-{max(sizes):.2f} MB, {sum(sizes):.1f} MB in all")
    print(f"layout: {photo_layout(folder)}")


if __name__ == "__main__":
    main()
