"""Colour management: output profiles, colour and image conversion, total ink limits.

In: an output profile (the bundled ``FOGRA39`` or an ICC file), a total ink limit in percent,
layout colours and image files. Out: CMYK values and CMYK JPEGs in the profile's space for the
print PDF (with the highest total ink each produced), and sRGB values and images for the screen
PDF and the PNG.

Every conversion goes through littleCMS (Pillow's ImageCms) with the relative colorimetric intent
and black point compensation, so the shop prints what the designer proofed and no RIP has to
guess. Colours the layout gives as CMYK pass to the print file unchanged.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
from PIL import Image, ImageCms

from . import cache
from .cache import cache_dir
from .color import Color
from .imagefiles import open_image
from .spec import DEFAULT_JPEG_QUALITY, DEFAULT_MAX_INK

BUNDLED_DIR = Path(__file__).resolve().parent / "icc"
REGISTRY = "http://www.color.org"
# name -> file, OutputConditionIdentifier (ICC characterization registry), OutputCondition
BUNDLED_PROFILES = {
    "FOGRA39": (
        "plakat-FOGRA39L-300.icc",
        "FOGRA39",
        "Offset printing, coated paper (ISO 12647-2:2004/Amd 1), FOGRA39L data, 300 % total ink",
    ),
}
DEFAULT_PROFILE = "FOGRA39"
# Bump when conversions change, so cached images from older rules are not reused.
CONVERSION_VERSION = 2
_BAND_PIXELS = 1 << 18  # ink limiting works on bands so a large image needs no extra full-size copies


class ProfileError(ValueError):
    """An output profile that is missing or unusable for CMYK print output."""


@dataclass(frozen=True)
class OutputProfile:
    path: Path
    description: str
    identifier: str  # OutputConditionIdentifier
    condition: str  # OutputCondition, human-readable
    registry: str | None
    data: bytes = field(repr=False, compare=False)


def load_output_profile(name: str, folder: Path) -> OutputProfile:
    """A bundled profile by name (``FOGRA39``) or an ICC file, relative to ``folder``."""
    bundled = BUNDLED_PROFILES.get(name.strip().upper())
    path = BUNDLED_DIR / bundled[0] if bundled else Path(name).expanduser()
    if not bundled and not path.is_absolute():
        path = (folder / path).resolve()
    if not path.exists():
        known = ", ".join(BUNDLED_PROFILES)
        raise ProfileError(f"no such profile: {name!r} is neither a bundled profile ({known}) nor an ICC file ({path})")
    if path.is_dir():
        raise ProfileError(f"{path} is a folder: name an .icc file")
    data = path.read_bytes()
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data)).profile
    except (OSError, ImageCms.PyCMSError, ValueError) as error:
        raise ProfileError(f"{path} is not an ICC profile ({error})") from None
    space = profile.xcolor_space.strip()
    if space != "CMYK":
        raise ProfileError(
            f"{path} describes {space}, not CMYK: a PDF/X-4 output intent needs the press's CMYK profile"
        )
    if profile.device_class.strip() != "prtr":
        raise ProfileError(f"{path} is a {profile.device_class.strip()!r} profile, not an output (prtr) profile")
    description = (profile.profile_description or path.stem).strip()
    if bundled:
        return OutputProfile(path, description, bundled[1], bundled[2], REGISTRY, data)
    # Profiles outside the ICC registry are identified as "Custom" and described by their own name.
    return OutputProfile(path, description, "Custom", description, None, data)


@dataclass(frozen=True)
class PrintImage:
    """A portrait converted for print: a CMYK JPEG file and the highest total ink among its pixels."""

    path: Path
    max_ink: float  # percent


# How far below the ink limit a photo's darkest pixel must stay for its JPEG to be trusted without
# decoding it again: twice the largest rise of any pixel's total ink that compression caused at
# that quality, measured on the shipped illustrated stand-ins (hard edges, the worst case) and nine
# camera-like photos (bench/jpeg_overshoot.py: at most 19.6 points at quality 90, 43.1 at 75). Below
# quality 75 every image is decoded again; so is every image that was not a JPEG (logos, graphics).
_JPEG_INK_MARGINS = ((90, 40.0), (75, 90.0))
JPEG_START = b"\xff\xd8\xff"  # a JPEG file's first bytes


def jpeg_ink_margin(quality: int) -> float | None:
    """Percentage points of total ink that a JPEG of ``quality`` is trusted not to add to a photo's
    darkest pixel; None: decode it and measure."""
    return next((margin for lowest, margin in _JPEG_INK_MARGINS if quality >= lowest), None)


def ink_totals(pixels: np.ndarray) -> np.ndarray:
    """C+M+Y+K of every pixel of contiguous CMYK ``pixels`` (0..1020, flat). Each pixel's four bytes
    are read as one 32-bit word and added in two halves: two passes over the words instead of
    numpy's slow sum over a four-long axis, about ten times faster."""
    words = pixels.reshape(-1).view(np.uint32)
    pairs = (words & 0x00FF00FF) + ((words >> 8) & 0x00FF00FF)  # C+Y and M+K, one per half-word
    return (pairs & 0xFFFF) + (pairs >> 16)


