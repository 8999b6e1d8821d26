"""Preflight: checks over the scene and over the written files, returning findings.

- :mod:`.scene`: resolution, bleed, safe zone, sheet seams, text and fonts, images; before drawing.
- :mod:`.files`: the written PDF (boxes, fonts, PDF/X-4, ink), PNG (size, dpi) and JPEG (size,
  profile), read back with readers of their own and compared with what the layout asks for.

Codes, severities and the :class:`~plakat.findings.Finding` type live in :mod:`plakat.findings`.
Preflight never imports a renderer, and no renderer imports preflight. The CLI decides what
findings cost.
"""

from ..findings import Finding, has_errors, sort_findings
from .files import (
    ExpectedPage,
    FileChecks,
    check_files,
    check_ink,
    check_jpeg,
    check_pdf,
    check_pdfx,
    check_png,
    measure_ink,
    read_jpeg_header,
    read_png_header,
)
from .scene import check_bleed, check_images, check_resolution, check_safe_zone, check_scene, check_seams, check_text

__all__ = [
    "ExpectedPage",
    "FileChecks",
    "Finding",
    "check_bleed",
    "check_files",
    "check_images",
    "check_ink",
    "check_jpeg",
    "check_pdf",
    "check_pdfx",
    "check_png",
    "check_resolution",
    "check_safe_zone",
    "check_scene",
    "check_seams",
    "check_text",
    "has_errors",
    "measure_ink",
    "read_jpeg_header",
    "read_png_header",
    "sort_findings",
]
