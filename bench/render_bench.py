"""Benchmark of whole renders (print PDF/X-4, screen PDF, PNG, preflight) on two portrait sets, cold and warm.

Run from the repository root (after `pip install -e '.[bench]'`):

    python bench/render_bench.py                              # 50, 150 and 300 dpi, 3 runs each
    python bench/render_bench.py --dpi 50 --runs 1 --sets photo --skip huge
    python bench/render_bench.py --before HEAD~3 --json results.json

Every measurement runs in a fresh subprocess; its times are taken inside it with time.perf_counter
around the work only (imports excluded), the command's time from the start of the process to its
exit, and its peak resident memory is its own high-water mark (VmHWM, read by the child as it
ends; the kernel's ru_maxrss from os.wait4 would add the parent's memory at the fork, which Linux
carries into the child, and is kept in the JSON as "maxrss"). Times are printed as
median (min-max) over --runs runs, as a markdown table; --json FILE keeps every raw result.
A full default run takes about 11 minutes on 2 cores, about 17 with --before.

1. Portrait sets: "stand-ins" is layouts/stadtbibliothek.yaml with the flat illustrations in
   portraits/; "photo" is the same 18/1 layout with nine camera-like 7.2-Mpx JPEGs made by
   bench/photo_portraits.py (seed 7) in a temporary folder, or in --photo DIR when it is given.
2. Renders: `plakat.pipeline.render(layout, out, png_dpi=dpi)` with PLAKAT_CACHE_DIR set to an empty
   folder for each run (cold: every portrait converted to CMYK again) or to one filled once by an
   untimed render at the same dpi, which also warms the page cache (warm). Reported apart: the
   print PDF's write_pdf call inside the render (the portraits' conversion starts before it, beside
   the PNG, so it shows only what is left of it), the PNG (write_png), the whole render inside the
   process, the whole command, peak RSS, the PDF's and the PNG's size.
   And the PDF/X-4 alone: the scene built untimed, then write_pdf of the print file timed, its
   image conversions included and nothing beside them, cold and warm (the same for every dpi).
3. Floor: only compressing the PNG's pixels, as bench/png_bench.py does it (the same filtered rows,
   deflate library, level, pieces and threads); the PNG's time is given as a multiple of it.
4. Baseline "plain conversion": what converting the layout's portraits to CMYK costs with nothing
   around it. For each distinct portrait, in order: open with Pillow, decode at the size plakat
   embeds (the scene's reduction, JPEGs scaled in the decoder), sRGB -> the layout's output profile
   (relative colorimetric, black point compensation) with ImageCms, save as JPEG quality 95. Once
   on one thread, once on two (one portrait per task).
5. 100 Mpx: the photo layout with its first portrait replaced by an 8400 x 12000 camera-like JPEG
   (a photo portrait upscaled, seeded grain added; quality 90), rendered cold at 50 dpi.
6. --before REV: the renders (2, 5) are also measured with the plakat source of git revision REV
   (`git archive REV src`, put first on PYTHONPATH), interleaved run by run with today's code.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from machine import describe as machine  # bench/machine.py, beside this script
from machine import own_peak_mib, run_measured, spread
from png_bench import child_floor, child_prepare

ROOT = Path(__file__).resolve().parent.parent
SETS = ("stand-ins", "photo")
SKIPPABLE = ("floor", "baseline", "huge", "warm", "cold")
HUGE_SIZE = (8400, 12000)
RSS_BOUND_MIB = 400
WARM_PDF_BOUND_S = 1.0
TODAY = "today"
STARTED = time.perf_counter()


# ---------------------------------------------------------------- children (one measurement each)

def child_render(args: dict) -> dict:
    """One render, its print PDF, PNG and whole time measured inside this process."""
    import plakat
    import plakat.pipeline as pipeline

    pdf_calls: list[tuple[str, float]] = []
    png_calls: list[float] = []
    original_pdf, original_png = pipeline.write_pdf, pipeline.write_png

    def timed_pdf(*a, **k):
        options = k.get("options", a[3] if len(a) > 3 else None)
        started = time.perf_counter()
        result = original_pdf(*a, **k)
        pdf_calls.append((str(getattr(options, "standard", "default")), time.perf_counter() - started))
        return result

    def timed_png(pdf_path, *a, **k):
        started = time.perf_counter()
        result = original_png(pdf_path, *a, **k)
        png_calls.append(time.perf_counter() - started)
        if args.get("keep_pdf"):  # the screen PDF the PNG was drawn from, for the floor
            shutil.copyfile(pdf_path, args["keep_pdf"])
        return result

    pipeline.write_pdf, pipeline.write_png = timed_pdf, timed_png
    out = Path(args["out"])
    started = time.perf_counter()
    result = pipeline.render(Path(args["layout"]), out, png_dpi=args["dpi"])
    seconds = time.perf_counter() - started
    sizes = {f.kind: f.bytes for f in result.files}
    pixels = next((list(f.pixels) for f in result.files if f.kind == "png" and f.pixels), None)
    printed = [s for standard, s in pdf_calls if standard != "screen"]
    return {"render": seconds, "pdf": printed[0] if printed else None, "pdf_calls": pdf_calls,
            "png": png_calls[0] if png_calls else None, "pdf_bytes": sizes.get("pdf"),
            "png_bytes": sizes.get("png"), "png_pixels": pixels, "plakat": str(Path(plakat.__file__).parent)}


def child_print(args: dict) -> dict:
    """The print file alone: the scene built untimed, then write_pdf with the layout's print options
    timed, its image conversions included (nothing else runs beside them)."""
    import plakat
    from plakat.delivery import pdf_options
    from plakat.pipeline import build
    from plakat.render.pdf import write_pdf

    built = build(Path(args["layout"]))
    options = pdf_options(built.layout.spec)
    colours = built.colours(options)
    target = Path(args["out"]) / "print.pdf"
    started = time.perf_counter()
    write_pdf(built.scene, target, colours, options)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": target.stat().st_size, "plakat": str(Path(plakat.__file__).parent)}


def child_baseline(args: dict) -> dict:
    """Plain conversion of the layout's portraits: decode, sRGB -> CMYK, JPEG; the loop alone timed."""
    from concurrent.futures import ThreadPoolExecutor

    from PIL import Image, ImageCms

    from plakat.cms import DEFAULT_PROFILE, load_output_profile
    from plakat.pipeline import build
    from plakat.scene import PlacedImage

    built = build(Path(args["layout"]))
    portraits: dict[Path, int] = {}
    for placed in built.scene.of_type(PlacedImage):
        if not placed.is_logo:
            portraits.setdefault(Path(placed.image.path), placed.reduction)
    pdf = built.layout.spec.output.pdf
    profile = load_output_profile(pdf.profile if pdf else DEFAULT_PROFILE, built.layout.folder)
    transform = ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")), ImageCms.ImageCmsProfile(io.BytesIO(profile.data)),
        "RGB", "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
    out = Path(args["out"])

    def convert(number: int, path: Path, reduction: int) -> int:
        with Image.open(path) as opened:
            wanted = (max(1, opened.width // reduction), max(1, opened.height // reduction))
            if reduction > 1 and opened.format == "JPEG":
                opened.draft(opened.mode, wanted)
            opened.load()
            remaining = round(opened.width / wanted[0])
            image = opened.reduce(remaining) if remaining >= 2 else opened
            if image.mode != "RGB":
                image = image.convert("RGB")
            cmyk = ImageCms.applyTransform(image, transform)
        target = out / f"{number}.jpg"
        cmyk.save(target, "JPEG", quality=95)
        return target.stat().st_size

    jobs = [(number, path, reduction) for number, (path, reduction) in enumerate(portraits.items())]
    started = time.perf_counter()
    if args["threads"] == 1:
        written = [convert(*job) for job in jobs]
    else:
        with ThreadPoolExecutor(args["threads"]) as pool:
            written = list(pool.map(lambda job: convert(*job), jobs))
    return {"seconds": time.perf_counter() - started, "bytes": sum(written), "portraits": len(jobs),
            "reductions": sorted(set(portraits.values()))}


def child_photos(args: dict) -> dict:
    """Not timed: the photo portraits (when the folder lacks them) and their layout, by bench/photo_portraits.py."""
    import photo_portraits

    folder = Path(args["folder"])
    if not all((folder / f"{name}.jpg").exists() for name in photo_portraits.NAMES):
        photo_portraits.make_set(folder, args["seed"])
    return {"layout": str(photo_portraits.photo_layout(folder))}


def child_make_huge(args: dict) -> dict:
    """Not timed: a camera-like 100-Mpx JPEG (the photo layout's first portrait upscaled, seeded grain
    added in strips) and the photo layout with it in place of that portrait."""
    import numpy as np
    import yaml
    from PIL import Image

    photo_layout = Path(args["layout"])
    data = yaml.safe_load(photo_layout.read_text(encoding="utf-8"))
    first = Path(data["people"][0]["portrait"])
    source = first if first.is_absolute() else photo_layout.parent / first
    Image.MAX_IMAGE_PIXELS = None
    with Image.open(source) as opened:
        image = opened.convert("RGB").resize(tuple(args["size"]), Image.BILINEAR)
    pixels = np.asarray(image).copy()
    del image
    rng = np.random.default_rng(args["seed"])
    step = 500
    for top in range(0, pixels.shape[0], step):
        strip = pixels[top:top + step]
        grain = rng.standard_normal(strip.shape, dtype=np.float32) * 6.5
        strip[...] = np.clip(strip + grain, 0, 255).astype(np.uint8)
    folder = Path(args["folder"])
    target = folder / "huge.jpg"
    Image.fromarray(pixels, "RGB").save(target, quality=90, subsampling="4:2:0")
    data["people"][0]["portrait"] = str(target)
    layout = folder / "huge-stadtbibliothek.yaml"
    layout.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return {"layout": str(layout), "replaced": source.name, "bytes": target.stat().st_size}


def child_floor_plakat_level(args: dict) -> dict:
    """The floor at plakat's own compression level."""
    from plakat.render import png

    level = png.DEFAULT_COMPRESS_LEVEL
    return {**child_floor({**args, "level": level}), "level": level}


CHILDREN = {"render": child_render, "print": child_print, "baseline": child_baseline, "prepare": child_prepare,
            "floor": child_floor_plakat_level, "photos": child_photos, "make_huge": child_make_huge}


# ---------------------------------------------------------------- parent

def run_child(mode: str, args: dict, source: Path | None = None, cache: Path | None = None) -> dict:
    """One fresh subprocess with ``source`` (a plakat src folder) first on PYTHONPATH and ``cache`` as
    PLAKAT_CACHE_DIR, reaped here so that its own rusage is known: its result, its wall time from
    start to exit and its peak RSS in MiB."""
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(source), *filter(None, [env.get("PYTHONPATH")])])
    if cache is not None:
        env["PLAKAT_CACHE_DIR"] = str(cache)
    return run_measured(__file__, mode, args, env, ROOT)


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.0f} s] {message}", file=sys.stderr, flush=True)