def limit_ink(cmyk: np.ndarray, max_ink: float) -> float:
    """Lower C, M and Y (K kept) wherever C+M+Y+K exceeds ``max_ink`` percent, in place; returns the
    highest total ink left, in percent. Keeping black keeps shadows neutral and detailed."""
    limit = max_ink / 100 * 255
    highest = 0
    for band in _bands(cmyk):
        total = ink_totals(band)
        over = total > limit
        if over.any():
            pixels = band[over].astype(np.float64)
            black = np.minimum(pixels[:, 3], limit)
            colour = pixels[:, :3].sum(axis=1)
            factor = np.where(colour > 0, np.maximum(limit - black, 0) / np.maximum(colour, 1e-9), 0)
            pixels[:, :3] = np.floor(pixels[:, :3] * factor[:, None])
            pixels[:, 3] = black
            band[over] = pixels.astype(np.uint8)
            total = ink_totals(band)
        if total.size:
            highest = max(highest, int(total.max()))
    return highest / 255 * 100


def _bands(cmyk: np.ndarray):
    """Views of contiguous CMYK pixels as rows of four inks, a band at a time."""
    flat = cmyk.reshape(-1, 4)
    for start in range(0, flat.shape[0], _BAND_PIXELS):
        yield flat[start : start + _BAND_PIXELS]


def total_ink_max(cmyk: np.ndarray) -> float:
    """The highest C+M+Y+K among the pixels, in percent."""
    pixels = np.ascontiguousarray(cmyk)
    highest = max((int(ink_totals(band).max()) for band in _bands(pixels) if band.size), default=0)
    return highest / 255 * 100


