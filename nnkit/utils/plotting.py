"""plot_history: the loss and metrics of a training, train against validation."""
from nnkit.errors import InvalidArgumentError


def plot_history(history, path, title=None):
    """Draw every logged quantity per epoch (one panel each, validation dashed) into ``path``.

    Needs matplotlib (the optional extra ``pip install "nnkit[plots]"``).

    Args:
        history: the ``History`` ``fit`` returns (or its ``history`` dict).
        path: an image file (PNG, SVG, PDF ... by its extension).
        title: the figure's title.

    Returns:
        ``path``.
    """
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as pyplot
    except ImportError:
        raise InvalidArgumentError('plot_history needs matplotlib: pip install "nnkit[plots]"'
                                   ) from None
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise InvalidArgumentError(f"plot_history: expected a History or its dict of lists, "
                                   f"received {type(history).__name__}")
    names = [key for key in logs if not key.startswith("val_") and key != "lr"]
    figure, axes = pyplot.subplots(1, len(names), figsize=(4.5 * len(names), 3.5), squeeze=False)
    for axis, name in zip(axes[0], names):
        epochs = range(1, len(logs[name]) + 1)
        axis.plot(epochs, logs[name], marker="o", label="train")
        if f"val_{name}" in logs:
            axis.plot(epochs, logs[f"val_{name}"], marker="o", linestyle="--", label="validation")
        axis.set_xlabel("epoch")
        axis.set_title(name)
        axis.grid(alpha=0.3)
        axis.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return path
