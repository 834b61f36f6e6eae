"""Bidirectional: run a recurrent layer forwards and backwards in time and merge."""
from nnkit.errors import InvalidArgumentError
from nnkit.layers.recurrent.state_inputs import StateInputs, sequence_mask, sequence_shape
from nnkit.layers.wrapper import Wrapper
from nnkit.registry import register_layer

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


@register_layer
class Bidirectional(StateInputs, Wrapper):
    """Keras's ``Bidirectional``: a forward layer and a ``go_backwards`` copy of it.

    The backward copy is rebuilt from ``layer``'s config with ``go_backwards``
    flipped and named ``"backward_<name>"``; it has its own weights. Under a
    mask it starts from the last *valid* step, never from padding. With
    ``return_sequences`` its reversed-time output is flipped back so both
    directions align per step. The mask passes through with
    ``return_sequences`` and is consumed otherwise. Parameters appear as
    ``"forward/<key>"`` then ``"backward/<key>"`` (aliases; Keras's weight
    order).

    Args:
        layer: a recurrent layer (RNN, LSTM, ...) whose config has ``go_backwards``.
        merge_mode: "concat" (default), "sum", "mul", "ave", or None for the
            list ``[y_forward, y_backward]``.

    Shapes:
        x: ``(N, T, D)``; mask: ``(N, T)``.
        y: ``(N, T, 2H)`` ("concat") or ``(N, T, H)`` with return_sequences,
        else ``(N, 2H)`` / ``(N, H)``. With return_state the output is the list
        ``[y, *forward_states, *backward_states]`` (states ``(N, H)`` each).
        ``initial_state`` (arrays, or symbolic tensors in a graph) is that list of
        states: its first half starts the forward layer, the second the backward one.

    A stateful ``layer`` makes both directions stateful; ``reset_states`` resets both.

    Example:
        >>> Bidirectional(LSTM(8, return_sequences=True))(np.ones((2, 5, 3))).shape
        (2, 5, 16)
    """

    supports_masking = True
    input_ranks = (3,)

    def __init__(self, layer, merge_mode="concat", **kwargs):
        super().__init__(layer, **kwargs)
        config = layer.get_config()
        if "go_backwards" not in config:
            raise InvalidArgumentError(f"layer '{self.name}' (Bidirectional): expected a recurrent "
                                       f"layer with go_backwards, received {type(layer).__name__}")
        if merge_mode not in MERGE_MODES:
            raise InvalidArgumentError(f"layer '{self.name}' (Bidirectional): merge_mode must be "
                                       f"one of {MERGE_MODES}, received {merge_mode!r}")
        self.merge_mode = merge_mode
        self.return_sequences = bool(config.get("return_sequences", False))
        self.return_state = bool(config.get("return_state", False))
        self.backward_layer = type(layer).from_config(
            {**config, "go_backwards": not config["go_backwards"], "name": f"backward_{layer.name}"})
        self.stateful = bool(config.get("stateful", False))

    def children(self):
        return {"forward": self.layer, "backward": self.backward_layer}

    def build(self, input_shape):
        input_shape = sequence_shape(input_shape)
        for child in self.children().values():
            if not child.built:
                child.build(tuple(input_shape))
        self.expose_child_params()
        super().build(input_shape)

    def example_output_shape(self, input_shape):
        shape = tuple(self.layer.example_output_shape(sequence_shape(input_shape)))
        if self.merge_mode == "concat" and shape[-1] is not None:
            shape = shape[:-1] + (2 * shape[-1],)
        return shape

    def output_shapes(self, input_shape):
        """``[y]`` (``[y_fw, y_bw]`` for merge_mode None), then with return_state the
        forward then the backward states."""
        outputs = [self.example_output_shape(input_shape)] * (2 if self.merge_mode is None else 1)
        if self.return_state:
            states = self.layer.output_shapes(sequence_shape(input_shape))[1:]
            outputs += states + states
        return outputs

    def compute_mask(self, x, mask):
        return sequence_mask(mask) if self.return_sequences else None

    def reset_states(self, states=None):
        """Reset both directions' carried states (zeros, or ``states``: the forward then the
        backward layer's, as ``initial_state``)."""
        if states is None:
            self.layer.reset_states()
            self.backward_layer.reset_states()
            return
        half = len(states) // 2
        self.layer.reset_states(list(states[:half]))
        self.backward_layer.reset_states(list(states[half:]))

    def reset_state(self):
        self.reset_states()

    @property
    def get_assets(self):
        """Both directions' carried states when stateful (see ``CarriedStates``), else None."""
        if not self.stateful:
            return None
        return lambda: {role: child.get_assets() for role, child in self.children().items()}

    def set_assets(self, assets):
        for role, child in self.children().items():
            child.set_assets(assets[role])

    @property
    def takes_table_input(self):
        """Whether both directions take an inference plan's ``TableInput`` (see forward)."""
        return self.layer.takes_table_input and self.backward_layer.takes_table_input

    def forward(self, x, training=False, mask=None, initial_state=None, table_input=None):
        """``table_input``: given by a model's inference plan when ``x`` is an Embedding's output
        (``nnkit.layers.table_input``); both directions use it."""
        extra = {} if table_input is None else {"table_input": table_input}
        fw_initial = bw_initial = None
        if initial_state is not None:
            if len(initial_state) % 2:
                raise InvalidArgumentError(f"{self.where}: initial_state must list the forward "
                                           f"then the backward layer's states (an even "
                                           f"number), received {len(initial_state)} arrays")
            half = len(initial_state) // 2
            fw_initial, bw_initial = list(initial_state[:half]), list(initial_state[half:])
        fw = self.layer(x, training=training, mask=mask, initial_state=fw_initial, **extra)
        bw = self.backward_layer(x, training=training, mask=mask, initial_state=bw_initial,
                                 **extra)
        fw_states, bw_states = [], []
        if self.return_state:
            (fw, *fw_states), (bw, *bw_states) = fw, bw
        if self.return_sequences:
            bw = self.xp.flip(bw, axis=1)                      # back to input time order
        if training:
            self._cache = {"fw": fw, "bw": bw, "n_states": len(fw_states)}
        merged = self._merge(fw, bw)
        if not self.return_state:
            return merged
        return (merged if self.merge_mode is None else [merged]) + fw_states + bw_states

    def _merge(self, fw, bw):
        if self.merge_mode == "concat":
            return self.xp.concatenate([fw, bw], axis=-1)
        if self.merge_mode == "sum":
            return fw + bw
        if self.merge_mode == "ave":
            return (fw + bw) * 0.5
        if self.merge_mode == "mul":
            return fw * bw
        return [fw, bw]

    def backward(self, dy):
        cache, self._cache = self._cache, None
        fw, bw, n_states = cache["fw"], cache["bw"], cache["n_states"]
        dy = list(dy) if isinstance(dy, (list, tuple)) else [dy]
        n_outputs = 2 if self.merge_mode is None else 1
        dy_fw, dy_bw = self._unmerge(dy[:n_outputs], fw, bw)
        if self.return_sequences:
            dy_bw = self.xp.flip(dy_bw, axis=1)                # into the backward layer's time order
        d_states = dy[n_outputs:]
        if self.return_state:
            dy_fw = [dy_fw, *d_states[:n_states]]
            dy_bw = [dy_bw, *d_states[n_states:]]
        for child in self.children().values():
            child.needs_input_grad = self.needs_input_grad
        dx_fw = self.layer.backward(dy_fw)
        dx_bw = self.backward_layer.backward(dy_bw)
        dx = None if dx_fw is None else dx_fw + dx_bw
        if cache.get("states_were_inputs"):
            return [dx, *self.layer.initial_state_grads, *self.backward_layer.initial_state_grads]
        return dx

    def _unmerge(self, dy, fw, bw):
        """``(dL/dy_forward, dL/dy_backward)`` from the gradient of the merged output."""
        if self.merge_mode == "concat":
            units = fw.shape[-1]
            return dy[0][..., :units], dy[0][..., units:]
        if self.merge_mode == "sum":
            return dy[0], dy[0]
        if self.merge_mode == "ave":
            return dy[0] * 0.5, dy[0] * 0.5
        if self.merge_mode == "mul":
            return dy[0] * bw, dy[0] * fw
        return dy[0], dy[1]

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode}
