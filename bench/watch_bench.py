"""How quickly `plakat watch` shows a saved change.

Run from the repository root (after `pip install -e .`):

    python bench/watch_bench.py                          # the 18/1, 7 edits
    python bench/watch_bench.py layouts/a1-rathaus.yaml --edits 11

The layout and the campaign files it extends are copied into a temporary folder (portraits, fonts
and logos stay where they are: the copies name them by absolute path), the preview service is
started on the copy and its first render (cold: fonts read, portraits decoded and reduced) is
awaited. Then each edit rewrites the layout with a different headline, taking the time from just
after the file is written until the service has a new version: the polling delay (every 0.2 s)
plus the render (layout read and validated, scene built, scene preflight, preview PDF written and
rasterised, PNG encoded). The render alone is the figure the service itself reports. Medians,
smallest and largest are printed as a markdown table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe, spread

from plakat.layering import read_layered
from plakat.watch import PreviewService


def _absolute(data: dict, folder: Path) -> dict:
    data["fonts"] = {key: {**v, "file": str((folder / v["file"]).resolve())} if isinstance(v, dict)
                     else str((folder / v).resolve()) for key, v in data.get("fonts", {}).items()}  # fmt: skip
    for person in data.get("people", []):
        person["portrait"] = str((folder / person["portrait"]).resolve())
    for element in data.get("elements", []):
        if "image" in element:
            element["image"] = str((folder / element["image"]).resolve())
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("layout", nargs="?", type=Path, default=Path("layouts/stadtbibliothek.yaml"))
    parser.add_argument("--edits", type=int, default=7)
    args = parser.parse_args()

    data = _absolute(read_layered(args.layout)[0], args.layout.parent)
    headline = data["headline"]["text"] if isinstance(data.get("headline"), dict) else None
    with tempfile.TemporaryDirectory(prefix="plakat-watch-bench-") as folder:
        layout = Path(folder) / args.layout.name
        layout.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        service = PreviewService(layout, Path(folder) / "out").start()
        try:
            started = time.perf_counter()
            version = service.wait_for_version(0, 120)
            cold = time.perf_counter() - started
            assert service.preview.ok, service.preview.errors
            shown, renders = [], []
            for edit in range(args.edits):
                time.sleep(0.3)  # the edit lands at a random point of the polling period, as a save does
                data["headline"]["text"] = f"{headline} {edit + 1}" if headline else f"Edit {edit + 1}"
                layout.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
                saved = time.perf_counter()
                version = service.wait_for_version(version, 30)
                shown.append(time.perf_counter() - saved)
                assert service.preview.ok, service.preview.errors
                renders.append(service.seconds or 0.0)
        finally:
            service.stop()
    print(f"{args.layout}, {args.edits} headline edits, preview {service.preview.pixels.shape[1]} px wide;"
          f" {describe()}\n")  # fmt: skip
    print("| | median | min | max |\n|---|---|---|---|")
    print(f"| first render (cold) | {cold:.2f} s | | |")
    for name, values in (("save to new version (warm)", shown), ("render alone (warm)", renders)):
        median, low, high = spread(values)
        print(f"| {name} | {median:.2f} s | {low:.2f} s | {high:.2f} s |")


if __name__ == "__main__":
    main()
