"""Ctrl-C during fit: finish the current batch, then stop cleanly."""
import contextlib
import signal
import sys
import threading


@contextlib.contextmanager
def stop_on_interrupt(model):
    """While active, a first SIGINT sets ``model.stop_training`` instead of raising.

    Training stops after the batch in progress, so weights and optimizer state
    stay consistent and ``fit`` returns the History so far. A second Ctrl-C
    raises KeyboardInterrupt as usual. Outside the main thread this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum, frame):
        if model.stop_training:
            raise KeyboardInterrupt
        model.stop_training = True
        print("\nnnkit: interrupted; stopping after the current batch "
              "(Ctrl-C again to abort)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
