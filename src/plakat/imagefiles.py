"""Opening image files the one safe way, and the PNG signature.

In: a path. Out: a Pillow image, opened lazily (nothing decoded yet). Pillow's decompression bomb
limit stays in force (a file declaring more than twice its limit raises
``Image.DecompressionBombError``); its warning between the limit and twice the limit is silenced,
since billboard-sized photos legitimately pass it.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@contextlib.contextmanager
def open_image(path: Path | str) -> Iterator[Image.Image]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as image:
            yield image
