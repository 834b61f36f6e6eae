"""Keras's ``validation_split`` / ``subset`` rules for the ``*_dataset_from_directory``
functions: the last ``int(validation_split * N)`` examples are the validation subset."""
import numpy

from nnkit.errors import InvalidArgumentError

SUBSETS = ("training", "validation", "both", None)


def check_split_arguments(where, validation_split, subset, shuffle, seed):
    """Refuse what Keras refuses: a split outside (0, 1), a split without a subset or the
    reverse, an unknown subset, and a shuffled split without a seed (the two subsets would
    overlap across calls)."""
    if validation_split is not None and (isinstance(validation_split, bool) or not isinstance(
            validation_split, (int, float)) or not 0 <= validation_split < 1):
        raise InvalidArgumentError(f"{where}: validation_split must be a number in (0, 1), "
                                   f"received {validation_split!r}")
    if bool(validation_split) != bool(subset):
        raise InvalidArgumentError(f"{where}: validation_split and subset go together; received "
                                   f"validation_split={validation_split!r}, subset={subset!r}")
    if subset not in SUBSETS:
        raise InvalidArgumentError(f"{where}: subset must be one of {SUBSETS}, received "
                                   f"{subset!r}")
    if validation_split and shuffle and seed is None:
        raise InvalidArgumentError(f"{where}: with validation_split and shuffle=True, give a "
                                   f"seed so that the training and validation subsets do not "
                                   f"overlap")


def split_part(where, count, validation_split, subset, verbose):
    """Indices ``(M,)`` of ``subset`` ("training", "validation", None: all) among ``count``.

    Raises:
        InvalidArgumentError: the split leaves the validation subset empty (Keras then
            gives validation every example, and training none).
    """
    if not validation_split or subset is None:
        return numpy.arange(count)
    held_out = int(validation_split * count)
    if held_out == 0:
        raise InvalidArgumentError(f"{where}: validation_split={validation_split} of {count} "
                                   f"files leaves no validation files")
    first, stop = (0, count - held_out) if subset == "training" else (count - held_out, count)
    if verbose:
        print(f"Using {stop - first} files for {subset}.")
    return numpy.arange(first, stop)
