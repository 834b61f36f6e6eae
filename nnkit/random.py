"""The one source of randomness: weight initialisation, dropout masks and shuffling.

All random numbers are drawn on the host from one NumPy ``Generator`` and
moved to the backend, so a seed gives the same weights, dropout masks and
shuffle order on NumPy and CuPy, and the generator's state can be saved in a
checkpoint (``get_state`` / ``set_state``) for exact resume.
"""
import numpy

from nnkit.keras_names import missing_names

_generator = [numpy.random.default_rng()]


def set_seed(seed):
    """Reseed nnkit's generator: same seed, same weights, masks and loss trace."""
    _generator[0] = numpy.random.default_rng(seed)


def generator():
    """nnkit's ``numpy.random.Generator``."""
    return _generator[0]


def get_state():
    """The generator's state as a JSON-serialisable dict."""
    return _generator[0].bit_generator.state


def set_state(state):
    """Restore a state returned by ``get_state``."""
    bit_generator = numpy.random.PCG64()
    bit_generator.state = state
    _generator[0] = numpy.random.Generator(bit_generator)


__getattr__ = missing_names(__name__)   # names Keras has and nnkit lacks say so
