"""set_random_seed: one seed for nnkit, NumPy's global generator and Python's ``random``."""
import random

import numpy

from nnkit import random as nnkit_random
from nnkit.errors import InvalidArgumentError

MAX_SEED = 2 ** 32


def set_random_seed(seed):
    """Seed every source of randomness a Keras program draws from (Keras's ``set_random_seed``).

    Seeds nnkit's generator (weights, dropout masks, shuffling: ``nnkit.random.set_seed``),
    NumPy's global generator (``numpy.random.seed``) and Python's ``random.seed``, so the same
    seed gives the same run.

    Args:
        seed: an int in ``[0, 2**32)``.

    Example:
        >>> set_random_seed(42)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, numpy.integer)):
        raise InvalidArgumentError(f"set_random_seed: expected `seed` to be an integer, received "
                                   f"seed={seed!r} (of type {type(seed).__name__})")
    if not 0 <= seed < MAX_SEED:
        raise InvalidArgumentError(f"set_random_seed: seed must be in [0, 2**32), received {seed}")
    random.seed(int(seed))
    numpy.random.seed(int(seed))
    nnkit_random.set_seed(int(seed))
