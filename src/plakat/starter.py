"""Starting layouts: ``plakat init NAME --format FORMAT``.

In: a name, a format preset, a folder, and optionally a campaign file to build on. Out: the files
written: ``FOLDER/NAME.yaml``, a commented layout that renders as it is, and, where there is no
campaign file to take people and fonts from, stand-in portraits and fonts in ``FOLDER/NAME-stand-ins/``.

With a campaign file (given, or the one shared file in ``FOLDER/campaign/``) the layout extends it
and holds only what is particular to its site. Without one it is self-contained: the campaign
template's relative geometry (percentages of the page, an automatic grid) with stand-in texts,
three generated portraits labelled STAND-IN and the bundled Noto Sans, so that the designer has
something that renders at once and replaces the stand-ins one by one.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from .errors import PlakatError
from .formats import FormatPreset, find_preset
from .output import AtomicOutputs
from .yamlsource import YamlProblem, load_yaml

FONTS_DIR = Path(__file__).resolve().parent / "data" / "fonts"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")
# The stand-in people: a palette each, so the three portraits tell apart at a glance.
STAND_INS = (
    ("Person A", 34, "Rolle A", (164, 196, 222), (46, 120, 160)),
    ("Person B", 58, "Rolle B", (236, 206, 160), (150, 70, 60)),
    ("Person C", 25, "Rolle C", (190, 222, 196), (70, 110, 80)),
)
PORTRAIT_SIZE = (2000, 2500)  # px: 4:5, enough for an A1 cell at 150 ppi


class InitProblem(PlakatError):
    """``plakat init`` cannot write the starting layout asked for."""


def find_campaign(folder: Path) -> Path | None:
    """The one shared campaign file in ``folder/campaign/`` (a YAML file without a format or size of
    its own), or None when there is none or more than one."""
    shared = []
    for path in sorted((folder / "campaign").glob("*.y*ml")):
        try:
            data, _source = load_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YamlProblem):
            continue
        if isinstance(data, dict) and "format" not in data and "size" not in data:
            shared.append(path)
    return shared[0] if len(shared) == 1 else None


def init_layout(name: str, format_name: str, folder: Path, campaign: Path | None = None) -> list[Path]:
    """Write the starting layout ``folder/name.yaml`` (and its stand-ins); return the files written."""
    if not NAME_PATTERN.match(name) or name.endswith((".yaml", ".yml")):
        raise InitProblem(
            f"{name!r} is not a usable layout name: letters, digits, '.', '_' and '-' (no path, no .yaml), "
            "e.g. hauptbahnhof-clp"
        )
    try:
        preset = find_preset(format_name)
    except KeyError as error:
        raise InitProblem(error.args[0]) from None
    folder = Path(folder)
    if not folder.is_dir():
        raise InitProblem(f"{folder}: no such folder: create it, or give another with --dir")
    target = folder / f"{name}.yaml"
    if target.exists():
        raise InitProblem(f"{target} exists already: choose another name or remove it")
    if campaign is None:
        campaign = find_campaign(folder)
    elif not campaign.is_file():
        raise InitProblem(f"{campaign}: no such campaign file")
    written: list[Path] = []
    with AtomicOutputs() as outputs:
        if campaign is not None:
            relative = Path(os.path.relpath(campaign.resolve(), folder.resolve())).as_posix()
            text = _extending(name, preset, relative)
        else:
            stand_ins = folder / f"{name}-stand-ins"
            if stand_ins.exists():
                raise InitProblem(f"{stand_ins} exists already: choose another name or remove it")
            text = _standalone(name, preset, f"{name}-stand-ins")
            stand_ins.mkdir()
            for font in ("NotoSans-Regular.ttf", "NotoSans-Black.ttf", "OFL.txt"):
                shutil.copyfile(FONTS_DIR / font, stand_ins / font)
                written.append(stand_ins / font)
            for index, (person, _age, _role, background, clothes) in enumerate(STAND_INS):
                path = stand_ins / f"person-{'abc'[index]}.jpg"
                _stand_in_portrait(person, background, clothes).save(path, quality=88, optimize=True)
                written.append(path)
        outputs.temporary_for(target).write_text(text, encoding="utf-8")
        outputs.commit()
    return [target, *written]


def _format_line(preset: FormatPreset) -> str:
    size = (
        f"{preset.pixels[0]} x {preset.pixels[1]} px"
        if preset.pixels
        else f"{preset.width.mm:g} x {preset.height.mm:g} mm"
    )
    return f"format: {preset.name!r}          # {preset.title}, {size}; see plakat formats"


def _preflight_hint(preset: FormatPreset) -> str:
    if preset.is_screen:
        return (
            "# Preflight: a screen format is judged in pixels (text size, image px per screen px, the\n"
            "# apps' safe margin); nothing to set here unless you want stricter figures.\n"
            "# preflight:\n"
            "#   min_cap_height: 16px@72dpi\n"
        )
    return (
        "# Preflight: how far the readers stand decides the smallest legible text (distance / 300)\n"
        "# and the recommended image resolution. Set it to your site's.\n"
        "preflight:\n"
        f"  viewing_distance: {'6m' if preset.width.mm > 1500 else '1.5m'}\n"
    )


def _extending(name: str, preset: FormatPreset, campaign: str) -> str:
    return f"""# {name}: a layout of the campaign in {campaign}.
