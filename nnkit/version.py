"""nnkit's version (written into every checkpoint's header)."""
__version__ = "0.1.0"
