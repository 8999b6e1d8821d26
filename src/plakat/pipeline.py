"""The whole path from layout file to files on disk.

In: a layout path and output options. Out: :class:`RenderResult` listing the files written and the
preflight findings; or a :class:`~plakat.errors.PlakatError`. Stages run one way:
load and validate -> probe assets -> build the scene -> preflight -> draw PDF -> rasterise PNG ->
move both into place together.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .assets import Assets, probe_assets
from .errors import PreflightFailed
from .layout import LayoutProblems, build_scene
from .output import AtomicOutputs
from .preflight import Finding, check_files, check_scene, has_errors, sort_findings
from .render.pdf import write_pdf
from .render.png import DEFAULT_COMPRESS_LEVEL, write_png
from .render.proof import write_proof
from .scene import Scene
from .spec import LoadedLayout, load_layout


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    kind: str
    bytes: int
    pixels: tuple[int, int] | None
    seconds: float


@dataclass(frozen=True)
class RenderResult:
    layout: LoadedLayout
    scene: Scene
    findings: list[Finding]
    files: list[WrittenFile]


@dataclass(frozen=True)
class Built:
    layout: LoadedLayout
    assets: Assets
    scene: Scene


def build(path: Path) -> Built:
    """Layout file to scene; LayoutInvalid (with file, line and column) for anything wrong."""
    loaded = load_layout(path)
    assets = probe_assets(loaded)
    try:
        return Built(loaded, assets, build_scene(loaded.spec, assets))
    except LayoutProblems as problems:
        raise loaded.invalid(problems.problems) from None


def _preflight_with_pdf(built: Built, pdf: Path) -> tuple[list[Finding], bool]:
    """Scene checks, then draw ``pdf`` and check it too; the flag says whether a PDF was drawn
    (not from a broken image: the image-unreadable finding already says why)."""
    findings = check_scene(built.scene, built.assets.fonts)
    if any(f.code == "image-unreadable" for f in findings):
        return findings, False
    write_pdf(built.scene, pdf)
    return sort_findings(findings + check_files(built.scene, pdf, None, None)), True


def check(path: Path) -> tuple[Built, list[Finding]]:
    """Every preflight check, the written PDF's included (drawn into a scratch folder)."""
    built = build(path)
    with tempfile.TemporaryDirectory(prefix="plakat-check-") as scratch:
        return built, _preflight_with_pdf(built, Path(scratch) / "check.pdf")[0]


def proof(path: Path, out_dir: Path, width_px: int = 2400) -> tuple[Path, list[Finding]]:
    """Preflight, then draw OUT/<stem>.proof.png: the page with its lines, frames and findings."""
    built = build(path)
    target = out_dir / f"{Path(path).stem}.proof.png"
    with AtomicOutputs() as outputs:
        pdf = outputs.temporary_for(out_dir / f"{Path(path).stem}.pdf", keep=False)
        findings, drawn = _preflight_with_pdf(built, pdf)
        if not drawn:
            raise PreflightFailed(findings)
        write_proof(built.scene, pdf, findings, outputs.temporary_for(target), width_px)
        outputs.commit()
    return target, findings


def render(path: Path, out_dir: Path, *, png_dpi: float | None = None, force: bool = False,
           compress_level: int = DEFAULT_COMPRESS_LEVEL,
           progress: Callable[[str, int, int], None] | None = None) -> RenderResult:
    built = build(path)
    loaded, scene = built.layout, built.scene
    findings = check_scene(scene, built.assets.fonts)
    if has_errors(findings) and not force:
        raise PreflightFailed(findings)
    output = loaded.spec.output
    dpi = png_dpi or scene.png_dpi
    stem = Path(path).stem
    pdf_final, png_final = out_dir / f"{stem}.pdf", out_dir / f"{stem}.png"
    written: list[tuple[Path, str, tuple[int, int] | None, float]] = []
    with AtomicOutputs() as outputs:
        pdf_temp = outputs.temporary_for(pdf_final, keep=output.pdf)
        started = time.perf_counter()
        if progress:
            progress("pdf", 0, 1)
        write_pdf(scene, pdf_temp)
        if progress:
            progress("pdf", 1, 1)
        if output.pdf:
            written.append((pdf_final, "pdf", None, time.perf_counter() - started))
        png_temp = None
        if output.png:
            png_temp = outputs.temporary_for(png_final)
            started = time.perf_counter()
            pixels = write_png(pdf_temp, scene, png_temp, dpi, level=compress_level,
                               progress=(lambda done, total: progress("png", done, total)) if progress else None)
            written.append((png_final, "png", pixels, time.perf_counter() - started))
        file_findings = check_files(scene, pdf_temp, png_temp, dpi)
        findings = sort_findings(findings + file_findings)
        if has_errors(file_findings) and not force:
            raise PreflightFailed(findings)
        outputs.commit()
    files = [WrittenFile(final, kind, final.stat().st_size, pixels, seconds)
             for final, kind, pixels, seconds in written]
    return RenderResult(loaded, scene, findings, files)
