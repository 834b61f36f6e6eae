"""Where fit/evaluate/predict take their batches from: arrays, a Sequence, or a generator.

A source gives the batches of one epoch as index arrays (``epoch_batches``), may prefetch
them (``start``/``stop``) and gives the batch for an index array (``batch``), as lists in
model order; ``end_epoch`` runs after each training epoch. ``FitProgress`` keeps
the epoch's index arrays, so a checkpoint can replay the same batches:

- ``ArraySource``: in-memory arrays cut into ``batch_size`` rows (shuffled or
  bucketed by length);
- ``SequenceSource``: a ``nnkit.utils.Sequence``; an index array holds one batch index;
- ``GeneratorSource``: a Python generator or iterator of batches, ``steps`` per epoch;
  it cannot be rewound, so it cannot resume exactly.

A Sequence or generator batch is checked like ``fit``'s arrays, and an error names the
batch. With ``workers >= 1`` a background thread prefetches the next batches.
"""
import queue
import threading

import numpy

from nnkit import random
from nnkit.errors import InvalidArgumentError, NnkitError
from nnkit.models import data
from nnkit.utils.sequence import Sequence


def is_batch_source(x):
    """Whether ``x`` is a Sequence, a generator or an iterator (not arrays or lists)."""
    return isinstance(x, Sequence) or (hasattr(x, "__next__") and not hasattr(x, "shape"))


class ArraySource:
    """Batches of ``batch_size`` rows of the prepared lists ``xs``, ``ys``, ``sws``."""

    exact_resume = True

    def __init__(self, xs, ys, sws, batch_size):
        self.xs, self.ys, self.sws, self.batch_size = xs, ys, sws, batch_size
        self.num_examples = int(xs[0].shape[0])

    def __len__(self):
        return -(-self.num_examples // self.batch_size)

    def epoch_batches(self, shuffle):
        return data.batch_indices(self.num_examples, self.batch_size, shuffle, self.xs[0])

    def start(self, batches):
        """Nothing to prefetch for arrays."""

    def stop(self):
        """Nothing to stop for arrays."""

    def batch(self, index, step=None):
        return ([v[index] for v in self.xs], [v[index] for v in self.ys],
                [data.take(v, index) for v in self.sws])

    def end_epoch(self):
        """Nothing to do for arrays."""


class _Prefetcher:
    """A daemon thread filling a bounded queue with ``load(item)`` for the items in order."""

    def __init__(self, load, items, size):
        self._queue = queue.Queue(maxsize=max(1, size))
        self._thread = threading.Thread(target=self._run, args=(load, list(items)), daemon=True)
        self._thread.start()

    def _run(self, load, items):
        for item in items:
            try:
                self._queue.put((item, load(item), None))
            except BaseException as error:       # handed to the training thread
                self._queue.put((item, None, error))
                return

    def get(self, item):
        got, value, error = self._queue.get()
        if error is not None:
            raise error
        assert got == item, "batches came back out of order"
        return value


class _UserBatches:
    """What Sequence and generator sources share: checking a user's batch."""

    def __init__(self, model, what):
        self.model, self.what = model, what
        self.num_examples = None
        self._prefetch = None

    def stop(self):
        """Drop the prefetching thread's queue (the thread ends with its items)."""
        self._prefetch = None

    def check(self, batch, step):
        if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
            raise InvalidArgumentError(f"{self.what}: batch {step} must be (x, y) or "
                                       f"(x, y, sample_weight), received {type(batch).__name__}")
        x, y, sample_weight = tuple(batch) + (None,) * (3 - len(batch))
        try:
            return self.model._prepare(x, y, sample_weight, self.what)
        except NnkitError as error:
            raise type(error)(f"{self.what}: batch {step}: {error}") from None


class SequenceSource(_UserBatches):
    """The batches of a ``Sequence``, in a shuffled order per epoch when asked."""

    exact_resume = True

    def __init__(self, model, sequence, what, workers=None):
        super().__init__(model, what)
        self.sequence = sequence
        self.num_examples = len(sequence)
        if self.num_examples < 1:
            raise InvalidArgumentError(f"{what}: the Sequence has no batches (len 0)")
        self.workers = sequence.workers if workers is None else int(workers)

    def __len__(self):
        return self.num_examples

    def epoch_batches(self, shuffle):
        if shuffle not in (True, False):
            raise InvalidArgumentError(f"{self.what}: shuffle must be True or False for a "
                                       f"Sequence (batches are the Sequence's), received "
                                       f"{shuffle!r}")
        order = random.generator().permutation(self.num_examples) if shuffle else \
            numpy.arange(self.num_examples)
        return [order[i:i + 1] for i in range(self.num_examples)]

    def start(self, batches):
        """Begin prefetching ``batches`` (index arrays) when ``workers >= 1``."""
        if self.workers >= 1:
            self._prefetch = _Prefetcher(lambda item: self.sequence[item], [int(b[0]) for b in
                                                                           batches],
                                         self.sequence.max_queue_size)

    def batch(self, index, step=None):
        item = int(index[0])
        raw = self._prefetch.get(item) if self._prefetch is not None else self.sequence[item]
        return self.check(raw, item if step is None else step)

    def end_epoch(self):
        self.stop()
        self.sequence.on_epoch_end()


class GeneratorSource(_UserBatches):
    """``steps`` batches per epoch drawn from a generator or iterator."""

    exact_resume = False

    def __init__(self, model, iterator, steps, what, workers=0):
        super().__init__(model, what)
        if steps is None or isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise InvalidArgumentError(f"{what}: a generator needs steps (steps_per_epoch / "
                                       f"validation_steps / steps) as a positive integer, "
                                       f"received {steps!r}")
        self.iterator, self.steps = iterator, steps
        self.num_examples = steps
        self.workers = int(workers or 0)

    def __len__(self):
        return self.steps

    def epoch_batches(self, shuffle):
        return [numpy.array([step]) for step in range(self.steps)]

    def start(self, batches):
        if self.workers >= 1:
            self._prefetch = _Prefetcher(lambda step: self._next(step),
                                         [int(b[0]) for b in batches], 10)

    def _next(self, step):
        try:
            return next(self.iterator)
        except StopIteration:
            raise InvalidArgumentError(f"{self.what}: the generator ended at batch {step} of "
                                       f"{self.steps}; give fewer steps or a longer "
                                       f"generator") from None

    def batch(self, index, step=None):
        item = int(index[0])
        raw = self._prefetch.get(item) if self._prefetch is not None else self._next(item)
        return self.check(raw, item)

    def end_epoch(self):
        self.stop()


def make(model, x, steps, what, workers=None):
    """The source for a Sequence or generator ``x``."""
    if isinstance(x, Sequence):
        return SequenceSource(model, x, what, workers)
    return GeneratorSource(model, x, steps, what, workers)
