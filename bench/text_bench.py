"""Benchmark of plakat's text engine and font preparation against the plain alternatives.

Run from the repository root (after `pip install -e .`):

    python bench/text_bench.py                     # every group, 3 runs each (about 40 s)
    python bench/text_bench.py --runs 5 --skip fonts

Every measurement runs in a fresh subprocess; its time is taken inside it with time.perf_counter
around the work only (imports and set-up excluded), its peak resident memory is that
subprocess's own high-water mark (VmHWM), which includes the interpreter and the imports of what
it measures. Medians over --runs runs are printed as a markdown table.

1. layout: `plakat.pipeline.build` of the layout (spec, assets, scene: every line shaped, broken,
   fitted). Cold is the first call in the process (font metrics read, and the hyphenation
   patterns if a text needs them); warm is the same call again in the same process, the median of WARM_REPEATS.
2. shaping: the same strings three ways, each in its own process: plakat's `Shaper.shape`
   (HarfBuzz, kerning and ligatures, a fresh Shaper for every pass so its cache never answers),
   reportlab's `shapeStr` (HarfBuzz too, fonts registered with `registerFont(TTFont(...))`) and
   reportlab's `stringWidth` (plain advance widths, nothing shaped). The strings are every distinct
   (text, style) pair the layout's fitting shapes while it builds: each candidate line of each
   size tried, captured once, untimed, from a build of the layout. One untimed pass warms the
   fonts; the time is the median of SHAPING_PASSES passes over all strings.
3. pdf: a scene of only the layout's text lines and its background, written with plakat's
   `write_pdf(..., options=SCREEN)` and drawn with reportlab's own TrueType route (`setFont` and
   `drawString` at each line's position, size and colour, brand tracking as `charSpace`, fonts
   registered from the same files), once with the plain strings (no kerning, as reportlab draws
   them) and once with strings shaped by `shapeStr` (kerned, like plakat's). Cold is the first
   file in the process (font files read: reportlab's `registerFont` is timed), warm the median of
   WARM_REPEATS more.
4. fonts: `plakat.fonts.prepare_font` on each kind of font, in a process of its own with an empty
   PLAKAT_CACHE_DIR (cold: converted) and again in a new process with the filled one (warm: found
   by content). The fonts come from tests/fontmaker.py (untimed): the whole Noto Sans Regular as
   OpenType/CFF; the variable TrueType and CFF2 fonts at wght 700 and the collection's second
   font, all three cut down to Latin-1 (392 glyphs); the bundled static Noto Sans Regular
   TrueType, which needs no conversion, as the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine import describe as describe_machine  # bench/machine.py, beside this script
from machine import own_peak_mib, run_measured

ROOT = Path(__file__).resolve().parent.parent
GROUPS = ("layout", "shaping", "pdf", "fonts")
WARM_REPEATS = 5
SHAPING_PASSES = 50
SHAPING_SIZE = 100.0  # points; the cost of shaping does not depend on it


# ---------------------------------------------------------------- children (one measurement each)


def child_strings(args: dict) -> dict:
    """Not timed: every (text, style) the build shapes, how often it asks, and the font files."""
    from plakat import shaping
    from plakat.pipeline import build

    calls: list[tuple] = []
    original = shaping.Shaper.shape

    def recording(self, text, style):
        calls.append((text, style))
        return original(self, text, style)

    shaping.Shaper.shape = recording
    built = build(Path(args["layout"]))
    shaping.Shaper.shape = original
    distinct = list(dict.fromkeys(calls))
    strings = [
        {
            "text": text,
            "font": style.font,
            "fallback": list(style.fallback),
            "features": [list(f) for f in style.features],
            "tracking": style.tracking,
        }
        for text, style in distinct
    ]
    fonts = {key: str(metrics.path) for key, metrics in built.assets.fonts.items()}
    with open(args["out"], "w", encoding="utf-8") as file:
        json.dump({"strings": strings, "fonts": fonts}, file, ensure_ascii=False)
    # how far plain advance widths are from the shaped ones (kerning, ligatures), untracked strings
    shaper = shaping.Shaper(built.assets.fonts)
    differences = [
        abs(built.assets.fonts[style.font].advance_width(text, 1.0) / shaper.width(text, style) - 1)
        for text, style in distinct
        if not style.tracking and text.strip()
    ]
    return {
        "calls": len(calls),
        "distinct": len(distinct),
        "characters": sum(len(t) for t, _ in distinct),
        "width_difference": max(differences, default=0.0),
    }


def child_make_fonts(args: dict) -> dict:
    """Not timed: the test fonts, written into ``folder``."""
    sys.path.insert(0, str(ROOT / "tests"))
    import fontmaker

    folder = Path(args["folder"])
    made = {
        "cff_full": fontmaker.make_cff_otf(folder, full=True),
        "variable_ttf": fontmaker.make_variable_ttf(folder),
        "variable_cff2": fontmaker.make_variable_cff2(folder),
        "collection": fontmaker.make_collection(folder),
    }
    return {name: str(path) for name, path in made.items()}


def child_layout(args: dict) -> dict:
    from plakat.pipeline import build

    layout = Path(args["layout"])
    started = time.perf_counter()
    build(layout)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(WARM_REPEATS):
        started = time.perf_counter()
        build(layout)
        warm.append(time.perf_counter() - started)
    return {"cold": cold, "warm": statistics.median(warm)}


def _load_strings(path: str) -> dict:
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def _passes(work) -> float:
    """One untimed pass, then the median of SHAPING_PASSES timed ones."""
    work()
    times = []
    for _ in range(SHAPING_PASSES):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def child_shape_plakat(args: dict) -> dict:
    from plakat.assets import load_font_metrics
    from plakat.shaping import Shaper, ShapingStyle

    data = _load_strings(args["strings"])
    fonts = {key: load_font_metrics(Path(path)) for key, path in data["fonts"].items()}
    for metrics in fonts.values():
        metrics.harfbuzz_font  # noqa: B018 (made once, as in a build)
    items = [
        (
            s["text"],
            ShapingStyle(s["font"], tuple(s["fallback"]), tuple(tuple(f) for f in s["features"]), s["tracking"]),
        )
        for s in data["strings"]
    ]

    def work() -> None:
        shaper = Shaper(fonts)  # a fresh cache every pass
        for text, style in items:
            shaper.shape(text, style)

    return {"seconds": _passes(work), "strings": len(items)}


def _register_reportlab(fonts: dict[str, str]) -> dict[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = {}
    for key, path in fonts.items():
        names[key] = f"bench-{key}"
        pdfmetrics.registerFont(TTFont(names[key], path))
    return names


def child_shape_reportlab(args: dict) -> dict:
    from reportlab.pdfbase.ttfonts import shapeStr

    data = _load_strings(args["strings"])
    names = _register_reportlab(data["fonts"])
    items = [(s["text"], names[s["font"]]) for s in data["strings"]]

    def work() -> None:
        for text, name in items:
            shapeStr(text, name, SHAPING_SIZE)

    return {"seconds": _passes(work), "strings": len(items)}


def child_width_reportlab(args: dict) -> dict:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    data = _load_strings(args["strings"])
    names = _register_reportlab(data["fonts"])
    items = [(s["text"], names[s["font"]]) for s in data["strings"]]

    def work() -> None:
        for text, name in items:
            stringWidth(text, name, SHAPING_SIZE)

    return {"seconds": _passes(work), "strings": len(items)}


def _text_scene(layout: Path):
    """The built scene with only its text lines and the background, and what draws its colours."""
    from dataclasses import replace

    from plakat.delivery import SCREEN
    from plakat.pipeline import build
    from plakat.scene import Fill, TextLine

    built = build(layout)
    kept = tuple(
        item
        for item in built.scene.items
        if isinstance(item, TextLine) or (isinstance(item, Fill) and item.element == "background")
    )
    return built, replace(built.scene, items=kept), built.colours(SCREEN)


def child_pdf_plakat(args: dict) -> dict:
    from plakat.delivery import SCREEN
    from plakat.render.pdf import write_pdf

    _, scene, colours = _text_scene(Path(args["layout"]))
    out = Path(args["out"])
    times = []
    for number in range(1 + WARM_REPEATS):
        target = out / f"plakat{number}.pdf"
        started = time.perf_counter()
        write_pdf(scene, target, colours, options=SCREEN)
        times.append(time.perf_counter() - started)
    return {"cold": times[0], "warm": statistics.median(times[1:]), "bytes": target.stat().st_size}


def child_pdf_reportlab(args: dict) -> dict:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont, shapeStr
    from reportlab.pdfgen.canvas import Canvas

    from plakat.render.pdf import PageGeometry
    from plakat.scene import Fill, TextLine
    from plakat.units import EMU_PER_PT

    built, scene, colours = _text_scene(Path(args["layout"]))
    geometry = PageGeometry(scene)
    blocks = built.layout.spec.text_blocks
    tracking = {line.element: getattr(blocks.get(line.element), "tracking", 0) for line in scene.of_type(TextLine)}
    shaped = args["shaped"]
    out = Path(args["out"])

    def draw(target: Path, register: bool) -> None:
        if register:
            for key, path in scene.fonts.items():
                pdfmetrics.registerFont(TTFont(f"bench-{key}", str(path)))
        canvas = Canvas(str(target), pagesize=(geometry.width, geometry.height), invariant=1, pageCompression=1)
        canvas.setBleedBox(geometry.bleed_box)
        canvas.setTrimBox(geometry.trim_box)
        for item in scene.items:
            canvas.setFillColorRGB(*colours.screen_rgb(item.color))
            if isinstance(item, Fill):
                canvas.rect(*geometry.rect(item.rect), stroke=0, fill=1)
                continue
            name, size = f"bench-{item.font}", geometry.length(item.size * EMU_PER_PT)
            canvas.setFont(name, size)
            text = shapeStr(item.text, name, size) if shaped else item.text
            space = tracking[item.element] / 1000 * size
            canvas.drawString(geometry.x(item.x), geometry.y(item.baseline), text, charSpace=space)
        canvas.showPage()
        canvas.save()

    times = []
    for number in range(1 + WARM_REPEATS):
        target = out / f"reportlab{int(shaped)}-{number}.pdf"
        started = time.perf_counter()
        draw(target, register=number == 0)
        times.append(time.perf_counter() - started)
    return {"cold": times[0], "warm": statistics.median(times[1:]), "bytes": target.stat().st_size}


def child_font(args: dict) -> dict:
    """PLAKAT_CACHE_DIR is set by the parent: an empty folder (cold) or the one filled before."""
    from plakat.fonts import FontRequest, prepare_font

    request = FontRequest(Path(args["path"]), tuple((tag, float(v)) for tag, v in args["axes"]), args["index"])
    cache = Path(os.environ["PLAKAT_CACHE_DIR"]) / "fonts"
    before = len(list(cache.glob("*.ttf")))
    started = time.perf_counter()
    prepared = prepare_font(request)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "converted": prepared.converted,
        "cached_before": before,
        "result_bytes": prepared.path.stat().st_size,
    }


CHILDREN = {
    "strings": child_strings,
    "make_fonts": child_make_fonts,
    "layout": child_layout,
    "shape_plakat": child_shape_plakat,
    "shape_reportlab": child_shape_reportlab,
    "width_reportlab": child_width_reportlab,
    "pdf_plakat": child_pdf_plakat,
    "pdf_reportlab": child_pdf_reportlab,
    "font": child_font,
}


# ---------------------------------------------------------------- parent


def run_child_measured(mode: str, args: dict, env: dict | None = None) -> dict:
    """One fresh subprocess: its result and its peak RSS in MiB."""
    return run_measured(__file__, mode, args, {**os.environ, **(env or {})}, ROOT)


def needed(mode: str, args: dict, env: dict | None = None) -> dict:
    result = run_child_measured(mode, args, env)
    if "error" in result:
        sys.exit(f"{mode} failed: {result['error']}")
    return result


def machine() -> str:
    import fontTools
    import pikepdf
    import reportlab
    import uharfbuzz

    return (
        f"{describe_machine()}; uharfbuzz {uharfbuzz.__version__} (HarfBuzz {uharfbuzz.version_string()}), "
        f"reportlab {reportlab.Version}, "
        f"fontTools {fontTools.version}, pikepdf {pikepdf.__version__}"
    )


FONT_CASES = (
    # key, label, file (made or bundled), axes, index
    ("cff_full", "OpenType/CFF, whole Noto Sans (3317 glyphs)", "cff_full", [], None),
    ("variable_ttf", "variable TrueType at wght 700", "variable_ttf", [["wght", 700]], None),
    ("variable_cff2", "variable CFF2 at wght 700", "variable_cff2", [["wght", 700]], None),
    ("collection", "collection (.ttc), font 1", "collection", [], 1),
    ("static", "baseline: static TrueType, Noto Sans Regular", "static", [], None),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (median reported)")
    parser.add_argument("--layout", type=Path, default=ROOT / "layouts" / "stadtbibliothek.yaml")
    parser.add_argument("--skip", nargs="*", default=[], choices=GROUPS, help="groups to leave out")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        mode, args = options.child
        print(json.dumps({**CHILDREN[mode](json.loads(args)), "hwm": own_peak_mib()}))
        return

    layout = str(options.layout.resolve())
    groups = [g for g in GROUPS if g not in options.skip]
    runs = options.runs
    rows: list[tuple[str, str, list[dict], str, str | None]] = []  # group, label, results, key, compare-to

    def progress(what: str, run: int) -> None:
        print(f"{what}, run {run + 1} of {runs}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="plakat-text-bench-") as scratch:
        scratch = Path(scratch)
        facts: dict = {}
        if "layout" in groups:
            results = []
            for run in range(runs):
                progress("layout", run)
                results.append(run_child_measured("layout", {"layout": layout}))
            rows.append(("layout", "build(), first call in the process (cold)", results, "cold", None))
            rows.append(
                ("layout", f"build() again, same process (warm, median of {WARM_REPEATS})", results, "warm", None)
            )
        if "shaping" in groups or "pdf" in groups:
            strings = scratch / "strings.json"
            facts["strings"] = needed("strings", {"layout": layout, "out": str(strings)})
        if "shaping" in groups:
            labels = {
                "shape_plakat": "plakat Shaper.shape (HarfBuzz; fresh Shaper per pass)",
                "shape_reportlab": "reportlab shapeStr (HarfBuzz)",
                "width_reportlab": "reportlab stringWidth (unshaped advances)",
            }
            results = {mode: [] for mode in labels}
            for run in range(runs):
                for mode in labels:
                    progress(mode, run)
                    results[mode].append(run_child_measured(mode, {"strings": str(strings)}))
            for mode, label in labels.items():
                compare = None if mode == "shape_plakat" else "shaping:plakat"
                rows.append(("shaping", label, results[mode], "seconds", compare))
        if "pdf" in groups:
            cases = {
                "plakat": ("pdf_plakat", {}, "plakat write_pdf, SCREEN"),
                "reportlab": ("pdf_reportlab", {"shaped": False}, "reportlab drawString, plain strings"),
                "reportlab_shaped": ("pdf_reportlab", {"shaped": True}, "reportlab drawString, shapeStr strings"),
            }
            results = {case: [] for case in cases}
            for run in range(runs):
                for case, (mode, extra, _) in cases.items():
                    progress(f"pdf {case}", run)
                    out = scratch / f"pdf-{case}-{run}"
                    out.mkdir()
                    results[case].append(run_child_measured(mode, {"layout": layout, "out": str(out), **extra}))
            for key, when in (("cold", "cold, fonts read"), ("warm", f"warm, median of {WARM_REPEATS}")):
                for case, (_, _, label) in cases.items():
                    compare = None if case == "plakat" else f"pdf:plakat:{key}"
                    rows.append(("pdf", f"{label} ({when})", results[case], key, compare))
        if "fonts" in groups:
            made = needed("make_fonts", {"folder": str(scratch / "testfonts")})
            made["static"] = str(ROOT / "assets" / "fonts" / "NotoSans-Regular.ttf")
            results = {(case[0], when): [] for case in FONT_CASES for when in ("cold", "warm")}
            for run in range(runs):
                for key, _, file, axes, index in FONT_CASES:
                    cache = scratch / f"cache-{key}-{run}"
                    cache.mkdir()
                    args = {"path": made[file], "axes": axes, "index": index}
                    for when in ("cold", "warm"):
                        progress(f"font {key} {when}", run)
                        result = run_child_measured("font", args, {"PLAKAT_CACHE_DIR": str(cache)})
                        results[(key, when)].append(result)
            for key, label, *_ in FONT_CASES:
                whens = ("cold",) if key == "static" else ("cold", "warm")
                for when in whens:
                    text = "no conversion" if key == "static" else f"{when} cache"
                    compare = "fonts:static" if key != "static" else None
                    rows.append(("fonts", f"{label}: {text}", results[(key, when)], "seconds", compare))
    print(report(rows, facts, runs))


def _ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def report(rows, facts, runs) -> str:
    medians: dict[str, float] = {}
    for group, label, results, key, _ in rows:
        ok = [r[key] for r in results if "error" not in r]
        if not ok:
            continue
        if group == "shaping" and label.startswith("plakat"):
            medians["shaping:plakat"] = statistics.median(ok)
        elif group == "pdf" and label.startswith("plakat"):
            medians[f"pdf:plakat:{key}"] = statistics.median(ok)
        elif group == "fonts" and label.startswith("baseline"):
            medians["fonts:static"] = statistics.median(ok)
    lines = [
        f"Machine: {machine()}.",
        f"Medians of {runs} runs (min-max), each run in a fresh process; peak RSS is that process's.",
    ]
    if "strings" in facts:
        s = facts["strings"]
        lines.append(
            f"Shaping strings: the {s['distinct']} distinct (text, style) pairs the layout's fitting shapes "
            f"({s['characters']} characters; {s['calls']} shape calls in one build, the rest answered by the cache); "
            f"plain advance widths differ from the shaped ones by up to {s['width_difference']:.1%}."
        )
    lines += [
        "",
        "| group | what | time ms | peak RSS MiB | notes | plakat / this |",
        "|---|---|---|---:|---|---:|",
    ]
    for group, label, results, key, compare in rows:
        ok = [r for r in results if "error" not in r]
        if not ok:
            failed = results[0].get("error", "no result") if results else "no result"
            lines.append(f"| {group} | {label} | failed: {failed} | | | |")
            continue
        values = [r[key] for r in ok]
        median = statistics.median(values)
        peak = statistics.median(r["peak"] for r in ok)
        notes = []
        if "strings" in ok[0]:
            notes.append(f"{median / ok[0]['strings'] * 1e6:.1f} µs per string")
        if "bytes" in ok[0]:
            notes.append(f"{ok[0]['bytes'] / 1024:.0f} KiB file")
        if "converted" in ok[0]:
            size = f"{ok[0]['result_bytes'] / 1024:.0f} KiB"
            if not ok[0]["converted"]:
                notes.append("the file itself, nothing written")
            elif all(r["cached_before"] for r in ok):
                notes.append(f"{size} TrueType found by content")
            else:
                notes.append(f"{size} TrueType written")
        ratio = ""
        if compare and compare in medians:
            if group == "fonts":  # the baseline is a floor, not an alternative
                notes.append(f"{median / medians[compare]:.1f} x the baseline")
            else:
                ratio = f"{medians[compare] / median:.2f}"
        lines.append(
            f"| {group} | {label} | {_ms(median)} ({_ms(min(values))}-{_ms(max(values))}) | {peak:.0f} | "
            f"{'; '.join(notes)} | {ratio} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
