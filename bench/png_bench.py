"""Benchmark of plakat's PNG path against the naive path, the compression floor and Typst.

Run from the repository root (after `pip install -e '.[bench]'`):

    python bench/png_bench.py                      # 50, 100 and 150 dpi, 3 runs each
    python bench/png_bench.py --dpi 150 300 --runs 5 --skip typst naive

Every measurement runs in a fresh subprocess; its time is taken inside it with time.perf_counter
around the work only (imports and set-up excluded), its peak resident memory is that subprocess's
own high-water mark (VmHWM, reported by it as it ends). Medians over --runs runs are printed as a
markdown table.

1. plakat: `plakat.pipeline.render` of the layout (print PDF, screen PDF, PNG, preflight); the
   time is that of `write_png` alone, the PDF times are reported apart. The whole render, from
   process start to exit, is a second row.
2. naive: the same screen PDF drawn whole at once (pypdfium2 `page.render` at dpi/72, cropped to
   the trim) and saved with Pillow at the same compression level.
   A third row times pdfium alone drawing the same strips, nothing compressed: the part of
   plakat's time that only a faster rasteriser could cut.
3. floor: only compressing the same pixels (Up-filtered, as plakat does) at the same level with
   the same deflate library, cut into the same 8 MiB pieces, on as many threads as plakat uses.
4. typst: a 3 x 3 portrait poster of the same page size (the layout's first nine portraits with
   name, age and role, Noto Sans from assets/fonts) compiled to PNG at the same ppi.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

from machine import describe as machine  # bench/machine.py, beside this script
from machine import own_peak_mib, run_measured
from machine import spread as describe

ROOT = Path(__file__).resolve().parent.parent
PATHS = ("plakat", "raster", "naive", "floor", "typst")


# ---------------------------------------------------------------- children (one measurement each)

def child_plakat(args: dict) -> dict:
    import plakat.pipeline as pipeline

    timings: dict[str, list] = {"pdf": [], "png": []}
    original_pdf, original_png = pipeline.write_pdf, pipeline.write_png

    def timed_pdf(*a, **k):
        options = k.get("options", a[3] if len(a) > 3 else None)
        started = time.perf_counter()
        result = original_pdf(*a, **k)
        timings["pdf"].append((getattr(options, "standard", "default"), time.perf_counter() - started))
        return result

    def timed_png(pdf_path, *a, **k):
        started = time.perf_counter()
        result = original_png(pdf_path, *a, **k)
        timings["png"].append(time.perf_counter() - started)
        if args.get("keep_pdf"):
            shutil.copyfile(pdf_path, args["keep_pdf"])
        return result

    pipeline.write_pdf, pipeline.write_png = timed_pdf, timed_png
    out = Path(args["out"])
    result = pipeline.render(Path(args["layout"]), out, png_dpi=args["dpi"], compress_level=args["level"])
    png = next(f for f in result.files if f.kind == "png")
    return {"seconds": timings["png"][0], "pdf": timings["pdf"], "bytes": png.bytes, "pixels": list(png.pixels)}


def _trim_crop(page) -> tuple[float, float, float, float]:
    media, trim = page.get_mediabox(), page.get_trimbox()
    return trim[0] - media[0], trim[1] - media[1], media[2] - trim[2], media[3] - trim[3]


def child_naive(args: dict) -> dict:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(args["pdf"])
    page = document[0]
    target = Path(args["out"]) / "naive.png"
    started = time.perf_counter()
    bitmap = page.render(scale=args["dpi"] / 72, crop=_trim_crop(page))
    image = bitmap.to_pil()
    image.save(target, compress_level=args["level"], dpi=(args["dpi"], args["dpi"]))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": target.stat().st_size, "pixels": list(image.size)}


def child_raster(args: dict) -> dict:
    """pdfium alone: plakat's strips drawn into one reused buffer, nothing compressed."""
    import numpy as np

    from plakat.pipeline import build
    from plakat.render import png

    scene = build(Path(args["layout"])).scene
    raster = png._PageRasteriser(Path(args["pdf"]), scene, args["dpi"])
    step = png.strip_rows_for(raster.width)
    buffer = np.empty((min(step, raster.height), raster.width, 3), dtype=np.uint8)
    started = time.perf_counter()
    for top in range(0, raster.height, step):
        raster.draw(buffer[:min(step, raster.height - top)], top)
    seconds = time.perf_counter() - started
    raster.close()
    return {"seconds": seconds, "pixels": [raster.width, raster.height]}


def child_prepare(args: dict) -> dict:
    """Not timed: the Up-filtered rows plakat compresses, written to a file for the floor."""
    import numpy as np

    from plakat.pipeline import build
    from plakat.render.png import rasterise

    scene = build(Path(args["layout"])).scene
    previous = None
    with open(args["raw"], "wb") as file:
        for strip in rasterise(Path(args["pdf"]), scene, args["dpi"]):
            rows = strip.reshape(strip.shape[0], -1)
            filtered = np.empty((rows.shape[0], rows.shape[1] + 1), dtype=np.uint8)
            filtered[:, 0] = 2
            np.subtract(rows[:1], previous if previous is not None else 0, out=filtered[:1, 1:], casting="unsafe")
            np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])
            previous = rows[-1:].copy()
            file.write(filtered.data)
    return {"seconds": 0.0}


