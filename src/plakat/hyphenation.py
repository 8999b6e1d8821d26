"""Hyphenation: where a word of running text may be broken across two lines.

In: a language code (``"de"``) and a whitespace-free token as it appears in text, punctuation and
all (``„Hoffnung,“``, ``(Hebamme)``, ``Duisburg-Nord``). Out: the token's break points as
:class:`Break` objects whose indices refer to the token as given: ``token[:index]`` may end a line,
with a hyphen added when ``hyphen`` is true, and ``token[index:]`` start the next.

Breaks inside words come from Liang's algorithm over TeX hyphenation patterns (German: the
reformed-spelling patterns hyph-de-1996, see ``data/README.md``), case-insensitively, with at
least 2 letters before and 3 after each break. Only runs of letters are hyphenated: punctuation
around or inside a token takes no part, and a token without letters has no breaks. A hyphen or
slash already in the token is a break of its own (no hyphen added), and the parts it joins are
hyphenated each on their own. A token with soft hyphens (U+00AD) is hyphenated at those alone;
they stay in the token, for whoever draws it to leave out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
# language -> pattern file, exception file (None: the patterns come without one)
LANGUAGES: dict[str, tuple[str, str | None]] = {
    "de": ("hyph-de-1996.pat.txt", None),
}
# A break leaves at least this many letters of a word on the line and carries at least RIGHT_MIN
# over: a line ending in a lone letter, or a next line starting with two ("Stra-ße"), reads badly
# at poster size, and the patterns' own minimum is 2/2.
LEFT_MIN = 2
RIGHT_MIN = 3
SOFT_HYPHEN = "\u00ad"
# Hyphen-minus, hyphen, en dash (Berlin–Hamburg) and slash: the line may end after them as they
# stand. The non-breaking hyphen U+2011 is left out on purpose.
EXPLICIT_BREAKS = frozenset("-\u2010\u2013/")
# Distinct words remembered per language: enough for any layout's text, bounded for a long-lived process
WORD_CACHE_SIZE = 1 << 16


@dataclass(frozen=True)
class Break:
    """``word[:index]`` may end a line and ``word[index:]`` start the next. ``hyphen``: a hyphen
    must be added at the line end; false where the break follows a hyphen or slash in the word."""

    index: int
    hyphen: bool


# pattern letters -> (offset, value) of its nonzero digits; () for a mere prefix of a pattern,
# so that a lookup can stop at the first substring that leads to no pattern at all
_Table = dict[str, tuple[tuple[int, int], ...]]


def _parse_patterns(lines: Iterable[str]) -> tuple[_Table, int]:
    table: _Table = {}
    for line in lines:
        pattern = line.strip()
        if not pattern or pattern.startswith("%"):
            continue
        letters: list[str] = []
        values: list[tuple[int, int]] = []
        for char in pattern:
            if char.isdigit():
                values.append((len(letters), int(char)))
            else:
                letters.append(char)
        table["".join(letters)] = tuple(v for v in values if v[1])
    longest = max(map(len, table), default=0)
    for key in list(table):
        for end in range(1, len(key)):
            table.setdefault(key[:end], ())
    return table, longest


def _parse_exceptions(lines: Iterable[str]) -> dict[str, frozenset[int]]:
    exceptions: dict[str, frozenset[int]] = {}
    for line in lines:
        word = line.strip()
        if not word or word.startswith("%"):
            continue
        parts = word.lower().split("-")
        positions, count = [], 0
        for part in parts[:-1]:
            count += len(part)
            positions.append(count)
        exceptions["".join(parts)] = frozenset(positions)
    return exceptions


def _letter_runs(token: str) -> list[tuple[list[int], str]]:
    """Each run of letters in ``token``: the token index at which each letter starts, and the run
    lowercased, one character per letter, as the patterns spell it."""
    if token.isalpha():
        lower = token.lower()
        if len(lower) == len(token):
            return [(list(range(len(token))), lower)]
    runs: list[tuple[list[int], str]] = []
    starts: list[int] = []
    letters: list[str] = []
    for index, char in enumerate(token):
        if char.isalpha():
            starts.append(index)
            letters.append(char)
        elif letters and unicodedata.combining(char):
            # decomposed text (u + U+0308): the mark belongs to its letter
            letters[-1] += char
        elif starts:
            runs.append((starts, _pattern_spelling(letters)))
            starts, letters = [], []
    if starts:
        runs.append((starts, _pattern_spelling(letters)))
    return runs


def _pattern_spelling(letters: list[str]) -> str:
    spelled = []
    for letter in letters:
        if len(letter) > 1:
            composed = unicodedata.normalize("NFC", letter)
            letter = composed if len(composed) == 1 else letter[0]
        lower = letter.lower()
        # a lowercase of two characters (İ -> i̇) would shift every index after it
        spelled.append(lower if len(lower) == 1 else letter)
    return "".join(spelled)


class Hyphenator:
    """Break points of words by Liang's algorithm over TeX ``patterns`` (lines such as
    ``.ab5er4r``) and ``exceptions`` (whole words such as ``Heb-am-me``, which override the
    patterns); ``left``/``right``: the fewest letters before and after a hyphenated break."""

    def __init__(
        self,
        patterns: Iterable[str],
        exceptions: Iterable[str] = (),
        left: int = LEFT_MIN,
        right: int = RIGHT_MIN,
    ) -> None:
        self._table, self._longest = _parse_patterns(patterns)
        self._exceptions = _parse_exceptions(exceptions)
        self._left = left
        self._right = right
        self._cached = lru_cache(maxsize=WORD_CACHE_SIZE)(self._breaks)

    def breaks(self, word: str) -> tuple[Break, ...]:
        """Where ``word`` (a whitespace-free token, punctuation included) may be broken, in order."""
        return self._cached(word)

    def _positions(self, letters: str) -> list[int]:
        """Hyphenation points of a lowercase run of letters: ``letters[:p]`` | ``letters[p:]``,
        the left and right minimum already applied."""
        last = len(letters) - self._right
        if last < self._left:
            return []
        exception = self._exceptions.get(letters)
        if exception is not None:
            return sorted(p for p in exception if self._left <= p <= last)
        word = f".{letters}."
        size = len(word)
        points = [0] * (size + 1)
        table, longest = self._table, self._longest
        for start in range(size):
            for end in range(start + 1, min(size, start + longest) + 1):
                values = table.get(word[start:end])
                if values is None:
                    break
                for offset, value in values:
                    if points[start + offset] < value:
                        points[start + offset] = value
        # points[p + 1] sits between letters[p - 1] and letters[p] (word starts with the dot)
        return [p for p in range(self._left, last + 1) if points[p + 1] % 2]

    def _breaks(self, token: str) -> tuple[Break, ...]:
        if not any(map(str.isalpha, token)):
            return ()
        found: list[Break] = []
        for index, char in enumerate(token[:-1]):
            # after the last of "-/" (Ost-/Westdeutschland), so no line starts with a slash
            if (
                char in EXPLICIT_BREAKS
                and token[index + 1] not in EXPLICIT_BREAKS
                and any(c.isalnum() for c in token[:index])
                and any(c.isalnum() for c in token[index + 1 :])
            ):
                found.append(Break(index + 1, hyphen=False))
        if SOFT_HYPHEN in token:
            for index, char in enumerate(token):
                if (
                    char == SOFT_HYPHEN
                    and any(map(str.isalpha, token[:index]))
                    and any(map(str.isalpha, token[index + 1 :]))
                ):
                    found.append(Break(index + 1, hyphen=True))
        else:
            for starts, letters in _letter_runs(token):
                found.extend(Break(starts[p], hyphen=True) for p in self._positions(letters))
        return tuple(sorted(found, key=lambda b: b.index))


def _read_lines(name: str) -> list[str]:
    return (DATA_DIR / name).read_text(encoding="utf-8").splitlines()


def check_language(language: str) -> None:
    """ValueError naming the known languages unless plakat can hyphenate ``language``; reads no
    patterns."""
    if language not in LANGUAGES:
        known = ", ".join(sorted(LANGUAGES))
        raise ValueError(f"unknown language {language!r}: plakat hyphenates {known}")


@cache
def hyphenator(language: str) -> Hyphenator:
    """The hyphenator for ``language`` (``"de"``), its patterns read on first use."""
    check_language(language)
    patterns, exceptions = LANGUAGES[language]
    return Hyphenator(_read_lines(patterns), _read_lines(exceptions) if exceptions else ())
