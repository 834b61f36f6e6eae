"""Cell: the weights and the step function of one recurrent layer.

A cell never loops over time. The time loop (``time_loop.TimeLoop``) computes
each step's pre-activations ``z = x_t · kernel + r_{t-1} · recurrent_kernel +
bias`` (``r`` is the cell's own ``h``, or the ``h`` of the layer above for a
cell that reads it) and hands the cell views of preallocated packed buffers:

- ``step_forward(z, x, prev, cur, scratch)``: activates ``z`` in place (the
  activated gates are the step cache) and writes the new states and any other
  cached values into ``cur`` (name → ``(k, width)`` view of step t);
- ``step_backward(z, x, prev, cur, d_cur, d_prev, scratch)``: given the
  accumulated ``d_cur`` (e.g. ``dh``, ``dc`` of step t), overwrites ``z`` with
  ``dz`` and adds the gradients of the previous states into ``d_prev``.

The loop then turns ``dz`` into ``dx``, the recurrent input's gradient and,
after the loop, every weight gradient as one GEMM over all steps.

Custom cells (public API): subclass ``Cell``, set ``gates`` (G, the number of
H-wide column blocks of ``z``) and ``state_names`` (carried states; ``"h"``
first, it is the recurrent input and the output), give ``buffer_widths``
(every packed buffer the step writes, states and cached values),
``step_forward`` and ``step_backward``, and register the class with
``@nnkit.register_cell``. Extra weights are made in ``build`` with
``self._add`` (their gradients added in ``step_backward``). ``RNN(cell)`` then
runs it with masks, packing, BPTT, dropout, ``Bidirectional``, saving and the
gradient checker; ``StackedCells(celltype=...)`` stacks it by its ``celltype``.
See ``examples/custom_cell_peephole.py``.
"""
from nnkit import initializers, validation
from nnkit.backend import get_backend
from nnkit.layers.base import new_weight

#: the initializer arguments of Keras's recurrent layers and cells
INITIALIZER_ARGUMENTS = ("kernel_initializer", "recurrent_initializer", "bias_initializer")


def set_initializers(owner, kernel_initializer, recurrent_initializer, bias_initializer):
    """Give a recurrent layer or cell its three initializers; a None keeps the class's default."""
    for key, spec in zip(INITIALIZER_ARGUMENTS, (kernel_initializer, recurrent_initializer,
                                                 bias_initializer)):
        if spec is not None:
            setattr(owner, key, spec)


def initializer_arguments(owner):
    """``{argument: initializer}`` of a recurrent layer or cell, to hand to its cells."""
    return {key: getattr(owner, key) for key in INITIALIZER_ARGUMENTS}


def initializer_config(owner):
    """``{argument: initializers.serialize(initializer)}``: what a config stores."""
    return {key: initializers.serialize(getattr(owner, key)) for key in INITIALIZER_ARGUMENTS}


class Cell:
    """Base cell: ``kernel (D, G·H)``, ``recurrent_kernel (R, G·H)``, ``bias (G·H,)``.

    Args:
        units: state size H.
        name: prefix used in error messages.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers of the
            three weights (``nnkit.initializers``); None keeps the class's default.

    Class attributes: ``gates`` (G), ``state_names`` (carried states),
    ``output_name`` (the buffer handed to the next layer), ``reads_layer_above``, and
    the default initializers.
    """

    gates = 1
    state_names = ("h",)
    output_name = "h"
    reads_layer_above = False
    kernel_initializer = "glorot_uniform"
    recurrent_initializer = "orthogonal"
    bias_initializer = "zeros"

    def __init__(self, units, name="cell", kernel_initializer=None, recurrent_initializer=None,
                 bias_initializer=None):
        self.name = name
        self.units = validation.positive_int(self.where, "units", units)
        set_initializers(self, kernel_initializer, recurrent_initializer, bias_initializer)
        self.params, self.grads = {}, {}
        self.input_size = None

    @property
    def where(self):
        """How errors name this cell: ``"LSTMCell 'lstm_1'"``."""
        return f"{type(self).__name__} '{self.name}'"

    @property
    def _xp(self):
        return get_backend().xp

    @property
    def width(self):
        """Number of pre-activation columns G·H."""
        return self.gates * self.units

    @property
    def recurrent_size(self):
        """Size R of the recurrent input."""
        return self.units

    @property
    def output_size(self):
        return self.units

    def build(self, input_size, dtype):
        """Create the weights for inputs of size ``input_size`` (D)."""
        self.input_size = int(input_size)
        self._add("kernel", (self.input_size, self.width), self.kernel_initializer, dtype)
        self._add("recurrent_kernel", (self.recurrent_size, self.width),
                  self.recurrent_initializer, dtype)
        self._add("bias", (self.width,), self.bias_initializer, dtype)

    def _add(self, key, shape, initializer, dtype):
        # zeros without random draws when a checkpoint is about to overwrite them
        self.params[key] = new_weight(self.name, key, shape, initializer, dtype)
        self.grads[key] = get_backend().xp.zeros_like(self.params[key])

    def buffer_widths(self):
        """Packed buffers the step writes: name → width."""
        return {"h": self.units}

    def forward_weights(self):
        """``(kernel, recurrent_kernel, bias)`` in the layout ``step_forward`` expects."""
        return self.params["kernel"], self.params["recurrent_kernel"], self.params["bias"]

    def backward_weights(self):
        """``(kernel, recurrent_kernel)`` in the column layout of the ``dz`` that ``step_backward`` writes."""
        return self.params["kernel"], self.params["recurrent_kernel"]

    def add_grads(self, dW, dU, db):
        """Add gradients given in the ``dz`` column layout into ``grads``."""
        self.grads["kernel"] += dW
        self.grads["recurrent_kernel"] += dU
        self.grads["bias"] += db

    def compiled_loop(self, dtype):
        """The backend's compiled time loop for this cell alone, or None (then steps in ``xp``)."""
        return None

    def make_scratch(self, n, dtype):
        """Per-batch work buffers for the step functions (sliced to ``[:k]``)."""
        return {}

    def step_forward(self, z, x, prev, cur, scratch):
        raise NotImplementedError

    def step_backward(self, z, x, prev, cur, d_cur, d_prev, scratch):
        raise NotImplementedError

    def add_direct_input_grad(self, cur, d_cur, dx, work):
        """Add any gradient reaching ``x`` other than through ``dz · kernelᵀ`` (none by default)."""

    def get_config(self):
        """Constructor arguments (a subclass adds its own); ``celltype`` names the kind."""
        return {"celltype": type(self).celltype, "units": self.units}

    @classmethod
    def from_config(cls, config):
        return cls(**{key: value for key, value in config.items() if key != "celltype"})


def cell_class(celltype):
    """The registered cell class whose ``celltype`` is ``celltype``.

    Raises:
        InvalidArgumentError: no registered cell has that celltype.
    """
    from nnkit.errors import InvalidArgumentError
    from nnkit.registry import CELLS
    for name in CELLS.names():
        if getattr(CELLS.get(name), "celltype", None) == celltype:
            return CELLS.get(name)
    known = sorted(getattr(CELLS.get(name), "celltype", name) for name in CELLS.names())
    raise InvalidArgumentError(f"unknown celltype {celltype!r}: expected one of {known} "
                               f"(custom cells must be registered with @nnkit.register_cell)")