def child_floor(args: dict) -> dict:
    from concurrent.futures import ThreadPoolExecutor

    from plakat.render import png

    data = Path(args["raw"]).read_bytes()
    view = memoryview(data)
    piece = png.BAND_BYTES
    deflate, level = png._deflate, args["level"]

    def compress(start: int) -> int:
        compressor = deflate.compressobj(level, deflate.DEFLATED, -15, 9)
        return len(compressor.compress(view[start:start + piece])) + len(compressor.flush(deflate.Z_SYNC_FLUSH))

    workers = png.default_workers()
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        size = sum(pool.map(compress, range(0, len(data), piece)))
    return {"seconds": time.perf_counter() - started, "bytes": size, "workers": workers,
            "backend": png.DEFLATE_BACKEND}


TYPST_SOURCE = """
#set page(width: {width}mm, height: {height}mm, margin: 0mm, fill: rgb("#f2ede4"))
#set text(font: "Noto Sans", fill: rgb("#14325c"))
#place(top + left, block(width: 100%, height: 400mm, fill: rgb("#14325c"), inset: (x: 100mm, y: 60mm),
  text(size: 300pt, weight: "black", fill: white)[Duisburg ist echt solidarisch]))
#let person(name, age, role, file) = grid(rows: (1fr, 190mm),
  image(file, width: 100%, height: 100%, fit: "cover"),
  block(width: 100%, height: 100%, fill: white, inset: 16mm, spacing: 0mm, stack(spacing: 12mm,
    text(size: 130pt, weight: "black")[#name, #age],
    text(size: 95pt)[#role])))
#pad(top: 440mm, bottom: 100mm, x: 100mm,
  grid(columns: (1fr, 1fr, 1fr), rows: (1fr, 1fr, 1fr), gutter: 60mm,
{cells}))
"""


