"""Attention masks: which query step may attend to which key step.

A mask here is boolean and broadcasts against scores ``(N, [heads,] T, S)``
(T query steps, S key/value steps); True means "may attend". ``combine``
joins the masks Keras 3 joins (query × value × key × causal × explicit).
"""


def causal_mask(xp, query_steps, key_steps):
    """``(1, T, S)``: query step ``t`` sees key steps ``s <= t`` (Keras's lower triangle)."""
    rows = xp.arange(query_steps)[:, None]
    cols = xp.arange(key_steps)[None, :]
    return (rows >= cols)[None]


def combine(xp, query_steps, key_steps, query_mask=None, value_mask=None, key_mask=None,
            attention_mask=None, causal=False):
    """The attention mask ``(N or 1, T, S)`` from every mask given, or None if none is.

    Args:
        query_mask: ``(N, T)``, becomes ``(N, T, 1)``.
        value_mask, key_mask: ``(N, S)``, each becomes ``(N, 1, S)``.
        attention_mask: ``(N, T, S)`` or broadcastable to it.
        causal: also join ``causal_mask``.
    """
    parts = []
    if query_mask is not None:
        parts.append(query_mask[:, :, None])
    for mask in (value_mask, key_mask):
        if mask is not None:
            parts.append(mask[:, None, :])
    if causal:
        parts.append(causal_mask(xp, query_steps, key_steps))
    if attention_mask is not None:
        parts.append(attention_mask)
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part
    return combined
