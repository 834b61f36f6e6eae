"""The trace of one custom layer's ``call()``: what its ops and sub-layer calls recorded.

A layer written with ``call()`` (Keras's way) is run by tracing: ``call`` runs once per
input signature on symbolic tensors of the batch's concrete shapes (so Python control flow
on shapes and on ``training`` works), every op and sub-layer call records a node into the
active ``Trace``, and the layer then runs that graph with the one ``GraphRunner``, whose
backward is the reverse of the nodes' hand-written backwards (see ``traced_call``).

The active trace is a ``ContextVar``: one thread tracing a layer never records into
another thread's trace.
"""
import contextlib
import contextvars

_active = contextvars.ContextVar("nnkit_active_trace", default=None)


class Trace:
    """The nodes one trace recorded, in creation order, and each weight's read node.

    Args:
        owner: the layer whose ``call`` is traced (its name prefixes the helper nodes).
        make_read: ``(variable, trace) -> symbolic tensor``: records a weight read.
        make_constant: ``(array, trace, what) -> symbolic tensor``: records a constant.

    Attributes:
        nodes: every ``Node`` recorded (op nodes, sub-layer calls, weight reads, constants).
        layers: the layers called in the trace, in first-call order (the owner's sub-layers).
    """

    def __init__(self, owner, make_read, make_constant):
        self.owner, self.nodes, self.layers = owner, [], []
        self._reads, self._make_read, self._make_constant = {}, make_read, make_constant

    def read(self, variable):
        """The symbolic tensor of ``variable`` in this trace (one read node per weight)."""
        if id(variable) not in self._reads:
            self._reads[id(variable)] = self._make_read(variable, self)
            owner = variable.layer
            if owner is not self.owner and owner not in self.layers:
                self.layers.append(owner)     # its weights are the traced layer's too
        return self._reads[id(variable)]

    def constant(self, array, what):
        """A symbolic tensor holding ``array`` (made eagerly inside the trace)."""
        return self._make_constant(array, self, what)

    def record(self, node):
        """Add ``node`` (a sub-layer's call, an op) to the trace."""
        self.nodes.append(node)
        if not getattr(node.layer, "is_op", False) and node.layer not in self.layers:
            self.layers.append(node.layer)


def active():
    """The trace being recorded in this thread, or None."""
    return _active.get()


@contextlib.contextmanager
def tracing(trace):
    """Record into ``trace`` inside the block."""
    token = _active.set(trace)
    try:
        yield trace
    finally:
        _active.reset(token)


@contextlib.contextmanager
def not_tracing():
    """Compute eagerly inside the block even while a trace is active (shape probes)."""
    token = _active.set(None)
    try:
        yield
    finally:
        _active.reset(token)
