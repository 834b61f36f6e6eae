"""Sampling from a softmax output and a step-by-step generation loop (Keras has neither).

``sample`` draws token ids from probabilities with temperature, top-k and top-p
(nucleus) filtering. ``generate`` feeds a model one token at a time without
recomputing the prefix: either a stateful model (its recurrent layers carry
the states between calls) or a model that takes and returns its states
(``[tokens, *states] → [probabilities, *states]``, the one-step decoder of a
seq2seq model).

Shapes: N batch, T prompt length, V vocabulary.
"""
import numpy

from nnkit import random, validation
from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError, ShapeError, describe


def _generator(seed):
    if seed is None:
        return random.generator()
    if isinstance(seed, numpy.random.Generator):
        return seed
    return numpy.random.default_rng(validation.non_negative_int("sample", "seed", seed))


def sample(probabilities, temperature=1.0, top_k=None, top_p=None, seed=None):
    """Draw one id per row of ``probabilities``.

    Args:
        probabilities: ``(V,)`` or ``(N, V)`` non-negative scores (a softmax output; rows
            need not sum to 1).
        temperature: ``p ** (1 / temperature)`` renormalised: below 1 sharper, above 1
            flatter; 0 takes the most probable id (greedy).
        top_k: keep only the k most probable ids of each row (None: all).
        top_p: keep the most probable ids whose probabilities first reach ``top_p`` in total
            (nucleus sampling; None: all).
        seed: an int, a ``numpy.random.Generator``, or None for nnkit's generator
            (``nnkit.utils.set_random_seed``).

    Returns:
        An int for ``(V,)`` input, else an int64 array ``(N,)``.

    Raises:
        ShapeError: ``probabilities`` is not ``(V,)`` or ``(N, V)``.
        InvalidArgumentError: a negative or non-finite score, a row of zeros, or an
            argument out of range.
    """
    p = numpy.asarray(get_backend().to_numpy(probabilities) if get_backend().is_array(
        probabilities) else probabilities, dtype="float64")
    if p.ndim not in (1, 2) or p.shape[-1] == 0:
        raise ShapeError(f"sample: expected probabilities of shape (V,) or (N, V), received "
                         f"{describe(p)}")
    if not numpy.isfinite(p).all() or (p < 0).any():
        raise InvalidArgumentError("sample: probabilities must be finite and non-negative")
    temperature = validation.non_negative("sample", "temperature", temperature)
    rows = p.reshape(-1, p.shape[-1])
    if (rows.sum(axis=1) <= 0).any():
        raise InvalidArgumentError("sample: a row of probabilities sums to 0")
    if temperature == 0:
        drawn = rows.argmax(axis=1)
    else:
        drawn = _draw(_filtered(rows, temperature, top_k, top_p), _generator(seed))
    return int(drawn[0]) if p.ndim == 1 else drawn.astype("int64")


def _filtered(rows, temperature, top_k, top_p):
    """``(N, V)`` probabilities after temperature, top-k and top-p, each row summing to 1."""
    with numpy.errstate(divide="ignore"):
        logits = numpy.log(rows) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    weights = numpy.exp(logits)
    weights /= weights.sum(axis=1, keepdims=True)
    order = numpy.argsort(-weights, axis=1, kind="stable")
    ranked = numpy.take_along_axis(weights, order, axis=1)
    keep = numpy.ones_like(ranked, dtype=bool)
    if top_k is not None:
        keep[:, validation.positive_int("sample", "top_k", top_k):] = False
    if top_p is not None:
        top_p = validation.real("sample", "top_p", top_p, 0.0, 1.0, low_open=True)
        before = numpy.cumsum(ranked, axis=1) - ranked       # mass of the more probable ids
        keep &= before < top_p
        keep[:, 0] = True
    ranked = numpy.where(keep, ranked, 0.0)
    filtered = numpy.zeros_like(weights)
    numpy.put_along_axis(filtered, order, ranked, axis=1)
    return filtered / filtered.sum(axis=1, keepdims=True)


def _draw(rows, generator):
    """One id per row of ``(N, V)`` probabilities (inverse CDF of one uniform per row)."""
    cumulative = numpy.cumsum(rows, axis=1)
    uniform = generator.random(rows.shape[0]) * cumulative[:, -1]
    drawn = (cumulative <= uniform[:, None]).sum(axis=1)
    return numpy.minimum(drawn, rows.shape[1] - 1)


def generate(model, prompt, steps, states=None, temperature=1.0, top_k=None, top_p=None,
             seed=None):
    """Continue ``prompt`` by ``steps`` sampled ids, feeding ``model`` one id at a time.

    Args:
        model: maps ids ``(N, t)`` to probabilities ``(N, t, V)`` or ``(N, V)`` (the last
            step's are used). Without ``states`` it must be stateful: the prompt is fed
            once, then each new id alone (reset its states first for a fresh start). With
            ``states`` it maps ``[ids, *states]`` to ``[probabilities, *states]``.
        prompt: ``(N, T)`` int ids (T ≥ 1).
        steps: how many ids to generate.
        states: the initial states (a list of ``(N, H)`` arrays), for a state-passing model.
        temperature, top_k, top_p, seed: as ``sample``.

    Returns:
        ``(N, steps)`` int64: the generated ids (the prompt excluded).
    """
    prompt = numpy.asarray(prompt)
    if prompt.ndim != 2 or prompt.shape[1] == 0 or prompt.dtype.kind not in "iu":
        raise ShapeError(f"generate: expected prompt ids of shape (N, T), T >= 1, received "
                         f"{describe(prompt)}")
    steps = validation.non_negative_int("generate", "steps", steps)
    generator = _generator(seed)
    states = None if states is None else list(states)
    feed, produced = prompt, []
    for _ in range(steps):
        out = model([feed, *states] if states is not None else feed)
        if states is not None:
            out, *states = out
        last = get_backend().to_numpy(out)
        last = last[:, -1] if last.ndim == 3 else last
        feed = sample(last, temperature, top_k, top_p, generator)[:, None]
        produced.append(feed)
    return numpy.concatenate(produced, axis=1) if produced else \
        numpy.zeros((prompt.shape[0], 0), "int64")
