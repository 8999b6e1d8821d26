"""Preflight findings and the registry of their codes.

In: a code from :data:`CODES` and what was found. Out: :class:`Finding`, with the severity the
registry gives that code. Preflight makes findings; the CLI, the proof image and the JSON report
show them. The README's table of codes is checked against :data:`CODES`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[Severity, int] = {"error": 0, "warning": 1, "info": 2}

# code -> severity; stable: scripts and CI rules match on these names
CODES: dict[str, Severity] = {
    "resolution-too-low": "error",
    "resolution-below-recommended": "warning",
    "image-upscaled": "info",
    "image-oversized": "info",
    "bleed-too-small": "error",
    "bleed-missing": "error",
    "text-outside-trim": "error",
    "text-outside-safe": "warning",
    "focus-outside-safe": "warning",
    "element-outside-safe": "warning",
    "element-too-small": "warning",
    "qr-module-too-small": "warning",
    "seam-through-text": "warning",
    "seam-through-face": "warning",
    "text-overflow": "error",
    "text-too-small": "warning",
    "glyph-missing": "error",
    "font-not-embeddable": "error",
    "image-unreadable": "error",
    "image-colour-mode": "info",
    "image-orientation": "info",
    "pdf-boxes": "error",
    "font-not-embedded": "error",
    "png-size": "error",
    "png-dpi": "error",
    "jpeg-size": "error",
    "jpeg-colour": "error",
    "ink-limit": "error",
    "pdfx-version": "error",
    "pdfx-output-intent": "error",
    "pdfx-metadata": "error",
    "pdfx-colour": "error",
    "pdfx-forbidden": "error",
}


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    element: str
    measured: float | None = None
    required: float | None = None
    position_mm: tuple[float, float] | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        if self.position_mm is not None:
            data["position_mm"] = {"x": self.position_mm[0], "y": self.position_mm[1]}
        return data


def finding(
    code: str,
    message: str,
    element: str,
    measured: float | None = None,
    required: float | None = None,
    position_mm: tuple[float, float] | None = None,
) -> Finding:
    """A finding with its code's registered severity; KeyError for a code not in :data:`CODES`."""
    return Finding(CODES[code], code, message, element, measured, required, position_mm)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])


def has_errors(findings: list[Finding], strict: bool = False) -> bool:
    return any(f.severity == "error" or (strict and f.severity == "warning") for f in findings)
