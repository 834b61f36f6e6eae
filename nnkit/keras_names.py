"""What nnkit says when a Keras program asks for a name nnkit does not have.

Every public nnkit module ends with ``__getattr__ = missing_names(__name__)``, so
``nnkit.layers.MultiHeadAttention`` (or, through the ``keras`` stand-in,
``keras.layers.MultiHeadAttention``) raises an ``AttributeError`` that says nnkit does
not provide it, and what to use instead where nnkit has something.
"""

#: ``"<module>.<name>"`` (module relative to nnkit) → what to use instead
ALTERNATIVES = {
    "layers.Lambda": "write a Layer subclass with forward/backward (see the README)",
    "layers.LSTMCell": "nnkit.layers.recurrent cells with RNN(cell) (see the README)",
    "layers.GRUCell": "nnkit.layers.recurrent cells with RNN(cell) (see the README)",
    "layers.SimpleRNNCell": "nnkit.layers.recurrent cells with RNN(cell) (see the README)",
    "layers.CuDNNLSTM": "nnkit.layers.LSTM (it runs on the GPU with the cupy backend)",
    "layers.CuDNNGRU": "nnkit.layers.GRU (it runs on the GPU with the cupy backend)",
    "preprocessing.text.Tokenizer": "nnkit.preprocessing.text.Tokenizer",
    "backend.function": "call the model: model.predict(x) or model(x)",
    "backend.int_shape": "tensor.shape",
    "backend.get_value": "numpy.asarray(value)",
    "backend.set_value": "layer.set_weights(...) or optimizer.learning_rate = value",
    "backend.eval": "numpy.asarray(value)",
    "backend.sum": "numpy.sum on arrays",
    "backend.mean": "numpy.mean on arrays",
    "optimizers.Nadam": "nnkit.optimizers.Adam",
    "optimizers.Adamax": "nnkit.optimizers.Adam",
    "optimizers.Ftrl": "nnkit.optimizers.Adagrad",
    "optimizers.Lion": "nnkit.optimizers.AdamW",
    "callbacks.RemoteMonitor": "a LambdaCallback(on_epoch_end=...) that posts the logs with "
                               "your own HTTP client",
    "callbacks.OrbaxCheckpoint": "ModelCheckpoint or BackupAndRestore",
    "config.set_backend": "nnkit.backend.set_backend('numpy' or 'cupy') for the array library",
    "random.normal": "numpy on host arrays (nnkit.random seeds nnkit's generator)",
    "random.uniform": "numpy on host arrays (nnkit.random seeds nnkit's generator)",
    "applications": "build the network from nnkit.layers (no pretrained weights)",
    "mixed_precision": "nnkit.config.set_floatx('float32' or 'float64')",
}


def missing_message(module, name):
    """The message for ``module`` (e.g. "nnkit.layers") lacking ``name``."""
    relative = module.partition(".")[2]
    qualified = f"{relative}.{name}" if relative else name
    hint = ALTERNATIVES.get(qualified)
    return (f"module {module!r} has no attribute {name!r}: nnkit does not provide "
            f"keras.{qualified}" + (f"; use {hint} instead" if hint else ""))


def missing_names(module):
    """A module ``__getattr__`` that raises ``AttributeError`` with ``missing_message``."""
    def __getattr__(name):
        if name.startswith("__"):                  # dunder probes (copy, pickle, inspect)
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        raise AttributeError(missing_message(module, name))
    return __getattr__
