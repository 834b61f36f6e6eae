"""Initial states as graph inputs: ``layer(x, initial_state=[h0, c0])`` on symbolic tensors.

A graph node reads tensors only through its inputs, so a call whose
``initial_state`` is symbolic is recorded as the call ``layer([x, h0, c0])``
(Keras 2's form, which nnkit also takes directly). Running such a node hands
the layer the list ``[x, *states]``; its backward then returns
``[dx, *d_states]``, so BPTT reaches whatever made the states (an encoder's
final states, an ``Input``). Only ``x`` may carry a mask.

Masks, as Keras 3: a layer is handed its input's mask only when the call has a
single tensor argument, so ``layer(x, initial_state=[h0, c0])`` on symbolic
tensors runs every step of a masked ``x`` (the output still carries the mask
on to the next layers). The node records ``apply_mask=False`` for this. The
list form ``layer([x, h0, c0])`` (Keras 2's) and eager calls apply the mask.

Shapes: x ``(N, T, D)``; each state ``(N, H)``.
"""
from nnkit.errors import InvalidArgumentError
from nnkit.layers.symbolic import is_symbolic


def sequence_shape(input_shape):
    """The example shape of ``x`` from ``input_shape``: one shape, or ``[x, *states]``'s list."""
    several = len(input_shape) > 0 and isinstance(input_shape[0], (list, tuple))
    return tuple(input_shape[0]) if several else tuple(input_shape)


def sequence_mask(mask):
    """The mask of ``x`` from a call's mask (a list when the call took ``[x, *states]``)."""
    return mask[0] if isinstance(mask, (list, tuple)) else mask


def as_state_list(initial_state):
    """``initial_state`` as a list (Keras takes one tensor for a single state)."""
    return list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]


class StateInputs:
    """Mixin of recurrent layers (and Bidirectional) taking their initial states as inputs.

    The class's ``forward`` takes ``initial_state`` and keeps a dict cache; its
    ``backward`` returns ``[dx, *d_states]`` when the cache has ``states_were_inputs``.
    """

    def __call__(self, x, training=None, mask=None, initial_state=None, **kwargs):
        if initial_state is not None and is_symbolic(x):
            states = as_state_list(initial_state)
            if not is_symbolic(states):
                raise InvalidArgumentError(
                    f"{self.where}: on symbolic tensors, initial_state must be symbolic "
                    f"tensors too (from Input or a layer's returned states), received "
                    f"{[type(s).__name__ for s in states]}")
            if isinstance(x, (list, tuple)):
                raise InvalidArgumentError(f"{self.where}: give the initial states either in "
                                           f"the input list or as initial_state, not both")
            return super().__call__([x, *states], training, mask, apply_mask=False, **kwargs)
        if initial_state is not None:
            kwargs["initial_state"] = as_state_list(initial_state)
        return super().__call__(x, training, mask, **kwargs)

    def apply(self, x, training=False, mask=None, apply_mask=True, **kwargs):
        if not isinstance(x, (list, tuple)):
            return super().apply(x, training=training, mask=mask, **kwargs)
        if kwargs.get("initial_state") is not None:
            raise InvalidArgumentError(f"{self.where}: give the initial states either in the "
                                       f"input list or as initial_state, not both")
        if len(x) < 2:
            raise InvalidArgumentError(f"{self.where}: a list input is [x, *initial_states], "
                                       f"received {len(x)} array(s)")
        if any(m is not None for m in (mask[1:] if isinstance(mask, (list, tuple)) else [])):
            raise InvalidArgumentError(f"{self.where}: initial states cannot carry a mask")
        kwargs["initial_state"] = list(x[1:])
        mask = sequence_mask(mask)
        y, out_mask = super().apply(x[0], training=training, mask=mask if apply_mask else None,
                                    **kwargs)
        if not apply_mask:
            out_mask = self.compute_mask(x[0], mask)
        if training:
            self.mark_states_as_inputs()
        return y, out_mask

    def mark_states_as_inputs(self):
        """Note in the cache of this call that ``backward`` returns ``[dx, *d_states]``."""
        self._cache = {**self._cache, "states_were_inputs": True}
