"""Where callbacks' messages go: stdout, or the ``logging`` logger "nnkit" when
``nnkit.config.disable_interactive_logging()`` asked for it (as Keras's ``print_msg``)."""
import logging
import sys

from nnkit import config


def print_msg(message):
    """Write ``message`` as one line to stdout, or log it at INFO level."""
    if config.is_interactive_logging_enabled():
        sys.stdout.write(f"{message}\n")
        sys.stdout.flush()
    else:
        logging.getLogger("nnkit").info(message)
