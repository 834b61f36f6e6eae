"""Inference export: ``to_onnx(model, path)``, or ``model.export(path, format="onnx")``.

The ONNX graph gives nnkit's ``predict`` outputs in onnxruntime, masks included:
recurrent layers run ONNX's ``LSTM``/``GRU``/``RNN`` ops on each row's valid
steps packed to the front, so pre-, post- and mixed padding and rows of only
padding all keep nnkit's carry-state semantics (``nnkit.export.masks``).
Batch and sequence-length axes are dynamic.

Needs the optional ``onnx`` package (``pip install nnkit[onnx]``; onnxruntime to run
the file); ``import nnkit`` never imports it.

Example:
    >>> model = nnkit.Sequential([nnkit.Input((None,), dtype="int32"),
    ...                           nnkit.Embedding(1000, 32, mask_zero=True), nnkit.LSTM(64),
    ...                           nnkit.Dense(1, activation="sigmoid")])
    >>> nnkit.export.to_onnx(model, "imdb_lstm.onnx")
"""
import importlib
import importlib.util

from nnkit.errors import InvalidArgumentError


def to_onnx(model, path, opset_version=None):
    """Write ``model`` (Sequential or functional, built) to the ONNX file ``path``.

    Args:
        model: the model; every layer needs a converter (``nnkit.export.converters``).
        path: the file to write (atomically: on any error no file is left).
        opset_version: the ONNX opset (default 17; up to the onnx package's newest).

    Raises:
        UnsupportedLayerError (an InvalidArgumentError): a layer, op or setting with no
            ONNX export, named in the message.
        InvalidArgumentError: the onnx package is missing, or a bad ``opset_version``.
    """
    if importlib.util.find_spec("onnx") is None:
        raise InvalidArgumentError("export to ONNX needs the onnx package: "
                                   "pip install nnkit[onnx] (or pip install onnx onnxruntime)")
    for module in _CONVERTER_MODULES:              # each registers its converters once
        importlib.import_module(f"nnkit.export.{module}")
    return importlib.import_module("nnkit.export.onnx_file").to_onnx(model, path,
                                                                       opset_version)


#: the modules holding converters (importing one registers its layers)
_CONVERTER_MODULES = ("basic_layers", "recurrent", "spatial_layers", "normalization", "merge",
                      "attention", "op_nodes")
