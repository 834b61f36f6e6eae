"""ProgressBar (Keras's ProgbarLogger): a tqdm bar per epoch, or Keras's one line per epoch."""
import time

from nnkit import config
from nnkit.callbacks.base import Callback
from nnkit.callbacks.messages import print_msg


class ProgressBar(Callback):
    """Shows the progress of ``fit`` (and of ``evaluate``/``predict`` called with callbacks)
    as ``params["verbose"]`` asks; ``fit(verbose=1|2)`` adds one unless one is given.

    verbose 1: a tqdm bar per epoch with the running loss and metrics (tqdm is imported only
    then); 2: Keras's "Epoch 2/5" line, then one line at the epoch's end
    ("8/8 - 0s - 3ms/step - loss: 0.6931 - accuracy: 0.5000"); 0: nothing. With
    ``nnkit.config.disable_interactive_logging()`` verbose 1 writes the lines of verbose 2,
    to ``logging``. The validation pass inside ``fit`` shows nothing, as in Keras.
    """

    def __init__(self):
        super().__init__()
        self.bar, self._started, self._in_fit, self._steps = None, None, False, 0

    @property
    def _mode(self):
        """0 (silent), 1 (tqdm bar) or 2 (a line per epoch)."""
        verbose = (self.params or {}).get("verbose", 1)
        verbose = 1 if verbose == "auto" else int(verbose)
        return 2 if verbose == 1 and not config.is_interactive_logging_enabled() else verbose

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False
        self._close()

    def on_epoch_begin(self, epoch, logs=None):
        epochs = self.params.get("epochs", 1)
        if self._mode == 2 and epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{epochs}")
        self._open(f"Epoch {epoch + 1}/{epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._update(logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finish(logs)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._open("Evaluating")

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._update(logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self._finish(logs)

    def on_predict_begin(self, logs=None):
        self._open("Predicting")

    def on_predict_batch_end(self, batch, logs=None):
        self._update(None)

    def on_predict_end(self, logs=None):
        self._finish(None)

    # ---- the bar -------------------------------------------------------------------------
    def _open(self, description):
        self._close()
        self._started, self._steps = time.perf_counter(), 0
        if self._mode == 1:
            from tqdm.auto import tqdm
            self.bar = tqdm(total=self.params.get("steps"), unit="batch", leave=True,
                            desc=description)

    def _update(self, logs):
        self._steps += 1
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(_postfix(logs), refresh=False)

    def _finish(self, logs):
        if self.bar is not None:
            self.bar.set_postfix(_postfix(logs))
        elif self._mode == 2 and self._started is not None:
            print_msg(_epoch_line(self._steps, time.perf_counter() - self._started, logs))
        self._close()

    def _close(self):
        if self.bar is not None:
            self.bar.close()
        self.bar, self._started = None, None


#: Keras's name of the same callback
ProgbarLogger = ProgressBar


def _postfix(logs):
    return {key: f"{value:.4f}" for key, value in (logs or {}).items()}


def _epoch_line(steps, seconds, logs):
    """Keras's verbose-2 line: "8/8 - 0s - 3ms/step - loss: 0.6931"."""
    per_step = seconds / steps if steps else 0.0
    if per_step >= 1 or per_step == 0:
        timing = f"{per_step:.0f}s/step"
    elif per_step >= 1e-3:
        timing = f"{per_step * 1e3:.0f}ms/step"
    else:
        timing = f"{per_step * 1e6:.0f}us/step"
    parts = [f"{steps}/{steps}", f"{seconds:.0f}s", timing]
    parts += [f"{key}: {value:.4f}" if value > 1e-3 else f"{key}: {value:.4e}"
              for key, value in (logs or {}).items()]
    return " - ".join(parts)