def extract_revision(revision: str, folder: Path) -> tuple[str, Path]:
    """The short name of ``revision`` and its src folder, extracted with git archive into ``folder``."""
    short = subprocess.run(["git", "rev-parse", "--short", revision], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.strip()
    archive = folder / "src.tar"
    with open(archive, "wb") as file:
        subprocess.run(["git", "archive", "--format=tar", revision, "src"], cwd=ROOT, check=True, stdout=file)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    archive.unlink()
    return short, folder / "src"


def photo_set(folder: Path | None, scratch: Path) -> Path:
    """The photo layout: in ``folder`` when given (the portraits made there if it lacks them), else
    made in ``scratch``."""
    target = folder or scratch / "photos"
    layout = target / "photo-stadtbibliothek.yaml"
    if layout.exists():
        return layout
    progress(f"making the photo set in {target}")
    made = run_child("photos", {"folder": str(target), "seed": 7}, ROOT / "src")
    if "error" in made:
        sys.exit(f"making the photo set failed: {made['error']}")
    return Path(made["layout"])


def huge_layout(photo_layout: Path, scratch: Path) -> Path | None:
    """The photo layout with its first person's portrait replaced by a 100-Mpx JPEG, both in ``scratch``."""
    progress(f"making a {HUGE_SIZE[0]} x {HUGE_SIZE[1]} JPEG")
    made = run_child("make_huge", {"layout": str(photo_layout), "folder": str(scratch), "size": list(HUGE_SIZE),
                                   "seed": 7})
    if "error" in made:
        progress(f"making the 100-Mpx JPEG failed: {made['error']}")
        return None
    return Path(made["layout"])


class Bench:
    """Runs the measurements and keeps every raw result, keyed by what was measured."""

    def __init__(self, options: argparse.Namespace, scratch: Path, codes: dict[str, Path]):
        self.options, self.scratch, self.codes = options, scratch, codes
        self.results: list[dict] = []
        self.serial = 0

    def fresh(self, name: str) -> Path:
        self.serial += 1
        folder = self.scratch / f"{name}-{self.serial}"
        folder.mkdir()
        return folder

    def record(self, kind: str, result: dict, **labels) -> dict:
        entry = {"kind": kind, **labels, **result}
        self.results.append(entry)
        if "error" in result:
            progress(f"  failed: {result['error']}")
        return entry

    def render(self, code: str, layout: Path, dpi: float, cache: Path, keep_pdf: Path | None = None) -> dict:
        out = self.fresh("out")
        args = {"layout": str(layout), "out": str(out), "dpi": dpi}
        if keep_pdf is not None:
            args["keep_pdf"] = str(keep_pdf)
        try:
            return run_child("render", args, self.codes[code], cache)
        finally:
            shutil.rmtree(out, ignore_errors=True)

    def run_set(self, name: str, layout: Path) -> None:
        options, runs = self.options, self.options.runs
        states = [state for state in ("cold", "warm") if state not in options.skip]
        for dpi in options.dpi:
            warm_caches, pdf = {}, self.scratch / f"screen-{name}-{dpi:g}.pdf"
            for code in self.codes:
                # the warm cache, filled by one untimed render (also the warm-up, and the floor's PDF)
                progress(f"{name}, {dpi:g} dpi, {code}: filling the warm cache")
                warm_caches[code] = self.fresh(f"cache-{code}")
                filled = self.render(code, layout, dpi, warm_caches[code], pdf if code == TODAY else None)
                if "error" in filled:
                    progress(f"  failed: {filled['error']}")
            if "floor" not in options.skip:
                self.floor(name, layout, dpi, pdf)
            for run in range(runs):
                for state in states:
                    for code in self.codes:
                        progress(f"{name}, {dpi:g} dpi, {state}, {code}: run {run + 1} of {runs}")
                        cache = warm_caches[code] if state == "warm" else self.fresh(f"cache-{code}")
                        result = self.render(code, layout, dpi, cache)
                        if state == "cold":
                            shutil.rmtree(cache, ignore_errors=True)
                        self.record("render", result, code=code, set=name, cache=state, dpi=dpi, run=run)
            for cache in warm_caches.values():
                shutil.rmtree(cache, ignore_errors=True)
            pdf.unlink(missing_ok=True)

    def print_alone(self, name: str, layout: Path) -> None:
        """The PDF/X-4 alone, cold and warm, with each code (independent of the PNG's dpi)."""
        states = [state for state in ("cold", "warm") if state not in self.options.skip]
        warm_caches = {}
        for code in self.codes:
            warm_caches[code] = self.fresh(f"cache-{code}")
            out = self.fresh("print")
            run_child("print", {"layout": str(layout), "out": str(out)}, self.codes[code], warm_caches[code])
            shutil.rmtree(out, ignore_errors=True)
        for run in range(self.options.runs):
            for state in states:
                for code in self.codes:
                    progress(f"{name}, PDF/X-4 alone, {state}, {code}: run {run + 1} of {self.options.runs}")
                    cache = warm_caches[code] if state == "warm" else self.fresh(f"cache-{code}")
                    out = self.fresh("print")
                    result = run_child("print", {"layout": str(layout), "out": str(out)}, self.codes[code], cache)
                    shutil.rmtree(out, ignore_errors=True)
                    if state == "cold":
                        shutil.rmtree(cache, ignore_errors=True)
                    self.record("print", result, code=code, set=name, cache=state, run=run)
        for cache in warm_caches.values():
            shutil.rmtree(cache, ignore_errors=True)

    def floor(self, name: str, layout: Path, dpi: float, pdf: Path) -> None:
        if not pdf.exists():
            progress(f"{name}, {dpi:g} dpi: no screen PDF, no floor")
            return
        raw = self.scratch / f"filtered-{name}-{dpi:g}.bin"
        common = {"layout": str(layout), "dpi": dpi}
        progress(f"{name}, {dpi:g} dpi: preparing the floor")
        prepared = run_child("prepare", {**common, "pdf": str(pdf), "raw": str(raw)}, self.codes[TODAY])
        if "error" in prepared:
            self.record("floor", prepared, set=name, dpi=dpi, run=0)
            return
        for run in range(self.options.runs):
            progress(f"{name}, {dpi:g} dpi, floor: run {run + 1} of {self.options.runs}")
            self.record("floor", run_child("floor", {**common, "raw": str(raw)}, self.codes[TODAY]),
                        set=name, dpi=dpi, run=run)
        raw.unlink(missing_ok=True)

    def baseline(self, name: str, layout: Path) -> None:
        for run in range(self.options.runs):
            for threads in (1, 2):
                progress(f"{name}, baseline on {threads} thread(s): run {run + 1} of {self.options.runs}")
                out = self.fresh("baseline")
                result = run_child("baseline", {"layout": str(layout), "out": str(out), "threads": threads},
                                   self.codes[TODAY])
                shutil.rmtree(out, ignore_errors=True)
                self.record("baseline", result, set=name, threads=threads, run=run)

    def huge(self, layout: Path) -> None:
        for run in range(self.options.runs):
            for code in self.codes:
                progress(f"100 Mpx portrait, 50 dpi, cold, {code}: run {run + 1} of {self.options.runs}")
                cache = self.fresh(f"cache-{code}")
                result = self.render(code, layout, 50, cache)
                shutil.rmtree(cache, ignore_errors=True)
                self.record("huge", result, code=code, dpi=50, run=run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", type=float, nargs="+", default=[50, 150, 300])
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each row (median reported)")
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS, help="portrait sets to render")
    parser.add_argument("--skip", nargs="*", default=[], choices=SKIPPABLE, help="parts to leave out")
    parser.add_argument("--json", type=Path, help="write every raw result to this file")
    parser.add_argument("--photo", type=Path, help="a folder made by bench/photo_portraits.py, reused")
    parser.add_argument("--before", metavar="REV", help="also measure the plakat source of this git revision")
    parser.add_argument("--report", type=Path, metavar="JSON", help="print the tables of a --json file again")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        mode, args = options.child
        result = CHILDREN[mode](json.loads(args))
        print(json.dumps({**result, "hwm": own_peak_mib()}))
        return
    if options.report:
        saved = json.loads(options.report.read_text())
        codes = list(saved["codes"])
        options.dpi = sorted({r["dpi"] for r in saved["results"] if r["kind"] == "render"})
        options.sets = [name for name in SETS if any(r.get("set") == name for r in saved["results"])]
        options.runs = 1 + max(r.get("run", 0) for r in saved["results"])
        options.skip = [part for part in SKIPPABLE if not any(r["kind"] == part or r.get("cache") == part
                                                              for r in saved["results"])]
        print(report(saved["results"], codes, options, saved["machine"]))
        return

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="plakat-render-bench-") as scratch:
        scratch = Path(scratch)
        codes = {TODAY: ROOT / "src"}
        if options.before:
            (scratch / "before").mkdir()
            short, source = extract_revision(options.before, scratch / "before")
            codes[short] = source
        bench = Bench(options, scratch, codes)
        layouts = {}
        if "stand-ins" in options.sets:
            layouts["stand-ins"] = ROOT / "layouts" / "stadtbibliothek.yaml"
        photo = None
        if "photo" in options.sets or "huge" not in options.skip:
            photo = photo_set(options.photo.resolve() if options.photo else None, scratch)
            if "photo" in options.sets:
                layouts["photo"] = photo
        for name, layout in layouts.items():
            bench.print_alone(name, layout)
            bench.run_set(name, layout)
            if "baseline" not in options.skip:
                bench.baseline(name, layout)
        if "huge" not in options.skip and photo is not None:
            huge = huge_layout(photo, scratch)
            if huge is not None:
                bench.huge(huge)
    minutes = (time.perf_counter() - began) / 60
    progress(f"done in {minutes:.1f} min")
    if options.json:
        options.json.write_text(json.dumps({"machine": machine(), "codes": {c: str(p) for c, p in codes.items()},
                                            "options": {k: str(v) for k, v in vars(options).items()},
                                            "minutes": minutes, "results": bench.results}, indent=1))
    print(report(bench.results, list(codes), options, machine()))


