#!/usr/bin/env python3
"""Generate the stand-in portraits for the "Duisburg ist echt solidarisch" layout.

The campaign's real photos belong to their owner and are not part of this
repository.  This script draws nine clearly labelled placeholder portraits
(stylised head-and-shoulders illustrations, not photos) so the layout can be
built and previewed without them.

In:   nothing but the optional output folder argument
      (default: the ``portraits/`` folder next to ``scripts/``).
      Draws the labels in the project's Noto Sans Bold (Pillow's default font if it is missing).
Out:  nine baseline JPEGs, 2400 x 3000 px, RGB, quality 88, 4:2:0
      (tamara.jpg, markus.jpg, verena.jpg, valentino.jpg, elif.jpg, jupp.jpg,
      brigitte.jpg, marlon.jpg, jannine.jpg), each with the label
      "STAND-IN · Platzhalter – kein echtes Kampagnenfoto" in the bottom 6 %
      and a "STAND-IN" tag in the top-left corner.
      On stdout: one line per file with the normalised face centre (x, y),
      x from the left, y from the top, both 0..1 - the layout's ``focus``.

The output is deterministic: all randomness is seeded and no timestamps or
metadata are written, so two runs give byte-identical files.

Usage:  python scripts/make_standin_portraits.py [OUTPUT_DIR]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

W, H = 2400, 3000          # final size in px (portrait)
SS = 2                     # supersampling factor for the drawing
BAND = round(H * 0.06)     # label band height: bottom 6 %
LABEL = "STAND-IN \u00b7 Platzhalter \u2013 kein echtes Kampagnenfoto"
FONT_PATH = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "NotoSans-Bold.ttf"
FONT_SIZE = 48
CORNER_LABEL = "STAND-IN"  # top-left tag: survives the usual cover crops, which cut the bottom
CORNER_FONT_SIZE = 72
SEED = 20240601
GRAIN_SIGMA = 1.6          # grain amplitude in 8-bit levels (kept small)
JPEG_OPTS = dict(format="JPEG", quality=88, subsampling=2, optimize=False,
                 progressive=False)

# name, age, role, background (top, bottom), skin, hair colour, hair style,
# eye colour, outfit, face centre (x, y) in px, head radii (rx, ry) in px,
# extras
PEOPLE = [
    dict(file="tamara.jpg", name="Tamara", age=32, role="Intensivkrankenschwester",
         bg=((196, 222, 236), (98, 146, 178)), skin=(233, 190, 160),
         hair=(92, 58, 38), style="bun", eyes=(84, 110, 60),
         outfit="scrubs", cloth=(22, 140, 138), face=(1200, 1130),
         head=(330, 415), extras=("stethoscope",)),
    dict(file="markus.jpg", name="Markus", age=49, role="Comedian",
         bg=((255, 224, 150), (228, 140, 48)), skin=(228, 178, 146),
         hair=(70, 56, 48), style="receding", eyes=(70, 100, 150),
         outfit="blazer", cloth=(96, 52, 140), face=(1180, 1140),
         head=(345, 420), extras=("bowtie", "grin")),
    dict(file="verena.jpg", name="Verena", age=28, role="Hebamme",
         bg=((246, 214, 226), (196, 120, 150)), skin=(244, 206, 180),
         hair=(214, 176, 104), style="ponytail", eyes=(70, 120, 170),
         outfit="tunic", cloth=(150, 170, 222), face=(1220, 1130),
         head=(325, 410), extras=("freckles_light",)),
    dict(file="valentino.jpg", name="Valentino", age=42, role="Feuerwehrmann",
         bg=((210, 214, 222), (84, 92, 110)), skin=(210, 156, 118),
         hair=(34, 28, 26), style="short", eyes=(80, 58, 40),
         outfit="firefighter", cloth=(196, 32, 30), face=(1200, 1120),
         head=(350, 425), extras=("stubble",)),
    dict(file="elif.jpg", name="Elif", age=37, role="Caf\u00e9inhaberin",
         bg=((238, 222, 196), (170, 124, 84)), skin=(206, 150, 112),
         hair=(40, 26, 22), style="long", eyes=(70, 46, 30),
         outfit="apron", cloth=(120, 78, 50), face=(1190, 1120),
         head=(330, 415), extras=()),
    dict(file="jupp.jpg", name="Jupp", age=55, role="Musiker",
         bg=((200, 226, 200), (72, 118, 88)), skin=(226, 176, 140),
         hair=(128, 118, 110), style="cap", eyes=(90, 110, 120),
         outfit="leather", cloth=(40, 38, 42), face=(1210, 1150),
         head=(345, 420), extras=("beard", "guitarstrap")),
    dict(file="brigitte.jpg", name="Brigitte", age=81, role="Rentnerin",
         bg=((222, 216, 240), (132, 118, 178)), skin=(238, 200, 180),
         hair=(232, 230, 226), style="curls", eyes=(100, 120, 140),
         outfit="cardigan", cloth=(196, 118, 128), face=(1200, 1160),
         head=(320, 400), extras=("glasses", "pearls", "wrinkles")),
    dict(file="marlon.jpg", name="Marlon", age=5, role="Kindergartenkind",
         bg=((206, 238, 214), (96, 178, 150)), skin=(140, 96, 70),
         hair=(30, 22, 20), style="messy", eyes=(50, 34, 26),
         outfit="tshirt", cloth=(250, 196, 40), face=(1200, 1560),
         head=(300, 330), extras=("child", "cheeks")),
    dict(file="jannine.jpg", name="Jannine", age=45, role="Radiomoderatorin",
         bg=((214, 228, 250), (60, 82, 150)), skin=(236, 192, 164),
         hair=(150, 62, 36), style="bob", eyes=(70, 110, 80),
         outfit="top", cloth=(36, 36, 48), face=(1190, 1130),
         head=(330, 410), extras=("headphones", "earrings")),
]


def s(v: float) -> int:
    """Final-pixel coordinate -> supersampled coordinate."""
    return int(round(v * SS))


def box(cx: float, cy: float, rx: float, ry: float) -> list[int]:
    return [s(cx - rx), s(cy - ry), s(cx + rx), s(cy + ry)]


def shade(c, f: float):
    """Darken (f < 1) or lighten (f > 1) an RGB colour."""
    if f <= 1:
        return tuple(int(v * f) for v in c) + (255,)
    return tuple(int(v + (255 - v) * (f - 1)) for v in c) + (255,)


def rgba(c):
    return tuple(c) + (255,) if len(c) == 3 else tuple(c)


# --------------------------------------------------------------------------
# background
# --------------------------------------------------------------------------

def background(p: dict) -> np.ndarray:
    """Soft vertical gradient plus a studio light spot behind the head."""
    top = np.array(p["bg"][0], np.float32)
    bot = np.array(p["bg"][1], np.float32)
    y = np.linspace(0.0, 1.0, H, dtype=np.float32)[:, None, None]
    img = top * (1 - y) + bot * y                       # (H, 1, 3)
    img = np.broadcast_to(img, (H, W, 3)).copy()
    fx, fy = p["face"]
    yy, xx = np.ogrid[0:H, 0:W]
    d2 = ((xx - fx) / (W * 0.55)) ** 2 + ((yy - fy) / (H * 0.45)) ** 2
    glow = np.exp(-d2).astype(np.float32)[..., None]   # 1 at the head
    img += (255 - img) * glow * 0.28                   # light spot
    vign = (((xx - W / 2) / (W * 0.75)) ** 2
            + ((yy - H / 2) / (H * 0.75)) ** 2).astype(np.float32)
    img *= (1 - 0.18 * np.clip(vign, 0, 1))[..., None]  # gentle vignette
    return img


# --------------------------------------------------------------------------
# figure (drawn at SS x onto the supersampled canvas)
# --------------------------------------------------------------------------

def draw_hair_back(d: ImageDraw.ImageDraw, p, cx, cy, rx, ry):
    hc = rgba(p["hair"])
    st = p["style"]
    if st == "long":
        d.rounded_rectangle([s(cx - rx * 1.28), s(cy - ry * 0.4),
                             s(cx + rx * 1.28), s(cy + ry * 2.15)],
                            radius=s(rx * 0.6), fill=hc)
        d.ellipse(box(cx, cy - ry * 0.05, rx * 1.3, ry * 1.15), fill=hc)
    elif st == "bob":
        d.rounded_rectangle([s(cx - rx * 1.3), s(cy - ry * 0.5),
                             s(cx + rx * 1.3), s(cy + ry * 0.95)],
                            radius=s(rx * 0.35), fill=hc)
        d.ellipse(box(cx, cy - ry * 0.1, rx * 1.3, ry * 1.12), fill=hc)
    elif st == "bun":
        d.ellipse(box(cx + rx * 0.1, cy - ry * 1.12, rx * 0.5, ry * 0.36), fill=hc)
        d.ellipse(box(cx, cy - ry * 0.1, rx * 1.09, ry * 1.04), fill=hc)
    elif st == "ponytail":
        d.ellipse(box(cx + rx * 1.05, cy + ry * 0.35, rx * 0.32, ry * 0.75),
                  fill=shade(p["hair"], 0.85))
        d.ellipse(box(cx, cy - ry * 0.1, rx * 1.09, ry * 1.04), fill=hc)
    elif st == "curls":
        rng = np.random.default_rng(SEED + 7)
        for i in range(46):
            a = math.pi * (0.92 + 1.16 * i / 45)
            rr = rx * (0.27 + 0.05 * rng.random())
            px = cx + math.cos(a) * rx * 1.02
            py = cy - ry * 0.12 + math.sin(a) * ry * 1.0
            col = shade(p["hair"], 0.88 + 0.12 * rng.random())
            d.ellipse(box(px, py, rr, rr), fill=col)
    elif st == "cap":
        # grey hair showing at the neck and behind the ears
        d.rounded_rectangle([s(cx - rx * 1.08), s(cy - ry * 0.5),
                             s(cx + rx * 1.08), s(cy + ry * 0.55)],
                            radius=s(rx * 0.4), fill=hc)


def draw_hair_front(d: ImageDraw.ImageDraw, p, cx, cy, rx, ry, skin):
    """Hair cap over the head, then the face oval redrawn as the hairline."""
    hc = rgba(p["hair"])
    dark = shade(p["hair"], 0.78)
    st = p["style"]
    if st in ("bun", "ponytail", "long", "bob"):
        d.ellipse(box(cx, cy - ry * 0.22, rx * 1.06, ry * 0.9), fill=hc)
        # face oval with a side parting
        d.ellipse(box(cx + rx * 0.04, cy + ry * 0.2, rx * 0.9, ry * 0.8), fill=skin)
        d.chord(box(cx - rx * 0.35, cy - ry * 0.5, rx * 0.75, ry * 0.35),
                0, 180, fill=hc)
        if st == "bob":   # fringe
            d.ellipse(box(cx, cy - ry * 0.62, rx * 0.98, ry * 0.44), fill=hc)
            for i in range(5):
                x = cx - rx * 0.7 + i * rx * 0.35
                d.line([s(x), s(cy - ry * 0.72), s(x + rx * 0.04), s(cy - ry * 0.3)],
                       fill=dark, width=s(5))
    elif st == "short":
        d.ellipse(box(cx, cy - ry * 0.3, rx * 1.05, ry * 0.8), fill=hc)
        d.ellipse(box(cx, cy + ry * 0.2, rx * 0.9, ry * 0.8), fill=skin)
        d.ellipse(box(cx, cy + ry * 0.02, rx * 0.99, ry * 0.8), fill=skin)
        d.ellipse(box(cx - rx * 0.12, cy - ry * 0.8, rx * 0.6, ry * 0.13), fill=hc)
    elif st == "receding":
        # bald crown, hair at the sides and a small tuft
        d.chord(box(cx - rx * 0.96, cy - ry * 0.18, rx * 0.16, ry * 0.42),
                90, 270, fill=hc)
        d.chord(box(cx + rx * 0.96, cy - ry * 0.18, rx * 0.16, ry * 0.42),
                270, 90, fill=hc)
        d.ellipse(box(cx + rx * 0.1, cy - ry * 0.9, rx * 0.26, ry * 0.1), fill=hc)
        # shine on the bald head
        d.ellipse(box(cx - rx * 0.35, cy - ry * 0.72, rx * 0.2, ry * 0.08),
                  fill=shade(skin[:3], 1.25))
    elif st == "messy":
        rng = np.random.default_rng(SEED + 11)
        d.ellipse(box(cx, cy - ry * 0.3, rx * 1.06, ry * 0.82), fill=hc)
        for i in range(15):
            a = math.pi * (1.05 + 0.9 * i / 14)
            rr = rx * (0.2 + 0.06 * rng.random())
            d.ellipse(box(cx + math.cos(a) * rx * 0.95, cy - ry * 0.25
                          + math.sin(a) * ry * 0.85, rr, rr), fill=hc)
        d.ellipse(box(cx, cy + ry * 0.2, rx * 0.9, ry * 0.8), fill=skin)
        d.ellipse(box(cx, cy + ry * 0.05, rx * 0.99, ry * 0.75), fill=skin)
        for i in range(6):  # little spikes of the fringe
            x = cx - rx * 0.6 + i * rx * 0.24
            d.polygon([(s(x - rx * 0.14), s(cy - ry * 0.75)),
                       (s(x + rx * 0.14), s(cy - ry * 0.75)),
                       (s(x + rx * 0.03), s(cy - ry * 0.42 - (i % 2) * ry * 0.08))],
                      fill=hc)
    elif st == "curls":
        rng = np.random.default_rng(SEED + 8)
        for i in range(9):
            x = cx - rx * 0.78 + i * rx * 0.195
            rr = rx * (0.2 + 0.04 * rng.random())
            d.ellipse(box(x, cy - ry * 0.78 + (abs(i - 4) * ry * 0.035), rr, rr),
                      fill=shade(p["hair"], 0.9 + 0.1 * rng.random()))
    elif st == "cap":
        cap = rgba((74, 70, 60))
        d.chord(box(cx, cy - ry * 0.42, rx * 1.1, ry * 0.68), 180, 360, fill=cap)
        d.rounded_rectangle([s(cx - rx * 1.12), s(cy - ry * 0.5),
                             s(cx + rx * 1.25), s(cy - ry * 0.36)],
                            radius=s(rx * 0.07), fill=shade((74, 70, 60), 0.8))
        for i in range(7):  # tweed texture
            x = cx - rx * 0.85 + i * rx * 0.27
            d.line([s(x), s(cy - ry * 1.0), s(x + rx * 0.12), s(cy - ry * 0.52)],
                   fill=shade((74, 70, 60), 1.15), width=s(4))


def draw_face(d: ImageDraw.ImageDraw, p, cx, cy, rx, ry, skin):
    ex = p["extras"]
    child = "child" in ex
    sk = p["skin"]
    # eyes
    ey = cy + (0.08 if child else -0.02) * ry
    exo = rx * (0.4 if child else 0.38)
    ew, eh = rx * (0.17 if child else 0.16), ry * (0.085 if child else 0.07)
    for side in (-1, 1):
        x = cx + side * exo
        d.ellipse(box(x, ey, ew, eh), fill=(250, 248, 244, 255))
        ir = eh * 0.95
        d.ellipse(box(x + side * ew * 0.05, ey, ir, ir), fill=rgba(p["eyes"]))
        d.ellipse(box(x + side * ew * 0.05, ey, ir * 0.5, ir * 0.5),
                  fill=(20, 16, 16, 255))
        d.ellipse(box(x + side * ew * 0.05 - ir * 0.3, ey - ir * 0.35,
                      ir * 0.2, ir * 0.2), fill=(255, 255, 255, 255))
        # upper lid line
        d.arc(box(x, ey, ew * 1.02, eh * 1.05), 190, 350,
              fill=shade(sk, 0.45), width=s(6))
        # eyebrow
        brow = shade(p["hair"] if p["style"] != "curls" else (150, 146, 140), 0.85)
        if p["style"] == "receding":
            brow = shade(p["hair"], 1.0)
        d.arc(box(x, ey - eh * 1.3, ew * 1.15, eh * 1.4), 200, 340,
              fill=brow, width=s(14 if not child else 10))
        if "wrinkles" in ex:
            for k in range(3):
                d.arc(box(x + side * ew * 1.25, ey + k * eh * 0.45 - eh * 0.3,
                          ew * 0.28, eh * 0.5),
                      (300 if side > 0 else 120) - 10, (300 if side > 0 else 120) + 60,
                      fill=shade(sk, 0.78), width=s(3))
    # nose
    ny = cy + ry * (0.3 if child else 0.3)
    d.arc(box(cx, ny - ry * 0.05, rx * 0.12, ry * 0.07), 20, 160,
          fill=shade(sk, 0.72), width=s(7))
    d.line([s(cx + rx * 0.06), s(ey + eh), s(cx + rx * 0.1), s(ny - ry * 0.04)],
           fill=shade(sk, 0.85), width=s(6))
    # cheeks
    if "cheeks" in ex or "wrinkles" in ex:
        for side in (-1, 1):
            d.ellipse(box(cx + side * rx * 0.55, cy + ry * 0.32, rx * 0.16, ry * 0.08),
                      fill=(232, 120, 110, 70))
    if "freckles" in ex or "freckles_light" in ex:
        rng = np.random.default_rng(SEED + 5)
        col = shade(sk, 0.7) if "freckles" in ex else shade(sk, 0.86)
        for _ in range(22):
            side = 1 if rng.random() > 0.5 else -1
            fx = cx + side * rx * (0.2 + 0.45 * rng.random())
            fy = cy + ry * (0.14 + 0.18 * rng.random())
            d.ellipse(box(fx, fy, rx * 0.018, rx * 0.018), fill=col)
    # mouth
    my = cy + ry * (0.55 if child else 0.55)
    mw = rx * (0.36 if child else 0.34)
    lip = (176, 80, 80, 255) if p["age"] < 70 else (170, 100, 100, 255)
    if "grin" in ex or child:
        d.chord(box(cx, my - ry * 0.06, mw * 1.15, ry * 0.14), 0, 180,
                fill=(110, 40, 40, 255))
        d.chord(box(cx, my - ry * 0.06, mw * 1.0, ry * 0.1), 10, 170,
                fill=(250, 248, 240, 255))
        d.arc(box(cx, my - ry * 0.06, mw * 1.15, ry * 0.14), 0, 180,
              fill=lip, width=s(6))
    else:
        d.arc(box(cx, my - ry * 0.1, mw, ry * 0.12), 20, 160, fill=lip, width=s(14))
    if "wrinkles" in ex:
        for side in (-1, 1):
            d.arc(box(cx + side * rx * 0.45, my - ry * 0.05, rx * 0.12, ry * 0.16),
                  (280 if side > 0 else 180), (350 if side > 0 else 260),
                  fill=shade(sk, 0.78), width=s(4))
        d.line([s(cx - rx * 0.3), s(cy - ry * 0.42), s(cx + rx * 0.3), s(cy - ry * 0.42)],
               fill=shade(sk, 0.88), width=s(3))
    if "glasses" in ex:
        gc = (120, 86, 60, 255)
        for side in (-1, 1):
            d.rounded_rectangle(box(cx + side * exo, ey + eh * 0.2, ew * 1.55, eh * 2.2),
                                radius=s(ew * 0.5), outline=gc, width=s(9))
        d.arc(box(cx, ey + eh * 0.1, exo - ew * 1.55, eh * 0.8), 200, 340,
              fill=gc, width=s(9))


def draw_figure(p: dict, canvas: Image.Image) -> Image.Image:
    """Draw the person onto the supersampled RGB canvas (alpha fills blend)."""
    d = ImageDraw.Draw(canvas, "RGBA")
    cx, cy = p["face"]
    rx, ry = p["head"]
    ex = p["extras"]
    child = "child" in ex
    sk = rgba(p["skin"])
    cl = rgba(p["cloth"])

    draw_hair_back(d, p, cx, cy, rx, ry)

    # neck
    nw = rx * (0.52 if child else 0.56)
    neck_top, neck_bot = cy + ry * 0.4, cy + ry * (1.55 if child else 1.45)
    d.rectangle([s(cx - nw), s(neck_top), s(cx + nw), s(neck_bot)],
                fill=shade(p["skin"], 0.88))
    d.chord(box(cx, cy + ry * 0.9, nw, ry * 0.3), 0, 180, fill=shade(p["skin"], 0.75))

    # torso / shoulders
    sw = rx * (2.2 if child else 3.0)        # half shoulder width
    top = cy + ry * (1.3 if child else 1.32)
    d.rounded_rectangle([s(cx - sw), s(top), s(cx + sw), s(H + 400)],
                        radius=s(sw * 0.42), fill=cl)
    # subtle shading on the sides of the torso
    for side in (-1, 1):
        d.rounded_rectangle([s(cx + side * sw * 0.62 - sw * 0.38), s(top + sw * 0.3),
                             s(cx + side * sw * 0.62 + sw * 0.38), s(H + 400)],
                            radius=s(sw * 0.3), fill=shade(p["cloth"], 0.9)[:3] + (90,))

    out = p["outfit"]
    vdepth = ry * 0.55
    if out in ("scrubs", "tunic", "top", "cardigan", "leather", "apron"):
        # V-neck / open collar showing skin
        d.polygon([(s(cx - nw * 1.25), s(top - 2)), (s(cx + nw * 1.25), s(top - 2)),
                   (s(cx), s(top + vdepth))], fill=shade(p["skin"], 0.88))
    if out == "scrubs":
        d.line([(s(cx - nw * 1.3), s(top)), (s(cx), s(top + vdepth + 12)),
                (s(cx + nw * 1.3), s(top))], fill=shade(p["cloth"], 0.75), width=s(22),
               joint="curve")
        d.rectangle([s(cx + sw * 0.3), s(top + ry * 1.0), s(cx + sw * 0.62),
                     s(top + ry * 1.35)], outline=shade(p["cloth"], 0.75), width=s(8))
        d.line([s(cx + sw * 0.38), s(top + ry * 0.9), s(cx + sw * 0.38),
                s(top + ry * 1.2)], fill=(240, 240, 240, 255), width=s(10))
    if out == "tunic":
        d.line([(s(cx - nw * 1.3), s(top)), (s(cx), s(top + vdepth + 12)),
                (s(cx + nw * 1.3), s(top))], fill=(255, 255, 255, 255), width=s(18),
               joint="curve")
        for i in range(3):
            d.ellipse(box(cx, top + vdepth + 90 + i * 150, 16, 16),
                      fill=(255, 255, 255, 255))
    if out == "firefighter":
        collar = shade(p["cloth"], 0.75)
        d.polygon([(s(cx - nw * 1.35), s(top - 40)), (s(cx), s(top + ry * 0.35)),
                   (s(cx + nw * 1.35), s(top - 40)), (s(cx + nw * 1.7), s(top + 60)),
                   (s(cx), s(top + ry * 0.6)), (s(cx - nw * 1.7), s(top + 60))],
                  fill=collar)
        for yb in (top + ry * 1.1, top + ry * 1.6):
            d.rectangle([s(cx - sw), s(yb), s(cx + sw), s(yb + 70)],
                        fill=(238, 214, 40, 255))
            d.rectangle([s(cx - sw), s(yb + 22), s(cx + sw), s(yb + 48)],
                        fill=(210, 214, 220, 255))
        d.line([s(cx), s(top + ry * 0.6), s(cx), s(H)], fill=(40, 40, 40, 255),
               width=s(14))
    if out == "blazer":
        shirt = rgba((250, 214, 70))
        d.polygon([(s(cx - nw * 1.3), s(top - 10)), (s(cx + nw * 1.3), s(top - 10)),
                   (s(cx + nw * 1.1), s(H)), (s(cx - nw * 1.1), s(H))], fill=shirt)
        for side in (-1, 1):
            d.polygon([(s(cx + side * nw * 1.3), s(top - 10)),
                       (s(cx + side * nw * 0.2), s(top + ry * 0.9)),
                       (s(cx + side * nw * 0.9), s(H)),
                       (s(cx + side * nw * 2.4), s(top + ry * 0.5))],
                      fill=shade(p["cloth"], 0.8))
            d.polygon([(s(cx + side * nw * 1.0), s(top - 40)),
                       (s(cx + side * nw * 0.05), s(top + 40)),
                       (s(cx + side * nw * 0.6), s(top + 70))], fill=shade((250, 214, 70), 1.3))
    if "bowtie" in ex:
        bt = rgba((226, 50, 70))
        by = top + 50
        d.polygon([(s(cx), s(by)), (s(cx - 130), s(by - 70)), (s(cx - 130), s(by + 70))], fill=bt)
        d.polygon([(s(cx), s(by)), (s(cx + 130), s(by - 70)), (s(cx + 130), s(by + 70))], fill=bt)
        d.ellipse(box(cx, by, 34, 40), fill=shade((226, 50, 70), 0.8))
    if out == "apron":
        blouse = rgba((246, 236, 216))
        d.rounded_rectangle([s(cx - sw), s(top), s(cx + sw), s(H + 400)],
                            radius=s(sw * 0.42), fill=blouse)
        d.polygon([(s(cx - nw * 1.25), s(top - 2)), (s(cx + nw * 1.25), s(top - 2)),
                   (s(cx), s(top + vdepth))], fill=shade(p["skin"], 0.88))
        d.rectangle([s(cx - sw * 0.55), s(top + ry * 0.75), s(cx + sw * 0.55), s(H)], fill=cl)
        for side in (-1, 1):
            d.line([s(cx + side * sw * 0.5), s(top + ry * 0.78),
                    s(cx + side * nw * 1.6), s(top - 10)], fill=cl, width=s(40))
        d.rounded_rectangle([s(cx - 170), s(top + ry * 1.1), s(cx + 170), s(top + ry * 1.5)],
                            radius=s(20), outline=shade(p["cloth"], 1.3), width=s(8))
    if out == "leather":
        tee = rgba((70, 70, 76))
        d.polygon([(s(cx - nw * 1.6), s(top)), (s(cx + nw * 1.6), s(top)),
                   (s(cx + nw * 1.5), s(H)), (s(cx - nw * 1.5), s(H))], fill=tee)
        d.chord(box(cx, top, nw * 1.05, ry * 0.22), 0, 180, fill=shade(p["skin"], 0.88))
        for side in (-1, 1):
            d.polygon([(s(cx + side * nw * 1.6), s(top - 20)),
                       (s(cx + side * nw * 1.5), s(H)),
                       (s(cx + side * nw * 2.5), s(H)),
                       (s(cx + side * nw * 2.8), s(top + ry * 0.4))],
                      fill=shade(p["cloth"], 1.35))
    if out == "cardigan":
        blouse = rgba((250, 246, 236))
        d.polygon([(s(cx - nw * 1.6), s(top)), (s(cx + nw * 1.6), s(top)),
                   (s(cx + nw * 0.8), s(H)), (s(cx - nw * 0.8), s(H))], fill=blouse)
        d.polygon([(s(cx - nw * 1.2), s(top - 4)), (s(cx + nw * 1.2), s(top - 4)),
                   (s(cx), s(top + ry * 0.35))], fill=shade(p["skin"], 0.88))
        for i in range(4):
            d.ellipse(box(cx - nw * 0.95, top + ry * 0.8 + i * 190, 20, 20),
                      fill=shade(p["cloth"], 0.7))
    if out == "tshirt":
        for i in range(6):
            yb = top + ry * 0.95 + i * ry * 0.42
            d.rectangle([s(cx - sw), s(yb), s(cx + sw), s(yb + ry * 0.18)],
                        fill=rgba((50, 110, 200)))
        d.chord(box(cx, top, nw * 1.2, ry * 0.3), 0, 180, fill=shade(p["skin"], 0.88))
        d.arc(box(cx, top, nw * 1.28, ry * 0.35), 0, 180, fill=shade(p["cloth"], 0.8),
              width=s(22))
    if out == "top":
        d.arc(box(cx, top, nw * 1.6, ry * 0.5), 0, 180, fill=shade(p["cloth"], 1.4),
              width=s(10))
        d.chord(box(cx, top - 2, nw * 1.55, ry * 0.45), 0, 180, fill=shade(p["skin"], 0.88))

    if "stethoscope" in ex:
        sc = rgba((30, 34, 40))
        d.arc(box(cx, top + ry * 0.1, nw * 1.7, ry * 0.9), 0, 180, fill=sc, width=s(16))
        d.line([s(cx + nw * 1.66), s(top + ry * 0.2), s(cx + nw * 1.9), s(top + ry * 1.3)],
               fill=sc, width=s(16))
        d.ellipse(box(cx + nw * 1.9, top + ry * 1.38, 55, 55), fill=(200, 204, 210, 255),
                  outline=sc, width=s(10))
    if "pearls" in ex:
        for i in range(15):
            a = math.pi * (0.15 + 0.7 * i / 14)
            d.ellipse(box(cx + math.cos(a) * nw * 1.2, top - 10 + math.sin(a) * ry * 0.32,
                          20, 20), fill=(250, 246, 236, 255), outline=(200, 190, 180, 255),
                      width=s(2))
    if "guitarstrap" in ex:
        d.line([s(cx - sw * 0.7), s(top + 20), s(cx + sw * 0.85), s(H)],
               fill=(150, 40, 40, 255), width=s(90))
        for i in range(9):
            t = 0.08 + i * 0.11
            x = (cx - sw * 0.7) + t * (sw * 1.55)
            y = (top + 20) + t * (H - top - 20)
            d.ellipse(box(x, y, 14, 14), fill=(240, 200, 80, 255))
    if "headphones" in ex:
        hp = rgba((30, 30, 34))
        d.arc(box(cx, top - ry * 0.05, nw * 2.0, ry * 0.55), 0, 180, fill=hp, width=s(34))
        for side in (-1, 1):
            d.rounded_rectangle(box(cx + side * nw * 2.0, top - ry * 0.02, 70, 110),
                                radius=s(40), fill=hp)
            d.rounded_rectangle(box(cx + side * nw * 2.0, top - ry * 0.02, 40, 80),
                                radius=s(30), fill=(214, 60, 60, 255))

    # ears
    for side in (-1, 1):
        ecx = cx + side * rx * 0.97
        d.ellipse(box(ecx, cy + ry * 0.08, rx * 0.15, ry * 0.18), fill=shade(p["skin"], 0.92))
        d.ellipse(box(ecx, cy + ry * 0.08, rx * 0.07, ry * 0.1), fill=shade(p["skin"], 0.8))
        if "earrings" in ex:
            d.ellipse(box(ecx, cy + ry * 0.34, 22, 22), fill=(232, 196, 90, 255))

    # head: cranium + slightly narrower jaw
    d.ellipse(box(cx, cy, rx, ry), fill=sk)
    d.ellipse(box(cx, cy + ry * 0.12, rx * 0.92, ry * 0.88), fill=sk)
    # hair over the ears for long styles
    draw_hair_front(d, p, cx, cy, rx, ry, sk)
    if p["style"] in ("long", "bob"):
        for side in (-1, 1):
            d.chord(box(cx + side * rx * 1.0, cy + ry * 0.1, rx * 0.22, ry * 0.62),
                    (90 if side > 0 else 270), (270 if side > 0 else 90), fill=rgba(p["hair"]))

    # stubble / beard on the jaw
    if "beard" in ex:
        bc = rgba(p["hair"])
        d.chord(box(cx, cy + ry * 0.35, rx * 0.93, ry * 0.68), 0, 180, fill=bc)
        d.ellipse(box(cx, cy + ry * 0.55, rx * 0.3, ry * 0.1), fill=sk)
    elif "stubble" in ex:
        # translucent band along the jaw: jaw oval minus cheeks, via a mask
        mask = Image.new("L", canvas.size, 0)
        md = ImageDraw.Draw(mask)
        md.ellipse(box(cx, cy, rx, ry), fill=48)          # same outline as
        md.ellipse(box(cx, cy + ry * 0.12, rx * 0.92, ry * 0.88), fill=48)  # the head
        md.rectangle([0, 0, mask.width, s(cy + ry * 0.05)], fill=0)
        md.ellipse(box(cx, cy, rx * 0.86, ry * 0.5), fill=0)
        canvas.paste(tuple(p["hair"]), (0, 0, mask.width, mask.height), mask)
        d = ImageDraw.Draw(canvas, "RGBA")
    draw_face(d, p, cx, cy, rx, ry, sk)
    if "beard" in ex:
        d.chord(box(cx, cy + ry * 0.5, rx * 0.4, ry * 0.1), 180, 360, fill=rgba(p["hair"]))
    return canvas


# --------------------------------------------------------------------------
# assembly
# --------------------------------------------------------------------------

def load_font(size: int = FONT_SIZE):
    if FONT_PATH.is_file():
        return ImageFont.truetype(str(FONT_PATH), size)
    return ImageFont.load_default(size=size)


def render(p: dict, idx: int, font) -> Image.Image:
    bg = Image.fromarray(np.clip(background(p) + 0.5, 0, 255).astype(np.uint8), "RGB")
    canvas = bg.resize((W * SS, H * SS), Image.Resampling.BICUBIC)
    fig = draw_figure(p, canvas).resize((W, H), Image.Resampling.LANCZOS)
    img = np.asarray(fig, dtype=np.float32)
    # subtle monochrome grain, seeded per person
    rng = np.random.default_rng(SEED + idx)
    img += rng.normal(0.0, GRAIN_SIGMA, size=(H, W, 1)).astype(np.float32)
    out = Image.fromarray(np.clip(img + 0.5, 0, 255).astype(np.uint8), "RGB")

    # label band in the bottom 6 %
    band = Image.new("RGBA", (W, BAND), (20, 20, 24, 200))
    bd = ImageDraw.Draw(band)
    bd.text((W / 2, BAND / 2), LABEL, font=font, fill=(255, 255, 255, 255), anchor="mm")
    out.paste(band, (0, H - BAND), band)

    corner_font = load_font(CORNER_FONT_SIZE)
    left, top, right, bottom = corner_font.getbbox(CORNER_LABEL)
    pad = 28
    tag = Image.new("RGBA", (right - left + 2 * pad, bottom - top + 2 * pad), (20, 20, 24, 200))
    ImageDraw.Draw(tag).text((pad - left, pad - top), CORNER_LABEL, font=corner_font, fill=(255, 255, 255, 255))
    out.paste(tag, (round(W * 0.06), round(H * 0.03)), tag)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", nargs="?", type=Path,
                    default=Path(__file__).resolve().parent.parent / "portraits",
                    help="output folder (default: portraits/ next to scripts/)")
    args = ap.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    font = load_font()
    t0 = time.perf_counter()
    print(f"{'file':<15} {'person':<36} focus (x, y)")
    for i, p in enumerate(PEOPLE):
        img = render(p, i, font)
        img.save(args.outdir / p["file"], **JPEG_OPTS)
        fx, fy = p["face"][0] / W, p["face"][1] / H
        who = f"{p['name']} ({p['age']}, {p['role']})"
        print(f"{p['file']:<15} {who:<36} ({fx:.3f}, {fy:.3f})")
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
