"""Check a layout on every format preset: the format-swap acceptance with the files' own checks.

In: a layout file (default: layouts/stadtbibliothek.yaml). Out: one line per preset with the
errors and warnings `plakat check` finds when only the layout's `format:` line is changed to that
preset; exit 1 if any preset gives an error. The test suite checks every preset's scene; this
also draws and checks each print file, which takes a minute, so CI runs it once.

    python scripts/check_every_format.py [LAYOUT]
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from plakat.errors import PlakatError
from plakat.findings import has_errors
from plakat.formats import PRESETS
from plakat.pipeline import check

ROOT = Path(__file__).resolve().parent.parent


def swapped(layout: Path, format_name: str, folder: Path) -> Path:
    """The layout with another format line, written beside its original's folder contents: the
    copy goes into ``folder``, its `extends:` made absolute so it still finds the shared files."""
    text = layout.read_text(encoding="utf-8")
    text, count = re.subn(r"(?m)^format:.*$", f"format: {format_name!r}", text)
    if count != 1:
        raise SystemExit(f"{layout}: expected one top-level format: line, found {count}")

    def absolute(match: re.Match) -> str:
        names = [name.strip() for name in match[2].strip("[]").split(",")]
        return match[1] + "[" + ", ".join(str((layout.parent / name).resolve()) for name in names) + "]"

    text = re.sub(r"(?m)^(extends:\s*)(.*)$", absolute, text)
    target = folder / f"{layout.stem}-{format_name.replace('/', '-')}.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def main(argv: list[str]) -> int:
    layout = Path(argv[0]) if argv else ROOT / "layouts" / "stadtbibliothek.yaml"
    failed = False
    with tempfile.TemporaryDirectory(prefix="plakat-every-format-") as scratch:
        for preset in PRESETS:
            copy = swapped(layout, preset.name, Path(scratch))
            try:
                findings = check(copy).findings
            except PlakatError as error:
                print(f"{preset.name:18} INVALID {error}")
                failed = True
                continue
            errors = [f for f in findings if f.severity == "error"]
            warnings = [f for f in findings if f.severity == "warning"]
            failed |= has_errors(findings)
            codes = sorted({f.code for f in errors + warnings})
            print(f"{preset.name:18} {len(errors)} errors, {len(warnings)} warnings  {' '.join(codes)}")
            for finding in errors:
                print(f"    error {finding.code}: {finding.message}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
