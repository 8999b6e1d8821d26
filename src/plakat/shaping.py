"""Shaping: text in a font (and its fallbacks) to positioned glyphs, with HarfBuzz.

In: a string, the key of its font, the layout's fonts (:class:`~plakat.assets.FontMetrics`, each a
static TrueType-outline file), the fallback chain, OpenType features and tracking. Out: a
:class:`Shaped` run: every glyph with its font, glyph id, the text it stands for, and its advance
and offsets in em, so one shaping serves every size (HarfBuzz shapes unhinted at the font's own
units, and widths scale linearly with the size).

Kerning and standard ligatures are on and discretionary ligatures off unless a style says
otherwise. A character the line's font lacks is taken from the first fallback font that has it;
a glyph is missing only when the shaped result holds ``.notdef`` (glyph 0).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import uharfbuzz as hb

from .assets import FontMetrics

DEFAULT_FEATURES: Mapping[str, bool | int] = {"kern": True, "liga": True, "clig": True, "calt": True, "dlig": False}

# Characters that never need a glyph of their own from a fallback font: line structure only.
_STRUCTURE = frozenset("\n\t\r")


@dataclass(frozen=True)
class ShapedGlyph:
    """One glyph of a shaped run. ``text`` is what the glyph stands for: one character, a
    ligature's characters, or "" for a glyph that continues the cluster before it. Lengths are in
    em of the size the run is set at; ``x`` is the glyph's origin from the run's start."""

    font: str
    gid: int
    text: str
    x: float
    advance: float
    y_offset: float = 0.0


@dataclass(frozen=True)
class Shaped:
    text: str
    glyphs: tuple[ShapedGlyph, ...]
    width: float  # em: the sum of the advances, tracking included

    def missing(self) -> list[str]:
        """Characters that came out as .notdef in every font of the chain."""
        return sorted({c for glyph in self.glyphs if glyph.gid == 0 for c in glyph.text if c not in _STRUCTURE})


@dataclass(frozen=True)
class ShapingStyle:
    """How a run is shaped: its font, the fallback chain, features and tracking (1/1000 em)."""

    font: str
    fallback: tuple[str, ...] = ()
    features: tuple[tuple[str, bool | int], ...] = ()
    tracking: float = 0.0

    def feature_map(self) -> dict[str, bool | int]:
        return {**DEFAULT_FEATURES, **dict(self.features)}


class Shaper:
    """Shapes text with a fixed set of fonts; results are kept per (text, style)."""

    def __init__(self, fonts: Mapping[str, FontMetrics]):
        self.fonts = fonts
        self._cached = functools.lru_cache(maxsize=65536)(self._shape)

    def shape(self, text: str, style: ShapingStyle) -> Shaped:
        return self._cached(text, style)

    def width(self, text: str, style: ShapingStyle) -> float:
        """Width of ``text`` in em."""
        return self.shape(text, style).width

    def font_for(self, char: str, style: ShapingStyle) -> str:
        """The first font of the chain that has ``char``; the line's own font when none has it, so
        the gap shows as its .notdef and is reported."""
        if char not in _STRUCTURE:
            for key in (style.font, *style.fallback):
                if self.fonts[key].has(char):
                    return key
        return style.font

    def _shape(self, text: str, style: ShapingStyle) -> Shaped:
        features = style.feature_map()
        glyphs: list[ShapedGlyph] = []
        pen = 0.0
        for start, end, key in self._runs(text, style):
            metrics = self.fonts[key]
            run = text[start:end]
            buffer = hb.Buffer()
            buffer.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
            buffer.add_str(run)
            buffer.guess_segment_properties()
            hb.shape(metrics.harfbuzz_font, buffer, features)
            per_em = 1 / metrics.units_per_em
            infos, positions = buffer.glyph_infos, buffer.glyph_positions
            # A cluster's text runs from its start to the next cluster's start, in either direction.
            starts = sorted({info.cluster for info in infos})
            ends = dict(zip(starts, [*starts[1:], len(run)], strict=True))
            previous = None
            for info, position in zip(infos, positions, strict=True):
                cluster = info.cluster
                own_text = run[cluster : ends[cluster]] if cluster != previous else ""
                previous = cluster
                glyphs.append(
                    ShapedGlyph(
                        key,
                        info.codepoint,
                        own_text,
                        pen + position.x_offset * per_em,
                        position.x_advance * per_em,
                        position.y_offset * per_em,
                    )
                )
                pen += position.x_advance * per_em
        if style.tracking and glyphs:
            glyphs, pen = _tracked(glyphs, style.tracking / 1000), pen + _gaps(glyphs) * style.tracking / 1000
        return Shaped(text, tuple(glyphs), pen)

    def _runs(self, text: str, style: ShapingStyle) -> list[tuple[int, int, str]]:
        """Stretches of ``text`` set in one font of the chain."""
        runs: list[tuple[int, int, str]] = []
        for index, char in enumerate(text):
            key = self.font_for(char, style)
            if runs and runs[-1][2] == key:
                runs[-1] = (runs[-1][0], index + 1, key)
            else:
                runs.append((index, index + 1, key))
        return runs


def _gaps(glyphs: list[ShapedGlyph]) -> int:
    """Places where tracking adds space: before every cluster but the first."""
    return sum(1 for glyph in glyphs[1:] if glyph.text)


def _tracked(glyphs: list[ShapedGlyph], extra: float) -> list[ShapedGlyph]:
    """Tracking adds ``extra`` em between clusters, not after the last one, so a tracked line keeps
    its alignment; a ligature or a base letter with its marks stays one unit."""
    result: list[ShapedGlyph] = []
    shift = 0.0
    for index, glyph in enumerate(glyphs):
        if glyph.text and index > 0:
            shift += extra
        result.append(ShapedGlyph(glyph.font, glyph.gid, glyph.text, glyph.x + shift, glyph.advance, glyph.y_offset))
    return result
