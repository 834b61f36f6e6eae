"""ModelCheckpoint's ``filepath`` template ("ckpt-{epoch:02d}-{val_loss:.2f}.keras"): checked
when the callback is made, its fixed folder found for the write check at train begin, and
filled at each save with ``epoch``, ``batch`` and the log keys, as Keras fills it
(``str.format``)."""
import os
import re
import string

from nnkit.errors import InvalidArgumentError

#: what ``str.format`` can raise for a template and its fields
FORMAT_ERRORS = (KeyError, IndexError, ValueError, TypeError, AttributeError)


def check_template(owner, template, per_batch):
    """Refuse a template that no save could fill, before training starts.

    Tried with ``epoch`` and ``batch`` as integers and every other field as a float (what
    the logs hold), it catches: an unclosed or stray brace, a positional field ("{}",
    "{0}"), a format spec a number cannot take ("{loss:d}"), ``{batch}`` when saving per
    epoch (``per_batch`` False; Keras fails there at the first save) and a ``val_`` key when
    saving every N batches (``per_batch`` True: a batch's logs have no validation results).

    Raises:
        InvalidArgumentError: naming ``owner``, the template and the problem.
    """
    try:
        names = _field_names(template)
    except ValueError as error:
        _refuse(owner, template, f"it is not a valid str.format template ({error})")
    positional = [name for name in names if not name or name.isdigit()]
    if positional:
        _refuse(owner, template, "a field must be named ({epoch}, {batch} or a log key such "
                                 "as {val_loss}), not positional ({} or {0})")
    if not per_batch and "batch" in names:
        _refuse(owner, template, "{batch} is filled only when save_freq is a number of "
                                 "batches; with save_freq='epoch' use {epoch}")
    validation_keys = sorted(name for name in names if name.startswith("val_"))
    if per_batch and validation_keys:
        _refuse(owner, template, f"{validation_keys} are validation results, which exist "
                                 f"only at an epoch's end, not every save_freq batches")
    trial = {name: 1 if name in ("epoch", "batch") else 1.0 for name in names}
    try:
        template.format(**trial)
    except FORMAT_ERRORS as error:
        _refuse(owner, template, f"it cannot be filled with numbers ({type(error).__name__}: "
                                 f"{error})")


def fixed_folder(template):
    """The folder of the template's text before its first field ("runs/{epoch}/m.h5" →
    "runs"): the part known before training, checked for writing at train begin."""
    prefix = ""
    for literal, name, _, _ in string.Formatter().parse(template):
        prefix += literal
        if name is not None:
            break
    return os.path.dirname(prefix)


def fill(owner, template, fields):
    """``template`` filled from ``fields`` (``epoch``, ``batch`` and the logs).

    Raises:
        InvalidArgumentError: a field the logs do not have (named, with the keys they have),
            or a value its format spec cannot take.
    """
    try:
        return template.format(**fields)
    except KeyError as error:
        _refuse(owner, template, f"the logs have no key {error.args[0]!r}; they have "
                                 f"{sorted(fields)} (a 'val_' key needs validation data, "
                                 f"and validation on that epoch)")
    except FORMAT_ERRORS as error:
        _refuse(owner, template, f"it cannot be filled from {fields} "
                                 f"({type(error).__name__}: {error})")


def _field_names(template):
    """The names looked up by ``template``'s fields, nested specs included ("{loss:{w}}")."""
    names = set()
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is not None:
            names.add(re.match(r"[^.\[]*", name).group())
            names |= _field_names(spec or "")
    return names


def _refuse(owner, template, problem):
    raise InvalidArgumentError(f"{owner}: cannot use filepath {template!r}: {problem}")
