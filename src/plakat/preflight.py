"""Preflight: pure checks over a scene, returning findings. The CLI decides what they cost.

In: a :class:`~plakat.scene.Scene` (and the layout's page settings through it). Out: a list of
:class:`Finding`, each with a severity, a stable code, a message and the element it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .formats import find_preset
from .scene import PlacedImage, Scene
from .units import EMU_PER_MM

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    element: str
    measured: float | None = None
    required: float | None = None
    position_mm: tuple[float, float] | None = field(default=None)


def check_scene(scene: Scene) -> list[Finding]:
    return [*check_resolution(scene), *check_bleed(scene)]


def check_resolution(scene: Scene) -> list[Finding]:
    """Effective ppi of every placed image along both axes against the format's thresholds."""
    findings = []
    for item in scene.of_type(PlacedImage):
        ppi = min(item.ppi)
        position = (item.rect.x / EMU_PER_MM, item.rect.y / EMU_PER_MM)
        if ppi < scene.min_ppi:
            findings.append(Finding("error", "resolution-too-low",
                                    f"{item.element}: {item.image.path.name} shows {ppi:.0f} ppi, below the "
                                    f"minimum {scene.min_ppi:g} ppi: use a larger image or a smaller cell",
                                    item.element, round(ppi, 1), scene.min_ppi, position))
        elif ppi < scene.recommended_ppi:
            findings.append(Finding("warning", "resolution-below-recommended",
                                    f"{item.element}: {item.image.path.name} shows {ppi:.0f} ppi, below the "
                                    f"recommended {scene.recommended_ppi:g} ppi",
                                    item.element, round(ppi, 1), scene.recommended_ppi, position))
    return findings


def check_bleed(scene: Scene) -> list[Finding]:
    if scene.format_name is None:
        return []
    required = find_preset(scene.format_name).bleed
    if scene.bleed < required:
        return [Finding("error", "bleed-too-small",
                        f"bleed is {scene.bleed / EMU_PER_MM:g} mm; {scene.format_name} needs at least "
                        f"{required / EMU_PER_MM:g} mm", "page",
                        scene.bleed / EMU_PER_MM, required / EMU_PER_MM)]
    return []


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
