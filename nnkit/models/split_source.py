"""SplitSource: the batch source of a data-parallel fit, each global batch split over the ranks."""
from nnkit.errors import InvalidArgumentError
from nnkit.models.sources import ArraySource


class SplitSource:
    """Wraps an ``ArraySource``: the epoch's order is drawn from the shared generator stream
    (identical on every rank) and each global batch's rows are cut into the ranks' parts.

    Args:
        source: the single-process source (every rank holds the same arrays).
        parallel: the ``DataParallel`` of the run.
    """

    exact_resume = True

    def __init__(self, source, parallel):
        if not isinstance(source, ArraySource):
            raise InvalidArgumentError("fit(distribute=...): give arrays (every rank holds the "
                                       "same x and y); Sequences and generators are not split "
                                       "across ranks")
        self.source, self.parallel = source, parallel
        self.num_examples, self.batch_size = source.num_examples, source.batch_size

    def __len__(self):
        return len(self.source)

    def epoch_batches(self, shuffle):
        return self.parallel.shared_stream(lambda: self.source.epoch_batches(shuffle))

    def batch(self, index, step=None):
        return self.source.batch(self.parallel.local_rows(index), step)

    def start(self, batches):
        self.source.start(batches)

    def stop(self):
        self.source.stop()

    def end_epoch(self):
        self.source.end_epoch()
