"""Sequence: a dataset of batches by index (Keras's ``PyDataset``, formerly ``keras.utils.Sequence``)."""


class Sequence:
    """Subclass it with ``__len__`` (batches per epoch) and ``__getitem__(i)`` returning
    ``(x, y)`` or ``(x, y, sample_weight)``; ``on_epoch_end()`` runs after every epoch.

    ``fit`` visits the batches in a fresh random order each epoch (``shuffle=True``,
    from nnkit's generator, so a seed fixes it) and saves the order in
    ``BackupAndRestore`` checkpoints, so a resumed run is exact. Batches may differ in
    length (bucketing by the user) and may hold CSR matrices.

    Args:
        workers: prefetch batches in a background thread (``workers >= 1``) or load
            them in the training thread (0).
        max_queue_size: batches prefetched ahead at most.

    Example:
        >>> class Reviews(nnkit.utils.Sequence):
        ...     def __len__(self): return 100
        ...     def __getitem__(self, i): return x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]
        >>> model.fit(Reviews(workers=1), epochs=3)
    """

    def __init__(self, workers=0, max_queue_size=10):
        self.workers, self.max_queue_size = int(workers), int(max_queue_size)

    def __len__(self):
        raise NotImplementedError

    def __getitem__(self, index):
        raise NotImplementedError

    def on_epoch_end(self):
        """Called after every epoch (e.g. to reshuffle what ``__getitem__`` reads)."""
