"""``timeseries_dataset_from_array``: sliding windows over a series as a ``Sequence`` of
batches (Keras 3's ``keras.utils`` function, without TensorFlow).

Keras's windows: over ``data[start_index:end_index]``, window ``j`` starts at
``p_j = j * sequence_stride`` and takes steps ``p_j, p_j + sampling_rate, ...``
(``sequence_length`` of them); its target is ``targets[start_index + p_j]``. There are
``end_index - start_index - (sequence_length - 1) * sampling_rate`` possible starts (at most
``len(targets)``), taken every ``sequence_stride``. With ``shuffle`` the starts are shuffled
once by ``numpy.random.RandomState(seed)`` as Keras does; Keras then also reshuffles within
a buffer every epoch, here the whole order is permuted every epoch (``on_epoch_end``).
"""
import numpy

from nnkit import random
from nnkit.errors import InvalidArgumentError
from nnkit.utils.sequence import Sequence

_WHERE = "timeseries_dataset_from_array"


class Windows(Sequence):
    """Batches of windows cut from ``data`` when asked.

    Shapes:
        data ``(S, ...)``; ``__getitem__(i)``: windows ``(B, sequence_length, ...)`` and
        targets ``(B, ...)`` (windows alone when ``targets`` is None); with
        ``batch_size=None`` one window and its target.
    """

    def __init__(self, data, targets, starts, steps, batch_size, shuffle, seed):
        super().__init__()
        self.data, self.targets, self.starts, self.steps = data, targets, starts, steps
        self.batch_size = batch_size
        self._shuffler = numpy.random.default_rng(seed) if shuffle else None

    def __len__(self):
        size = self.batch_size or 1
        return (len(self.starts) + size - 1) // size

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"{_WHERE}: batch {index} of {len(self)}")
        index %= len(self)
        size = self.batch_size or 1
        starts = self.starts[index * size:(index + 1) * size]
        windows = self.data[starts[:, None] + self.steps]
        targets = None if self.targets is None else self.targets[starts]
        if self.batch_size is None:
            windows, targets = windows[0], None if targets is None else targets[0]
        return windows if targets is None else (windows, targets)

    def on_epoch_end(self):
        if self._shuffler is not None:
            self.starts = self._shuffler.permutation(self.starts)


def _check_positive(name, value, limit):
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < 1:
        raise InvalidArgumentError(f"{_WHERE}: {name} must be a positive integer, received "
                                   f"{value!r}")
    if limit is not None and value >= limit:
        raise InvalidArgumentError(f"{_WHERE}: {name} must be lower than the length of the "
                                   f"data ({limit}), received {value}")


def _bounds(start_index, end_index, length):
    """``(start, end)`` checked as Keras checks them (0 and None mean "not given")."""
    if start_index and not 0 <= start_index < length:
        raise InvalidArgumentError(f"{_WHERE}: start_index must be in [0, {length}) for data of "
                                   f"length {length}, received {start_index}")
    if end_index:
        if start_index and end_index <= start_index:
            raise InvalidArgumentError(f"{_WHERE}: end_index ({end_index}) must be higher than "
                                       f"start_index ({start_index})")
        if not 0 < end_index < length:
            raise InvalidArgumentError(f"{_WHERE}: end_index must be in (0, {length}) for data "
                                       f"of length {length}, received {end_index}")
    return start_index or 0, length if end_index is None else end_index


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """A ``Sequence`` of ``(windows, targets)`` batches over ``data`` (see the module).

    Args (Keras 3's): data ``(S, ...)`` with time on axis 0; targets ``(S', ...)`` or None
    (``targets[i]`` belongs to the window starting at ``i``); sequence_length,
    sequence_stride, sampling_rate, batch_size (None: single windows), shuffle, seed,
    start_index, end_index (data used: ``data[start_index:end_index]``).

    Example:
        >>> ds = timeseries_dataset_from_array(numpy.arange(100), None, sequence_length=10,
        ...                                    sampling_rate=2, sequence_stride=3)
        >>> ds[0][1]                      # [3, 5, ..., 21]
    """
    data = numpy.asarray(data)
    if data.ndim == 0:
        raise InvalidArgumentError(f"{_WHERE}: data must have a time axis, received a scalar")
    length = len(data)
    _check_positive("sequence_length", sequence_length, None)
    _check_positive("sampling_rate", sampling_rate, length)
    _check_positive("sequence_stride", sequence_stride, length)
    if batch_size is not None:
        _check_positive("batch_size", batch_size, None)
    start, end = _bounds(start_index, end_index, length)
    count = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = numpy.asarray(targets)
        count = min(count, len(targets))
        targets = targets[start:end]
    starts = numpy.arange(0, max(count, 0), sequence_stride, dtype="int64")
    if not len(starts):
        raise InvalidArgumentError(f"{_WHERE}: no window of {sequence_length} steps "
                                   f"(sampling_rate {sampling_rate}) fits in {end - start} steps")
    if shuffle:
        if seed is None:
            seed = int(random.generator().integers(1_000_000))
        numpy.random.RandomState(seed).shuffle(starts)
    steps = numpy.arange(sequence_length, dtype="int64") * sampling_rate
    return Windows(data[start:end], targets, starts, steps, batch_size, shuffle, seed)