# ---------------------------------------------------------------- report

def ok(results: list[dict], **labels) -> list[dict]:
    return [r for r in results if "error" not in r and all(r.get(k) == v for k, v in labels.items())]


def failure(results: list[dict], **labels) -> str | None:
    failed = [r for r in results if "error" in r and all(r.get(k) == v for k, v in labels.items())]
    return failed[0]["error"] if failed else None


def timing(values: list[float | None]) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "n/a"
    median, low, high = spread(present)
    return f"{median:.2f} ({low:.2f}-{high:.2f})" if len(present) > 1 else f"{median:.2f}"


def median_of(runs: list[dict], key: str) -> float | None:
    present = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(present) if present else None


def megabytes(value: float | None) -> str:
    return "" if value is None else f"{value / 1e6:.1f}"


def report(results: list[dict], codes: list[str], options: argparse.Namespace, measured_on: str) -> str:
    states = [state for state in ("cold", "warm") if state not in options.skip]
    floor_run = next((r for r in results if r["kind"] == "floor" and "error" not in r), None)
    deflate = f"; deflate: {floor_run['backend']}, level {floor_run['level']}" if floor_run else ""
    lines = [f"Machine: {measured_on}{deflate}; median (min-max) of {options.runs} runs, each in a fresh process "
             f"(peak RSS: the child's own high-water mark, VmHWM).", "",
             "| portraits | cache | dpi | PDF/X-4 in the render s | PNG s | PNG / floor | render s | command s | "
             "peak RSS MiB | PDF MB | PNG MB |",
             "|---|---|---:|---|---|---:|---|---|---:|---:|---:|"]
    floors = {(name, dpi): median_of(ok(results, kind="floor", set=name, dpi=dpi), "seconds")
              for name in options.sets for dpi in options.dpi}
    for name in options.sets:
        for state in states:
            for dpi in options.dpi:
                for code in codes:
                    label = name if code == TODAY else f"{name} @ {code}"
                    labels = {"kind": "render", "code": code, "set": name, "cache": state, "dpi": dpi}
                    runs = ok(results, **labels)
                    if not runs:
                        lines.append(f"| {label} | {state} | {dpi:g} | failed: {failure(results, **labels)} "
                                     "| | | | | | | |")
                        continue
                    png_median, floor = median_of(runs, "png"), floors.get((name, dpi))
                    ratio = f"{png_median / floor:.1f}" if png_median and floor else ""
                    lines.append(
                        f"| {label} | {state} | {dpi:g} | {timing([r['pdf'] for r in runs])} | "
                        f"{timing([r['png'] for r in runs])} | {ratio} | {timing([r['render'] for r in runs])} | "
                        f"{timing([r['wall'] for r in runs])} | {median_of(runs, 'peak'):.0f} | "
                        f"{megabytes(median_of(runs, 'pdf_bytes'))} | {megabytes(median_of(runs, 'png_bytes'))} |")
    lines += ["", "PDF/X-4 alone: write_pdf of the print file from a built scene, its image conversions "
              "included, nothing else running.", "",
              "| portraits | cache | PDF/X-4 s | peak RSS MiB | PDF MB |", "|---|---|---|---:|---:|"]
    for name in options.sets:
        for state in states:
            for code in codes:
                label = name if code == TODAY else f"{name} @ {code}"
                labels = {"kind": "print", "code": code, "set": name, "cache": state}
                runs = ok(results, **labels)
                if not runs:
                    lines.append(f"| {label} | {state} | failed: {failure(results, **labels)} | | |")
                    continue
                lines.append(f"| {label} | {state} | {timing([r['seconds'] for r in runs])} | "
                             f"{median_of(runs, 'peak'):.0f} | {megabytes(median_of(runs, 'bytes'))} |")
    if "floor" not in options.skip:
        threads = f"{floor_run['workers']} threads" if floor_run else "plakat's threads"
        lines += ["", f"Floor: deflate only, {threads}, the PNG's filtered pixels.", "",
                  "| portraits | dpi | floor s | deflate MB |", "|---|---:|---|---:|"]
        for name in options.sets:
            for dpi in options.dpi:
                labels = {"kind": "floor", "set": name, "dpi": dpi}
                runs = ok(results, **labels)
                if not runs:
                    lines.append(f"| {name} | {dpi:g} | failed: {failure(results, **labels)} | |")
                    continue
                lines.append(f"| {name} | {dpi:g} | {timing([r['seconds'] for r in runs])} | "
                             f"{megabytes(median_of(runs, 'bytes'))} |")
    if "baseline" not in options.skip:
        lines += ["", "Baseline, plain conversion: decode at the embedded size, sRGB -> output profile (ImageCms), "
                  "JPEG quality 95; the loop alone timed.", "",
                  "| portraits | baseline | time s | peak RSS MiB | MB written |", "|---|---|---|---:|---:|"]
        for name in options.sets:
            for threads in (1, 2):
                labels = {"kind": "baseline", "set": name, "threads": threads}
                runs = ok(results, **labels)
                what = "1 thread" if threads == 1 else f"{threads} threads"
                if not runs:
                    lines.append(f"| {name} | {what} | failed: {failure(results, **labels)} | | |")
                    continue
                what += f", {runs[0]['portraits']} portraits, reduction {'/'.join(map(str, runs[0]['reductions']))}"
                lines.append(f"| {name} | {what} | {timing([r['seconds'] for r in runs])} | "
                             f"{median_of(runs, 'peak'):.0f} | {megabytes(median_of(runs, 'bytes'))} |")
    if "huge" not in options.skip:
        lines += ["", f"100 Mpx portrait ({HUGE_SIZE[0]} x {HUGE_SIZE[1]} JPEG as the first of the photo set), "
                  "cold, 50 dpi:", "",
                  "| code | render s | command s | peak RSS MiB |", "|---|---|---|---:|"]
        for code in codes:
            runs = ok(results, kind="huge", code=code)
            if not runs:
                lines.append(f"| {code} | failed: {failure(results, kind='huge', code=code)} | | |")
                continue
            lines.append(f"| {code} | {timing([r['render'] for r in runs])} | {timing([r['wall'] for r in runs])} | "
                         f"{median_of(runs, 'peak'):.0f} |")
    lines += ["", *summary(results, codes, options)]
    return "\n".join(lines)


