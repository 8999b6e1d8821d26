"""Renderers: each draws a :class:`~plakat.scene.Scene` into one file format and does nothing else.

The PDF is the one drawing; the PNG is rasterised from it, and the JPEG takes the PNG's pixels, so
none can drift apart.
"""
