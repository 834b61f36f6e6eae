"""``return_attention_scores`` on symbolic tensors: a call with a second output.

Keras's attention layers return ``(output, scores)`` when called with
``return_attention_scores=True``. The number of outputs of a symbolic call
comes from ``layer.output_shapes``, which sees shapes only, so the call says
it here, for its own duration: ``call_symbolic`` sets a context variable that
``returns_scores`` reads while ``call_layer`` records the node.
"""
import contextvars

from nnkit.layers.symbolic import call_layer

#: True only inside ``call_symbolic`` of a call that returns the scores
_returning_scores = contextvars.ContextVar("nnkit_attention_returns_scores", default=False)


def call_symbolic(layer, tensors, kwargs):
    """``call_layer(layer, tensors, kwargs)``, with two outputs when
    ``kwargs["return_attention_scores"]`` is true."""
    token = _returning_scores.set(bool(kwargs.get("return_attention_scores")))
    try:
        return call_layer(layer, tensors, kwargs)
    finally:
        _returning_scores.reset(token)


def returns_scores():
    """Whether the symbolic call being recorded returns the attention scores too."""
    return _returning_scores.get()
