"""Keras interoperability: read Keras 3 ``.keras``/``.weights.h5`` and Keras 2 ``.h5`` files,
write ``.keras`` archives and ``.weights.h5`` files Keras opens (README: "Keras files")."""
