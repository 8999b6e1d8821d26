"""plakat: YAML layouts in, print-ready billboard and poster PDFs and PNGs out."""

__version__ = "0.1.0"
