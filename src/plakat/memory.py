"""Handing freed memory back to the system between the stages of a render.

In: nothing. Out: :func:`release_freed_memory`, which asks glibc's allocator to return the free
pages it keeps. Converting nine photos frees some hundred MB of image buffers; glibc keeps much of
it mapped in the threads' heaps, so the process's resident size would stay that high while the
print PDF is assembled and the PNG drawn, and peaks would add up. Elsewhere (musl, macOS) it does
nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _malloc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> None:
    """Return the allocator's free pages to the system (glibc's ``malloc_trim``), if it can."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