def summary(results: list[dict], codes: list[str], options: argparse.Namespace) -> list[str]:
    lines = []
    cold = ok(results, kind="render", code=TODAY, set="photo", cache="cold", dpi=50)
    base = ok(results, kind="baseline", set="photo", threads=1)
    if cold and base:
        baseline = median_of(base, "seconds")
        wall, render = median_of(cold, "wall"), median_of(cold, "render")
        lines.append(f"- Cold whole render, photo set, 50 dpi: command {wall:.2f} s = {wall / baseline:.1f} x, "
                     f"in-process {render:.2f} s = {render / baseline:.1f} x the plain conversion on one thread "
                     f"({baseline:.2f} s).")
    for code in codes[1:]:
        for name in options.sets:
            today = median_of(ok(results, kind="print", code=TODAY, set=name, cache="cold"), "seconds")
            before = median_of(ok(results, kind="print", code=code, set=name, cache="cold"), "seconds")
            if today and before:
                lines.append(f"- Cold PDF/X-4 alone, {name}: {today:.2f} s today, {before:.2f} s at "
                             f"{code} ({today / before:.2f} x).")
            dpi = min(options.dpi)
            today = median_of(ok(results, kind="render", code=TODAY, set=name, cache="cold", dpi=dpi), "pdf")
            before = median_of(ok(results, kind="render", code=code, set=name, cache="cold", dpi=dpi), "pdf")
            if today and before:
                lines.append(f"- Cold PDF/X-4 in the render, {name}, {dpi:g} dpi: {today:.2f} s today, "
                             f"{before:.2f} s at {code} ({today / before:.2f} x).")
    # plakat's renders only: the floor holds all filtered pixels in memory at once, by design
    for code in codes:
        renders = [r for r in results if "error" not in r and r["kind"] in ("render", "huge", "print")
                   and r["code"] == code]
        if not renders:
            continue
        top = max(renders, key=lambda r: r["peak"])
        where = ", ".join(str(top[k]) if k != "dpi" else f"{top[k]:g} dpi"
                          for k in ("code", "set", "cache", "dpi") if k in top)
        if top["kind"] == "huge":
            where = f"100 Mpx portrait, {where}"
        verdict = "within" if top["peak"] <= RSS_BOUND_MIB else "OVER"
        lines.append(f"- Peak RSS over all renders of {code}: {top['peak']:.0f} MiB ({where}), {verdict} "
                     f"{RSS_BOUND_MIB} MiB.")
    warm = [(median_of(ok(results, kind="print", code=TODAY, set=name, cache="warm"), "seconds"), name)
            for name in options.sets]
    warm = [w for w in warm if w[0] is not None]
    if warm:
        slowest, name = max(warm)
        verdict = "within" if slowest <= WARM_PDF_BOUND_S else "OVER"
        lines.append(f"- Warm PDF/X-4 alone, slowest median: {slowest:.2f} s ({name}), {verdict} "
                     f"{WARM_PDF_BOUND_S:g} s.")
    return lines


if __name__ == "__main__":
    main()