# Render: plakat render {name}.yaml      Preview while editing: plakat watch {name}.yaml
#
# The campaign file holds the people, texts, colours, fonts and logo, and a template whose
# positions and sizes are percentages of the page, so this file needs little more than a format.
# Anything given here is merged over the campaign's: a mapping key by key (captions: {{color: ...}}
# changes one colour), a list as a whole (people: [...] replaces the roster).
extends: {campaign}
title: {name}
{_format_line(preset)}

{_preflight_hint(preset)}
# Output: the PNG's resolution and the print file; see the README's layout format.
# output:
#   png_dpi: 100
#   jpeg: true
"""


def _standalone(name: str, preset: FormatPreset, stand_ins: str) -> str:
    people = "\n".join(
        f"  - {{name: {person}, age: {age}, role: {role}, portrait: {stand_ins}/person-{'abc'[index]}.jpg, "
        "focus: [0.5, 0.36]}"
        for index, (person, age, role, _background, _clothes) in enumerate(STAND_INS)
    )
    return f"""# {name}: a starting layout. Render: plakat render {name}.yaml
# Preview while editing: plakat watch {name}.yaml
#
# Everything marked STAND-IN is a placeholder: replace the people, their portraits and the texts
# with the campaign's own. Positions and sizes are percentages of the page (x and widths of its
# width, y and heights of its height, font sizes and gutters of its shorter side), so changing
# the format line re-lays the poster. Lengths may also be given in mm, cm, m, in, pt or px@DPI.
title: {name}
{_format_line(preset)}
background: "#f4f1ea"

# Fonts: a name for each font file (TrueType, OpenType, variable or a collection). The stand-ins
# are Noto Sans (SIL Open Font License, see OFL.txt beside them).
fonts:
  regular: {stand_ins}/NotoSans-Regular.ttf
  black: {stand_ins}/NotoSans-Black.ttf

# Bands: plain coloured rectangles, drawn first; one that touches the trim runs into the bleed.
bands:
  - {{box: {{anchor: top, to: trim, width: 100%, height: 16%}}, color: "#1d3c6e"}}
  - {{box: {{anchor: bottom, to: trim, width: 100%, height: 12%}}, color: "#1d3c6e"}}

# Text blocks (headline, brand, hashtag, credit): the text shrinks from size.max until it fits
# its box, never below size.min. A box may be anchored to a corner of the safe area.
headline:
  text: "Überschrift (STAND-IN)"
  box: {{anchor: top-left, x: 1%, y: 1%, width: 90%, height: 11%}}
  font: black
  size: {{max: 7%, min: 1.5%}}
  color: "#ffffff"
  valign: middle

credit:
  text: "Bildnachweis: STAND-IN"
  box: {{anchor: bottom-right, x: 1%, y: 1%, width: 60%, height: 2.5%}}
  font: regular
  size: {{max: 1.4%, min: 0.4%}}
  color: "#d5dcea"
  align: right
  max_lines: 1

# The grid: columns: auto chooses columns and rows so that the portraits come out largest;
# people fill the cells in the order of the list below.
grid:
  columns: auto
  gutter: 2%
  margins: {{top: 19%, right: 3%, bottom: 15%, left: 3%}}

# Captions under each portrait: one line per template; {{name}}, {{age}} and {{role}} come from people.
captions:
  placement: below
  height: 6%
  padding: 0.6%
  background: "#ffffff"
  color: "#1d3c6e"
  lines:
    - {{template: "{{name}}, {{age}}", font: black, size: {{max: 2%, min: 0.5%}}}}
    - {{template: "{{role}}", font: regular, size: {{max: 1.5%, min: 0.4%}}}}

# People: a portrait each (relative to this file) and the point of it to keep in view (focus,
# 0..1 from the top-left). The portraits are generated STAND-INs.
people:
{people}

{_preflight_hint(preset)}"""


def _stand_in_portrait(label: str, background: tuple[int, int, int], clothes: tuple[int, int, int]):
    """A flat head-and-shoulders drawing with STAND-IN written across it: clearly not a photo."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = PORTRAIT_SIZE
    image = Image.new("RGB", PORTRAIT_SIZE, background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.18, height * 0.62, width * 0.82, height * 1.25), fill=clothes)
    draw.rectangle((width * 0.43, height * 0.48, width * 0.57, height * 0.66), fill=(226, 188, 160))
    draw.ellipse((width * 0.32, height * 0.2, width * 0.68, height * 0.52), fill=(234, 196, 168))
    # across the neck, near the focus point: a cell's crop keeps it whatever the cell's shape
    font = ImageFont.truetype(str(FONTS_DIR / "NotoSans-Black.ttf"), size=width // 9)
    draw.rectangle((0, height * 0.53, width, height * 0.63), fill=(30, 30, 30))
    draw.text((width / 2, height * 0.58), "STAND-IN", font=font, fill=(255, 255, 255), anchor="mm")
    small = ImageFont.truetype(str(FONTS_DIR / "NotoSans-Regular.ttf"), size=width // 22)
    draw.text((width / 2, height * 0.15), label, font=small, fill=(30, 30, 30), anchor="mm")
    return image
