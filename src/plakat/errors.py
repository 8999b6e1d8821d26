"""The one exception tree of plakat.

Every failure a user can cause or fix is a :class:`PlakatError`; the CLI turns these into messages
and exit codes. Anything else escaping is a bug in plakat.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a layout: where (a path of keys into the layout file) and what."""

    loc: Loc
    message: str
    key_position: bool = False  # point at the key itself (unknown keys) rather than its value


def format_loc(loc: Loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


class PlakatError(Exception):
    """Base of every error a user can act on."""

    exit_code = 2


class LayoutInvalid(PlakatError):
    """A layout file that cannot become a poster; carries every problem found, each with a place."""

    def __init__(self, path: Path, problems: list[Problem], locate=None):
        # locate(loc, key_position) gives (line, col) in ``path``, or (file, line, col) for a layout
        # made of several files (extends:)
        self.path = path
        self.problems = problems
        self.locate = locate
        super().__init__(self.render())

    def lines(self) -> list[str]:
        out = []
        for problem in self.problems:
            found = tuple(self.locate(problem.loc, problem.key_position)) if self.locate else (None, None)
            path, line, col = found if len(found) == 3 else (self.path, *found)
            where = f"{path}:{line}:{col}" if line else f"{path}"
            field = format_loc(problem.loc)
            out.append(f"{where} {field}: {problem.message}" if field else f"{where}: {problem.message}")
        return out

    def render(self) -> str:
        return "\n".join(self.lines())


class AssetError(PlakatError):
    """An image or font that the layout names cannot be used."""


class OutputError(PlakatError):
    """The output could not be written (folder missing or read-only, disk full ...)."""


class PreflightFailed(PlakatError):
    """Preflight found errors and the user did not ask to write anyway."""

    exit_code = 1
