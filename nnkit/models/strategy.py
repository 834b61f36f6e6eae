"""How a fit computes gradients and sums its logs: the fit loop's hooks for distribution.

The fit loop, ``evaluate`` and exact resume call these hooks and nothing else about
distribution; ``LocalStrategy`` (one process) is what they call without ``distribute=``,
and ``nnkit.distributed.DataParallel`` overrides them (split batches, all-reduced
gradients and logs, rank 0 writes files).
"""


class LocalStrategy:
    """One process: every hook is the plain single-process step.

    Attributes:
        size: the number of processes (1).
        is_chief: this process writes files and shows progress (True).
    """

    size = 1
    is_chief = True

    def prepare_fit(self, model, source, validation):
        """The training and validation sources the fit runs (here: as given)."""
        return source, validation

    def compute_gradients(self, model, xs, ys, sws):
        """Forward, loss and backward on one batch: returns ``(total loss, BatchLoss)``."""
        value, batch = model._forward_loss(xs, ys, sws, True)
        model.backward_loss()
        return value, batch

    def track(self, tracker, batch):
        """Add one batch's ``BatchLoss`` to ``tracker`` (None: nothing of this batch here)."""
        if batch is not None:
            tracker.update(batch)

    def restart_streams(self, state):
        """Resuming from a checkpoint whose generator state is ``state`` (nothing to do here)."""

    def abort_on_error(self, error):
        """A fit failed with ``error``: let it propagate."""


LOCAL = LocalStrategy()