def jpeg_total_ink_max(data: bytes) -> float:
    """The highest C+M+Y+K among the pixels of a CMYK JPEG, as a reader decodes them, in percent.
    The decoded image is read out a band of rows at a time, so no second full-size copy is made."""
    highest = 0.0
    with Image.open(io.BytesIO(data)) as decoded:
        decoded.load()
        width, height = decoded.size
        rows = max(1, _BAND_PIXELS // width)
        for top in range(0, height, rows):
            band = decoded.crop((0, top, width, min(height, top + rows))).tobytes()
            highest = max(highest, total_ink_max(np.frombuffer(band, np.uint8)))
    return highest


EXIF_ORIENTATION = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


_REDUCIBLE_MODES = ("L", "LA", "RGB", "RGBA", "CMYK")  # others are reduced after conversion


def open_upright(path, reduction: int = 1) -> tuple[Image.Image, bytes | None]:
    """Decode ``path`` turned upright by its EXIF orientation, in RGB, L or CMYK (alpha flattened onto
    white, palettes expanded, 16 bits reduced to 8), with its embedded ICC profile if it has one.
    ``reduction`` > 1 decodes it that many times smaller on each side: a JPEG is scaled inside the
    decoder, so a 100 Mpx photo never occupies memory at full size."""
    with open_image(path) as opened:
        icc = opened.info.get("icc_profile") or None
        orientation = int(opened.getexif().get(EXIF_ORIENTATION, 1) or 1)
        wanted_width = max(1, opened.width // reduction)
        if reduction > 1 and opened.format == "JPEG":
            opened.draft(opened.mode, (wanted_width, max(1, opened.height // reduction)))
        opened.load()
        remaining = round(opened.width / wanted_width)
        image = opened.copy() if remaining < 2 or opened.mode not in _REDUCIBLE_MODES else opened.reduce(remaining)
        if image.width <= wanted_width:
            remaining = 1
    if orientation in _TRANSPOSE:
        image = image.transpose(_TRANSPOSE[orientation])
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535 if values.max(initial=0) > 255 or mode.startswith("I;16") else 255
        image = Image.fromarray(np.clip(np.rint(values * (255 / top)), 0, 255).astype(np.uint8), "L")
        icc = None
    elif mode == "1":
        image = image.convert("L")
    elif mode in ("RGBA", "LA", "PA", "P", "La", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    if remaining >= 2:  # palette, bilevel, 16-bit: reduced once converted
        image = image.reduce(remaining)
    return image, icc


def _embedded(icc: bytes | None, mode: str) -> ImageCms.ImageCmsProfile | None:
    """The image's own profile, if it has one that fits its pixels."""
    if not icc:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except (OSError, ImageCms.PyCMSError, ValueError):
        return None
    wanted = {"RGB": "RGB", "L": "GRAY", "CMYK": "CMYK"}[mode]
    return profile if profile.profile.xcolor_space.strip() == wanted else None


def _apply(image: Image.Image, transform: ImageCms.ImageCmsTransform) -> Image.Image:
    """``image`` converted into a new image (applyTransform returns None only when it converts in place)."""
    return cast(Image.Image, ImageCms.applyTransform(image, transform))


def is_srgb(icc: bytes | None) -> bool:
    if not icc:
        return True
    try:
        description = ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile.profile_description or ""
    except (OSError, ImageCms.PyCMSError, ValueError):
        return True
    return "srgb" in description.lower().replace(" ", "")


@functools.lru_cache(maxsize=4)
def _profile_transforms(
    data: bytes,
) -> tuple[ImageCms.ImageCmsProfile, ImageCms.ImageCmsProfile, ImageCms.ImageCmsTransform, ImageCms.ImageCmsTransform]:
    """The output profile, sRGB, and the transforms between them: building one takes littleCMS about
    20 ms, and a process that checks and renders builds the same ones again and again."""
    output = ImageCms.ImageCmsProfile(io.BytesIO(data))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return (
        output,
        srgb,
        ColourManager._transform(srgb, output, "RGB", "CMYK"),
        ColourManager._transform(output, srgb, "CMYK", "RGB"),
    )


class ColourManager:
    """Converts layout colours and images between sRGB and one output profile's CMYK."""

    def __init__(self, profile: OutputProfile, max_ink: float = DEFAULT_MAX_INK):
        self.profile = profile
        self.max_ink = max_ink
        self._output, self._srgb, self._to_print, self._to_screen = _profile_transforms(profile.data)
        self._print_colours: dict[tuple[int, int, int] | None, tuple[float, float, float, float]] = {}

    @staticmethod
    def _transform(source, target, in_mode: str, out_mode: str) -> ImageCms.ImageCmsTransform:
        return ImageCms.buildTransform(
            source,
            target,
            in_mode,
            out_mode,
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            # NOCACHE: littleCMS otherwise compares every pixel with the one before to reuse its
            # result, which a photo's grain never lets it do (the same pixels out, 7 % faster)
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION | ImageCms.Flags.NOCACHE,
        )

    # --- colours ---------------------------------------------------------------------------------

    def print_cmyk(self, color: Color) -> tuple[float, float, float, float]:
        """CMYK in 0..1 for the print file. Designer-given CMYK passes unchanged; sRGB is converted and
        held to the ink limit."""
        if color.cmyk is not None:
            c, m, y, k = (v / 100 for v in color.cmyk)
            return c, m, y, k
        known = self._print_colours.get(color.rgb)
        if known is None:
            # one pixel through littleCMS costs more than a millisecond (Pillow copies the profile
            # each time), and a page sets the same few colours again and again
            pixel = np.asarray(_apply(Image.new("RGB", (1, 1), color.rgb), self._to_print)).copy()
            limit_ink(pixel, self.max_ink)
            c, m, y, k = (int(v) / 255 for v in pixel.reshape(4))
            known = self._print_colours[color.rgb] = (c, m, y, k)
        return known

    def screen_rgb(self, color: Color) -> tuple[float, float, float]:
        """sRGB in 0..1 for screens: CMYK colours as the press would print them."""
        if color.cmyk is None:
            return color.r / 255, color.g / 255, color.b / 255
        cmyk = tuple(round(v * 2.55) for v in color.cmyk)
        pixel = np.asarray(_apply(Image.new("CMYK", (1, 1), cmyk), self._to_screen))
        r, g, b = (int(v) / 255 for v in pixel.reshape(3))
        return r, g, b

    # --- images ----------------------------------------------------------------------------------

    def print_image(
        self, path: Path, scratch: Path, reduction: int = 1, quality: int = DEFAULT_JPEG_QUALITY
    ) -> PrintImage:
        """The image upright, in the output profile's CMYK, ink-limited, as a JPEG of ``quality`` at its
        own resolution, every channel at full resolution (Pillow subsamples no CMYK channel): from
        the cache when the same file was converted the same way (quality included) before, else
        converted into the cache (see :mod:`plakat.cache`). The file returned is in ``scratch``, so
        no other render evicting from the cache can take it away."""
        source = path.read_bytes()
        profile = hashlib.sha256(self.profile.data).hexdigest().encode()
        recipe = b"%d|%s|%s|%g|%d|q%d|" % (
            CONVERSION_VERSION,
            Image.__version__.encode(),
            profile,
            self.max_ink,
            reduction,
            quality,
        )
        key = hashlib.sha256(recipe + source).hexdigest()[:40]
        folder = cache_dir()
        if folder is not None:
            found = cache.fetch(folder, key, ".jpg", scratch)
            if found is not None:
                hit, label = found
                return PrintImage(hit, int(label.lstrip("_")) / 10)
        jpeg, highest = self._convert_for_print(io.BytesIO(source), reduction, quality, source[:3] == JPEG_START)
        ink = round(highest * 10)
        return PrintImage(cache.store(folder, key, f"_{ink}", jpeg, ".jpg", scratch), ink / 10)

    def _convert_for_print(
        self, path, reduction: int, quality: int = DEFAULT_JPEG_QUALITY, from_jpeg: bool = False
    ) -> tuple[bytes, float]:
        image, icc = open_upright(path, reduction)
        own = _embedded(icc, image.mode)
        transform: ImageCms.ImageCmsTransform | None = None
        if image.mode == "CMYK":
            # CMYK without a profile of its own is taken to be in the press's space already
            if own is not None and icc != self.profile.data:
                transform = self._transform(own, self._output, "CMYK", "CMYK")
        else:
            if image.mode == "L":
                image = image.convert("RGB")
                own = None
            transform = self._to_print if own is None else self._transform(own, self._output, "RGB", "CMYK")
        # littleCMS writes straight into the numpy array that the ink limit then edits and the JPEG
        # encoder reads: one full-size CMYK buffer per image, no copies between the steps.
        pixels = np.empty((image.height, image.width, 4), np.uint8)
        converted = Image.frombuffer("CMYK", image.size, pixels, "raw", "CMYK", 0, 1)
        if transform is None:
            pixels[...] = np.asarray(image)
        else:
            transform.apply(image, converted)
        del image
        # JPEG's rounding lifts a few edge pixels over the limit it was given: measure the decoded
        # file, and limit again with the overshoot taken off until every pixel holds. A photo whose
        # darkest pixel stays far enough below the limit cannot get there: it is not decoded again.
        target, margin = self.max_ink, jpeg_ink_margin(quality) if from_jpeg else None
        for _attempt in range(6):
            highest = limit_ink(pixels, target)
            buffer = io.BytesIO()
            converted.save(buffer, "JPEG", quality=quality, optimize=False)
            if margin is not None and highest <= self.max_ink - margin:
                break
            highest = jpeg_total_ink_max(buffer.getvalue())
            if highest <= self.max_ink:
                break
            # limiting again re-quantises the edges: lower the target by twice the overshoot
            target -= 2 * (highest - self.max_ink) + 0.5
        return buffer.getvalue(), highest

    def screen_image(self, path: Path, reduction: int = 1) -> Image.Image:
        """The image upright in sRGB (or gray), for the screen PDF and the PNG."""
        image, icc = open_upright(path, reduction)
        own = _embedded(icc, image.mode)
        if image.mode == "CMYK":
            transform = self._to_screen if own is None else self._transform(own, self._srgb, "CMYK", "RGB")
            return _apply(image, transform)
        if image.mode == "RGB" and own is not None and not is_srgb(icc):
            return _apply(image, self._transform(own, self._srgb, "RGB", "RGB"))
        return image