def child_typst(args: dict) -> dict:
    import typst

    folder = Path(args["out"])
    target = folder / "typst.png"
    started = time.perf_counter()
    typst.compile(str(folder / "poster.typ"), output=str(target), format="png", ppi=float(args["dpi"]),
                  root=str(folder), font_paths=[str(ROOT / "assets" / "fonts")], ignore_system_fonts=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": target.stat().st_size, "pixels": png_header_size(target)}


def png_header_size(path: Path) -> list[int]:
    """Width and height from the IHDR chunk (Pillow would refuse to open large files)."""
    with open(path, "rb") as file:
        header = file.read(24)
    return list(struct.unpack(">II", header[16:24]))


CHILDREN = {"plakat": child_plakat, "raster": child_raster, "naive": child_naive, "prepare": child_prepare,
            "floor": child_floor, "typst": child_typst}


# ---------------------------------------------------------------- parent

def run_child_measured(mode: str, args: dict) -> dict:
    """One fresh subprocess: its result, its wall time from start to exit and its peak RSS in MiB."""
    return run_measured(__file__, mode, args, cwd=ROOT)


def typst_folder(layout: Path, folder: Path) -> None:
    from plakat.layering import read_layered
    from plakat.pipeline import build

    scene = build(layout).scene
    data = read_layered(layout)[0]  # with the campaign file it extends, paths relative to the layout
    cells = []
    for number, person in enumerate(data["people"][:9]):
        source = (layout.parent / person["portrait"]).resolve()
        shutil.copyfile(source, folder / f"p{number}{source.suffix}")
        name, age, role = person["name"], person["age"], person["role"]
        cells.append(f'  person("{name}", "{age}", "{role}", "p{number}{source.suffix}"),')
    emu_per_mm = 36000
    (folder / "poster.typ").write_text(TYPST_SOURCE.replace("{width}", f"{scene.width / emu_per_mm:g}")
                                       .replace("{height}", f"{scene.height / emu_per_mm:g}")
                                       .replace("{cells}", "\n".join(cells)), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", type=float, nargs="+", default=[50, 100, 150])
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each path (median reported)")
    parser.add_argument("--layout", type=Path, default=ROOT / "layouts" / "stadtbibliothek.yaml")
    parser.add_argument("--level", type=int, default=None, help="compression level (default: plakat's)")
    parser.add_argument("--skip", nargs="*", default=[], choices=PATHS, help="paths to leave out")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        mode, args = options.child
        print(json.dumps({**CHILDREN[mode](json.loads(args)), "hwm": own_peak_mib()}))
        return

    from plakat.render import png

    level = png.DEFAULT_COMPRESS_LEVEL if options.level is None else options.level
    layout = options.layout.resolve()
    paths = [p for p in PATHS if p not in options.skip]
    if "typst" in paths:
        try:
            import typst  # noqa: F401
        except ImportError:
            print("typst is not installed (pip install typst): its row is left out", file=sys.stderr)
            paths.remove("typst")
    results: dict[tuple[float, str], list[dict]] = {}
    pdf_times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="plakat-bench-") as scratch:
        scratch = Path(scratch)
        if "typst" in paths:
            (scratch / "typst").mkdir()
            typst_folder(layout, scratch / "typst")
        for dpi in options.dpi:
            out = scratch / f"out{dpi:g}"
            pdf = scratch / f"screen{dpi:g}.pdf"
            raw = scratch / f"filtered{dpi:g}.bin"
            common = {"layout": str(layout), "dpi": dpi, "level": level}
            # warm-up (caches, page cache), and the PDF the PNG is drawn from
            warm = run_child_measured("plakat", {**common, "out": str(out), "keep_pdf": str(pdf)})
            if "error" in warm:
                sys.exit(f"plakat failed at {dpi:g} dpi: {warm['error']}")
            if "floor" in paths:
                prepared = run_child_measured("prepare", {**common, "pdf": str(pdf), "raw": str(raw)})
                if "error" in prepared:
                    sys.exit(f"preparing the floor failed: {prepared['error']}")
            for run in range(options.runs):
                for path in paths:
                    print(f"{dpi:g} dpi, {path}, run {run + 1} of {options.runs}", file=sys.stderr)
                    extra = {"plakat": {"out": str(out)}, "raster": {"pdf": str(pdf)},
                             "naive": {"pdf": str(pdf), "out": str(out)},
                             "floor": {"raw": str(raw)}, "typst": {"out": str(scratch / "typst")}}[path]
                    result = run_child_measured(path, {**common, **extra})
                    results.setdefault((dpi, path), []).append(result)
                    for standard, seconds in result.get("pdf", []):
                        pdf_times.setdefault(standard, []).append(seconds)
            raw.unlink(missing_ok=True)
    print(report(results, pdf_times, options.dpi, paths, level, options.runs))


def report(results, pdf_times, dpis, paths, level, runs) -> str:
    from plakat.render import png

    names = {"plakat": "plakat PNG (write_png)", "raster": "pdfium alone: plakat's strips, no PNG",
             "naive": "naive: whole page + Pillow",
             "floor": f"floor: deflate only, {png.default_workers()} threads",
             "typst": "Typst 3x3 poster to PNG"}
    lines = [f"Machine: {machine()}; deflate: {png.DEFLATE_BACKEND}, level {level}; "
             f"medians of {runs} runs (min-max), each in a fresh process.", "",
             "| dpi | pixels | path | time s | peak RSS MiB | PNG MB | plakat / this |",
             "|---:|---|---|---|---:|---:|---:|"]
    summary = []
    for dpi in dpis:
        ok = {path: [r for r in results.get((dpi, path), []) if "error" not in r] for path in paths}
        plakat = describe([r["seconds"] for r in ok["plakat"]])[0] if ok.get("plakat") else None
        pixels = ok["plakat"][0]["pixels"] if ok.get("plakat") else None
        ratios = []
        rows = [(path, "seconds") for path in paths]
        rows.insert(1, ("plakat", "wall"))
        for path, key in rows:
            runs_ok = ok[path]
            label = names[path] if key == "seconds" else "plakat render, whole command"
            if not runs_ok:
                failed = results.get((dpi, path), [{}])[0].get("error", "no result")
                lines.append(f"| {dpi:g} | | {label} | failed: {failed} | | | |")
                continue
            median, low, high = describe([r[key] for r in runs_ok])
            peak = statistics.median(r["peak"] for r in runs_ok)
            size = f"{runs_ok[0]['pixels'][0]} x {runs_ok[0]['pixels'][1]}" if "pixels" in runs_ok[0] else ""
            megabytes = f"{runs_ok[0]['bytes'] / 1e6:.1f}" if "bytes" in runs_ok[0] else ""
            if path == "floor":
                megabytes = f"({megabytes})"  # deflate output, no PNG file
            ratio = f"{plakat / median:.2f}" if plakat and key == "seconds" and path != "plakat" else ""
            if ratio:
                ratios.append(f"{ratio} x {path}")
            lines.append(f"| {dpi:g} | {size} | {label} | {median:.2f} ({low:.2f}-{high:.2f}) | {peak:.0f} | "
                         f"{megabytes} | {ratio} |")
        if pixels and ratios:
            summary.append(f"- {dpi:g} dpi: plakat = " + ", ".join(ratios))
    lines += ["", "plakat's time as a multiple of each path's (lower is better for plakat):", *summary]
    if pdf_times:
        lines += ["", "PDF drawing alone (all runs): " + "; ".join(
            f"{standard}: median {statistics.median(v):.2f} s ({min(v):.2f}-{max(v):.2f})"
            for standard, v in pdf_times.items())]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
