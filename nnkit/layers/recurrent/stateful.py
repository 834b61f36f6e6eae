"""Stateful recurrent layers (Keras's ``stateful=True``): each call starts from the last one's states.

Row ``i`` of a batch continues row ``i`` of the previous batch, so every call
must have the same batch size N: the one of the graph's ``Input(batch_size=N)``
(or ``batch_shape=``) when there is one, else the first call's. The carried
states are not weights (Keras does not list them either); they are saved with
the model as the layer's assets, and ``reset_states()`` sets them back to zero.
A model's shape probe runs inside ``states_held()``, which neither reads nor
updates them.

Shapes: each carried state ``(N, H)``, in ``initial_state`` order.
"""
import contextlib
import contextvars

from nnkit import validation
from nnkit.backend import get_backend
from nnkit.errors import InvalidArgumentError, NotBuiltError, ShapeError, describe
from nnkit.layers.symbolic import is_symbolic

#: True inside ``states_held()`` in this thread
_held = contextvars.ContextVar("nnkit_stateful_states_held", default=False)


@contextlib.contextmanager
def states_held():
    """Run calls that must leave stateful layers' states alone (a model's shape probe)."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def graph_batch_size(tensor):
    """The fixed batch size of the ``Input`` that ``tensor`` comes from (first inputs followed),
    or None."""
    node = tensor.node
    while node.inputs:
        node = node.inputs[0].node
    return getattr(node.layer, "batch_size", None)


class CarriedStates:
    """Mixin of recurrent layers: ``stateful``, the carried ``states`` and ``reset_states``.

    The class using it calls ``init_stateful(stateful)`` in ``__init__``, gives
    ``state_sizes()`` (H of each state), asks ``carried_initial_state(n)`` for the
    initial states of a call without ``initial_state`` and hands its final states to
    ``keep_final_states``.
    """

    def init_stateful(self, stateful):
        self.stateful = validation.flag(self.where, "stateful", stateful)
        self.states = None                  # list of (N, H) arrays once a call ran
        self.stateful_batch_size = None     # fixed by Input(batch_size=N) or the first call

    def __call__(self, x, *args, **kwargs):
        if self.stateful and is_symbolic(x):
            first = x[0] if isinstance(x, (list, tuple)) else x
            self.stateful_batch_size = graph_batch_size(first) or self.stateful_batch_size
        return super().__call__(x, *args, **kwargs)

    def carried_initial_state(self, n):
        """The initial states of a call of batch size ``n`` (None: zeros).

        Raises:
            ShapeError: the layer is stateful and ``n`` is not its fixed batch size.
        """
        if not self.stateful or _held.get():
            return None
        expected = self.stateful_batch_size or (None if self.states is None
                                                else self.states[0].shape[0])
        if expected is not None and n != expected:
            raise ShapeError(f"{self.where}: the layer is stateful with batch size {expected} "
                             f"(row i of a batch continues row i of the previous one); "
                             f"received a batch of {n}. Pass batch_size={expected} to "
                             f"fit/predict/evaluate and give them a multiple of {expected} "
                             f"examples")
        self.stateful_batch_size = n
        return self.states

    def keep_final_states(self, finals):
        """Carry ``finals`` (new arrays, in ``initial_state`` order) to the next call."""
        if self.stateful and not _held.get():
            self.states = list(finals)

    def reset_states(self, states=None):
        """Set the carried states to zeros, or to ``states`` (a list of ``(N, H)`` arrays,
        one per state; Keras 2's argument).

        Raises:
            NotBuiltError: ``states`` given before the layer is built.
            ShapeError: ``states`` has the wrong number of arrays or a wrong shape.
        """
        if not self.stateful:
            raise InvalidArgumentError(f"{self.where}: reset_states() is for stateful layers "
                                       f"(stateful=True)")
        if states is None:
            n = self.stateful_batch_size if self.states is None else self.states[0].shape[0]
            if n is not None and self.built:
                xp = get_backend().xp
                self.states = [xp.zeros((n, size), self.dtype) for size in self.state_sizes()]
            return
        if not self.built:
            raise NotBuiltError(f"{self.where}: reset_states(states) needs a built layer")
        backend = get_backend()
        states = [backend.asarray(s) for s in (states if isinstance(states, (list, tuple))
                                               else [states])]
        n = states[0].shape[0] if states and states[0].ndim == 2 else None
        expected = [(n, size) for size in self.state_sizes()]
        if n is None or [s.shape for s in states] != expected or (
                self.stateful_batch_size not in (None, n)):
            raise ShapeError(f"{self.where}: reset_states expected {len(expected)} arrays of "
                             f"shape (N, H) {[('N', size) for size in self.state_sizes()]} with "
                             f"N = {self.stateful_batch_size or 'the batch size'}, received "
                             f"{[describe(s) for s in states]}")
        self.stateful_batch_size = n
        self.states = [backend.asarray(s, dtype=self.dtype) for s in states]

    def reset_state(self):
        """Keras 3's name: ``reset_states()``."""
        self.reset_states()

    @property
    def get_assets(self):
        """What a checkpoint stores of a stateful layer (the carried states, exact in JSON);
        None for other layers, which store nothing."""
        return self._carried_assets if self.stateful else None

    def _carried_assets(self):
        backend = get_backend()
        return {"states": None if self.states is None else
                [backend.to_numpy(s).tolist() for s in self.states]}

    def set_assets(self, assets):
        """Restore ``get_assets()``'s states (a checkpoint's)."""
        states = assets.get("states")
        if states is None:
            self.states = None
        else:
            self.reset_states([get_backend().asarray(s, dtype=self.dtype) for s in states])
